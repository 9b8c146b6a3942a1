"""Weight penalties. Biases are never regularized (callers mask them out)."""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def penalty(name: str, weights: Array) -> float:
    """The penalty's value: L1 = Σ|w|, L2 = Σ w²/2 (the original's definitions)."""
    if name == "L1":
        return float(np.abs(weights).sum())
    if name == "L2":
        return float(0.5 * np.dot(weights, weights))
    return 0.0


def derivative(name: str, weights: Array, out: Array) -> Array:
    """The penalty's derivative per weight: L1 sign(w) (0 at 0), L2 w, none 0."""
    if name == "L1":
        return np.sign(weights, out=out)
    if name == "L2":
        np.copyto(out, weights)
        return out
    out.fill(0.0)
    return out
