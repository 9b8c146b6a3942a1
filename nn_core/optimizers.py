"""Optimizers: how an accumulated gradient changes the parameters.

All of them work on the network's single flat parameter array, so one update
of the whole network is a handful of array operations whatever its depth.

``sgd`` is the original's exact rule (section 6 of the reference): the
gradient step, then the regularizer's step taken with its derivative at the
OLD weight, and with L1 a weight whose sign flips is set to 0 and its link dies.
``momentum`` and ``adam`` treat the penalty's derivative as part of the
gradient, as is usual for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import regularization

Array = np.ndarray
ADAM_EPSILON = 1e-8


@dataclass
class Hyper:
    """The settings an update needs (read from the config each batch)."""

    learning_rate: float
    regularization: str
    regularization_rate: float
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999

    @property
    def regularized(self) -> bool:
        return self.regularization != "none" and self.regularization_rate != 0.0


@dataclass
class Optimizer:
    """Updates ``params`` in place from ``grad`` (a SUM over ``count`` examples).

    ``grad`` is scratch: implementations may overwrite it. ``weight_mask`` is
    1.0 at weights and 0.0 at biases; ``dead`` marks L1-dead links.
    """

    name: str
    size: int
    scratch: Array = field(init=False, repr=False)
    any_dead: bool = False  # lets the trainer skip masking until L1 kills a link

    def __post_init__(self) -> None:
        self.scratch = np.zeros(self.size)

    def update(self, params: Array, dead: Array, grad: Array, count: int, hyper: Hyper,
               weight_mask: Array) -> None:
        raise NotImplementedError

    def _penalty_gradient(self, params: Array, hyper: Hyper, weight_mask: Array) -> Array:
        der = regularization.derivative(hyper.regularization, params, self.scratch)
        der *= weight_mask
        return der


class ClassicSGD(Optimizer):
    def __post_init__(self) -> None:
        super().__post_init__()
        self.crossed = np.zeros(self.size, dtype=bool)
        self._penalty_key: tuple[float, float] | None = None
        self._penalty_scale = np.zeros(self.size)
        self._step_key: tuple[float, int] | None = None
        self._step = np.zeros(())  # lr / count as a 0-d array: ufuncs convert a Python float every call

    def _step_scale(self, learning_rate: float, count: int) -> Array:
        if (learning_rate, count) != self._step_key:
            self._step[()] = learning_rate / count
            self._step_key = (learning_rate, count)
        return self._step

    def _scale(self, hyper: Hyper, weight_mask: Array) -> Array:
        """``lr · regRate`` at every weight, 0 at biases; recomputed only when they change."""
        key = (hyper.learning_rate, hyper.regularization_rate)
        if key != self._penalty_key:
            np.multiply(weight_mask, hyper.learning_rate * hyper.regularization_rate, out=self._penalty_scale)
            self._penalty_key = key
        return self._penalty_scale

    def update(self, params: Array, dead: Array, grad: Array, count: int, hyper: Hyper,
               weight_mask: Array) -> None:
        step = self._step_scale(hyper.learning_rate, count)
        if not hyper.regularized:
            np.multiply(grad, step, grad)
            np.subtract(params, grad, params)
            return
        penalty_step = self.scratch  # taken at the OLD weights, as the original does
        if hyper.regularization == "L2":
            np.multiply(params, self._scale(hyper, weight_mask), out=penalty_step)
        else:
            np.sign(params, out=penalty_step)
            penalty_step *= self._scale(hyper, weight_mask)
        np.multiply(grad, step, grad)
        params -= grad
        if hyper.regularization == "L2":
            params -= penalty_step
            return
        regularized = np.subtract(params, penalty_step, out=penalty_step)
        crossed = np.less(np.multiply(params, regularized, out=grad), 0.0, out=self.crossed)
        if crossed.any():
            regularized[crossed] = 0.0
            dead |= crossed
            self.any_dead = True
        params[:] = regularized


class Momentum(Optimizer):
    def __post_init__(self) -> None:
        super().__post_init__()
        self.velocity = np.zeros(self.size)

    def update(self, params: Array, dead: Array, grad: Array, count: int, hyper: Hyper,
               weight_mask: Array) -> None:
        grad /= count
        if hyper.regularized:
            grad += hyper.regularization_rate * self._penalty_gradient(params, hyper, weight_mask)
        self.velocity *= hyper.momentum
        self.velocity -= hyper.learning_rate * grad
        self.velocity[dead] = 0.0
        params += self.velocity


class Adam(Optimizer):
    def __post_init__(self) -> None:
        super().__post_init__()
        self.first = np.zeros(self.size)
        self.second = np.zeros(self.size)
        self.steps = 0

    def update(self, params: Array, dead: Array, grad: Array, count: int, hyper: Hyper,
               weight_mask: Array) -> None:
        grad /= count
        if hyper.regularized:
            grad += hyper.regularization_rate * self._penalty_gradient(params, hyper, weight_mask)
        self.steps += 1
        b1, b2 = hyper.beta1, hyper.beta2
        self.first *= b1
        self.first += (1 - b1) * grad
        self.second *= b2
        self.second += (1 - b2) * grad * grad
        first_hat = self.first / (1 - b1**self.steps)
        second_hat = self.second / (1 - b2**self.steps)
        step = hyper.learning_rate * first_hat / (np.sqrt(second_hat) + ADAM_EPSILON)
        step[dead] = 0.0
        params -= step


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": ClassicSGD, "momentum": Momentum, "adam": Adam}


def make(name: str, size: int) -> Optimizer:
    return OPTIMIZERS[name](name, size)
