"""One epoch of training, exactly as the original counts it, as fast as NumPy allows.

The original visits the training points in stored order, accumulates
gradients, and updates after every ``batchSize``-th point of the epoch; a final
partial batch is NOT applied but carried into the next epoch's first update
(section 6 of the reference). So the batches are the same slices every epoch,
and the trainer fixes them once: every mini-batch is a contiguous row slice of
one precomputed input matrix, and every intermediate lives in a buffer
allocated up front. A mini-batch is then a few matrix products and in-place
ufuncs per layer, and an update is a few operations on the flat parameter
array, whatever the network's depth. At batch size 1 that is still ~20 calls
an example, so small networks train through generated scalar code instead
(``single_example.py``), which hands back to this path on a float overflow.
"""

from __future__ import annotations

import numpy as np

from .datasets import Dataset
from .features import feature_matrix
from .forward import ForwardPlan, inputs_with_bias_row
from .losses import mean_loss
from .network import Network
from .optimizers import Hyper, Optimizer
from .single_example import SingleExampleTrainer, supports

Array = np.ndarray


class _BatchPlan(ForwardPlan):
    """A forward plan plus the backward pass's buffers, for one batch size."""

    def __init__(self, net: Network, rows: int, grad_blocks: list[Array]) -> None:
        super().__init__(net, rows)
        depth = net.depth
        self.stack_der = np.zeros_like(self.stack_z)
        self.output_der = self.stack_der[-1:] if self.output_in_stack else np.zeros_like(self.output_z)
        self.der = [self.stack_der[self.layer_rows(i)] for i in range(depth - 1)] + [self.output_der]
        self.delta = [np.zeros_like(z) for z in self.z]
        self.grad = grad_blocks
        self.back_weights = [block[:, :-1].T for block in net.blocks]  # W without bias, transposed
        # Layer 0's activation is the hidden one, or the output's when there is no hidden layer.
        self.stack_derivative = net.activation(0).derivative if self.offsets[-1] else None
        self.output_derivative = None if self.output_in_stack else net.activation(depth - 1).derivative
        # Bound ``ndarray.dot`` methods: np.dot's array-function dispatch costs
        # a third of a small product.
        self.forward_steps = [
            (net.blocks[l].dot, self.z[l], self.a[l], self.forwards[l], self.feeds[l] if l < depth - 1 else None)
            for l in range(depth)
        ]
        self.backward_steps = [
            (self.grad[l], self.feeds[l - 1].T, self.back_weights[l].dot, self.delta[l - 1], self.der[l - 1])
            for l in range(depth - 1, 0, -1)
        ]
        self.first_grad = self.grad[0]

    def gradient(self, inputs: Array, labels: Array, squared_error: bool) -> None:
        """Sum over the batch of dE/dW for every layer, written into the grad blocks.

        The hot loop of the engine: every step is a precomputed tuple of views,
        so a mini-batch costs a few NumPy calls per layer and nothing else.
        """
        multiply = np.multiply  # `out` passed positionally: cheaper per call
        previous = inputs
        for block_dot, z, a, forward, feed in self.forward_steps:
            block_dot(previous, z)
            forward(z, a)
            previous = feed
        output, delta = self.output_a, self.delta[-1]
        if self.stack_derivative is not None:
            self.stack_derivative(self.stack_z, self.stack_a, self.stack_der)
        np.subtract(output, labels, delta)
        if squared_error:
            if self.output_derivative is not None:
                self.output_derivative(self.output_z, output, self.output_der)
            multiply(delta, self.output_der, delta)
        for grad, feed_t, back_weights_dot, below, der in self.backward_steps:
            delta.dot(feed_t, grad)
            back_weights_dot(delta, below)
            multiply(below, der, below)
            delta = below
        delta.dot(inputs.T, self.first_grad)


class Trainer:
    """Trains ``net`` on ``train`` with the original's batch semantics.

    Gradients of a final partial batch stay in ``carry`` (with ``carry_count``
    examples) and join the next update.
    """

    def __init__(self, net: Network, train: Dataset, features: tuple[str, ...],
                 batch_size: int, loss: str, optimizer: Optimizer) -> None:
        self.net = net
        self.squared_error = loss == "squared"
        self.optimizer = optimizer
        self.inputs = inputs_with_bias_row(feature_matrix(features, train.x, train.y))
        self.labels = train.label.reshape(1, -1).copy()
        self.grad = np.zeros_like(net.params)
        self.grad_blocks = net._views(self.grad)
        self.carry = np.zeros_like(net.params)
        self.carry_count = 0
        self.weight_mask = net.bias_mask()
        optimizer.any_dead = bool(net.dead.any())
        self.loss = loss
        self.set_batch_size(batch_size)

    def set_batch_size(self, batch_size: int) -> None:
        """Fix the epoch's slices: contiguous copies of each batch's inputs and labels."""
        n = self.labels.shape[1]
        self.batch_size = batch_size
        full = n // batch_size
        cuts = [(k * batch_size, (k + 1) * batch_size) for k in range(full)]
        self.batches = [self._batch(a, b) for a, b in cuts]
        self.remainder = self._batch(full * batch_size, n) if n % batch_size else None
        self.plans = {rows: _BatchPlan(self.net, rows, self.grad_blocks)
                      for rows in {batch_size, n % batch_size} if rows}
        # Batch size 1 with the classic rule: generated scalar code (single_example.py).
        self.single_example = None
        if batch_size == 1 and self.optimizer.name == "sgd" and supports(self.net):
            examples = list(zip(*self.inputs[:-1].tolist(), self.labels[0].tolist()))
            self.single_example = SingleExampleTrainer(self.net, self.loss, examples)

    def _batch(self, start: int, stop: int) -> tuple[Array, Array]:
        return (np.ascontiguousarray(self.inputs[:, start:stop]),
                np.ascontiguousarray(self.labels[:, start:stop]))

    def epoch(self, hyper: Hyper) -> None:
        """One pass over the training points, updating after each full batch."""
        done = 0
        if self.single_example is not None and not self.carry_count:
            regularization = hyper.regularization if hyper.regularized else "none"
            done, died = self.single_example.epoch(hyper.learning_rate, regularization, hyper.regularization_rate)
            self.optimizer.any_dead |= died
        self._numpy_epoch(hyper, done)

    def _numpy_epoch(self, hyper: Hyper, first_batch: int) -> None:
        """The epoch from batch ``first_batch`` on, vectorized over each batch."""
        size = self.batch_size
        squared = self.squared_error
        batches = self.batches[first_batch:] if first_batch else self.batches
        if batches:
            gradient = self.plans[size].gradient
            update, optimizer = self.optimizer.update, self.optimizer
            net, grad, mask = self.net, self.grad, self.weight_mask
            for inputs, labels in batches:
                gradient(inputs, labels, squared)
                if self.carry_count or optimizer.any_dead:
                    self._apply(size, hyper)
                else:  # the common case, without the bookkeeping
                    update(net.params, net.dead, grad, size, hyper, mask)
        if self.remainder is not None:
            inputs, labels = self.remainder
            self.plans[inputs.shape[1]].gradient(inputs, labels, squared)
            self.carry += self.grad
            self.carry_count += inputs.shape[1]

    def _apply(self, count: int, hyper: Hyper) -> None:
        if self.carry_count:
            self.grad += self.carry
            count += self.carry_count
            self.carry.fill(0.0)
            self.carry_count = 0
        if self.optimizer.any_dead:
            self.grad[self.net.dead] = 0.0
        self.optimizer.update(self.net.params, self.net.dead, self.grad, count, hyper, self.weight_mask)

    def full_batch_gradient(self) -> Array:
        """The summed gradient over the whole training set (for gradient checking)."""
        n = self.labels.shape[1]
        if n:
            _BatchPlan(self.net, n, self.grad_blocks).gradient(self.inputs, self.labels, self.squared_error)
        return self.grad


class LossEvaluator:
    """Train and test loss in ONE forward pass over both sets, into fixed buffers."""

    def __init__(self, net: Network, train: Dataset, test: Dataset, features: tuple[str, ...],
                 loss: str) -> None:
        both_x = np.concatenate((train.x, test.x))
        both_y = np.concatenate((train.y, test.y))
        self.inputs = inputs_with_bias_row(feature_matrix(features, both_x, both_y))
        self.labels = np.concatenate((train.label, test.label))
        self.cut = len(train)
        self.loss = loss
        self.plan = ForwardPlan(net, len(self.labels))
        self.diff = np.empty(len(self.labels))

    def __call__(self, net: Network) -> tuple[float, float]:
        """Losses of ``net`` (this evaluator's network or a copy of it)."""
        output = self.plan.run(self.inputs, net.blocks)[0]
        cut, n = self.cut, len(self.labels)
        if self.loss != "squared":
            return (mean_loss(self.loss, output[:cut], self.labels[:cut]),
                    mean_loss(self.loss, output[cut:], self.labels[cut:]))
        diff = np.subtract(output, self.labels, out=self.diff)
        train, test = diff[:cut], diff[cut:]
        return (0.5 * float(np.dot(train, train)) / cut if cut else 0.0,
                0.5 * float(np.dot(test, test)) / (n - cut) if n > cut else 0.0)
