"""What one neuron computes: its activation f(z) and the derivative f'(z), compiled.

The training kernels call these once per neuron per example, so they are
scalar functions chosen by an integer code (a compiled ``if`` chain costs
less than any indirect call, and one machine-code version serves every
network). They give the same values as the whole-array versions in
``activations.py`` (used for the grids) for every finite input. The
derivative takes both ``z`` and ``a = f(z)``, so tanh and sigmoid reuse the
forward pass's value instead of another exponential, as the original's
derivatives (which recompute f(z)) give the same number.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, LEAKY_SLOPE
from .jit import kernel

TANH, RELU, SIGMOID, LINEAR, LEAKY_RELU, ELU, SOFTPLUS, SWISH = range(8)
CODES: dict[str, int] = {
    "tanh": TANH, "relu": RELU, "sigmoid": SIGMOID, "linear": LINEAR,
    "leakyRelu": LEAKY_RELU, "elu": ELU, "softplus": SOFTPLUS, "swish": SWISH,
}
assert set(CODES) == set(ACTIVATIONS), "every activation needs a compiled form"
# The whole-array derivative computes (z > 0)·(1 − slope) + slope; at z > 0 that is this constant.
LEAKY_HIGH = (1.0 - LEAKY_SLOPE) + LEAKY_SLOPE


@kernel
def sigmoid(z: float) -> float:
    """1 / (1 + e^(−z)), the original's formula."""
    return 1.0 / (1.0 + np.exp(-z))


@kernel
def activate(code: int, z: float) -> float:
    """f(z). A NaN input stays NaN (``not z <= 0``), so a diverged network shows as diverged."""
    if code == TANH:
        return 2.0 / (1.0 + np.exp(-2.0 * z)) - 1.0
    if code == RELU:
        return z if not z <= 0.0 else 0.0
    if code == SIGMOID:
        return sigmoid(z)
    if code == LINEAR:
        return z
    if code == LEAKY_RELU:
        return z if not z <= 0.0 else z * LEAKY_SLOPE
    if code == ELU:
        return z if z > 0.0 else np.expm1(z)
    if code == SOFTPLUS:  # log(1 + e^z) without overflow, as np.logaddexp(0, z)
        return z + np.log1p(np.exp(-z)) if z > 0.0 else np.log1p(np.exp(z))
    return sigmoid(z) * z  # SWISH


@kernel
def derivative(code: int, z: float, a: float) -> float:
    """f'(z), given ``a = f(z)``; the original's conventions (relu: 0 at z ≤ 0)."""
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    if code == SIGMOID:
        return (1.0 - a) * a
    if code == LINEAR:
        return 1.0
    if code == LEAKY_RELU:
        return LEAKY_HIGH if z > 0.0 else LEAKY_SLOPE
    if code == ELU:
        return 1.0 if a >= 0.0 else a + 1.0
    if code == SOFTPLUS:
        return sigmoid(z)
    s = sigmoid(z)  # SWISH: d/dz z·σ(z) = σ(z) + a·(1 − σ(z))
    return s + a - s * a
