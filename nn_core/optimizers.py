"""Optimizers: how an accumulated gradient changes the parameters, compiled.

The update walks the network's flat parameter array once: each parameter
is a weight (regularized, may die under L1) or a bias (never regularized).

``sgd`` is the original's exact rule (section 6 of the reference), in its
order of operations: bias − lr·Σ/count; for a live link w − (lr/count)·Σ,
then the regularizer's step taken with its derivative at the OLD weight; with
L1 a weight whose sign flips is set to 0 and its link dies for good.
``momentum`` and ``adam`` treat the penalty's derivative as part of the
gradient, as is usual for them.

Gradient clipping (``gradientClip``, 0 = off, the original's rule) comes first,
before any optimizer's step: when the loss's mean gradient (Σ/count, over every
live parameter, biases included, without the penalty) has a global L2 norm
above the limit, the whole sum is scaled by limit/norm. The regularizer's term
is added after, unclipped: clipping tames the data's gradient, the penalty stays
what its rate says. With the limit at 0 no operation is added, so the
original's rule stays bit for bit.

Every update clears the accumulated gradient, keeping its mean (Σ/count, the
loss's gradient alone, without the penalty, as clipped) in ``last``: the page
draws "the last update's gradient" from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import regularization
from .jit import inlined

Array = np.ndarray
ADAM_EPSILON = 1e-8
SGD, MOMENTUM, ADAM = range(3)
CODES: dict[str, int] = {"sgd": SGD, "momentum": MOMENTUM, "adam": ADAM}
FIRST, SECOND = range(2)  # rows of an optimizer's moments (momentum's velocity is FIRST)


@dataclass
class Hyper:
    """The settings an update needs (read from the config each batch)."""

    learning_rate: float
    regularization: str
    regularization_rate: float
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    gradient_clip: float = 0.0  # the largest global L2 norm of a mean gradient; 0 = no clipping

    @property
    def regularized(self) -> bool:
        return self.regularization != "none" and self.regularization_rate != 0.0

    @property
    def regularizer(self) -> int:
        """The penalty's code, ``NONE`` when its rate is 0 (then no step is taken at all)."""
        return regularization.CODES[self.regularization] if self.regularized else regularization.NONE


@dataclass
class Optimizer:
    """An optimizer's name and state: ``moments`` (2 rows, one column per parameter), ``steps``,
    and ``last_gradient``, the mean gradient its last update applied (zeros before the first)."""

    name: str
    size: int
    moments: Array = field(init=False, repr=False)
    steps: Array = field(init=False, repr=False)  # one int64: Adam's bias correction
    last_gradient: Array = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.code = CODES[self.name]
        self.moments = np.zeros((2, self.size))
        self.steps = np.zeros(1, dtype=np.int64)
        self.last_gradient = np.zeros(self.size)

    def update(self, params: Array, dead: Array, gradient: Array, count: int, hyper: Hyper,
               is_weight: Array) -> None:
        """Apply ``gradient`` (a SUM over ``count`` examples) to ``params`` and clear it."""
        update(self.code, params, dead, is_weight.astype(np.bool_), gradient, count, hyper.learning_rate,
               hyper.regularizer, hyper.regularization_rate, hyper.momentum, hyper.beta1, hyper.beta2,
               hyper.gradient_clip, self.moments, self.steps, self.last_gradient)


def make(name: str, size: int) -> Optimizer:
    return Optimizer(name, size)


@inlined
def update(code: int, params: Array, dead: Array, is_weight: Array, gradient: Array, count: int,
           learning_rate: float, regularizer: int, regularization_rate: float,
           momentum: float, beta1: float, beta2: float, gradient_clip: float, moments: Array, steps: Array,
           last: Array) -> None:
    """One update of every parameter from the gradient summed over ``count`` examples (clipped
    first when ``gradient_clip`` > 0); the sum is cleared for the next batch and its mean kept in ``last``."""
    if gradient_clip > 0.0:
        clip(gradient, dead, count, gradient_clip)
    if code == SGD:
        classic_step(params, dead, is_weight, gradient, count, learning_rate, regularizer, regularization_rate)
    elif code == MOMENTUM:
        momentum_step(params, dead, is_weight, gradient, count, learning_rate, regularizer,
                      regularization_rate, momentum, moments[FIRST])
    else:
        steps[0] += 1
        adam_step(params, dead, is_weight, gradient, count, learning_rate, regularizer, regularization_rate,
                  beta1, beta2, moments[FIRST], moments[SECOND], steps[0])
    per_example = 1.0 / count  # a product per parameter: cheaper than a division
    for k in range(gradient.shape[0]):
        last[k] = gradient[k] * per_example
        gradient[k] = 0.0


@inlined
def clip(gradient: Array, dead: Array, count: int, limit: float) -> None:
    """Scale the summed ``gradient`` so that its mean's global L2 norm over live parameters is at
    most ``limit`` (a NaN norm is left alone: the loss shows the divergence)."""
    norm = live_norm(gradient, dead) / count
    if norm > limit:
        scale = limit / norm
        for k in range(gradient.shape[0]):
            gradient[k] *= scale


@inlined
def live_norm(gradient: Array, dead: Array) -> float:
    """The L2 norm of the live parameters' entries; rescaled by the largest one when the plain
    sum of squares overflows (a finite gradient must never clip to a zero step)."""
    total = 0.0
    for k in range(gradient.shape[0]):
        if not dead[k]:
            total += gradient[k] * gradient[k]
    if total < np.inf or np.isnan(total):
        return float(np.sqrt(total))
    largest = 0.0
    for k in range(gradient.shape[0]):
        if not dead[k]:
            largest = max(largest, abs(gradient[k]))
    if largest == np.inf:
        return largest
    total = 0.0
    for k in range(gradient.shape[0]):
        if not dead[k]:
            total += (gradient[k] / largest) ** 2
    return float(largest * np.sqrt(total))


@inlined
def classic_step(params: Array, dead: Array, is_weight: Array, gradient: Array, count: int,
                 learning_rate: float, regularizer: int, regularization_rate: float) -> None:
    """The original's rule; L1 kills a link whose weight the penalty pushes across zero."""
    link_step = learning_rate / count
    penalty_step = learning_rate * regularization_rate
    for k in range(params.shape[0]):
        if not is_weight[k]:
            params[k] -= learning_rate * gradient[k] / count
            continue
        if dead[k]:
            continue
        weight = params[k]
        moved = weight - link_step * gradient[k]
        if regularizer == regularization.NONE:
            params[k] = moved
            continue
        penalized = moved - penalty_step * regularization.derivative(regularizer, weight)
        if regularizer == regularization.L1 and moved * penalized < 0.0:
            params[k] = 0.0
            dead[k] = True
        else:
            params[k] = penalized


@inlined
def descent_direction(gradient: float, count: int, is_weight: bool, weight: float, regularizer: int,
                      regularization_rate: float) -> float:
    """The mean gradient plus, at a weight, the penalty's gradient (momentum and Adam)."""
    mean = gradient / count
    if is_weight and regularizer != regularization.NONE:
        return mean + regularization_rate * regularization.derivative(regularizer, weight)
    return mean


@inlined
def momentum_step(params: Array, dead: Array, is_weight: Array, gradient: Array, count: int,
                  learning_rate: float, regularizer: int, regularization_rate: float,
                  momentum: float, velocity: Array) -> None:
    """v ← m·v − lr·g; w ← w + v (dead links keep no velocity)."""
    for k in range(params.shape[0]):
        if dead[k]:
            velocity[k] = 0.0
            continue
        g = descent_direction(gradient[k], count, is_weight[k], params[k], regularizer, regularization_rate)
        velocity[k] = velocity[k] * momentum - learning_rate * g
        params[k] += velocity[k]


@inlined
def adam_step(params: Array, dead: Array, is_weight: Array, gradient: Array, count: int,
              learning_rate: float, regularizer: int, regularization_rate: float,
              beta1: float, beta2: float, first: Array, second: Array, steps: int) -> None:
    """Adam with bias-corrected moments; dead links do not move."""
    first_correction = 1.0 - beta1 ** float(steps)
    second_correction = 1.0 - beta2 ** float(steps)
    for k in range(params.shape[0]):
        if dead[k]:
            continue
        g = descent_direction(gradient[k], count, is_weight[k], params[k], regularizer, regularization_rate)
        first[k] = first[k] * beta1 + (1.0 - beta1) * g
        second[k] = second[k] * beta2 + (1.0 - beta2) * g * g
        first_hat = first[k] / first_correction
        second_hat = second[k] / second_correction
        params[k] -= learning_rate * first_hat / (np.sqrt(second_hat) + ADAM_EPSILON)
