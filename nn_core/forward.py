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
        offsets = np.cumsum([0, *(n + 1 for n in hidden)]).tolist()
        self.hidden_z = np.zeros((offsets[-1], points), dtype=dtype)
        self.hidden_a = np.ones((offsets[-1], points), dtype=dtype)
        self.output_z = np.zeros((1, points), dtype=dtype)
        self.output_a = np.zeros((1, points), dtype=dtype)
        # Per weight layer: where its z and activation go, and what feeds the next layer.
        self.z = [self.hidden_z[offsets[i] : offsets[i] + n] for i, n in enumerate(hidden)] + [self.output_z]
        self.a = [self.hidden_a[offsets[i] : offsets[i] + n] for i, n in enumerate(hidden)] + [self.output_a]
        self.feeds = [self.hidden_a[offsets[i] : offsets[i + 1]] for i in range(len(hidden))]
        self.forwards = [net.activation(layer).forward for layer in range(net.depth)]

    def run(self, inputs: Array, blocks: list[Array] | None = None) -> Array:
        """Activations of every layer for ``inputs`` (``(k + 1, points)``); returns the output row."""
        previous = inputs
        feeds = self.feeds
        for layer, block in enumerate(blocks or self.net.blocks):
            z = self.z[layer]
            np.dot(block, previous, out=z)
            self.forwards[layer](z, self.a[layer])
            if layer < len(feeds):
                previous = feeds[layer]
        return self.output_a
