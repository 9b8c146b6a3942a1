"""One example through the network, and the one training step it would give.

The tutorials teach a neuron as a weighted sum z plus a bias passed through an
activation a = f(z), then the error, then backpropagation: each neuron's
δ = dE/dz and each link's dE/dw = δ × the output of the link's source. This
module shows those numbers for one example, computed by the very kernels that
train (``nn_core/backprop.py``'s forward, backward and accumulate on a buffer
one point wide, ``nn_core/optimizers.py``'s update), never a copy of the maths.

:func:`explain` is read-only. :func:`step_update` takes the optimizer's step of
batch size 1 on copies of the parameters and the optimizer's state, so the
update it shows is bit for bit what :func:`apply_step` (the same call on the
real state) then performs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import losses, neuron
from .backprop import FIRST_NODE, SIZES, forward, layout_of, neuron_buffers
from .epoch import learn
from .features import feature_matrix
from .jit import kernel
from .network import Network
from .neuron import DELTA, A, Z
from .optimizers import Hyper, Optimizer, update

Array = np.ndarray


@kernel
def _forward_one(params: Array, layout: Array, hidden: int, output: int, inputs: Array,
                 neurons: Array) -> None:
    """Every neuron's z and a for the one point of ``inputs``."""
    forward(params, layout, hidden, output, inputs, 0, neurons, 1)


@kernel
def _learn_one(params: Array, layout: Array, hidden: int, output: int, loss: int, inputs: Array,
               labels: Array, neurons: Array, gradient: Array) -> float:
    """The training rule on the one point: z, a, δ and the gradient; returns the point's loss."""
    learn(params, layout, hidden, output, loss, inputs, labels, 0, 1, neurons, gradient)
    depth = layout.shape[1] - 2
    return losses.point_error(loss, output, neurons, layout[FIRST_NODE, depth], layout[SIZES, depth], 0,
                              labels[0])


@kernel
def _update(code: int, params: Array, dead: Array, is_weight: Array, gradient: Array, learning_rate: float,
            regularizer: int, regularization_rate: float, momentum: float, beta1: float, beta2: float,
            gradient_clip: float, moments: Array, steps: Array, last: Array) -> None:
    """The optimizer's update from one example's gradient (a batch of one, clipped like one);
    ``last`` keeps it."""
    update(code, params, dead, is_weight, gradient, 1, learning_rate, regularizer, regularization_rate,
           momentum, beta1, beta2, gradient_clip, moments, steps, last)


@dataclass
class Example:
    """One example's pass: the neuron buffer (rows Z, A, DELTA), its gradient and loss (no label: none)."""

    net: Network
    neurons: Array
    gradient: Array | None
    loss: float | None


def run(net: Network, features: tuple[str, ...], loss: str, x: float, y: float,
        label: float | None) -> Example:
    """The forward pass of ``(x, y)``, and with a label backpropagation too, by the training kernels."""
    inputs = feature_matrix(features, np.array([float(x)]), np.array([float(y)]))
    layout = layout_of(net)
    hidden, output = neuron.CODES[net.hidden_activation], neuron.OUTPUT_CODES[net.output_activation]
    neurons = neuron_buffers(net, 1)
    with np.errstate(over="ignore", invalid="ignore"):
        if label is None:
            _forward_one(net.params, layout, hidden, output, inputs, neurons)
            return Example(net, neurons, None, None)
        gradient = np.zeros_like(net.params)
        error = _learn_one(net.params, layout, hidden, output, losses.CODES[loss], inputs,
                           np.array([float(label)]), neurons, gradient)
    return Example(net, neurons, gradient, float(error))


def step_update(example: Example, optimizer: Optimizer, hyper: Hyper, learning_rate: float) -> Network:
    """The network one training step of batch size 1 on ``example`` would give (nothing changes)."""
    if example.gradient is None:
        raise ValueError("an update needs the example's label")
    after = example.net.copy()
    state = Optimizer(optimizer.name, optimizer.size)
    state.moments[...], state.steps[...] = optimizer.moments, optimizer.steps
    apply_step(after, example.gradient.copy(), state, hyper, learning_rate)
    return after


def apply_step(net: Network, gradient: Array, optimizer: Optimizer, hyper: Hyper, learning_rate: float) -> None:
    """Update ``net`` and ``optimizer``'s state from one example's ``gradient`` (cleared on the way)."""
    is_weight = net.bias_mask().astype(np.bool_)
    with np.errstate(over="ignore", invalid="ignore"):
        _update(optimizer.code, net.params, net.dead, is_weight, gradient, float(learning_rate),
                hyper.regularizer, float(hyper.regularization_rate), float(hyper.momentum),
                float(hyper.beta1), float(hyper.beta2), float(hyper.gradient_clip), optimizer.moments, optimizer.steps,
                optimizer.last_gradient)


def report(example: Example, after: Network | None = None) -> dict[str, Any]:
    """The example as JSON-able data: per layer after the inputs its neurons' z and a, and with a
    label their δ and the layer's gradients (``weight_grad[j][i]``: the link from node i below to
    node j, as in ``Playground.weights``); with ``after``, each weight's and bias's value after the step."""
    net, neurons = example.net, example.neurons
    first = np.concatenate(([0], np.cumsum(net.sizes)))
    layers = []
    for layer in range(net.depth):
        nodes = slice(int(first[layer + 1]), int(first[layer + 2]))
        entry: dict[str, Any] = {"z": _floats(neurons[Z, nodes, 0]), "a": _floats(neurons[A, nodes, 0])}
        if example.gradient is not None:
            block = net._views(example.gradient)[layer]
            entry.update(delta=_floats(neurons[DELTA, nodes, 0]), weight_grad=_floats(block[:, :-1]),
                         bias_grad=_floats(block[:, -1]))
        if after is not None:
            entry.update(new_weights=_floats(after.weights[layer]), new_biases=_floats(after.biases[layer]))
        layers.append(entry)
    outputs = neurons[A, int(first[-2]) : int(first[-1]), 0]
    return {"inputs": _floats(neurons[A, : net.sizes[0], 0]), "output": _floats(outputs),
            "loss": example.loss, "layers": layers}


def _floats(array: Array) -> Any:
    """Nested lists of Python floats (NaN and ±inf as they are: the caller decides for JSON)."""
    return np.asarray(array, dtype=float).tolist()


def check_label(label: Any, problem: str, classes: int, multiclass: bool) -> float:
    """The label as the engine's float, or ValueError: ±1 for two classes, 0…K−1 for K, any number
    for a regression (the convention of ``Playground.labels``)."""
    if isinstance(label, bool) or not isinstance(label, (int, float)) or not math.isfinite(label):
        raise ValueError(f"label: expected a finite number, got {label!r}")
    if problem == "regression":
        return float(label)
    if not multiclass and label not in (-1, 1):
        raise ValueError(f"label: two classes are labelled -1 and 1, got {label!r}")
    if multiclass and (label != int(label) or not 0 <= label < classes):
        raise ValueError(f"label: {classes} classes are labelled 0 to {classes - 1}, got {label!r}")
    return float(label)
