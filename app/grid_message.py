"""The binary grid message: a session's grids as a key frame, then deltas (docs/protocol.md).

While training, a frame's grids differ from the previous frame's in a few
hundred of their ~15,000 one-byte cells, mostly by one quantization step, and
the input features' thumbnails never change. So after a key frame (all the
codes) each message carries the mod-256 differences against the codes of the
previous message *built* for the session: mostly zero bytes. While few cells
moved (a settling network: a few dozen), they travel as runs of unchanged
cells and the changes (``nn_core.grid.quantize_runs``), in one compiled pass;
otherwise deflate's run-length strategy packs them into a few hundred bytes.
Every frame built is sent, in order (app/outbox.py skips frames only
before building them), so the page always holds the delta's base; the header's
sequence number lets it check, and drop what it cannot apply.

A K-class network (K ≥ 3) has K output maps, one per class, and its output
neurons' thumbnails are class probabilities too: a probability p travels as the
code of 2p − 1, so the page reads p = code / 255.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

from nn_core.grid import Boundaries, quantize_changes, quantize_runs
from nn_core.network import Network

KIND_GRIDS = 1
VERSION = 4
KEY_FRAME = 0  # the payload deflates to the codes themselves
DELTA_FRAME = 1  # the payload deflates to (codes − the previous message's codes) mod 256
ZERO_RUNS_FRAME = 2  # those changes as (run of zeros, change) pairs, not deflated (nn_core.grid.zero_runs)
# Zero runs are used while they take at most this share of the cells (1/16: ~1 KB of a default
# link's 15,625; past ~70 changes deflate is smaller, and past ~500 much smaller).
ZERO_RUNS_SHARE = 16
MAX_RUN_BITS = 35  # a run takes at most five bytes: more cells than a message holds
# kind, version, encoding, K output maps, N, R, M, –, epoch, sequence: 20 bytes, little-endian
HEADER = struct.Struct("<BBBBHHHxxII")
MAX_U32 = 2**32 - 1
# Deltas are runs of zeros: Z_RLE finds them as well as the default search, several times faster.
_DELTA_STRATEGY = zlib.Z_RLE
_KEY_STRATEGY = zlib.Z_DEFAULT_STRATEGY
_LEVEL = 1
_WINDOW_BITS = 15  # a zlib stream (RFC 1950): what the page's DecompressionStream("deflate") reads
_MEMORY_LEVEL = 9


@dataclass(frozen=True)
class GridShape:
    """Output resolution N, thumbnail resolution R, number of thumbnails M, output maps K (1 or classes)."""

    resolution: int
    thumbnail: int
    count: int
    outputs: int = 1

    @property
    def cells(self) -> int:
        return self.outputs * self.resolution**2 + self.count * self.thumbnail**2


@dataclass(frozen=True)
class GridHeader:
    """A decoded header (for tests and the benchmark; the page has its own decoder)."""

    kind: int
    version: int
    encoding: int
    outputs: int
    resolution: int
    thumbnail: int
    count: int
    epoch: int
    sequence: int

    @property
    def shape(self) -> GridShape:
        return GridShape(self.resolution, self.thumbnail, self.count, self.outputs)


def decode_header(data: bytes) -> GridHeader:
    """Read a grid message's header (its first :data:`HEADER` ``.size`` bytes)."""
    return GridHeader(*HEADER.unpack_from(data, 0))


def payload_cells(data: bytes) -> int:
    """How many cells a message's payload holds once decoded (a check for tests and the benchmark)."""
    header = decode_header(data)
    if header.encoding == ZERO_RUNS_FRAME:
        return len(expand_zero_runs(data[HEADER.size :], header.shape.cells))
    return len(zlib.decompress(data[HEADER.size :]))


def expand_zero_runs(payload: bytes, cells: int) -> np.ndarray:
    """The ``cells`` changes a zero-runs payload stands for (ValueError if it addresses past them):
    the reading of :func:`nn_core.grid.zero_runs`, for tests and clients written in Python."""
    changes = np.zeros(cells, dtype=np.uint8)
    cell, run, shift, reading_run = 0, 0, 0, True
    for byte in payload:
        if reading_run:
            run |= (byte & 0x7F) << shift
            shift += 7
            if shift > MAX_RUN_BITS:
                raise ValueError("a zero-runs payload with a run of more than five bytes")
            reading_run = bool(byte & 0x80)
            continue
        cell += run
        if cell >= cells:
            raise ValueError(f"a zero-runs payload that changes cell {cell} of {cells}")
        changes[cell] = byte
        cell, run, shift, reading_run = cell + 1, 0, 0, True
    if run or shift:
        raise ValueError("a zero-runs payload that ends inside a pair")
    return changes


def grid_codes(maps: Boundaries) -> tuple[GridShape, np.ndarray]:
    """A frame's grids quantized into one byte array: the output's N·N cells (K maps of them
    with K classes), then the thumbnails."""
    shape, parts = _parts(maps)
    return shape, _codes(shape, parts)


def _codes(shape: GridShape, parts: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    codes = np.empty(shape.cells, dtype=np.uint8)
    split = parts[0].size
    quantize_changes(parts[0], codes[:split])
    quantize_changes(parts[1], codes[split:])
    return codes


def _parts(maps: Boundaries) -> tuple[GridShape, tuple[np.ndarray, np.ndarray]]:
    """The message's shape and the values its cells quantize, in order: the output's map(s),
    then the thumbnails. A probability p (K ≥ 3 classes: the output maps and the output neurons'
    thumbnails) is sent as the code of 2p − 1."""
    classes = maps.output.shape[0] if maps.output.ndim == 3 else 0  # noqa: PLR2004 (K maps of N × N)
    outputs = maps.output.reshape(-1, *maps.output.shape[-2:])
    n = outputs.shape[-1]
    thumbnails = maps.thumbnails
    if classes:
        outputs = outputs * 2.0 - 1.0
        thumbnails = thumbnails.copy()
        thumbnails[-classes:] = thumbnails[-classes:] * 2.0 - 1.0
    count = len(thumbnails)
    r = thumbnails.shape[1] if count else 0
    return GridShape(n, r, count, len(outputs)), (outputs, thumbnails)


@dataclass(frozen=True, eq=False)
class GridSource:
    """What a message's grids are computed from: a network's shape, activations and parameters,
    its input features and the resolutions. Two equal sources give the very same grids, so
    the grids need not be computed again (a ``set`` of the learning rate, a pause)."""

    layout: tuple[object, ...]
    params: bytes  # the parameters' bits

    @classmethod
    def of(cls, net: Network, features: tuple[str, ...], thumbnail: int, resolution: int) -> GridSource:
        layout = (net.sizes, net.hidden_activation, net.output_activation, features, thumbnail, resolution)
        return cls(layout, net.params.tobytes())

    def same_as(self, other: GridSource) -> bool:
        """Equal layouts and the very same parameter bits: the same bits give the same codes, NaN
        where NaN was too (a diverged network paused after its divergence). Comparing bytes
        costs a fraction of a microsecond; ``np.array_equal`` with NaNs took ~8 (every frame)."""
        return self.layout == other.layout and self.params == other.params


def _deflate(payload: np.ndarray, strategy: int) -> bytes:
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, _WINDOW_BITS, _MEMORY_LEVEL, strategy)
    return compressor.compress(payload.tobytes()) + compressor.flush()


class GridStream:
    """One session's grid messages: remembers the codes of the last message built.

    :meth:`restart` makes the next message a key frame: after ``hello``, with
    every ``state`` (the page drops its grids when the network's shape
    changes), and when the page asks for one. A change of shape is a key frame too.
    A delta is written into buffers the stream keeps (the codes it replaces become the next
    delta's), so a frame of float32 grids with one output map allocates little but its message.
    """

    def __init__(self) -> None:
        self._previous: np.ndarray | None = None
        self._shape: GridShape | None = None
        self._source: GridSource | None = None  # what the last message's grids came from, if told
        self._sequence = 0
        self._buffers: _DeltaBuffers | None = None

    def restart(self) -> None:
        self._previous = None

    def shows(self, source: GridSource) -> bool:
        """Whether the last message built shows ``source``'s grids, so :meth:`again` may stand in
        for a new one (never after :meth:`restart`: that one must be a key frame)."""
        return self._previous is not None and self._source is not None and self._source.same_as(source)

    def again(self, epoch: int) -> bytes:
        """The next message when the grids did not change: a delta of no changes (no grid computed)."""
        if self._previous is None or self._shape is None:
            raise RuntimeError("no grids to repeat: encode a key frame first")
        return self._message(self._shape, ZERO_RUNS_FRAME, b"", epoch)

    def encode(self, maps: Boundaries, epoch: int, source: GridSource | None = None) -> bytes:
        """The next message: a key frame or the delta against the last one built (``source``: what
        ``maps`` were computed from, for :meth:`shows`)."""
        shape, parts = _parts(maps)
        previous = self._previous
        replaced: tuple[_DeltaBuffers, np.ndarray] | None = None  # a delta's buffers and the codes it replaces
        if previous is None or shape != self._shape or previous.size != shape.cells:
            codes = _codes(shape, parts)
            encoding, body = KEY_FRAME, _deflate(codes, _KEY_STRATEGY)
        else:
            buffers = self._buffers_for(shape)
            codes, replaced = buffers.spare, (buffers, previous)
            written = quantize_runs(parts, codes, previous, buffers.changes, buffers.runs)
            if written >= 0:
                encoding, body = ZERO_RUNS_FRAME, buffers.runs[:written].tobytes()
            else:
                encoding, body = DELTA_FRAME, _deflate(buffers.changes[: shape.cells], _DELTA_STRATEGY)
        message = self._message(shape, encoding, body, epoch)
        # Only a finished message moves the base (and the codes it replaces become the next
        # delta's buffer): a failure above leaves the stream as it was.
        if replaced is not None:
            replaced[0].spare = replaced[1]
        self._previous, self._source = codes, source
        return message

    def _buffers_for(self, shape: GridShape) -> _DeltaBuffers:
        if self._buffers is None or self._buffers.shape != shape:
            self._buffers = _DeltaBuffers(shape)
        return self._buffers

    def _message(self, shape: GridShape, encoding: int, body: bytes, epoch: int) -> bytes:
        sequence = (self._sequence + 1) & MAX_U32
        header = HEADER.pack(KIND_GRIDS, VERSION, encoding, shape.outputs, shape.resolution,
                             shape.thumbnail, shape.count, min(max(epoch, 0), MAX_U32), sequence)
        self._shape, self._sequence = shape, sequence
        return header + body


class _DeltaBuffers:
    """A stream's scratch for deltas of one shape: the codes being written, each cell's change
    (whole 8-byte words, the padding zero) and the zero runs (at most 1/:data:`ZERO_RUNS_SHARE`
    of the cells: past that, deflate packs the changes smaller)."""

    def __init__(self, shape: GridShape) -> None:
        self.shape = shape
        self.spare = np.empty(shape.cells, dtype=np.uint8)
        self.changes = np.zeros(-(-shape.cells // 8) * 8, dtype=np.uint8)
        self.runs = np.empty(shape.cells // ZERO_RUNS_SHARE, dtype=np.uint8)


def key_frame(maps: Boundaries, epoch: int) -> bytes:
    """A lone key frame (sequence 1), as a fresh session's first message."""
    return GridStream().encode(maps, epoch)
