"""The input features: what the network sees of a point (x, y).

The order is the original's input-layer order (section 4 of the reference), so
weights of a TensorFlow Playground link land on the same inputs here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray
# Points, datasets and every map cover x, y ∈ [−EXTENT, EXTENT] (the original's square).
EXTENT = 6.0

FEATURES: dict[str, Callable[[Array, Array], Array]] = {
    "x": lambda x, y: x,
    "y": lambda x, y: y,
    "xSquared": lambda x, y: x * x,
    "ySquared": lambda x, y: y * y,
    "xTimesY": lambda x, y: x * y,
    "sinX": lambda x, y: np.sin(x),
    "sinY": lambda x, y: np.sin(y),
}
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)


def feature_matrix(names: tuple[str, ...], x: Array, y: Array) -> Array:
    """Inputs for many points at once: shape ``(len(x), len(names))``.

    >>> feature_matrix(("x", "xTimesY"), np.array([2.0]), np.array([3.0])).tolist()
    [[2.0, 6.0]]
    """
    out = np.empty((x.shape[0], len(names)))
    for column, name in enumerate(names):
        out[:, column] = FEATURES[name](x, y)
    return out
