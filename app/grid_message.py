"""The binary grid message: a session's grids as a key frame, then deltas (docs/protocol.md).

While training, a frame's grids differ from the previous frame's in a few
hundred of their ~15,000 one-byte cells, mostly by one quantization step, and
the input features' thumbnails never change. So after a key frame (all the
codes) each message carries the mod-256 differences against the codes of the
previous message *built* for the session: mostly zero bytes, which deflate's
run-length strategy packs into a few hundred bytes at a few microseconds a
kilobyte. Every frame built is sent, in order (app/outbox.py skips frames only
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
from functools import lru_cache

import numpy as np

from nn_core.grid import Boundaries, quantize_changes
from nn_core.network import Network

KIND_GRIDS = 1
VERSION = 3
KEY_FRAME = 0  # the payload holds the codes themselves
DELTA_FRAME = 1  # the payload holds (codes − the previous message's codes) mod 256
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
    """How many cells a message's payload holds once inflated (a check for tests and the benchmark)."""
    return len(zlib.decompress(data[HEADER.size :]))


def grid_codes(maps: Boundaries) -> tuple[GridShape, np.ndarray]:
    """A frame's grids quantized into one byte array: the output's N·N cells (K maps of them
    with K classes), then the thumbnails."""
    shape, codes, _ = _quantized(maps, None)
    return shape, codes


def _quantized(maps: Boundaries, previous: np.ndarray | None) -> tuple[GridShape, np.ndarray, np.ndarray | None]:
    """:func:`grid_codes`, and with ``previous`` codes of the same shape, each cell's change
    since (mod 256): both in one pass over the cells (``nn_core.grid.quantize_changes``)."""
    classes = maps.output.shape[0] if maps.output.ndim == 3 else 0  # noqa: PLR2004 (K maps of N × N)
    outputs = maps.output.reshape(-1, *maps.output.shape[-2:])
    n = outputs.shape[-1]
    thumbnails = maps.thumbnails
    if classes:  # probabilities p as the codes of 2p − 1 (the output maps and the output neurons' thumbnails)
        outputs = outputs * 2.0 - 1.0
        thumbnails = thumbnails.copy()
        thumbnails[-classes:] = thumbnails[-classes:] * 2.0 - 1.0
    count = len(thumbnails)
    r = thumbnails.shape[1] if count else 0
    shape = GridShape(n, r, count, len(outputs))
    codes = np.empty(shape.cells, dtype=np.uint8)
    if previous is not None and previous.size != shape.cells:
        previous = None
    changes = None if previous is None else np.empty_like(codes)
    split = outputs.size
    for values, cells in ((outputs, slice(0, split)), (thumbnails, slice(split, None))):
        quantize_changes(values, codes[cells], None if previous is None else previous[cells],
                         None if changes is None else changes[cells])
    return shape, codes, changes


@dataclass(frozen=True, eq=False)
class GridSource:
    """What a message's grids are computed from: a network's shape, activations and parameters,
    its input features and the resolutions. Two equal sources give the very same grids, so
    the grids need not be computed again (a ``set`` of the learning rate, a pause)."""

    layout: tuple[object, ...]
    params: np.ndarray

    @classmethod
    def of(cls, net: Network, features: tuple[str, ...], thumbnail: int, resolution: int) -> GridSource:
        layout = (net.sizes, net.hidden_activation, net.output_activation, features, thumbnail, resolution)
        return cls(layout, net.params.copy())

    def same_as(self, other: GridSource) -> bool:
        """Equal layouts and parameters, NaN where NaN was (a diverged network paused after its
        divergence shows the same grids: the same bits give the same codes)."""
        return self.layout == other.layout and np.array_equal(self.params, other.params, equal_nan=True)


@lru_cache(maxsize=32)
def _no_changes(cells: int) -> bytes:
    """A delta payload of ``cells`` zero changes, deflated (the same bytes every time)."""
    return _deflate(np.zeros(cells, dtype=np.uint8), _DELTA_STRATEGY)


def _deflate(payload: np.ndarray, strategy: int) -> bytes:
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, _WINDOW_BITS, _MEMORY_LEVEL, strategy)
    return compressor.compress(payload.tobytes()) + compressor.flush()


class GridStream:
    """One session's grid messages: remembers the codes of the last message built.

    :meth:`restart` makes the next message a key frame: after ``hello``, with
    every ``state`` (the page drops its grids when the network's shape
    changes), and when the page asks for one. A change of shape is a key frame too.
    """

    def __init__(self) -> None:
        self._previous: np.ndarray | None = None
        self._shape: GridShape | None = None
        self._source: GridSource | None = None  # what the last message's grids came from, if told
        self._sequence = 0

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
        return self._message(self._shape, False, _no_changes(self._shape.cells), epoch)

    def encode(self, maps: Boundaries, epoch: int, source: GridSource | None = None) -> bytes:
        """The next message: a key frame or the delta against the last one built (``source``: what
        ``maps`` were computed from, for :meth:`shows`)."""
        shape, codes, changes = _quantized(maps, self._previous)
        if changes is None or shape != self._shape:
            key, body = True, _deflate(codes, _KEY_STRATEGY)
        else:
            key, body = False, _deflate(changes, _DELTA_STRATEGY)
        message = self._message(shape, key, body, epoch)
        # Only a finished message moves the base: a failure above leaves the stream as it was.
        self._previous, self._source = codes, source
        return message

    def _message(self, shape: GridShape, key: bool, body: bytes, epoch: int) -> bytes:
        sequence = (self._sequence + 1) & MAX_U32
        header = HEADER.pack(KIND_GRIDS, VERSION, KEY_FRAME if key else DELTA_FRAME, shape.outputs, shape.resolution,
                             shape.thumbnail, shape.count, min(max(epoch, 0), MAX_U32), sequence)
        self._shape, self._sequence = shape, sequence
        return header + body


def key_frame(maps: Boundaries, epoch: int) -> bytes:
    """A lone key frame (sequence 1), as a fresh session's first message."""
    return GridStream().encode(maps, epoch)
