"""What a neuron computes: its activation f(z) and the derivative f'(z), compiled.

The passes apply these to one neuron's row of points at a time. The
activation's code is tested once per row, not per point, so each row's loop
compiles to tight (for relu and linear, vectorized) code, and one machine-code
version serves every network. Values agree with the whole-array versions
in ``activations.py`` (used for the grids): exactly for relu, linear and the
others; for tanh and sigmoid, whose e^x here is the engine's own (below), not
libm's, within ~4.4e-16 (sigmoid 2 ulps; tanh's last ``− 1`` makes that many
more ulps of a value near 0).
The derivative takes ``z`` and ``a = f(z)`` both, so tanh and sigmoid reuse
the forward pass's value instead of another exponential (the original's
derivatives recompute f(z): the same number).

tanh is computed as 2 / (1 + e^(−2z)) − 1: libm's tanh costs three
exponentials' time, and this form agrees with the original's losses as
closely (tests/core/test_golden.py). The e^x of tanh and sigmoid is
``exponential.exp``, plain arithmetic, so their loops over points compile to
vector code (libm's ``exp``, a call per point, kept them scalar).
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, LEAKY_SLOPE
from .exponential import exp
from .jit import inlined

Array = np.ndarray
Z, A, DELTA = range(3)  # rows of the passes' ``neurons`` buffer: total input, output, dE/dz
TANH, RELU, SIGMOID, LINEAR, LEAKY_RELU, ELU, SOFTPLUS, SWISH = range(8)
CODES: dict[str, int] = {
    "tanh": TANH, "relu": RELU, "sigmoid": SIGMOID, "linear": LINEAR,
    "leakyRelu": LEAKY_RELU, "elu": ELU, "softplus": SOFTPLUS, "swish": SWISH,
}
assert set(CODES) == set(ACTIVATIONS), "every activation needs a compiled form"
# The output layer of a K-class network (K >= 3): each output neuron's total input is its
# score, and softmax turns the K scores into class probabilities, a step over the whole
# layer after the per-neuron loops (no neuron's activation, so no hidden-layer choice).
SOFTMAX = len(CODES)
SOFTMAX_NAME = "softmax"
OUTPUT_CODES: dict[str, int] = {**CODES, SOFTMAX_NAME: SOFTMAX}
# The whole-array derivative computes (z > 0)·(1 − slope) + slope; at z > 0 that is this constant.
LEAKY_HIGH = (1.0 - LEAKY_SLOPE) + LEAKY_SLOPE


@inlined
def tanh(z: float) -> float:
    return 2.0 / (1.0 + exp(-2.0 * z)) - 1.0


@inlined
def sigmoid(z: float) -> float:
    """1 / (1 + e^(−z)), the original's formula."""
    return 1.0 / (1.0 + exp(-z))


@inlined
def relu(z: float) -> float:
    """max(z, 0); a NaN stays NaN (``not z <= 0``), so a diverged network shows as diverged."""
    return z if not z <= 0.0 else 0.0


@inlined
def leaky_relu(z: float) -> float:
    return z if not z <= 0.0 else z * LEAKY_SLOPE


@inlined
def elu(z: float) -> float:
    return z if z > 0.0 else float(np.expm1(z))


@inlined
def softplus(z: float) -> float:
    """log(1 + e^z) without overflow, as np.logaddexp(0, z) computes it."""
    return z + float(np.log1p(np.exp(-z))) if z > 0.0 else float(np.log1p(np.exp(z)))


@inlined
def activate(code: int, neurons: Array, node: int, points: int) -> None:  # noqa: PLR0912 (a branch per activation compiles to a jump; a table doubled Numba's compile time)
    """Output = f(total input) for ``node``'s first ``points`` points."""
    if code == TANH:
        for q in range(points):
            neurons[A, node, q] = tanh(neurons[Z, node, q])
    elif code == RELU:
        for q in range(points):
            neurons[A, node, q] = relu(neurons[Z, node, q])
    elif code == SIGMOID:
        for q in range(points):
            neurons[A, node, q] = sigmoid(neurons[Z, node, q])
    elif code == LINEAR:
        for q in range(points):
            neurons[A, node, q] = neurons[Z, node, q]
    elif code == LEAKY_RELU:
        for q in range(points):
            neurons[A, node, q] = leaky_relu(neurons[Z, node, q])
    elif code == ELU:
        for q in range(points):
            neurons[A, node, q] = elu(neurons[Z, node, q])
    elif code == SOFTPLUS:
        for q in range(points):
            neurons[A, node, q] = softplus(neurons[Z, node, q])
    else:  # SWISH: z·σ(z)
        for q in range(points):
            neurons[A, node, q] = sigmoid(neurons[Z, node, q]) * neurons[Z, node, q]


@inlined
def chain_rule(code: int, neurons: Array, node: int, points: int) -> None:  # noqa: PLR0912 (as activate)
    """dE/dz = dE/da · f'(z) for ``node``'s points: multiplies the DELTA row by f'."""
    if code == TANH:
        for q in range(points):
            a = neurons[A, node, q]
            neurons[DELTA, node, q] *= 1.0 - a * a
    elif code == RELU:  # the original's convention: 0 at z <= 0
        for q in range(points):
            neurons[DELTA, node, q] *= 1.0 if neurons[Z, node, q] > 0.0 else 0.0
    elif code == SIGMOID:
        for q in range(points):
            a = neurons[A, node, q]
            neurons[DELTA, node, q] *= (1.0 - a) * a
    elif code == LINEAR:
        return
    elif code == LEAKY_RELU:
        for q in range(points):
            neurons[DELTA, node, q] *= LEAKY_HIGH if neurons[Z, node, q] > 0.0 else LEAKY_SLOPE
    elif code == ELU:
        for q in range(points):
            a = neurons[A, node, q]
            neurons[DELTA, node, q] *= 1.0 if a >= 0.0 else a + 1.0
    elif code == SOFTPLUS:
        for q in range(points):
            neurons[DELTA, node, q] *= sigmoid(neurons[Z, node, q])
    else:  # SWISH: σ(z) + a·(1 − σ(z)), written σ + a − σ·a
        for q in range(points):
            s, a = sigmoid(neurons[Z, node, q]), neurons[A, node, q]
            neurons[DELTA, node, q] *= s + a - s * a


@inlined
def softmax(neurons: Array, first: int, count: int, points: int) -> None:
    """Outputs = softmax of the total inputs of nodes ``first``.. ``first + count``, per point.

    The largest score is subtracted first, so no exponential overflows; the
    probabilities then sum to 1 to the last bits.
    """
    for q in range(points):
        top = neurons[Z, first, q]
        for k in range(first + 1, first + count):
            top = max(top, neurons[Z, k, q])
        total = 0.0
        for k in range(first, first + count):
            e = float(np.exp(neurons[Z, k, q] - top))
            neurons[A, k, q] = e
            total += e
        for k in range(first, first + count):
            neurons[A, k, q] /= total
