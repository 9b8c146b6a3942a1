"""The trainer and the loss evaluator: a network's data, codes and buffers for the kernels.

Everything a compiled epoch needs is prepared once here: the training
points' input features (one row per point), the network's ``layout``, the
activation, loss, regularizer and optimizer as codes, and the scratch the
kernels write into. An epoch is then ONE kernel call (``epoch.train_epoch``),
and the losses another; nothing is allocated per epoch. Both can also run in
pieces (a big network's epoch cut to fit a server's time slice), bit for bit.
"""

from __future__ import annotations

import functools

import numpy as np

from . import losses, neuron
from .backprop import EVALUATION_CHUNK, TRAINING_CHUNK, layout_of, neuron_buffers
from .datasets import Dataset
from .epoch import gradient_sum, loss_sum, train_epoch
from .features import feature_matrix
from .network import Network
from .optimizers import Hyper, Optimizer

Array = np.ndarray
# What a chunk of points' losses costs, counted in training examples like the points an epoch
# trains (Playground.train_examples' budget): one point's loss ~ 1/16 of a training example.
# Measured (nn_core forward of a chunk against train_epoch): 0.024 for 10 layers of 32 at batch
# size 1, 0.07 at batch size 10; a small network (4,2: 0.15-0.5) never cuts its epochs anyway.
CHUNK_COST = EVALUATION_CHUNK // 16


class _Compiled:
    """What every kernel call about ``net`` passes: its layout, codes and scratch."""

    def __init__(self, net: Network, loss: str, chunk: int) -> None:
        self.layout = layout_of(net)
        self.hidden = neuron.CODES[net.hidden_activation]
        self.output = neuron.OUTPUT_CODES[net.output_activation]
        self.loss = losses.CODES[loss]
        self.neurons = neuron_buffers(net, chunk)


class Trainer(_Compiled):
    """Trains ``net`` on ``train`` with the original's batch semantics.

    The gradient of a final partial batch stays in ``carry`` (summed over
    ``carry_count`` examples) and joins the next update.
    """

    def __init__(self, net: Network, train: Dataset, features: tuple[str, ...],
                 batch_size: int, loss: str, optimizer: Optimizer) -> None:
        super().__init__(net, loss, TRAINING_CHUNK)
        self.net = net
        self.optimizer = optimizer
        self.inputs = feature_matrix(features, train.x, train.y)
        self.labels = np.ascontiguousarray(train.label, dtype=np.float64)
        self.weight_mask = net.bias_mask()
        self.is_weight = self.weight_mask.astype(np.bool_)
        self.carry = np.zeros_like(net.params)
        self._count = np.zeros(1, dtype=np.int64)
        self.batch_size = batch_size

    @property
    def carry_count(self) -> int:
        """How many examples' gradients ``carry`` holds, waiting for the next update."""
        return int(self._count[0])

    @carry_count.setter
    def carry_count(self, count: int) -> None:
        self._count[0] = count

    def set_batch_size(self, batch_size: int) -> None:
        """A new batch size takes effect from the next epoch; the carry stays."""
        self.batch_size = batch_size

    @property
    def examples(self) -> int:
        """The training points of one epoch."""
        return int(self.labels.shape[0])

    def epoch(self, hyper: Hyper) -> None:
        """One pass over the training points, updating after each full batch."""
        self.train(hyper, 0, self.examples)

    def train(self, hyper: Hyper, first: int, last: int) -> None:
        """Points ``first``..``last`` of an epoch; pieces trained in order make the whole epoch."""
        net, optimizer = self.net, self.optimizer
        # Plain floats and ints every time: one compiled signature serves every setting.
        train_epoch(net.params, net.dead, self.is_weight, self.carry, self._count, self.layout,
                    self.hidden, self.output, self.loss, self.inputs, self.labels, int(self.batch_size),
                    optimizer.code, float(hyper.learning_rate), hyper.regularizer,
                    float(hyper.regularization_rate), float(hyper.momentum), float(hyper.beta1),
                    float(hyper.beta2), float(hyper.gradient_clip), optimizer.moments, optimizer.steps,
                    optimizer.last_gradient, self.neurons, int(first), int(last))

    def full_batch_gradient(self) -> Array:
        """The summed gradient over the whole training set (for gradient checking)."""
        gradient = np.zeros_like(self.net.params)
        gradient_sum(self.net.params, self.layout, self.hidden, self.output, self.loss, self.inputs,
                     self.labels, self.neurons, gradient)
        return gradient


class LossEvaluator(_Compiled):
    """Train and test loss of a network over both sets, in the original's order: at once
    (calling it), or in pieces of whole chunks (:meth:`advance` until :attr:`complete`, then
    :meth:`losses`), which add the same numbers in the same order."""

    def __init__(self, net: Network, train: Dataset, test: Dataset, features: tuple[str, ...],
                 loss: str) -> None:
        super().__init__(net, loss, EVALUATION_CHUNK)
        both_x = np.concatenate((train.x, test.x))
        both_y = np.concatenate((train.y, test.y))
        self.inputs = feature_matrix(features, both_x, both_y)
        self.labels = np.concatenate((train.label, test.label)).astype(np.float64)
        self.cut = len(train)
        # Every point's outputs in the last evaluation (a column per output neuron): train
        # points first, then test. An evaluation in pieces writes the other buffer and swaps
        # them when complete, so the metrics never read half of one evaluation.
        self.outputs = np.zeros((self.labels.shape[0], net.sizes[-1]))
        self._pending = np.zeros_like(self.outputs)
        self.cursor = 0  # points of the evaluation in pieces done (train points first)
        self.evaluations = 0  # evaluations that wrote ``outputs`` (a reader may keep results per count)
        self._sums = [0.0, 0.0]  # its train and test losses summed so far

    def __call__(self, net: Network) -> tuple[float, float]:
        """Losses of ``net`` (this evaluator's network or a copy of it) at once; its outputs go to
        ``outputs``. An evaluation in pieces in progress is left as it is."""
        n = self.labels.shape[0]
        train = self._sum(net, 0, self.cut, self.outputs, 0.0)
        test = self._sum(net, self.cut, n, self.outputs, 0.0)
        self.evaluations += 1
        return _mean(train, self.cut), _mean(test, n - self.cut)

    @functools.cached_property
    def cost(self) -> int:
        """A whole evaluation's cost in training examples (:data:`CHUNK_COST` per chunk of each set;
        the sets never change: a new one gets a new evaluator)."""
        return (_chunks(self.cut) + _chunks(self.labels.shape[0] - self.cut)) * CHUNK_COST

    @property
    def spent(self) -> int:
        """The cost of the pieces of the evaluation in progress done so far (read several times a
        training turn, mostly between evaluations: 0)."""
        if not self.cursor:
            return 0
        return (_chunks(min(self.cursor, self.cut)) + _chunks(max(0, self.cursor - self.cut))) * CHUNK_COST

    @property
    def complete(self) -> bool:
        return self.cursor >= int(self.labels.shape[0])

    def advance(self, net: Network, budget: int) -> None:
        """The next piece of the evaluation: the chunks ``budget`` pays for (at least one), each
        within one set, so chunks start where the uncut evaluation's do (a short evaluation is
        done in one call: both sets' sums)."""
        chunks = max(1, budget // CHUNK_COST)
        while chunks > 0 and not self.complete:
            start = self.cursor
            end = self.cut if start < self.cut else self.labels.shape[0]
            stop = min(end, start + chunks * EVALUATION_CHUNK)
            chunks -= _chunks(stop - start)
            which = 0 if start < self.cut else 1
            self._sums[which] = self._sum(net, start, stop, self._pending, self._sums[which])
            self.cursor = stop

    def losses(self) -> tuple[float, float]:
        """The complete evaluation's losses; its outputs become ``outputs``, and the next starts afresh."""
        n = self.labels.shape[0]
        self.outputs, self._pending = self._pending, self.outputs
        self.evaluations += 1
        train, test = self._sums
        self.restart()
        return _mean(train, self.cut), _mean(test, n - self.cut)

    def restart(self) -> None:
        """Drop the evaluation in pieces in progress (the network it was evaluating changed)."""
        self.cursor, self._sums = 0, [0.0, 0.0]

    def _sum(self, net: Network, start: int, stop: int, outputs: Array, total: float) -> float:
        return float(loss_sum(net.params, self.layout, self.hidden, self.output, self.loss,
                              self.inputs, self.labels, start, stop, self.neurons, outputs, total))


def _chunks(points: int) -> int:
    return -(-points // EVALUATION_CHUNK)


def _mean(total: float, count: int) -> float:
    """A set's mean loss from its sum (0 for an empty set, as the original)."""
    return total / count if count else 0.0
