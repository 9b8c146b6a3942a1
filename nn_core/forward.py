"""The forward pass over many points at once, into buffers allocated once.

Layout: points are COLUMNS. Each layer's activations are a block of rows
``(n_l, points)``, followed by one row of ones (the bias input of the next
layer), and all hidden layers' blocks are stacked in one contiguous array.
So every product is between contiguous arrays, every activation writes a
contiguous block, one neuron's values over a grid are one contiguous row
(its image, no transposes), and the derivative of every hidden layer can be
taken in a single call over the whole stack.
"""

from __future__ import annotations

import numpy as np

from .activations import forward_for
from .network import Network

Array = np.ndarray


def inputs_with_bias_row(features: Array) -> Array:
    """``(points, k)`` feature matrix → ``(k + 1, points)`` with a last row of ones."""
    out = np.ones((features.shape[1] + 1, features.shape[0]), dtype=features.dtype)
    out[:-1] = features.T
    return out


class ForwardPlan:
    """Buffers and views for a forward pass of ``points`` columns through ``net``."""

    def __init__(self, net: Network, points: int, dtype: type = np.float64) -> None:
        self.net = net
        self.points = points
        hidden = net.sizes[1:-1]
        # When the output shares the hidden activation, it joins the stack too,
        # and one derivative call then covers the whole network.
        self.output_in_stack = net.hidden_activation == net.output_activation
        rows = [n + 1 for n in hidden] + ([1] if self.output_in_stack else [])
        self.offsets = np.cumsum([0, *rows]).tolist()
        self.stack_z = np.zeros((self.offsets[-1], points), dtype=dtype)
        self.stack_a = np.ones((self.offsets[-1], points), dtype=dtype)
        if self.output_in_stack:
            self.output_z, self.output_a = self.stack_z[-1:], self.stack_a[-1:]
        else:
            self.output_z = np.zeros((1, points), dtype=dtype)
            self.output_a = np.zeros((1, points), dtype=dtype)
        # Per weight layer: where its z and activation go, and what feeds the next layer.
        self.z = [self.stack_z[self.layer_rows(i)] for i in range(len(hidden))] + [self.output_z]
        self.a = [self.stack_a[self.layer_rows(i)] for i in range(len(hidden))] + [self.output_a]
        self.feeds = [self.stack_a[self.offsets[i] : self.offsets[i + 1]] for i in range(len(hidden))]
        self.forwards = [forward_for(net.activation(layer), self.z[layer].size, self.z[layer].dtype)
                         for layer in range(net.depth)]

    def layer_rows(self, layer: int) -> slice:
        """The stack rows of hidden layer ``layer``'s neurons (without its bias row)."""
        return slice(self.offsets[layer], self.offsets[layer] + self.net.sizes[layer + 1])

    def run(self, inputs: Array, blocks: list[Array] | None = None) -> Array:
        """Activations of every layer for ``inputs`` (``(k + 1, points)``); returns the output row."""
        previous = inputs
        feeds = self.feeds
        for layer, block in enumerate(blocks or self.net.blocks):
            z = self.z[layer]
            block.dot(previous, z)  # the method: no array-function dispatch
            self.forwards[layer](z, self.a[layer])
            if layer < len(feeds):
                previous = feeds[layer]
        return self.output_a
