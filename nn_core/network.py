"""The network: layer sizes, weights and biases, and the forward pass.

All parameters live in ONE flat float64 array. Layer ``l`` (1-based, after the
input layer) owns a block of shape ``(n_l, n_{l-1} + 1)``: one row per neuron,
its incoming weights in the previous layer's node order, then its bias in the
last column. That layout makes a mini-batch's gradient for a whole layer one
matrix product (``delta.T @ [activations | 1]``) and lets the optimizer update
every parameter of the network with a handful of whole-array operations.

Hidden neurons use the configured activation; the output neuron uses tanh for
classification and linear for regression, as in the original. A K-class
network (K ≥ 3) has K output neurons whose total inputs are scores, turned
into class probabilities by softmax over the layer (``output_activation`` "softmax").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .activations import ACTIVATIONS, Activation
from .neuron import SOFTMAX_NAME

Array = np.ndarray
# ("in", feature), ("hidden", layer, index), ("out",) (one output) or ("out", class) (K outputs)
NodeKey = tuple[str | int, ...]


@dataclass
class Network:
    """A fully connected network with one output neuron, or K softmax outputs.

    >>> net = Network.zeros((2, 3, 1), "tanh", "tanh")
    >>> net.forward(np.zeros((4, 2))).shape
    (4, 1)
    """

    sizes: tuple[int, ...]
    hidden_activation: str
    output_activation: str
    params: Array = field(repr=False)
    dead: Array = field(repr=False)  # bool, same layout as params; biases never die
    blocks: list[Array] = field(init=False, repr=False)
    dead_blocks: list[Array] = field(init=False, repr=False)
    offsets: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.offsets = _offsets(self.sizes)
        self.blocks = self._views(self.params)
        self.dead_blocks = self._views(self.dead)

    @classmethod
    def zeros(cls, sizes: tuple[int, ...], hidden: str, output: str) -> Network:
        total = parameter_count(sizes)
        return cls(tuple(sizes), hidden, output, np.zeros(total), np.zeros(total, dtype=bool))

    def _views(self, flat: Array) -> list[Array]:
        return [
            flat[self.offsets[layer - 1] : self.offsets[layer]].reshape(self.sizes[layer], self.sizes[layer - 1] + 1)
            for layer in range(1, len(self.sizes))
        ]

    @property
    def depth(self) -> int:
        """Number of layers with weights (hidden layers + output)."""
        return len(self.sizes) - 1

    def activation(self, layer: int) -> Activation:
        """The activation of weight layer ``layer`` (0-based; the last is the output).

        Softmax outputs are linear per neuron (their scores); :meth:`forward` and the
        grid then apply :func:`softmax` over the layer.
        """
        name = self.output_activation if layer == self.depth - 1 else self.hidden_activation
        return ACTIVATIONS["linear" if name == SOFTMAX_NAME else name]

    @property
    def is_softmax(self) -> bool:
        """Whether the outputs are K class probabilities (K ≥ 3)."""
        return self.output_activation == SOFTMAX_NAME

    @property
    def weights(self) -> list[Array]:
        """Per layer, ``(n_out, n_in)`` views of the weights (writable)."""
        return [block[:, :-1] for block in self.blocks]

    @property
    def biases(self) -> list[Array]:
        """Per layer, ``(n_out,)`` views of the biases (writable)."""
        return [block[:, -1] for block in self.blocks]

    def layer_views(self, flat: Array) -> list[Array]:
        """Per layer, ``(n_out, n_in + 1)`` views (its weights, then its biases' column) of any
        array laid out like ``params``."""
        return self._views(flat)

    def weight_views(self, flat: Array) -> list[Array]:
        """Per layer, ``(n_out, n_in)`` views of the weights' entries of any array laid out
        like ``params`` (the last update's gradient, say)."""
        return [block[:, :-1] for block in self._views(flat)]

    @functools.cached_property
    def weight_layers(self) -> tuple[Array, list[int]]:
        """Each parameter's weight layer (a bias: ``depth``, past the last), and each layer's
        number of weights: per-layer sums over the flat parameters in one ``bincount``."""
        layer_of = np.full(self.params.shape, self.depth, dtype=np.intp)
        for layer, block in enumerate(self._views(layer_of)):
            block[:, :-1] = layer
        layer_of.setflags(write=False)
        return layer_of, [self.sizes[layer + 1] * self.sizes[layer] for layer in range(self.depth)]

    @property
    def dead_links(self) -> list[Array]:
        return [block[:, :-1] for block in self.dead_blocks]

    def bias_mask(self) -> Array:
        """1.0 at every weight, 0.0 at every bias (biases are not regularized)."""
        mask = np.ones_like(self.params)
        for block in self._views(mask):
            block[:, -1] = 0.0
        return mask

    def forward(self, inputs: Array) -> Array:
        """The output neurons' values for each row of ``inputs``: shape ``(B, 1)`` or ``(B, K)``.

        Allocates, so it is for checks and one-off calls; the training loop and
        the grid keep buffers of their own.
        """
        current = inputs
        for layer, block in enumerate(self.blocks):
            z = current @ block[:, :-1].T
            z += block[:, -1]
            current = self.activation(layer).forward(z, np.empty_like(z))
        return softmax(current, axis=1) if self.is_softmax else current

    def copy(self) -> Network:
        return Network(self.sizes, self.hidden_activation, self.output_activation,
                       self.params.copy(), self.dead.copy())

    def __deepcopy__(self, memo: dict[int, Any]) -> Network:
        """A copy whose blocks are views of ITS flat arrays (a plain deep copy would copy the views
        apart from them, and a restore of the flat parameters would not show in the weights)."""
        other = self.copy()
        memo[id(self)] = other
        return other


def _offsets(sizes: tuple[int, ...]) -> list[int]:
    offsets = [0]
    for layer in range(1, len(sizes)):
        offsets.append(offsets[-1] + sizes[layer] * (sizes[layer - 1] + 1))
    return offsets


def parameter_count(sizes: tuple[int, ...]) -> int:
    return _offsets(tuple(sizes))[-1]


def node_keys(sizes: tuple[int, ...], features: tuple[str, ...]) -> list[list[NodeKey]]:
    """A stable identity for every node, so a reshaped network can keep weights.

    Inputs are known by feature name, hidden neurons by (layer, index), and the
    output is always the output (each of K outputs its class), whatever the depth.
    """
    keys: list[list[NodeKey]] = [[("in", name) for name in features]]
    last = len(sizes) - 1
    for layer in range(1, last):
        keys.append([("hidden", layer, i) for i in range(sizes[layer])])
    outputs = sizes[-1]
    keys.append([("out",)] if outputs == 1 else [("out", k) for k in range(outputs)])
    return keys


def softmax(scores: Array, axis: int) -> Array:
    """Class probabilities from scores along ``axis`` (the largest subtracted first: no overflow)."""
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    probabilities: Array = shifted / shifted.sum(axis=axis, keepdims=True)
    return probabilities
