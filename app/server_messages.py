"""What the server sends: JSON messages, and frames (JSON text followed by binary grids).

Small functions turn engine state into JSON-able dicts. Numbers that are not
finite (a diverged network) become ``null``: JSON has no NaN, and the page's
``JSON.parse`` would reject the whole message otherwise.

A frame is always the playground's latest state. Its ``history`` holds only
the loss points the page has not had yet; when the history restarted (a new
network, a reset, a resumed session) it carries the whole history and
``history_reset: true`` so the page starts its chart anew. The frame's grids —
the output's heat map and every neuron's thumbnail — travel as one binary
message (app/grid_message.py, docs/protocol.md): one byte per cell
(``nn_core.grid.quantize``), sent as differences against the previous frame's,
keeps a default frame's grids near 1 KB while training (~200 KB as JSON floats).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from nn_core import Playground
from nn_core.grid import OUTPUT_RESOLUTION
from nn_core.schedules import learning_rate, scheduled
from nn_core.settings import config_to_json
from nn_core.stopping import Stop

from .grid_message import GridSource, GridStream

Json = dict[str, Any]
HistoryPoint = tuple[int, float, float]


# --- JSON messages ---------------------------------------------------------------
def encode(message: Json) -> str:
    """Compact JSON with the values ``json.dumps`` would write, ~20 times faster: every frame's
    JSON goes through here (~22 µs of a frame's ~180 before, benchmarks/bench_frames.py).

    The text may differ from ``json.dumps``'s, never what it reads back as: exponents
    (``1e-7``, not ``1e-07``), UTF-8 rather than ``\\u`` escapes, and a NaN or infinity that
    slipped past :func:`finite_or_none` becomes ``null`` (never a token that the page's
    ``JSON.parse`` refuses). Keys that are not strings are written as strings, as
    ``json.dumps`` does; integers beyond 64 bits raise (the server sends none)."""
    return orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()


def finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def array_json(array: np.ndarray) -> Any:
    """Nested lists of floats, with ``None`` where a value is NaN or infinite."""
    array = np.asarray(array, dtype=float)
    finite = np.isfinite(array)
    if finite.all():
        return array.tolist()
    values = array.astype(object)
    values[~finite] = None
    return values.tolist()


def state_message(pg: Playground, warnings: Sequence[str], playing: bool, thumbnail: int) -> Json:
    config = pg.config
    return {
        "type": "state",
        "hash": pg.to_url(),
        "config": config_to_json(config),
        "warnings": list(warnings),
        "layer_sizes": list(config.layer_sizes),
        "features": list(config.features),
        "dataset_key": config.dataset_key,
        "playing": playing,
        "epoch": int(pg.epoch),
        "thumbnail": thumbnail,
        "points_left_out": pg.points_left_out_of_link,
    }


def data_message(pg: Playground) -> Json:
    return {"type": "data", "train": _rows(pg.train.rows()), "test": _rows(pg.test.rows())}


def _rows(rows: Iterable[Sequence[float]]) -> list[list[float | None]]:
    return [[finite_or_none(v) for v in row] for row in rows]


# An abandoned branch on the chart needs no more points than the chart is wide.
MAX_BRANCH_POINTS = 300


def _thinned(points: Sequence[HistoryPoint]) -> list[HistoryPoint]:
    """About :data:`MAX_BRANCH_POINTS` of ``points``, evenly, the last one kept."""
    kept = list(points[::max(1, -(-len(points) // MAX_BRANCH_POINTS))])
    if points and kept[-1] != points[-1]:
        kept.append(points[-1])
    return kept


def frame_message(pg: Playground, history: Sequence[HistoryPoint], history_reset: bool,
                  playing: bool, predictions: bool = False, gradients: bool = False) -> Json:
    message: Json = {
        "type": "frame",
        "epoch": int(pg.epoch),
        "train_loss": finite_or_none(pg.train_loss),
        "test_loss": finite_or_none(pg.test_loss),
        "history": [[int(e), finite_or_none(tr), finite_or_none(te)] for e, tr, te in history],
        **_parameters_json(pg),
        "playing": playing,
        "learning_rate": finite_or_none(pg.learning_rate),
        "metrics": {name: finite_or_none(value) for name, value in pg.metrics.items()},
        "gradient_sizes": [finite_or_none(size) for size in pg.gradient_sizes],
        "earliest_epoch": int(pg.earliest_epoch),  # the first epoch a `seek` can still reach
    }
    if gradients:  # every link's, only while the page shows them: as many numbers as the weights
        message["gradients"] = [array_json(g) for g in pg.gradients]
    if scheduled(pg.config):  # the rate after each history point's epoch, for the chart's second axis
        message["rates"] = [finite_or_none(learning_rate(pg.config, int(e))) for e, _, _ in history]
    if pg.config.problem == "classification":
        message["confusion"] = {which: pg.confusion(which).tolist() for which in ("train", "test")}
        if predictions:
            message["predicted"] = {which: class_digits(pg.predicted_classes(which)) for which in ("train", "test")}
    if history_reset:
        message["history_reset"] = True
        # The branches a rewind abandoned, drawn faded on the chart until a reset.
        message["branches"] = [_rows(_thinned(branch)) for branch in pg.branches]
    if pg.net.dead.any():
        message["dead"] = [d.tolist() for d in pg.net.dead_links]
    return message


def _parameters_json(pg: Playground) -> Json:
    """``weights`` and ``biases`` per layer. Every frame carries them, so the usual case (all
    finite) checks the flat parameters once and converts each layer's block with one
    ``tolist``; a diverged network goes the slow way, with ``None`` for what is not finite."""
    if not np.logical_and.reduce(np.isfinite(pg.net.params)):  # the ufuncs themselves: no method's wrapper
        return {"weights": [array_json(w) for w in pg.net.weights], "biases": [array_json(b) for b in pg.net.biases]}
    blocks = [block.tolist() for block in pg.net.blocks]  # rows: a neuron's incoming weights, then its bias
    return {"weights": [[row[:-1] for row in block] for block in blocks],
            "biases": [[row[-1] for row in block] for block in blocks]}


# One character per point's predicted class index (0-9, then a-z): 500 points are 500 bytes.
CLASS_DIGITS = np.array(list("0123456789abcdefghijklmnopqrstuvwxyz"))


def class_digits(classes: np.ndarray) -> str:
    """Class indices as one base-36 digit each, in the points' order (compact for a frame)."""
    return "".join(CLASS_DIGITS[np.clip(classes, 0, len(CLASS_DIGITS) - 1)].tolist())


def stopped_message(stop: Stop, epoch: int) -> Json:
    """A stop condition paused training: which one (its setting's name), and why, for people."""
    return {"type": "stopped", "reason": stop.reason, "epoch": epoch, "message": stop.message}


def error_message(code: str, message: str) -> Json:
    return {"type": "error", "code": code, "message": message}


def diverged_message(pg: Playground) -> Json:
    """Training paused on a divergence: where it started and, when it can be told, the ways back
    the page offers (a ``recover``: the last good epoch, a tenth of the learning rate, and the
    gradient clipping the other way back would set, null when there is none to take)."""
    found = pg.divergence
    if found is None:
        return {"type": "diverged", "epoch": int(pg.epoch), "explained": None,
                "message": "The loss became NaN or infinite, so training was paused. "
                           "Lower the learning rate and press reset."}
    if not pg.can_recover(found):  # a change since moved the earliest epoch past the last good one
        return {"type": "diverged", "epoch": int(pg.epoch), "explained": found.to_json(),
                "message": f"{found.message} Training was paused: lower the learning rate and press reset."}
    clip = found.suggested_clip
    also = "" if clip is None else f", or with the gradient's norm clipped at {clip:g}"
    return {"type": "diverged", "epoch": int(pg.epoch), "explained": found.to_json(),
            "recover": {"epoch": found.last_good, "learningRate": pg.config.learningRate / 10, "gradientClip": clip},
            "message": f"{found.message} Training was paused: lower the learning rate, or go back to epoch "
                       f"{found.last_good} with a tenth of it{also}."}


def gradient_check_message(result: dict[str, Any]) -> Json:
    errors = [finite_or_none(e) for e in result["max_relative_error"]]
    return {"type": "gradient_check", "max_relative_error": errors, "ok": bool(result["ok"])}


def explain_message(kind: str, x: float, y: float, label: float | None, explained: dict[str, Any],
                    rate: float) -> Json:
    """``explain`` (or ``applied``): the example asked about, the engine's numbers for it and the
    learning rate its update uses."""
    return {"type": kind, "x": x, "y": y, "label": label, "learning_rate": finite_or_none(rate),
            **_finite_json(explained)}


def export_message(model: dict[str, Any]) -> Json:
    """The export as strict JSON: a diverged network's NaN weights and losses become null."""
    return {"type": "export", "model": _finite_json(model)}


def _finite_json(value: Any) -> Any:
    if isinstance(value, float):
        return finite_or_none(value)
    if isinstance(value, dict):
        return {key: _finite_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_json(item) for item in value]
    return value


# --- frames ----------------------------------------------------------------------
@dataclass(frozen=True)
class Frame:
    """One frame, ready to send: the JSON text, then the grids; ``then``: a frame sent right after
    as part of it (Compare mode's B, app/compare.py)."""

    text: str
    grids: bytes
    then: Frame | None = None

    def items(self) -> list[tuple[str | bytes, bool]]:
        """The messages to send in order, each with whether it completes the frame."""
        last = self.then is None
        return [(self.text, False), (self.grids, last), *(self.then.items() if self.then else [])]


# A frame reads this many of the newest loss points first: more than a frame at classic pace
# brings, so a long history (4,000 points) is not copied for every frame.
RECENT_POINTS = 64


class HistoryCursor:
    """Remembers the last epoch sent, to send each loss point once."""

    def __init__(self) -> None:
        self.last_epoch = -1

    def restart(self) -> None:
        self.last_epoch = -1

    def take(self, history: Sequence[HistoryPoint]) -> tuple[list[HistoryPoint], bool]:
        """The points after the last one sent, and whether the chart must start over."""
        if not history:
            return [], False
        newest = history[-1][0]
        if self._starts_over(newest):
            self.last_epoch = newest
            return list(history), True
        start = len(history)
        while start > 0 and history[start - 1][0] > self.last_epoch:
            start -= 1
        self.last_epoch = newest
        return list(history[start:]), False

    def take_from(self, pg: Playground) -> tuple[list[HistoryPoint], bool]:
        """:meth:`take` of ``pg``'s history, reading only its newest points when they hold every
        point not sent yet and the chart goes on (the usual frame)."""
        recent = pg.recent_history(RECENT_POINTS)
        goes_on = bool(recent) and not self._starts_over(recent[-1][0])
        if goes_on and (len(recent) < RECENT_POINTS or recent[0][0] <= self.last_epoch):
            return self.take(recent)
        return self.take(pg.history)

    def _starts_over(self, newest: int) -> bool:
        """Nothing sent yet, or the history went back (a rewind) or began again (a reset)."""
        return self.last_epoch < 0 or newest < self.last_epoch or newest == 0


def build_frame(pg: Playground, cursor: HistoryCursor, grids: GridStream, playing: bool,
                thumbnail: int, predictions: bool = False, gradients: bool = False) -> Frame:
    """Everything the page draws for the current state (CPU work: call off the event loop);
    ``predictions``: each point's predicted class too (the page highlights a confusion cell's);
    ``gradients``: every link's last gradient too (the page's "Show gradients")."""
    history, restarted = cursor.take_from(pg)
    text = encode(frame_message(pg, history, restarted, playing, predictions, gradients))
    return Frame(text, _grids_of(pg, grids, thumbnail))


def _grids_of(pg: Playground, grids: GridStream, thumbnail: int) -> bytes:
    """The frame's grid message; when the network is as the last message showed it, its grids
    are not computed again (a ``set`` of the learning rate, a pause, a toggle)."""
    with pg.lock:  # the parameters read and the grids computed from them, as one
        source = GridSource.of(pg.net, pg.config.features, thumbnail, OUTPUT_RESOLUTION)
        epoch = int(pg.epoch)
        if grids.shows(source):
            return grids.again(epoch)
        maps = pg.boundaries(resolution=thumbnail, output_resolution=OUTPUT_RESOLUTION)
    return grids.encode(maps, epoch, source)


# Outgoing messages in a session's outbox: JSON text, or a frame (its JSON text then its grids).
Outgoing = str | Frame
