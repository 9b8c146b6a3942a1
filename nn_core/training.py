"""The trainer and the loss evaluator: a network's data, codes and buffers for the kernels.

Everything a compiled epoch needs is prepared once here: the training
points' input features (one row per point), the network's ``layout``, the
activation, loss, regularizer and optimizer as codes, and the scratch the
kernels write into. An epoch is then ONE kernel call (``epoch.train_epoch``),
and the losses another; nothing is allocated per epoch.
"""

from __future__ import annotations

import numpy as np

from . import losses, neuron
from .backprop import EVALUATION_CHUNK, TRAINING_CHUNK, layout_of, neuron_buffers
from .datasets import Dataset
from .epoch import gradient_sum, mean_loss, train_epoch
from .features import feature_matrix
from .network import Network
from .optimizers import Hyper, Optimizer

Array = np.ndarray


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
    """Train and test loss of a network over both sets, in the original's order."""

    def __init__(self, net: Network, train: Dataset, test: Dataset, features: tuple[str, ...],
                 loss: str) -> None:
        super().__init__(net, loss, EVALUATION_CHUNK)
        both_x = np.concatenate((train.x, test.x))
        both_y = np.concatenate((train.y, test.y))
        self.inputs = feature_matrix(features, both_x, both_y)
        self.labels = np.concatenate((train.label, test.label)).astype(np.float64)
        self.cut = len(train)
        # Every point's outputs in the last evaluation (a column per output neuron): train
        # points first, then test.
        self.outputs = np.zeros((self.labels.shape[0], net.sizes[-1]))

    def __call__(self, net: Network) -> tuple[float, float]:
        """Losses of ``net`` (this evaluator's network or a copy of it); its outputs go to ``outputs``."""
        n = self.labels.shape[0]
        train = mean_loss(net.params, self.layout, self.hidden, self.output, self.loss,
                          self.inputs, self.labels, 0, self.cut, self.neurons, self.outputs)
        test = mean_loss(net.params, self.layout, self.hidden, self.output, self.loss,
                         self.inputs, self.labels, self.cut, n, self.neurons, self.outputs)
        return float(train), float(test)
