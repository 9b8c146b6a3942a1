"""Building one frame — JSON state plus binary grids — on a worker thread.

A frame is always the playground's latest state. Its ``history`` holds only
the loss points the page has not had yet; when the history restarted (a new
network, a reset, a resumed session) it carries the whole history and
``history_reset: true`` so the page starts its chart anew.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nn_core.grid import OUTPUT_RESOLUTION

from .grids import encode_grids
from .messages import encode, frame_message


@dataclass(frozen=True)
class Frame:
    """One frame, ready to send: the JSON text, then the grids."""

    text: str
    grids: bytes


class HistoryCursor:
    """Remembers the last epoch sent, to send each loss point once."""

    def __init__(self) -> None:
        self.last_epoch = -1

    def restart(self) -> None:
        self.last_epoch = -1

    def take(self, history: Sequence[tuple[int, float, float]]) -> tuple[list[Any], bool]:
        """The points after the last one sent, and whether the chart must start over."""
        if not history:
            return [], False
        newest = history[-1][0]
        if self.last_epoch < 0 or newest < self.last_epoch or newest == 0:
            self.last_epoch = newest
            return list(history), True
        start = len(history)
        while start > 0 and history[start - 1][0] > self.last_epoch:
            start -= 1
        self.last_epoch = newest
        return list(history[start:]), False


def build_frame(pg: Any, cursor: HistoryCursor, playing: bool, thumbnail: int) -> Frame:
    """Everything the page draws for the current state (CPU work: call off the event loop)."""
    maps = pg.boundaries(resolution=thumbnail, output_resolution=OUTPUT_RESOLUTION)
    history, restarted = cursor.take(pg.history)
    text = encode(frame_message(pg, history, restarted, playing))
    return Frame(text, encode_grids(maps.output, maps.thumbnails, int(pg.epoch)))
