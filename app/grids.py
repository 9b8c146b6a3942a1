"""The binary grid message: the output's heat map and every neuron's thumbnail.

Layout (docs/protocol.md, little-endian): a 12-byte header — kind, version,
output resolution N, thumbnail resolution R, thumbnail count M, epoch — then
N·N bytes of the output, then M·R·R bytes of thumbnails. One byte per cell
(``nn_core.grid.quantize``) keeps a default frame near 14 KB instead of ~200 KB
of JSON floats.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nn_core.grid import quantize

KIND_GRIDS = 1
VERSION = 1
HEADER = struct.Struct("<BBHHHI")  # kind, version, N, R, M, epoch = 12 bytes
MAX_EPOCH_FIELD = 2**32 - 1


@dataclass(frozen=True)
class GridHeader:
    """The decoded header; :func:`decode_header` exists for tests and the benchmark."""

    kind: int
    version: int
    resolution: int
    thumbnail: int
    count: int
    epoch: int


def encode_grids(output: np.ndarray, thumbnails: Sequence[np.ndarray], epoch: int) -> bytes:
    """Pack one frame's grids; values outside [−1, 1] are clipped, NaN becomes 0."""
    n = output.shape[0]
    r = thumbnails[0].shape[0] if len(thumbnails) else 0
    header = HEADER.pack(KIND_GRIDS, VERSION, n, r, len(thumbnails),
                         min(max(epoch, 0), MAX_EPOCH_FIELD))
    parts = [header, _bytes(output)]
    if len(thumbnails):
        parts.append(_bytes(np.asarray(thumbnails)))
    return b"".join(parts)


def _bytes(values: np.ndarray) -> bytes:
    """uint8 codes; quantize already maps NaN (a diverged network) to 0 and clips ±inf."""
    return quantize(values).tobytes()


def decode_header(data: bytes) -> GridHeader:
    """Read a grid message's header (the inverse of the first 12 bytes of :func:`encode_grids`)."""
    return GridHeader(*HEADER.unpack_from(data, 0))


def expected_length(header: GridHeader) -> int:
    """How many bytes a message with this header has in total."""
    return HEADER.size + header.resolution**2 + header.count * header.thumbnail**2
