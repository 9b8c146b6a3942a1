"""Decision boundaries: every neuron's value over the square [−6, 6]².

One forward pass of the whole N×N grid through the network gives every
neuron's map at once (inputs, hidden neurons and the output). Orientation: a
grid is row-major with row 0 at the TOP (y = +6) and column 0 at the LEFT
(x = −6), so it maps straight onto image rows; samples sit at
``linspace(-6, 6, N)`` like the original's 100×100 grid.

The pass runs over chunks of grid rows, each chunk's activations averaged into
the thumbnails at once, so its float32 buffers stay under :data:`CHUNK_BYTES`
whatever the network (the largest extended network's whole grid would take
13 MB, on every server thread that builds frames). A small network's grid is one chunk.

A K-class network (K ≥ 3) has K output maps: each class's probability (softmax
over the output neurons' scores at each grid point), and each output neuron's
thumbnail is its class's probability too.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .activations import forward_for
from .features import EXTENT, FEATURE_NAMES, feature_matrix
from .jit import inlined, kernel
from .network import Network, softmax

Array = np.ndarray
OUTPUT_RESOLUTION = 100
THUMBNAIL_RESOLUTION = 25
CHUNK_BYTES = 512 * 1024  # a chunk's activations and scratch, float32
CACHE_BYTES_PER_THREAD = 1024 * 1024  # the chunk buffers a thread keeps for its next frames


@dataclass(frozen=True)
class Boundaries:
    """``output``: (N, N), or (K, N, N) class probabilities with K ≥ 3 classes;
    ``thumbnails``: (neurons, R, R), inputs first, the output neuron(s) last."""

    output: Array
    thumbnails: Array


@lru_cache(maxsize=16)
def _grid_inputs(features: tuple[str, ...], n: int) -> Array:
    """The grid's feature rows plus a row of ones, ``(k + 1, n·n)``, float32."""
    axis = np.linspace(-EXTENT, EXTENT, n)
    xs, ys = np.meshgrid(axis, axis[::-1])  # row 0 = top = y = +6
    values = feature_matrix(features, xs.reshape(-1), ys.reshape(-1))
    inputs = np.ones((len(features) + 1, n * n), dtype=np.float32)
    inputs[:-1] = values.T
    inputs.setflags(write=False)
    return inputs


@lru_cache(maxsize=64)
def _input_chunks(features: tuple[str, ...], n: int, rows: int) -> tuple[Array, ...]:
    """The grid inputs cut into contiguous chunks of ``rows`` grid rows."""
    inputs = _grid_inputs(features, n)
    return tuple(np.ascontiguousarray(inputs[:, start : start + rows * n]) for start in range(0, n * n, rows * n))


@lru_cache(maxsize=16)
def _input_thumbnails(features: tuple[str, ...], n: int, resolution: int) -> Array:
    """The inputs' thumbnails: they depend on the features only, not on the weights."""
    return downsample(_grid_inputs(features, n)[:-1].reshape(-1, n, n), resolution)


@lru_cache(maxsize=16)
def _averaging_matrix(n: int, resolution: int) -> Array:
    """``(R, N)``: row r averages the grid samples that fall in thumbnail cell r."""
    cell = np.minimum(np.arange(n) * resolution // n, resolution - 1)
    matrix: Array = (cell[None, :] == np.arange(resolution)[:, None]).astype(np.float32)
    matrix /= matrix.sum(axis=1, keepdims=True)
    matrix.setflags(write=False)
    return matrix


class _GridPass:
    """What a network layout's grid pass needs, made once per thread: the neurons' stack rows,
    and float32 buffers for a chunk's forward pass and for a copy of the parameters (which
    each frame refills). Not the input features: pages of one network shape with different
    features share a thread's buffers.

    ``stack`` holds every hidden layer's activations, each followed by a row of ones (the
    next layer's bias input), then the output's row(s); ``z`` is the pre-activation scratch of
    the widest layer. Both are flat, so a chunk of any size gets contiguous views. Each frame
    then copies the parameters in and runs (one ``copyto`` instead of a float32 copy per layer).
    """

    def __init__(self, net: Network, n: int, r: int) -> None:
        hidden = net.sizes[1:-1]
        self.rows = _rows_per_chunk(net, n, r)
        self.points = self.rows * n
        self.neurons = _neuron_rows(net.sizes)
        self.average = _averaging_matrix(n, r)
        self.offsets: list[int] = np.cumsum([0, *[size + 1 for size in hidden]]).tolist()
        self.stack_rows = self.offsets[-1] + net.sizes[-1]
        self.stack = np.empty(self.stack_rows * self.points, dtype=np.float32)
        self.z = np.empty(max(net.sizes[1:]) * self.points, dtype=np.float32)
        self.forwards: list[Callable[[Array, Array], Array]] = [
            forward_for(net.activation(layer), net.sizes[layer + 1] * self.points, np.dtype(np.float32))
            for layer in range(net.depth)]
        self.params = np.empty(net.params.shape, dtype=np.float32)
        self.blocks = net.layer_views(self.params)
        self.row = np.empty(n, dtype=np.float32)  # the cell means' scratch

    @property
    def nbytes(self) -> int:
        """The buffers this pass owns."""
        return int(self.stack.nbytes + self.z.nbytes + self.params.nbytes + self.row.nbytes)

    def run(self, inputs: Array) -> Array:
        """The activations of every layer for ``inputs`` ``(k + 1, p)``, as ``(stack_rows, p)``,
        with the parameters last copied into :attr:`params`."""
        p = inputs.shape[1]
        stack = self.stack[: self.stack_rows * p].reshape(self.stack_rows, p)
        previous = inputs
        for layer, block in enumerate(self.blocks):
            start, size = self.offsets[layer], block.shape[0]  # the output's row follows the hidden layers
            z = self.z[: size * p].reshape(size, p)
            block.dot(previous, z)  # the method: no array-function dispatch
            self.forwards[layer](z, stack[start : start + size])
            if layer < len(self.offsets) - 1:
                stack[start + size].fill(1.0)
                previous = stack[start : start + size + 1]
        return stack


_passes = threading.local()


def _grid_pass(net: Network, n: int, r: int) -> _GridPass:
    """A layout's pass, reused per thread (within :data:`CACHE_BYTES_PER_THREAD`).

    Allocating (and first touching) the buffers on every frame costs more than
    the forward pass itself; keeping them per server thread avoids that without
    sharing buffers between threads.
    """
    cache: OrderedDict[tuple[object, ...], _GridPass] = getattr(_passes, "cache", None) or OrderedDict()
    _passes.cache = cache
    key = (net.sizes, net.hidden_activation, net.output_activation, n, r)
    grid_pass = cache.pop(key, None) or _GridPass(net, n, r)
    cache[key] = grid_pass
    while len(cache) > 1 and sum(cached.nbytes for cached in cache.values()) > CACHE_BYTES_PER_THREAD:
        cache.popitem(last=False)
    return grid_pass


def _rows_per_chunk(net: Network, n: int, r: int) -> int:
    """As many grid rows as fit in :data:`CHUNK_BYTES` (at least one), whole thumbnail cells
    when the cells are whole rows (``n`` a multiple of ``r``)."""
    floats_per_point = sum(size + 1 for size in net.sizes[1:-1]) + net.sizes[-1] + max(net.sizes[1:])
    rows = max(1, min(n, CHUNK_BYTES // (4 * floats_per_point * n)))
    cell = n // r if n % r == 0 else 1
    return max(cell, rows - rows % cell)


def _add_cell_means(stack: Array, rows: Array, first: int, average: Array, means: Array, row: Array) -> None:
    """Add a chunk's share of the thumbnails of the stack's ``rows`` (its neurons) to ``means``
    ``(len(rows), R, R)``.

    ``stack`` is ``(stack rows, height, N)``: grid rows ``first…first+height``. When a
    cell is ``k`` whole grid rows (the usual 100 → 25), the chunk holds whole
    cells, and one compiled pass sums each cell (:func:`_whole_cell_means`: this
    was most of a small network's frame as NumPy's reductions). Otherwise both
    directions go through the averaging matrix.
    """
    _, height, n = stack.shape
    r = average.shape[0]
    if n % r == 0:
        k = n // r
        _whole_cell_means(stack, rows, k, means[:, first // k : (first + height) // k], row)
        return
    by_column = stack[rows].reshape(-1, n) @ average.T  # (neuron · grid row, cell column)
    by_row = by_column.reshape(len(rows), height, r).transpose(1, 0, 2).reshape(height, -1)
    cells = (average[:, first : first + height] @ by_row).reshape(r, len(rows), r)
    means += cells.transpose(1, 0, 2)


@kernel
def _whole_cell_means(stack: Array, rows: Array, k: int, means: Array, row: Array) -> None:
    """``means[m]``: the k×k cell means of ``stack[rows[m]]`` (float32, as the maps); ``row``:
    scratch for one band of k grid rows, summed down (a kernel allocates nothing: jit.py)."""
    height, n = stack.shape[1], stack.shape[2]
    scale = np.float32(1.0) / np.float32(k * k)
    for m in range(rows.size):
        source = stack[rows[m]]
        for band in range(height // k):
            top = band * k
            for column in range(n):
                row[column] = source[top, column]
            for i in range(1, k):
                for column in range(n):
                    row[column] += source[top + i, column]
            for cell in range(n // k):
                total = row[cell * k]
                for j in range(1, k):
                    total += row[cell * k + j]
                means[m, band, cell] = total * scale


def downsample(maps: Array, resolution: int) -> Array:
    """(k, N, N) → (k, R, R) cell means, as two small matrix products."""
    n = maps.shape[-1]
    if resolution >= n:
        return maps
    average = _averaging_matrix(n, resolution)
    cells: Array = average @ maps @ average.T
    return cells


def boundaries(net: Network, features: tuple[str, ...], resolution: int = THUMBNAIL_RESOLUTION,
               output_resolution: int = OUTPUT_RESOLUTION) -> Boundaries:
    """The output's map at ``output_resolution`` and every neuron's thumbnail.

    Chunk by chunk of grid rows: the forward pass, the output's rows copied
    out, and every stack row's share of its thumbnail added in, so no
    full-grid map of a hidden neuron is ever kept.
    """
    n, r = output_resolution, min(resolution, output_resolution)
    # A diverged network's huge weights overflow float32: its maps show that (NaN is drawn
    # neutral), which is an outcome, not an error.
    with np.errstate(over="ignore", invalid="ignore"):
        return _boundaries(net, features, n, r)


def _boundaries(net: Network, features: tuple[str, ...], n: int, r: int) -> Boundaries:
    grid_pass = _grid_pass(net, n, r)
    np.copyto(grid_pass.params, net.params, casting="same_kind")
    outputs, rows = net.sizes[-1], grid_pass.rows
    output = np.empty((outputs, n * n), dtype=np.float32)
    inputs = _input_thumbnails(features, n, r)
    thumbnails = np.zeros((len(inputs) + len(grid_pass.neurons), r, r), dtype=np.float32)
    thumbnails[: len(inputs)] = inputs
    means = thumbnails[len(inputs) :]  # the neurons' thumbnails, filled chunk by chunk
    for index, chunk in enumerate(_input_chunks(features, n, rows)):
        first, height = index * rows, chunk.shape[1] // n
        stack = grid_pass.run(chunk)
        if net.is_softmax:  # the scores become class probabilities, in the maps and the thumbnails
            stack[-outputs:] = softmax(stack[-outputs:], axis=0)
        output[:, first * n : (first + height) * n] = stack[-outputs:]
        _add_cell_means(stack.reshape(-1, height, n), grid_pass.neurons, first, grid_pass.average, means,
                        grid_pass.row)
    return Boundaries(output=output.reshape(outputs, n, n) if net.is_softmax else output.reshape(n, n),
                      thumbnails=thumbnails)


def feature_thumbnails(resolution: int = THUMBNAIL_RESOLUTION,
                       output_resolution: int = OUTPUT_RESOLUTION) -> dict[str, Array]:
    """Every input feature's map, enabled or not (the page shows them all, as the original does)."""
    n = output_resolution
    maps = downsample(_grid_inputs(FEATURE_NAMES, n)[:-1].reshape(-1, n, n), resolution)
    return dict(zip(FEATURE_NAMES, maps, strict=True))


@lru_cache(maxsize=64)
def _neuron_rows(sizes: tuple[int, ...]) -> Array:
    """Rows of the stack that are neurons: each hidden layer's (not its bias row), then the output(s)."""
    rows: list[int] = []
    start = 0
    for size in sizes[1:-1]:
        rows.extend(range(start, start + size))
        start += size + 1
    array = np.array([*rows, *range(start, start + sizes[-1])], dtype=np.int64)
    array.setflags(write=False)
    return array


def quantize(values: Array, out: Array | None = None) -> Array:
    """Values in [−1, 1] (clipped; NaN → 0) to uint8, 0 ↔ −1 and 255 ↔ +1, for streaming.

    Every frame quantizes every grid: the grids' float32 maps go through one
    compiled pass (:func:`quantize_changes`); other arrays get one float copy,
    worked on in place. ``out`` (uint8, same shape) receives the codes without
    another allocation.
    """
    values = np.asarray(values)
    if values.dtype == np.float32 and (out is None or out.flags.c_contiguous):
        into = np.empty(values.shape, dtype=np.uint8) if out is None else out
        quantize_changes(values, into)
        return into
    scaled = np.clip(values, -1.0, 1.0, dtype=values.dtype if values.dtype.kind == "f" else float)
    if np.isnan(scaled.sum()):  # the clipped values are finite, so only a NaN makes the sum NaN
        np.nan_to_num(scaled, copy=False, nan=0.0)
    scaled += 1.0
    scaled *= 127.5
    np.rint(scaled, out=scaled)
    if out is None:
        codes: Array = scaled.astype(np.uint8)
        return codes
    np.copyto(out, scaled, casting="unsafe")
    return out


def quantize_changes(values: Array, codes: Array, previous: Array | None = None,
                     changes: Array | None = None) -> None:
    """:func:`quantize` float32 ``values`` into ``codes``; with ``previous`` codes, also each
    cell's change since, ``codes − previous`` mod 256, into ``changes`` (what a delta frame sends).

    One pass over the cells, with no temporary arrays: a frame's grids are
    ~15,000 cells and NumPy's clip, rint, cast and subtraction each cost as much
    as this whole pass. The arithmetic is float32, as NumPy's on these maps, so
    the codes are the same. ``codes`` and ``changes`` must be contiguous (they are written through).
    """
    if not (codes.flags.c_contiguous and (changes is None or changes.flags.c_contiguous)):
        raise ValueError("quantize_changes writes into contiguous arrays only")
    flat, out = values.reshape(-1), codes.reshape(-1)
    if previous is None or changes is None:
        _quantize(flat, out, out[:0], out[:0])
    else:
        _quantize(flat, out, previous.reshape(-1), changes.reshape(-1))


_ONE = np.float32(1.0)
_HALF_STEPS = np.float32(127.5)
_CODE_RANGE = 256
_LOW_SEVEN_BITS = 0x7F
_MORE = 0x80  # a run length's byte that another byte follows


@inlined
def _code_of(value: np.float32) -> int:
    """One value's code: clipped to [−1, 1] (NaN drawn neutral), 0 ↔ −1 and 255 ↔ +1."""
    if math.isnan(value):
        value = np.float32(0.0)
    elif value < -_ONE:
        value = -_ONE
    elif value > _ONE:
        value = _ONE
    return int(np.rint((value + _ONE) * _HALF_STEPS))


@kernel
def _quantize(values: Array, codes: Array, previous: Array, changes: Array) -> None:
    compare = previous.size == codes.size
    for i in range(values.size):
        code = _code_of(values[i])
        codes[i] = code
        if compare:
            changes[i] = (code - int(previous[i])) % _CODE_RANGE


@inlined
def _put_pair(out: Array, written: int, run: int, change: int) -> int:
    """Write one (run of unchanged cells, change) pair at ``written``; the bytes written after
    it, or −1 when it does not fit in ``out``."""
    while run > _LOW_SEVEN_BITS:
        if written == out.size:
            return -1
        out[written] = (run & _LOW_SEVEN_BITS) | _MORE
        written += 1
        run >>= 7
    if written + 2 > out.size:
        return -1
    out[written] = run
    out[written + 1] = change
    return written + 2


def zero_runs(changes: Array, out: Array) -> int:
    """Write uint8 ``changes`` into ``out`` as pairs (run of unchanged cells, change): how a
    delta travels when few cells moved. Returns the bytes written, or −1 when they would not
    fit in ``out`` (then deflate packs the changes better).

    Each run is the count of zero bytes before the next nonzero one, little-endian base 128
    (seven bits a byte, the high bit set on every byte but the last: LEB128); then that byte.
    Zeros after the last change are not written. Once a network settles, a frame moves a few
    dozen of a default link's 15,625 cells: ~100 bytes this way, where deflate takes ~16 µs
    (its set-up, its checksum, its search) for about as many. A frame's grids are encoded by
    :func:`quantize_runs`, which writes the same pairs as it quantizes.
    """
    if changes.dtype != np.uint8 or out.dtype != np.uint8 or not out.flags.c_contiguous:
        raise ValueError("zero_runs reads uint8 changes into a contiguous uint8 buffer")
    flat = np.ascontiguousarray(changes).reshape(-1)
    return int(_zero_runs(flat, flat[: flat.size - flat.size % 8].view(np.uint64), out))


@kernel
def _zero_runs(changes: Array, words: Array, out: Array) -> int:
    """:func:`zero_runs`; ``words``: the first of ``changes`` as 8-byte words, each skipped whole
    when zero (most of a settled frame's are)."""
    written, run, i = 0, 0, 0
    while i < changes.size:
        if i % 8 == 0 and i // 8 < words.size and words[i // 8] == 0:
            run += 8
            i += 8
        elif changes[i] == 0:
            run += 1
            i += 1
        else:
            written = _put_pair(out, written, run, changes[i])
            if written < 0:
                return -1
            run = 0
            i += 1
    return written


def quantize_runs(parts: tuple[Array, Array], codes: Array, previous: Array, changes: Array, out: Array) -> int:
    """:func:`quantize` the ``parts`` (float32 maps) one after the other into ``codes``, their changes
    since ``previous`` (mod 256) into ``changes``, and those as :func:`zero_runs` into ``out``:
    the bytes written, or −1 when they do not fit (then deflate packs ``changes``).

    A frame's delta in one compiled call (~5 µs for a default link's 15,625 cells, where the
    separate passes took ~15): the quantization runs vectorized, and the runs skip eight
    unchanged cells at a time.
    ``changes`` is a whole number of 8-byte words (cells past the parts' stay zero).
    """
    first, second = (np.ascontiguousarray(part).reshape(-1) for part in parts)  # float32 or float64, as quantize
    cells = first.size + second.size
    if not (codes.dtype == previous.dtype == changes.dtype == out.dtype == np.uint8 and codes.size == previous.size
            == cells and changes.ndim == 1 and changes.size == -(-cells // 8) * 8 and changes.flags.c_contiguous
            and out.flags.c_contiguous):
        raise ValueError("quantize_runs writes a uint8 code per value, and its change into whole words")
    return int(_quantize_runs(first, second, codes.reshape(-1), previous.reshape(-1), changes,
                              changes.view(np.uint64), out))


@kernel
def _quantize_runs(first: Array, second: Array, codes: Array, previous: Array, changes: Array, words: Array,
                   out: Array) -> int:
    split = first.size  # each part in a loop of its own, over slices: so they vectorize
    _quantize(first, codes[:split], previous[:split], changes[:split])
    _quantize(second, codes[split:], previous[split:], changes[split : codes.size])
    return _zero_runs(changes[: codes.size], words, out)  # a word past the cells is read bytewise


def dequantize(codes: Array) -> Array:
    """The inverse of :func:`quantize` (to within half a step, 1/255)."""
    return codes.astype(float) / 127.5 - 1.0
