"""One epoch, compiled: the training pass and the losses, as the original counts them.

The original visits the training points in stored order; for each it runs
the forward pass and backpropagation and accumulates the gradient; after
every ``batch_size``-th point of the epoch (counting from 1) it updates. A
final partial batch is NOT applied: its gradient and ``count`` stay, and join
the next epoch's first update (section 6 of the reference). The reported
losses are the means of the per-example loss over the train and the test
set, each summed in order.

One call trains a whole epoch, one more computes a loss: no Python between
examples or batches, nothing allocated.
"""

from __future__ import annotations

import numpy as np

from . import losses
from .backprop import FIRST_NODE, SIZES, accumulate, backward, forward
from .jit import inlined, kernel
from .neuron import A
from .optimizers import update

Array = np.ndarray


@inlined
def learn(params: Array, layout: Array, hidden: int, output: int, loss: int, inputs: Array,
          labels: Array, start: int, points: int, neurons: Array, gradient: Array) -> None:
    """Forward pass, backpropagation and accumulation for ``points`` points from ``start``
    (at most the buffer's width)."""
    forward(params, layout, hidden, output, inputs, start, neurons, points)
    backward(params, layout, hidden, output, loss, labels, start, neurons, points)
    accumulate(layout, neurons, points, gradient)


@kernel
def train_epoch(params: Array, dead: Array, is_weight: Array, gradient: Array, count: Array,
                layout: Array, hidden: int, output: int, loss: int, inputs: Array, labels: Array,
                batch_size: int, optimizer: int, learning_rate: float, regularizer: int,
                regularization_rate: float, momentum: float, beta1: float, beta2: float,
                gradient_clip: float, moments: Array, steps: Array, last_gradient: Array, neurons: Array, first: int,
                last: int) -> None:
    """Train on points ``first``..``last`` of the epoch once; ``count[0]`` is the number of
    examples in ``gradient``; each update leaves its mean gradient in ``last_gradient``.

    A whole epoch is ``0``..``n``. Batches are counted from the epoch's first point, and
    the gradient of an unfinished batch stays in ``gradient``, so an epoch trained in
    pieces (a big network's, cut to fit a server's time slice) is bit for bit the
    epoch trained at once. The weights only change between batches, so a batch's
    points go through the network side by side, in chunks that never straddle an update.
    """
    start = first
    if batch_size == 1 and count[0] == 0:  # one point per update: the passes compiled for exactly one
        for start in range(first, last):
            learn(params, layout, hidden, output, loss, inputs, labels, start, 1, neurons, gradient)
            update(optimizer, params, dead, is_weight, gradient, 1, learning_rate, regularizer,
                   regularization_rate, momentum, beta1, beta2, gradient_clip, moments, steps, last_gradient)
        return
    while start < last:
        batch_end = (start // batch_size + 1) * batch_size
        stop = min(last, start + neurons.shape[2], batch_end)
        learn(params, layout, hidden, output, loss, inputs, labels, start, stop - start, neurons, gradient)
        count[0] += stop - start
        if stop == batch_end:
            update(optimizer, params, dead, is_weight, gradient, count[0], learning_rate, regularizer,
                   regularization_rate, momentum, beta1, beta2, gradient_clip, moments, steps, last_gradient)
            count[0] = 0
        start = stop


@kernel
def gradient_sum(params: Array, layout: Array, hidden: int, output: int, loss: int, inputs: Array,
                 labels: Array, neurons: Array, gradient: Array) -> None:
    """``gradient`` ← Σ over every point of dE/dparameter, the weights unchanged."""
    gradient[:] = 0.0
    chunk = neurons.shape[2]
    for start in range(0, labels.shape[0], chunk):
        points = min(chunk, labels.shape[0] - start)
        learn(params, layout, hidden, output, loss, inputs, labels, start, points, neurons, gradient)


@kernel
def loss_sum(params: Array, layout: Array, hidden: int, output: int, loss: int, inputs: Array,
             labels: Array, start: int, stop: int, neurons: Array, predictions: Array, total: float) -> float:
    """``total`` plus the loss of each point ``start``..``stop``, added in order.

    A mean loss is one call from 0.0 divided by the count; an evaluation cut into
    pieces (whole chunks from the set's first point) passes each piece the sum so
    far, so it adds the very same numbers in the very same order: bit for bit the
    uncut sum. Each point's outputs go into its row of ``predictions`` (one column
    per output neuron) on the way: the metrics read them, so accuracy or R² costs
    no forward pass of its own.
    """
    depth = layout.shape[1] - 2
    first_output, outputs = layout[FIRST_NODE, depth], layout[SIZES, depth]
    chunk = neurons.shape[2]
    for first in range(start, stop, chunk):
        points = min(chunk, stop - first)
        forward(params, layout, hidden, output, inputs, first, neurons, points)
        for q in range(points):
            for k in range(outputs):
                predictions[first + q, k] = neurons[A, first_output + k, q]
            total += losses.point_error(loss, output, neurons, first_output, outputs, q, labels[first + q])
    return total
