"""Losses: what "how wrong" means for one example, and the error signal it sends back.

``output_delta`` is dE/dz at the output neuron (z = its total input), not
dE/d(output): for cross-entropy on a tanh output the product of the two
derivatives simplifies to ``output − label``, which stays well-behaved where
the separate factors would be 0·∞. Squared error is the original's
½(output − label)², with derivative output − label, times f'(z).

A K-class network (K ≥ 3) has K softmax outputs, probabilities p_k, and a
label that is a class index c. Cross-entropy is −log p_c, whose dE/dz_k is
p_k − t_k (t the one-hot label): the softmax's Jacobian and the log cancel.
Squared error is ½Σ(p_k − t_k)², whose dE/dz_j is p_j·((p_j − t_j) − Σ_k (p_k − t_k)·p_k).
"""

from __future__ import annotations

import numpy as np

from .jit import inlined
from .neuron import DELTA, SOFTMAX, A, chain_rule

Array = np.ndarray

SQUARED, CROSS_ENTROPY = range(2)
CODES: dict[str, int] = {"squared": SQUARED, "crossEntropy": CROSS_ENTROPY}
# Cross-entropy clips the predicted probability into [ε, 1 − ε]: log(0) would be −inf.
EPSILON = 1e-12


@inlined
def error(code: int, output: float, label: float) -> float:
    """The loss of one example; cross-entropy maps output and label from [−1, 1] to [0, 1]."""
    if code == SQUARED:
        difference = output - label
        return 0.5 * (difference * difference)
    p = min(max((output + 1.0) * 0.5, EPSILON), 1.0 - EPSILON)
    t = (label + 1.0) * 0.5
    return -(t * float(np.log(p)) + (1.0 - t) * float(np.log1p(-p)))


@inlined
def output_delta(code: int, activation: int, neurons: Array, output_node: int, labels: Array, start: int,
                 points: int) -> None:
    """dE/dz at the output neuron for each point, into its DELTA row.

    dE/da = output − label for both losses; squared error then takes the
    chain rule through the output's activation, cross-entropy (on tanh) not.
    """
    for q in range(points):
        neurons[DELTA, output_node, q] = neurons[A, output_node, q] - labels[start + q]
    for q in range(points, neurons.shape[2]):
        neurons[DELTA, output_node, q] = 0.0  # lanes beyond the points (see backprop.lanes)
    if code == SQUARED:
        chain_rule(activation, neurons, output_node, points)


@inlined
def point_error(code: int, activation: int, neurons: Array, first: int, count: int, q: int,
                label: float) -> float:
    """The loss of point ``q`` of the pass, whose outputs are nodes ``first``.. ``first + count``."""
    if activation != SOFTMAX:
        return error(code, neurons[A, first, q], label)
    target = first + int(label)
    if code == CROSS_ENTROPY:
        return -float(np.log(max(neurons[A, target, q], EPSILON)))
    total = 0.0
    for k in range(first, first + count):
        difference = neurons[A, k, q] - (1.0 if k == target else 0.0)
        total += difference * difference
    return 0.5 * total


@inlined
def softmax_delta(code: int, neurons: Array, first: int, count: int, labels: Array, start: int,
                  points: int) -> None:
    """dE/dz at each of the K softmax outputs for each point (labels are class indices)."""
    for q in range(points):
        target = first + int(labels[start + q])
        if code == CROSS_ENTROPY:
            for k in range(first, first + count):
                neurons[DELTA, k, q] = neurons[A, k, q] - (1.0 if k == target else 0.0)
            continue
        weighted = 0.0  # Σ_k (p_k − t_k)·p_k
        for k in range(first, first + count):
            p = neurons[A, k, q]
            weighted += (p - (1.0 if k == target else 0.0)) * p
        for k in range(first, first + count):
            p = neurons[A, k, q]
            neurons[DELTA, k, q] = p * ((p - (1.0 if k == target else 0.0)) - weighted)
    for k in range(first, first + count):
        for q in range(points, neurons.shape[2]):
            neurons[DELTA, k, q] = 0.0  # lanes beyond the points (see backprop.lanes)
