"""The server's messages: small functions from engine state to JSON-able dicts.

Numbers that are not finite (a diverged network) become ``null``: JSON has no
NaN, and the page's ``JSON.parse`` would reject the whole message otherwise.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from nn_core.settings import config_to_json

Json = dict[str, Any]


def encode(message: Json) -> str:
    """Compact JSON; ``allow_nan=False`` turns any NaN that slipped through into a loud error."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def array_json(array: np.ndarray) -> Any:
    """Nested lists of floats, with ``None`` where a value is NaN or infinite."""
    array = np.asarray(array, dtype=float)
    if np.isfinite(array).all():
        return array.tolist()
    return np.where(np.isfinite(array), array, None).tolist()


def state_message(pg: Any, warnings: Sequence[str], playing: bool, thumbnail: int) -> Json:
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
    }


def data_message(pg: Any) -> Json:
    return {"type": "data", "train": _rows(pg.train.rows()), "test": _rows(pg.test.rows())}


def _rows(rows: Iterable[Sequence[float]]) -> list[list[float | None]]:
    return [[finite_or_none(v) for v in row] for row in rows]


def frame_message(pg: Any, history: Sequence[Sequence[float]], history_reset: bool,
                  playing: bool) -> Json:
    message: Json = {
        "type": "frame",
        "epoch": int(pg.epoch),
        "train_loss": finite_or_none(pg.train_loss),
        "test_loss": finite_or_none(pg.test_loss),
        "history": [[int(e), finite_or_none(tr), finite_or_none(te)] for e, tr, te in history],
        "weights": [array_json(w) for w in pg.weights],
        "biases": [array_json(b) for b in pg.biases],
        "playing": playing,
    }
    if history_reset:
        message["history_reset"] = True
    dead = [np.asarray(d, dtype=bool) for d in pg.dead]
    if any(d.any() for d in dead):
        message["dead"] = [d.tolist() for d in dead]
    return message


def error_message(code: str, message: str) -> Json:
    return {"type": "error", "code": code, "message": message}


def diverged_message(epoch: int) -> Json:
    return {
        "type": "diverged",
        "epoch": epoch,
        "message": "The loss became NaN or infinite, so training was paused. "
                   "Lower the learning rate and press reset.",
    }


def gradient_check_message(result: dict[str, Any]) -> Json:
    errors = [finite_or_none(e) for e in result["max_relative_error"]]
    return {"type": "gradient_check", "max_relative_error": errors, "ok": bool(result["ok"])}


def export_message(model: Any) -> Json:
    return {"type": "export", "model": model}
