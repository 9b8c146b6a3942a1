"""Decision boundaries: every neuron's value over the square [−6, 6]².

One forward pass of the whole N×N grid through the network gives every
neuron's map at once (inputs, hidden neurons and the output). Orientation: a
grid is row-major with row 0 at the TOP (y = +6) and column 0 at the LEFT
(x = −6), so it maps straight onto image rows; samples sit at
``linspace(-6, 6, N)`` like the original's 100×100 grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .features import feature_matrix
from .network import Network

Array = np.ndarray
EXTENT = 6.0
OUTPUT_RESOLUTION = 100
THUMBNAIL_RESOLUTION = 25


@dataclass(frozen=True)
class Boundaries:
    """``output``: (N, N); ``thumbnails``: one (R, R) map per neuron, inputs first, output last."""

    output: Array
    thumbnails: list[Array]


@lru_cache(maxsize=16)
def _grid_inputs(features: tuple[str, ...], n: int) -> Array:
    axis = np.linspace(-EXTENT, EXTENT, n)
    xs, ys = np.meshgrid(axis, axis[::-1])  # row 0 = top = y = +6
    inputs = feature_matrix(features, xs.reshape(-1), ys.reshape(-1))
    inputs.setflags(write=False)
    return inputs


def neuron_maps(net: Network, features: tuple[str, ...], n: int) -> list[Array]:
    """Every layer's values on the N×N grid: arrays of shape (nodes, N, N)."""
    layers = net.forward_layers(_grid_inputs(features, n))
    return [values.T.reshape(values.shape[1], n, n) for values in layers]


def downsample(maps: Array, resolution: int) -> Array:
    """(k, N, N) → (k, R, R): block means when R divides N, else nearest samples."""
    n = maps.shape[-1]
    if resolution >= n:
        return maps
    if n % resolution == 0:
        f = n // resolution
        return maps.reshape(maps.shape[0], resolution, f, resolution, f).mean(axis=(2, 4))
    index = np.linspace(0, n - 1, resolution).round().astype(int)
    return maps[:, index][:, :, index]


def boundaries(net: Network, features: tuple[str, ...], resolution: int = THUMBNAIL_RESOLUTION,
               output_resolution: int = OUTPUT_RESOLUTION) -> Boundaries:
    """The output's map at ``output_resolution`` and every neuron's thumbnail."""
    layers = neuron_maps(net, features, output_resolution)
    thumbnails = [thumb for maps in layers for thumb in downsample(maps, resolution)]
    return Boundaries(output=layers[-1][0], thumbnails=thumbnails)


def quantize(values: Array) -> Array:
    """Values in [−1, 1] (clipped) to uint8, 0 ↔ −1 and 255 ↔ +1, for streaming."""
    scaled = np.clip(np.nan_to_num(values, nan=0.0), -1.0, 1.0)
    scaled = (scaled + 1.0) * 127.5
    return np.rint(scaled, out=scaled).astype(np.uint8)


def dequantize(codes: Array) -> Array:
    """The inverse of :func:`quantize` (to within half a step, 1/255)."""
    return codes.astype(float) / 127.5 - 1.0
