"""The user's points in a link: a fixed grid, packed into base64url.

Coordinates lie on a grid of 1/4096 across ±EXTENT and regression values on a
grid of 1/16384 across ±1; every point is snapped to that grid when it enters a
playground, so a link reproduces exactly what trains (``decode(encode(p)) == p``).

Layout (little-endian): ``u16`` training count, ``u16`` test count, then per point
``u16`` x and ``u16`` y codes (training points first, in order), then the labels:
two classes one bit per point (1 = +1), K ≥ 3 classes one 4-bit class index per
point (two a byte, the first in the low half), regression one ``u16`` code per point.
That is 5.5 base64 characters a classification point and 8 a regression point;
up to :data:`MAX_LINK_POINTS` of each keep a link within ``MAX_HASH_LENGTH``.
"""

from __future__ import annotations

import base64
import binascii

import numpy as np

from .datasets import Dataset
from .features import EXTENT

# The most points of one problem type a link carries (a link with both types stays under
# urlstate.MAX_HASH_LENGTH: about 6,900 + 10,000 characters); more, and the link holds none.
MAX_LINK_POINTS = 1250
# Steps per unit: powers of two, so every grid value is an exact float and round values
# (1.5, −0.25) stay as they are. Codes fit a u16: 12·4096 and 2·16384 are below 65,536.
COORD_STEPS = 4096
LABEL_STEPS = 16384
_HEADER = 4  # bytes of the two counts
TWO_CLASSES = 2  # one bit a label; more classes take a 4-bit class index
_U16 = np.dtype("<u2")


def _to_code(values: np.ndarray, extent: float, steps: int) -> np.ndarray:
    return np.clip(np.rint((values + extent) * steps), 0, 2 * extent * steps).astype(np.uint16)


def _from_code(codes: np.ndarray, extent: float, steps: int) -> np.ndarray:
    return codes.astype(np.float64) / steps - extent


def snap(data: Dataset, regression: bool) -> Dataset:
    """``data`` on the link's grid (idempotent); a regression value is clamped to ±1 first."""
    label = _from_code(_to_code(data.label, 1.0, LABEL_STEPS), 1.0, LABEL_STEPS) if regression else data.label
    return Dataset(_on_grid(data.x), _on_grid(data.y), label)


def _on_grid(values: np.ndarray) -> np.ndarray:
    return _from_code(_to_code(values, EXTENT, COORD_STEPS), EXTENT, COORD_STEPS)


def fits(train: Dataset, test: Dataset) -> bool:
    """Whether a link can carry these points."""
    return len(train) + len(test) <= MAX_LINK_POINTS


def encode(train: Dataset, test: Dataset, regression: bool, classes: int = TWO_CLASSES) -> str:
    """The base64url text of (snapped) ``train`` and ``test``; see the module's layout."""
    both = Dataset.from_points(train.rows() + test.rows())
    counts = np.array([len(train), len(test)], dtype=_U16).tobytes()
    coords = np.column_stack((_to_code(both.x, EXTENT, COORD_STEPS),
                              _to_code(both.y, EXTENT, COORD_STEPS))).astype(_U16).tobytes()
    if regression:
        labels = _to_code(both.label, 1.0, LABEL_STEPS).astype(_U16).tobytes()
    elif classes > TWO_CLASSES:
        nibbles = np.zeros(len(both) + len(both) % 2, dtype=np.uint8)
        nibbles[: len(both)] = both.label.astype(np.uint8)
        labels = (nibbles[0::2] | (nibbles[1::2] << 4)).astype(np.uint8).tobytes()
    else:
        labels = np.packbits(both.label > 0, bitorder="little").tobytes()
    return base64.urlsafe_b64encode(counts + coords + labels).decode().rstrip("=")


class LinkPointsError(ValueError):
    """Text that is no encoding of points."""


def _class_indices(packed: np.ndarray, n: int, classes: int) -> np.ndarray:
    """The 4-bit class indices of ``n`` points (raises LinkPointsError for a class beyond K − 1)."""
    nibbles = np.column_stack((packed & 0x0F, packed >> 4)).reshape(-1)[:n]
    if nibbles.max(initial=0) >= classes:
        raise LinkPointsError(f"a class beyond {classes - 1}")
    return nibbles.astype(np.float64)


def decode(text: str, regression: bool, classes: int = TWO_CLASSES) -> tuple[Dataset, Dataset]:
    """The training and test points of ``encode``'s text (raises LinkPointsError)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise LinkPointsError("not base64url") from None
    if len(raw) < _HEADER:
        raise LinkPointsError("too short")
    n_train, n_test = (int(v) for v in np.frombuffer(raw[:_HEADER], dtype=_U16))
    n = n_train + n_test
    label_bytes = 2 * n if regression else (n + 1) // 2 if classes > TWO_CLASSES else (n + 7) // 8
    if n > MAX_LINK_POINTS or len(raw) != _HEADER + 4 * n + label_bytes:
        raise LinkPointsError(f"expected the bytes of {n} points")
    coords = np.frombuffer(raw[_HEADER:_HEADER + 4 * n], dtype=_U16).reshape(n, 2)
    if coords.max(initial=0) > 2 * EXTENT * COORD_STEPS:
        raise LinkPointsError("a coordinate off the square")
    packed = np.frombuffer(raw[_HEADER + 4 * n:], dtype=np.uint8)
    if regression:
        label = np.clip(_from_code(packed.view(_U16), 1.0, LABEL_STEPS), -1, 1)
    elif classes > TWO_CLASSES:
        label = _class_indices(packed, n, classes)
    else:
        label = np.where(np.unpackbits(packed, count=n, bitorder="little") > 0, 1.0, -1.0)
    both = Dataset(_from_code(coords[:, 0], EXTENT, COORD_STEPS), _from_code(coords[:, 1], EXTENT, COORD_STEPS),
                   label)
    return both.slice(0, n_train), both.slice(n_train, n)
