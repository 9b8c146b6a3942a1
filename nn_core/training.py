"""One epoch of training, exactly as the original counts it, as fast as NumPy allows.

The original visits the training points in stored order, accumulates
gradients, and updates after every ``batchSize``-th point of the epoch; a final
partial batch is NOT applied but carried into the next epoch's first update
(section 6 of the reference). So the batches are the same slices every epoch,
and the trainer fixes them once: every mini-batch is a contiguous row slice of
one precomputed input matrix, and every intermediate lives in a buffer
allocated up front. A mini-batch is then a few matrix products and in-place
ufuncs per layer, and an update is a few operations on the flat parameter
array, whatever the network's depth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .datasets import Dataset
from .features import feature_matrix
from .losses import mean_loss, output_delta
from .network import Network
from .optimizers import Hyper, Optimizer

Array = np.ndarray


@dataclass
class _Buffers:
    """Scratch arrays for one batch size: per weight layer z, activations, f'(z), delta."""

    z: list[Array]
    activations: list[Array]  # with a trailing column of ones (the bias input)
    derivative: list[Array]
    delta: list[Array]

    @classmethod
    def allocate(cls, rows: int, sizes: tuple[int, ...]) -> "_Buffers":
        outs = sizes[1:]
        activations = [np.ones((rows, n + 1)) for n in outs]
        return cls(
            z=[np.empty((rows, n)) for n in outs],
            activations=activations,
            derivative=[np.empty((rows, n)) for n in outs],
            delta=[np.empty((rows, n)) for n in outs],
        )


def with_bias_column(matrix: Array) -> Array:
    """``[matrix | 1]``: the bias becomes one more weight in each product."""
    return np.hstack((matrix, np.ones((matrix.shape[0], 1))))


class Trainer:
    """Trains ``net`` on ``train`` with the original's batch semantics.

    Gradients of a final partial batch stay in ``carry`` (with ``carry_count``
    examples) and join the next update.
    """

    def __init__(self, net: Network, train: Dataset, features: tuple[str, ...],
                 batch_size: int, loss: str, optimizer: Optimizer) -> None:
        self.net = net
        self.loss = loss
        self.optimizer = optimizer
        self.inputs = with_bias_column(feature_matrix(features, train.x, train.y))
        self.labels = train.label.reshape(-1, 1).copy()
        self.grad = np.zeros_like(net.params)
        self.grad_blocks = net._views(self.grad)
        self.carry = np.zeros_like(net.params)
        self.carry_count = 0
        self.weight_mask = net.bias_mask()
        self.set_batch_size(batch_size)

    def set_batch_size(self, batch_size: int) -> None:
        """Fix the epoch's slices; a change of batch size keeps the carried gradient."""
        n = self.labels.shape[0]
        self.batch_size = batch_size
        self.full_batches = n // batch_size
        self.remainder = n - self.full_batches * batch_size
        self.buffers = {size: _Buffers.allocate(size, self.net.sizes)
                        for size in {batch_size, self.remainder} if size}

    def epoch(self, hyper: Hyper) -> None:
        """One pass over the training points, updating after each full batch."""
        size = self.batch_size
        for k in range(self.full_batches):
            self._gradient(k * size, size)
            self._apply(size, hyper)
        if self.remainder:
            start = self.full_batches * size
            self._gradient(start, self.remainder)
            self.carry += self.grad
            self.carry_count += self.remainder

    def _apply(self, count: int, hyper: Hyper) -> None:
        if self.carry_count:
            self.grad += self.carry
            count += self.carry_count
            self.carry.fill(0.0)
            self.carry_count = 0
        dead = self.net.dead
        if dead.any():
            self.grad[dead] = 0.0
        self.optimizer.update(self.net.params, dead, self.grad, count, hyper, self.weight_mask)

    def _gradient(self, start: int, rows: int) -> None:
        """Forward and backward for rows ``start:start+rows``; the sum lands in ``self.grad``."""
        net, buf = self.net, self.buffers[rows]
        blocks, depth = net.blocks, net.depth
        previous = self.inputs[start : start + rows]
        inputs_of = []
        for layer in range(depth):
            inputs_of.append(previous)
            z = buf.z[layer]
            np.matmul(previous, blocks[layer].T, out=z)
            act = buf.activations[layer]
            net.activation(layer).forward(z, act[:, :-1])
            previous = act
        last = depth - 1
        output = buf.activations[last][:, :-1]
        net.activation(last).derivative(buf.z[last], output, buf.derivative[last])
        delta = output_delta(self.loss, output, self.labels[start : start + rows],
                             buf.derivative[last], buf.delta[last])
        for layer in range(last, -1, -1):
            np.matmul(delta.T, inputs_of[layer], out=self.grad_blocks[layer])
            if layer == 0:
                break
            below = buf.delta[layer - 1]
            np.matmul(delta, blocks[layer][:, :-1], out=below)
            act = buf.activations[layer - 1][:, :-1]
            der = net.activation(layer - 1).derivative(buf.z[layer - 1], act, buf.derivative[layer - 1])
            below *= der
            delta = below

    def clear_carry(self) -> None:
        self.carry.fill(0.0)
        self.carry_count = 0


class LossEvaluator:
    """Train and test loss in ONE forward pass over both sets."""

    def __init__(self, train: Dataset, test: Dataset, features: tuple[str, ...], loss: str) -> None:
        both_x = np.concatenate((train.x, test.x))
        both_y = np.concatenate((train.y, test.y))
        self.inputs = feature_matrix(features, both_x, both_y)
        self.labels = np.concatenate((train.label, test.label))
        self.cut = len(train)
        self.loss = loss

    def __call__(self, net: Network) -> tuple[float, float]:
        output = net.forward(self.inputs).reshape(-1)
        cut = self.cut
        return (mean_loss(self.loss, output[:cut], self.labels[:cut]),
                mean_loss(self.loss, output[cut:], self.labels[cut:]))
