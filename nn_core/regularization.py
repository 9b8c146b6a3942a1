"""Weight penalties. Biases are never regularized (callers skip them).

The penalty's derivative at one weight is compiled (the update kernels take
it at every weight of every update); the penalty's value over many weights
is plain NumPy (only the gradient check needs it).
"""

from __future__ import annotations

import numpy as np

from .jit import inlined

Array = np.ndarray
NONE, L1, L2 = range(3)
CODES: dict[str, int] = {"none": NONE, "L1": L1, "L2": L2}


def penalty(name: str, weights: Array) -> float:
    """The penalty's value: L1 = Σ|w|, L2 = Σ w²/2 (the original's definitions)."""
    if name == "L1":
        return float(np.abs(weights).sum())
    if name == "L2":
        return float(0.5 * np.dot(weights, weights))
    return 0.0


@inlined
def derivative(code: int, weight: float) -> float:
    """The penalty's derivative at ``weight``: L1 sign(w) (0 at 0), L2 w, none 0."""
    if code == L1:
        return 1.0 if weight > 0.0 else -1.0 if weight < 0.0 else 0.0
    if code == L2:
        return weight
    return 0.0
