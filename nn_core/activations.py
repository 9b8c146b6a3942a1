"""Activation functions, each with the derivative backpropagation needs.

Every function works in place on whole arrays (a batch of pre-activations, or a
whole grid), because the training loop calls them once per mini-batch per layer
and a fresh allocation there costs more than the arithmetic.

The derivative is expressed from the pre-activation ``z`` *and* the activation
``a`` already computed in the forward pass, so tanh and sigmoid reuse ``a``
instead of recomputing an exponential.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """A named activation: ``forward(z, out)`` writes f(z) into ``out``;
    ``derivative(z, a, out)`` writes f'(z) into ``out`` given ``a = f(z)``."""

    name: str
    forward: Callable[[Array, Array], Array]
    derivative: Callable[[Array, Array, Array], Array]
    classic: bool = False
    # When the fastest form depends on the array's size: (size, dtype) -> forward.
    sized_forward: Callable[[int, np.dtype], Callable[[Array, Array], Array]] | None = None


# Where NumPy has no SIMD tanh for float64 (AVX2 machines), tanh costs ~13 ns
# an element while exp costs ~5. On big arrays (loss evaluation over every
# point) the exp form below is twice as fast and within 4e-16 of np.tanh;
# small mini-batches keep the single call.
_EXP_TANH_FROM = 512


def _tanh(z: Array, out: Array) -> Array:
    return _tanh_for(z.size, z.dtype)(z, out)


def _tanh_for(size: int, dtype: np.dtype) -> Callable[[Array, Array], Array]:
    return _tanh_by_exp if size >= _EXP_TANH_FROM and dtype == np.float64 else np.tanh


def _tanh_by_exp(z: Array, out: Array) -> Array:
    np.multiply(z, -2.0, out=out)
    np.minimum(out, 700.0, out=out)  # e^700 is finite; beyond, tanh is −1 anyway
    np.exp(out, out=out)
    out += 1.0
    np.divide(2.0, out, out=out)
    out -= 1.0  # tanh z = 2 / (1 + e^(−2z)) − 1
    return out


# 0-d arrays instead of Python floats: a ufunc converts a Python scalar on
# every call, which costs half a small call's time in the training loop.
# (Other dtypes get the plain float.)
_ZERO = {np.dtype(t): np.zeros((), t) for t in (np.float64, np.float32)}
_ONE = {np.dtype(t): np.ones((), t) for t in (np.float64, np.float32)}


def _tanh_der(z: Array, a: Array, out: Array) -> Array:
    np.multiply(a, a, out)
    np.subtract(_ONE.get(out.dtype, 1.0), out, out)
    return out


def _sigmoid(z: Array, out: Array) -> Array:
    # 1 / (1 + exp(-z)), the same formula as the original playground.
    np.negative(z, out=out)
    np.exp(out, out=out)
    np.add(out, 1.0, out=out)
    np.divide(1.0, out, out=out)
    return out


def _sigmoid_der(z: Array, a: Array, out: Array) -> Array:
    np.subtract(1.0, a, out=out)
    np.multiply(out, a, out=out)
    return out


def _relu(z: Array, out: Array) -> Array:
    np.maximum(z, _ZERO.get(z.dtype, 0.0), out=out)  # (np.maximum takes `out` by keyword only)
    return out


def _relu_der(z: Array, a: Array, out: Array) -> Array:
    # The original's convention: derivative 0 at z <= 0, 1 above. With
    # a = max(z, 0) that is sign(a), three times cheaper than a bool→float cast.
    np.sign(a, out)
    return out


def _linear(z: Array, out: Array) -> Array:
    np.copyto(out, z)
    return out


def _linear_der(z: Array, a: Array, out: Array) -> Array:
    out.fill(1.0)
    return out


LEAKY_SLOPE = 0.01


def _leaky_relu(z: Array, out: Array) -> Array:
    np.multiply(z, LEAKY_SLOPE, out=out)
    np.maximum(z, out, out=out)
    return out


def _leaky_relu_der(z: Array, a: Array, out: Array) -> Array:
    np.greater(z, 0.0, out=out, casting="unsafe")
    out *= 1.0 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    return out


def _elu(z: Array, out: Array) -> Array:
    np.minimum(z, 0.0, out=out)
    np.expm1(out, out=out)
    np.copyto(out, z, where=z > 0)
    return out


def _elu_der(z: Array, a: Array, out: Array) -> Array:
    # For z <= 0, d/dz (e^z - 1) = a + 1; above, 1.
    np.add(a, 1.0, out=out)
    np.minimum(out, 1.0, out=out)
    return out


def _softplus(z: Array, out: Array) -> Array:
    # log(1 + e^z), written as logaddexp so large z does not overflow.
    np.logaddexp(0.0, z, out=out)
    return out


def _softplus_der(z: Array, a: Array, out: Array) -> Array:
    return _sigmoid(z, out)


def _swish(z: Array, out: Array) -> Array:
    _sigmoid(z, out)
    np.multiply(out, z, out=out)
    return out


def _swish_der(z: Array, a: Array, out: Array) -> Array:
    # d/dz z·σ(z) = σ(z) + a·(1 − σ(z)), with a = z·σ(z).
    _sigmoid(z, out)
    s_times_a = out * a
    out += a
    out -= s_times_a
    return out


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("relu", _relu, _relu_der, classic=True),
        Activation("tanh", _tanh, _tanh_der, classic=True, sized_forward=_tanh_for),
        Activation("sigmoid", _sigmoid, _sigmoid_der, classic=True),
        Activation("linear", _linear, _linear_der, classic=True),
        Activation("leakyRelu", _leaky_relu, _leaky_relu_der),
        Activation("elu", _elu, _elu_der),
        Activation("softplus", _softplus, _softplus_der),
        Activation("swish", _swish, _swish_der),
    )
}


def forward_for(activation: Activation, size: int, dtype: np.dtype) -> Callable[[Array, Array], Array]:
    """The forward function for a buffer of ``size`` elements, chosen once when the buffer is
    made: tanh's fastest form depends on the size, and the training loop calls it per batch."""
    return activation.sized_forward(size, dtype) if activation.sized_forward else activation.forward



CURVE_RANGE = (-5.0, 5.0)  # wide enough to show sigmoid's and tanh's flat tails
CURVE_SAMPLES = 81
CURVE_DECIMALS = 4  # a plot a few dozen pixels high needs no more; keeps the page's table small


def curves(low: float = CURVE_RANGE[0], high: float = CURVE_RANGE[1],
           samples: int = CURVE_SAMPLES) -> dict[str, Any]:
    """Every activation f and its derivative f' sampled at ``samples`` points ``z`` of [low, high],
    computed by the very functions training uses, so the page's plot repeats no maths:
    ``{"z": [...], "curves": {name: {"value": [...], "derivative": [...]}}}``.

    >>> curves(-1.0, 1.0, 3)["curves"]["relu"]
    {'value': [0.0, 0.0, 1.0], 'derivative': [0.0, 0.0, 1.0]}
    """
    z = np.linspace(low, high, samples)
    table = {}
    for name, activation in ACTIVATIONS.items():
        value = activation.forward(z, np.empty_like(z))
        derivative = activation.derivative(z, value, np.empty_like(z))
        table[name] = {"value": _rounded(value), "derivative": _rounded(derivative)}
    return {"z": _rounded(z), "curves": table}


def _rounded(values: Array) -> list[float]:
    return [float(v) + 0.0 for v in np.round(values, CURVE_DECIMALS)]  # + 0.0: no "-0.0" in JSON
