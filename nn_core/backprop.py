"""Forward pass and backpropagation for one example, compiled: the training rule's core.

The loops run over layers, neurons and links in the original's order of
operations, so every sum is added up in the same order and the results are
the original's to the last bit (TensorFlow Playground's ``nn.ts``):

- forward: a neuron's total input is its bias, plus each incoming link's
  weight × source output, in the previous layer's order;
- backward: the output's error signal δ = dE/dz, then for each hidden
  neuron, Σ over its outgoing links of weight × δ of the link's end (in the
  next layer's order), times f'(z);
- accumulation: each bias sums δ, each link sums δ × source output.

Shapes come in as arrays (``layout``), never as compiled constants, so one
machine-code version trains every network.

``layout`` rows: ``SIZES`` the layer sizes (inputs first, one output), ``FIRST_PARAMETER``
where each weight layer's block starts in the flat parameters (row per
neuron: its incoming weights, then its bias), ``FIRST_NODE`` where each layer
starts in the neuron arrays. ``neurons`` rows: ``Z`` total input, ``A``
output (activation), ``DELTA`` dE/dz.
"""

from __future__ import annotations

import numpy as np

from . import losses, neuron
from .jit import kernel
from .network import Network

Array = np.ndarray
SIZES, FIRST_PARAMETER, FIRST_NODE = range(3)
Z, A, DELTA = range(3)
# Points per pass: enough for the loops over points to pay, few enough to stay in the L1 cache.
CHUNK = 32


def layout_of(net: Network) -> Array:
    """The ``layout`` array of ``net`` (int64, 3 rows of ``depth + 2``)."""
    depth = net.depth
    layout = np.zeros((3, depth + 2), dtype=np.int64)
    layout[SIZES, : depth + 1] = net.sizes
    layout[FIRST_PARAMETER, : depth + 1] = net.offsets
    layout[FIRST_NODE, 1:] = np.cumsum(net.sizes)
    return layout


def neuron_buffers(net: Network) -> Array:
    """Scratch for up to ``CHUNK`` points: ``(3, nodes, CHUNK)``, rows Z, A, DELTA."""
    return np.zeros((3, sum(net.sizes), CHUNK))


@kernel
def forward(params: Array, layout: Array, hidden: int, output: int, inputs: Array, start: int,
            neurons: Array, points: int) -> None:
    """Every neuron's total input and output for points ``start``.. ``start + points`` of ``inputs``."""
    for q in range(points):
        for i in range(inputs.shape[1]):
            neurons[A, i, q] = inputs[start + q, i]
    depth = layout.shape[1] - 2
    for layer in range(1, depth + 1):
        fan_in = layout[SIZES, layer - 1]
        below, here = layout[FIRST_NODE, layer - 1], layout[FIRST_NODE, layer]
        code = output if layer == depth else hidden
        for j in range(layout[SIZES, layer]):
            row = layout[FIRST_PARAMETER, layer - 1] + j * (fan_in + 1)
            z, a = neurons[Z, here + j], neurons[A, here + j]
            bias = params[row + fan_in]
            for q in range(points):
                z[q] = bias
            for i in range(fan_in):  # + each incoming weight × its source's output, in order
                weight, source = params[row + i], neurons[A, below + i]
                for q in range(points):
                    z[q] += weight * source[q]
            for q in range(points):
                a[q] = neuron.activate(code, z[q])


@kernel
def backward(params: Array, layout: Array, hidden: int, output: int, loss: int, labels: Array,
             start: int, neurons: Array, points: int) -> None:
    """δ = dE/dz of every neuron, from the output back, with the weights of the forward pass."""
    depth = layout.shape[1] - 2
    last = layout[FIRST_NODE, depth]
    z, a, delta = neurons[Z, last], neurons[A, last], neurons[DELTA, last]
    for q in range(points):
        slope = neuron.derivative(output, z[q], a[q])
        delta[q] = losses.output_delta(loss, a[q], labels[start + q], slope)
    for layer in range(depth, 1, -1):
        fan_in, fan_out = layout[SIZES, layer - 1], layout[SIZES, layer]
        below, here = layout[FIRST_NODE, layer - 1], layout[FIRST_NODE, layer]
        block = layout[FIRST_PARAMETER, layer - 1]
        for i in range(fan_in):
            z, a, delta = neurons[Z, below + i], neurons[A, below + i], neurons[DELTA, below + i]
            for q in range(points):
                delta[q] = 0.0
            for j in range(fan_out):  # Σ over outgoing links of weight × δ of the link's end
                weight, end = params[block + j * (fan_in + 1) + i], neurons[DELTA, here + j]
                for q in range(points):
                    delta[q] += weight * end[q]
            for q in range(points):
                delta[q] *= neuron.derivative(hidden, z[q], a[q])


@kernel
def accumulate(layout: Array, neurons: Array, points: int, gradient: Array) -> None:
    """Add the points' dE/dw and dE/db to ``gradient`` (flat, like the parameters).

    Each link sums δ × source output, each bias δ, over the points in order:
    the original's running sums, one link at a time.
    Dead links accumulate too; the update ignores and clears them.
    """
    depth = layout.shape[1] - 2
    for layer in range(1, depth + 1):
        fan_in = layout[SIZES, layer - 1]
        below, here = layout[FIRST_NODE, layer - 1], layout[FIRST_NODE, layer]
        for j in range(layout[SIZES, layer]):
            row = layout[FIRST_PARAMETER, layer - 1] + j * (fan_in + 1)
            delta = neurons[DELTA, here + j]
            for i in range(fan_in):
                source = neurons[A, below + i]
                total = gradient[row + i]
                for q in range(points):
                    total += delta[q] * source[q]
                gradient[row + i] = total
            total = gradient[row + fan_in]
            for q in range(points):
                total += delta[q]
            gradient[row + fan_in] = total
