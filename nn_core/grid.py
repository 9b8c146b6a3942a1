"""Decision boundaries: every neuron's value over the square [−6, 6]².

One forward pass of the whole N×N grid through the network gives every
neuron's map at once (inputs, hidden neurons and the output). Orientation: a
grid is row-major with row 0 at the TOP (y = +6) and column 0 at the LEFT
(x = −6), so it maps straight onto image rows; samples sit at
``linspace(-6, 6, N)`` like the original's 100×100 grid.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .features import EXTENT, FEATURE_NAMES, feature_matrix
from .forward import ForwardPlan, inputs_with_bias_row
from .network import Network

Array = np.ndarray
OUTPUT_RESOLUTION = 100
THUMBNAIL_RESOLUTION = 25


@dataclass(frozen=True)
class Boundaries:
    """``output``: (N, N); ``thumbnails``: (neurons, R, R), inputs first, output last."""

    output: Array
    thumbnails: Array


@lru_cache(maxsize=16)
def _grid_inputs(features: tuple[str, ...], n: int) -> Array:
    """The grid's feature rows plus a row of ones, ``(k + 1, n·n)``, float32."""
    axis = np.linspace(-EXTENT, EXTENT, n)
    xs, ys = np.meshgrid(axis, axis[::-1])  # row 0 = top = y = +6
    inputs = inputs_with_bias_row(feature_matrix(features, xs.reshape(-1), ys.reshape(-1)))
    inputs = inputs.astype(np.float32)
    inputs.setflags(write=False)
    return inputs


@lru_cache(maxsize=16)
def _averaging_matrix(n: int, resolution: int) -> Array:
    """``(R, N)``: row r averages the grid samples that fall in thumbnail cell r."""
    cell = np.minimum(np.arange(n) * resolution // n, resolution - 1)
    matrix = (cell[None, :] == np.arange(resolution)[:, None]).astype(np.float32)
    matrix /= matrix.sum(axis=1, keepdims=True)
    matrix.setflags(write=False)
    return matrix


_plans = threading.local()
_PLANS_PER_THREAD = 4


def _grid_plan(net: Network, points: int) -> ForwardPlan:
    """A float32 forward plan for the grid, reused per thread and network structure.

    Allocating (and first touching) megabytes of buffers on every frame costs
    more than the forward pass itself; one plan per server thread and shape
    keeps that to once, without sharing buffers between threads.
    """
    cache: OrderedDict[tuple[object, ...], ForwardPlan] = getattr(_plans, "cache", None) or OrderedDict()
    _plans.cache = cache
    key = (net.sizes, net.hidden_activation, net.output_activation, points)
    plan = cache.pop(key, None) or ForwardPlan(net, points, dtype=np.float32)
    cache[key] = plan
    while len(cache) > _PLANS_PER_THREAD:
        cache.popitem(last=False)
    return plan


def _run_grid(net: Network, features: tuple[str, ...], n: int) -> tuple[Array, ForwardPlan]:
    inputs = _grid_inputs(features, n)
    plan = _grid_plan(net, n * n)
    plan.run(inputs, [block.astype(np.float32) for block in net.blocks])
    return inputs, plan


def downsample(maps: Array, resolution: int) -> Array:
    """(k, N, N) → (k, R, R) cell means, as two small matrix products."""
    n = maps.shape[-1]
    if resolution >= n:
        return maps
    average = _averaging_matrix(n, resolution)
    return average @ maps @ average.T


def boundaries(net: Network, features: tuple[str, ...], resolution: int = THUMBNAIL_RESOLUTION,
               output_resolution: int = OUTPUT_RESOLUTION) -> Boundaries:
    """The output's map at ``output_resolution`` and every neuron's thumbnail.

    One forward pass of the grid; thumbnails are averaged straight from the
    plan's stacked rows (the bias rows of ones are dropped afterwards).
    """
    n = output_resolution
    inputs, plan = _run_grid(net, features, n)
    hidden = downsample(plan.stack_a.reshape(-1, n, n), resolution)
    keep = _hidden_neuron_rows(net.sizes)
    thumbnails = np.concatenate((
        downsample(inputs[:-1].reshape(-1, n, n), resolution),
        hidden[keep],
        downsample(plan.output_a.reshape(1, n, n), resolution),
    ))
    return Boundaries(output=plan.output_a.reshape(n, n).copy(), thumbnails=thumbnails)


def feature_thumbnails(resolution: int = THUMBNAIL_RESOLUTION,
                       output_resolution: int = OUTPUT_RESOLUTION) -> dict[str, Array]:
    """Every input feature's map, enabled or not (the page shows them all, as the original does)."""
    n = output_resolution
    maps = downsample(_grid_inputs(FEATURE_NAMES, n)[:-1].reshape(-1, n, n), resolution)
    return dict(zip(FEATURE_NAMES, maps, strict=True))


def _hidden_neuron_rows(sizes: tuple[int, ...]) -> list[int]:
    """Rows of the hidden stack that are neurons (each layer is followed by a bias row)."""
    rows: list[int] = []
    start = 0
    for size in sizes[1:-1]:
        rows.extend(range(start, start + size))
        start += size + 1
    return rows


def quantize(values: Array, out: Array | None = None) -> Array:
    """Values in [−1, 1] (clipped; NaN → 0) to uint8, 0 ↔ −1 and 255 ↔ +1, for streaming.

    Every frame quantizes every grid, so this makes one float copy and works in
    place on it; ``out`` (uint8, same shape) receives the codes without another allocation.
    """
    values = np.asarray(values)
    scaled = np.clip(values, -1.0, 1.0, dtype=values.dtype if values.dtype.kind == "f" else float)
    if np.isnan(scaled.sum()):  # the clipped values are finite, so only a NaN makes the sum NaN
        np.nan_to_num(scaled, copy=False, nan=0.0)
    scaled += 1.0
    scaled *= 127.5
    np.rint(scaled, out=scaled)
    if out is None:
        return scaled.astype(np.uint8)
    np.copyto(out, scaled, casting="unsafe")
    return out


def dequantize(codes: Array) -> Array:
    """The inverse of :func:`quantize` (to within half a step, 1/255)."""
    return codes.astype(float) / 127.5 - 1.0
