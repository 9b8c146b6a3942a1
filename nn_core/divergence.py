"""Divergence, explained: when the loss blew up, and which layer's weights grew first.

A loss that turns NaN or infinite, or grows ``GROWTH`` times within ``WINDOW``
epochs, has diverged. The person wants to know where it started, and a way
back: the last good epoch is the lowest loss of the window before the blow-up,
and replaying from it (time travel, nn_core/snapshots.py) epoch by epoch shows
which layer's largest weight grew ``LAYER_GROWTH`` times (or overflowed) first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .playground import Playground

WINDOW = 5  # epochs a growth is measured over
GROWTH = 100.0  # the train loss growing this many times within the window is a divergence
LAYER_GROWTH = 10.0  # a layer's largest weight growing this many times is where it started
MAX_REPLAY = 200  # epochs replayed at most to find the layer


@dataclass(frozen=True)
class Divergence:
    """Where a run diverged: the first bad epoch, the last good one and the layer that grew first."""

    epoch: int  # the first epoch whose loss is NaN/inf or GROWTH times the window's lowest
    last_good: int  # the window's lowest loss before it: where rewinding goes
    last_good_loss: float
    cause: str  # "NaN", "infinite" or "grew ×N"
    layer: int | None  # weight layer (0 = the first hidden layer's), None when it cannot be told
    layer_epoch: int | None  # when that layer's largest weight had grown LAYER_GROWTH times
    layer_growth: float  # how many times it had grown by then (inf: it overflowed)
    depth: int  # weight layers in the network, to name the output layer

    @property
    def layer_name(self) -> str:
        if self.layer is None:
            return ""
        return "the output layer" if self.layer == self.depth - 1 else f"hidden layer {self.layer + 1}"

    @property
    def message(self) -> str:
        text = (f"The loss diverged at epoch {self.epoch} ({self.cause}); the last good epoch is "
                f"{self.last_good} (train loss {self.last_good_loss:.4g}).")
        if self.layer is not None:
            grown = "overflowed" if math.isinf(self.layer_growth) else f"grew ×{self.layer_growth:.3g}"
            text += (f" It started in {self.layer_name}'s weights: their largest {grown} by epoch "
                     f"{self.layer_epoch}, before any other layer's.")
        return text

    def to_json(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "last_good": self.last_good, "cause": self.cause, "layer": self.layer,
                "layer_epoch": self.layer_epoch, "message": self.message}


def onset(points: Sequence[tuple[int, float, float]]) -> tuple[int, int, float, str] | None:
    """The first diverged point of a loss history, as (epoch, last good epoch, its loss, cause)."""
    window: list[tuple[int, float]] = []
    for epoch, train, test in points:
        window = [(e, loss) for e, loss in window if e >= epoch - WINDOW]
        cause = _cause(train, test, window)
        if cause:
            if not window:
                return None  # nothing good to go back to
            good_epoch, good_loss = min(window, key=lambda point: (point[1], -point[0]))
            return epoch, good_epoch, good_loss, cause
        window.append((epoch, train))
    return None


def _cause(train: float, test: float, window: list[tuple[int, float]]) -> str:
    if math.isnan(train) or math.isnan(test):
        return "NaN"
    if math.isinf(train) or math.isinf(test):
        return "infinite"
    lowest = min((loss for _, loss in window), default=math.inf)
    if lowest > 0.0 and train > GROWTH * lowest:
        return f"grew ×{train / lowest:.3g}"
    return ""


def explain(playground: Playground) -> Divergence | None:
    """The divergence of the branch in use, or None; the layer comes from replaying a copy."""
    found = onset(playground.history)
    if found is None:
        return None
    epoch, last_good, good_loss, cause = found
    # The replay starts where rewinding still reaches (a change since may have moved that on).
    layer, layer_epoch, growth = _first_layer(playground, max(last_good, playground.earliest_epoch), epoch)
    return Divergence(epoch, last_good, good_loss, cause, layer, layer_epoch, growth, playground.net.depth)


def _first_layer(playground: Playground, start: int, end: int) -> tuple[int | None, int | None, float]:
    """Replay ``start``..``end`` on a copy: the layer whose largest weight grew LAYER_GROWTH
    times first (the most grown of those at the same epoch), that epoch and its growth."""
    if start >= min(end, playground.epoch):
        return None, None, 0.0
    past = playground.at(start)
    base = _scales(past.weights)
    for _ in range(min(end - start, MAX_REPLAY)):
        before = past.epoch
        past.step(1)
        if past.epoch == before:  # a stop condition holds
            break
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            growth = np.where(np.isfinite(s := _scales(past.weights)), s / np.maximum(base, 1e-300), np.inf)
        if (growth >= LAYER_GROWTH).any():
            layer = int(np.argmax(growth))
            return layer, past.epoch, float(growth[layer])
    return None, None, 0.0


def _scales(weights: list[np.ndarray]) -> np.ndarray:
    """Each layer's largest weight in absolute value (NaN counts as infinite)."""
    return np.array([float(np.nan_to_num(np.abs(w), nan=np.inf).max(initial=0.0)) for w in weights])
