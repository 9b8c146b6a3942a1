"""The forward pass and backpropagation, compiled: the training rule's core.

The loops run over layers, neurons and links in the original's order of
operations, so every sum is added up in the same order as TensorFlow
Playground's ``nn.ts`` does it:

- forward: a neuron's total input is its bias, plus each incoming link's
  weight × source output, in the previous layer's order;
- backward: the output's error signal δ = dE/dz, then for each hidden
  neuron, Σ over its outgoing links of weight × δ of the link's end (in the
  next layer's order), times f'(z);
- accumulation: each bias sums δ, each link sums δ × source output, point
  after point.

The weights only change between batches, so the points of one batch (or of
a loss evaluation) go through the passes side by side: the innermost loops
run over points, where they vectorize, and each point's arithmetic is still
exactly its own. Shapes come in as arrays (``layout``), never as compiled
constants, so one machine-code version trains every network.

``layout`` rows: ``SIZES`` the layer sizes (inputs first, one output or K),
``FIRST_PARAMETER`` where each weight layer's block starts in the flat
parameters (a row per neuron: its incoming weights, then its bias),
``FIRST_NODE`` where each layer starts among the nodes. ``neurons`` is
``(3, nodes, points)``: rows ``Z`` total input, ``A`` output, ``DELTA`` dE/dz.
"""

from __future__ import annotations

import numpy as np

from . import losses, neuron
from .jit import inlined
from .network import Network
from .neuron import DELTA, A, Z

Array = np.ndarray
SIZES, FIRST_PARAMETER, FIRST_NODE = range(3)
# Points side by side in one pass: a training batch (at most 30) fits in one; the loss
# evaluation, whose weights never change, takes longer rows, where the vectorized loops pay
# more. Either way the neuron buffer stays in the L2 cache.
TRAINING_CHUNK = 32
EVALUATION_CHUNK = 256
LANES = 4  # doubles in one AVX register: passes round their points up to a multiple


def layout_of(net: Network) -> Array:
    """The ``layout`` array of ``net`` (int64, 3 rows of ``depth + 2``)."""
    depth = net.depth
    layout = np.zeros((3, depth + 2), dtype=np.int64)
    layout[SIZES, : depth + 1] = net.sizes
    layout[FIRST_PARAMETER, : depth + 1] = net.offsets
    layout[FIRST_NODE, 1:] = np.cumsum(net.sizes)
    return layout


def neuron_buffers(net: Network, points: int) -> Array:
    """Scratch for a pass of up to ``points`` points: ``(3, nodes, points)``, rows Z, A, DELTA."""
    return np.zeros((3, sum(net.sizes), points))


@inlined
def lanes(points: int, neurons: Array) -> int:
    """The points rounded up to whole AVX registers (4 doubles), when the buffer has room.

    The loops over points then never end in a scalar remainder; the extra
    lanes compute on stale values that nothing reads.
    """
    if points < LANES:
        return points
    return min((points + LANES - 1) // LANES * LANES, int(neurons.shape[2]))


@inlined
def add_weighted_rows(neurons: Array, kind: int, target: int, source_kind: int, first_source: int,
                      sources: int, params: Array, first_weight: int, weight_stride: int, points: int) -> None:
    """``neurons[kind, target] += Σ_k w_k · neurons[source_kind, first_source + k]``, k in order.

    w_k = ``params[first_weight + k · weight_stride]``. Four terms per pass over the points:
    each point's sum still grows term after term, and the target row is read
    and written a quarter as often.
    """
    k = 0
    while k + 4 <= sources:
        w0, w1 = params[first_weight + k * weight_stride], params[first_weight + (k + 1) * weight_stride]
        w2, w3 = params[first_weight + (k + 2) * weight_stride], params[first_weight + (k + 3) * weight_stride]
        s = first_source + k
        for q in range(points):
            total = neurons[kind, target, q]
            total += w0 * neurons[source_kind, s, q]
            total += w1 * neurons[source_kind, s + 1, q]
            total += w2 * neurons[source_kind, s + 2, q]
            total += w3 * neurons[source_kind, s + 3, q]
            neurons[kind, target, q] = total
        k += 4
    while k < sources:
        weight = params[first_weight + k * weight_stride]
        for q in range(points):
            neurons[kind, target, q] += weight * neurons[source_kind, first_source + k, q]
        k += 1


@inlined
def forward(params: Array, layout: Array, hidden: int, output: int, inputs: Array, start: int,
            neurons: Array, points: int) -> None:
    """Every neuron's total input and output for points ``start``.. ``start + points`` of ``inputs``."""
    for q in range(points):
        for i in range(inputs.shape[1]):
            neurons[A, i, q] = inputs[start + q, i]
    points = lanes(points, neurons)
    depth = layout.shape[1] - 2
    for layer in range(1, depth + 1):
        fan_in = layout[SIZES, layer - 1]
        below, here = layout[FIRST_NODE, layer - 1], layout[FIRST_NODE, layer]
        code = output if layer == depth else hidden
        for j in range(here, here + layout[SIZES, layer]):
            row = layout[FIRST_PARAMETER, layer - 1] + (j - here) * (fan_in + 1)
            bias = params[row + fan_in]
            for q in range(points):
                neurons[Z, j, q] = bias
            # + each incoming weight × its source's output, in order
            add_weighted_rows(neurons, Z, j, A, below, fan_in, params, row, 1, points)
            if code != neuron.SOFTMAX:
                neuron.activate(code, neurons, j, points)
        if code == neuron.SOFTMAX:  # the K-class output: one step over the whole layer
            neuron.softmax(neurons, here, layout[SIZES, layer], points)


@inlined
def backward(params: Array, layout: Array, hidden: int, output: int, loss: int, labels: Array,
             start: int, neurons: Array, points: int) -> None:
    """δ = dE/dz of every neuron, from the output back, with the weights of the forward pass."""
    depth = layout.shape[1] - 2
    last = layout[FIRST_NODE, depth]
    if output == neuron.SOFTMAX:
        losses.softmax_delta(loss, neurons, last, layout[SIZES, depth], labels, start, points)
    else:
        losses.output_delta(loss, output, neurons, last, labels, start, points)
    points = lanes(points, neurons)
    for layer in range(depth, 1, -1):
        fan_in, fan_out = layout[SIZES, layer - 1], layout[SIZES, layer]
        below, here = layout[FIRST_NODE, layer - 1], layout[FIRST_NODE, layer]
        block = layout[FIRST_PARAMETER, layer - 1]
        for i in range(below, below + fan_in):
            for q in range(points):
                neurons[DELTA, i, q] = 0.0
            # Σ over outgoing links of weight × δ of the link's end, in order
            add_weighted_rows(neurons, DELTA, i, DELTA, here, fan_out, params, block + i - below, fan_in + 1,
                              points)
            neuron.chain_rule(hidden, neurons, i, points)


@inlined
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
        for j in range(here, here + layout[SIZES, layer]):
            row = layout[FIRST_PARAMETER, layer - 1] + (j - here) * (fan_in + 1)
            for i in range(fan_in):
                total = gradient[row + i]
                for q in range(points):
                    total += neurons[DELTA, j, q] * neurons[A, below + i, q]
                gradient[row + i] = total
            total = gradient[row + fan_in]
            for q in range(points):
                total += neurons[DELTA, j, q]
            gradient[row + fan_in] = total
