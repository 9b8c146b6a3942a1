"""Initial weights and biases, drawn from the seeded stream in the original's order.

Order: layer by layer, for each neuron in order, for each neuron of the
previous layer in order, one draw per weight (drawn even when the weight is
then set to zero, as the original does with ``initZero``). The same walk also
rebuilds a reshaped network: a weight whose two ends still exist keeps its
value and only the new ones consume draws.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

from .network import Network, node_keys
from .rng import SeededRandom

CLASSIC_BIAS = 0.1
WeightKey = tuple[Hashable, Hashable]


def _scale(scheme: str, fan_in: int, fan_out: int) -> float:
    """Half-width of the uniform draw (classic ±0.5; Glorot; He)."""
    if scheme == "xavier":
        return math.sqrt(6.0 / (fan_in + fan_out))
    if scheme == "he":
        return math.sqrt(6.0 / max(fan_in, 1))
    return 0.5


def build(
    net: Network,
    features: tuple[str, ...],
    rng: SeededRandom,
    scheme: str = "classic",
    zero: bool = False,
    keep: KeptParameters | None = None,
) -> None:
    """Fill ``net``'s weights and biases in place: kept values first, new draws otherwise."""
    keys = node_keys(net.sizes, features)
    bias_start = 0.0 if zero else (CLASSIC_BIAS if scheme == "classic" else 0.0)
    for layer, block in enumerate(net.blocks):
        dead = net.dead_blocks[layer]
        sources, fan_out = keys[layer], block.shape[0]
        scale = _scale(scheme, len(sources), fan_out)
        for node, dest in enumerate(keys[layer + 1]):
            for source, src in enumerate(sources):
                kept = keep.weights.get((dest, src)) if keep else None
                if kept is not None:
                    block[node, source], dead[node, source] = kept
                    continue
                value = (rng.random() - 0.5) * (scale / 0.5)
                block[node, source] = 0.0 if zero else value
            kept_bias = keep.biases.get(dest) if keep else None
            block[node, -1] = kept_bias if kept_bias is not None else bias_start


class KeptParameters:
    """A network's values by node identity, to carry across a reshape."""

    def __init__(self, net: Network, features: tuple[str, ...]) -> None:
        keys = node_keys(net.sizes, features)
        self.weights: dict[WeightKey, tuple[float, bool]] = {}
        self.biases: dict[Hashable, float] = {}
        for layer, block in enumerate(net.blocks):
            dead = net.dead_blocks[layer]
            for node, dest in enumerate(keys[layer + 1]):
                self.biases[dest] = float(block[node, -1])
                for source, src in enumerate(keys[layer]):
                    self.weights[(dest, src)] = (float(block[node, source]), bool(dead[node, source]))
