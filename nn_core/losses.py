"""Losses: what "how wrong" means, per example and as the reported figure.

``output_delta`` returns dE/dz at the output neuron (z = its total input), not
dE/d(output): for cross-entropy on a tanh output the product of the two
derivatives simplifies to ``output − label``, which stays well-behaved where
the separate factors would be 0·∞.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
_EPS = 1e-12


@dataclass(frozen=True)
class Loss:
    name: str
    per_example: Callable[[Array, Array], Array]
    classification_only: bool = False


def _squared(output: Array, label: Array) -> Array:
    diff = output - label
    return 0.5 * diff * diff


def _cross_entropy(output: Array, label: Array) -> Array:
    """Binary cross-entropy with outputs and labels mapped from [−1, 1] to [0, 1]."""
    p = np.clip((output + 1) * 0.5, _EPS, 1 - _EPS)
    t = (label + 1) * 0.5
    return -(t * np.log(p) + (1 - t) * np.log1p(-p))


LOSSES: dict[str, Loss] = {
    "squared": Loss("squared", _squared),
    "crossEntropy": Loss("crossEntropy", _cross_entropy, classification_only=True),
}


def mean_loss(name: str, output: Array, label: Array) -> float:
    """The reported loss: the mean over the set (0 for an empty set)."""
    if label.size == 0:
        return 0.0
    return float(np.mean(LOSSES[name].per_example(output.reshape(-1), label)))


def output_delta(name: str, output: Array, label: Array, activation_der: Array, out: Array) -> Array:
    """dE/dz at the output for a batch, written into ``out``.

    Squared error: (output − label)·f'(z). Cross-entropy on tanh: output − label.
    """
    np.subtract(output, label, out=out)
    if name == "squared":
        out *= activation_der
    return out
