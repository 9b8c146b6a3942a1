"""A client's decoder of the binary grid messages, written from docs/protocol.md.

It mirrors app/static/js/grids.js (the page's decoder) so the tests can check what a
page ends up drawing: the codes after applying a session's key frame and deltas.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

HEADER = struct.Struct("<BBBBHHHxxII")  # docs/protocol.md, "Binary grid message"
KEY, DELTA, ZERO_RUNS = 0, 1, 2


@dataclass(frozen=True)
class Grids:
    """The page's grids after a message: the output map and every thumbnail, as codes."""

    epoch: int
    sequence: int
    output: np.ndarray  # (N, N) uint8, or (K, N, N) with K classes
    thumbnails: np.ndarray  # (M, R, R) uint8


class GridDecoder:
    """Keeps the last codes, as the page does; :meth:`decode` returns None for a delta it cannot apply."""

    def __init__(self) -> None:
        self.codes: np.ndarray | None = None
        self.layout: tuple[int, int, int, int] | None = None
        self.sequence = -1

    def decode(self, data: bytes) -> Grids | None:
        kind, version, encoding, k, n, r, m, epoch, sequence = HEADER.unpack_from(data, 0)
        assert (kind, version) == (1, 4), (kind, version)
        cells = k * n * n + m * r * r
        if encoding == ZERO_RUNS:
            payload = _zero_runs(data[HEADER.size :], cells)
        else:
            payload = np.frombuffer(zlib.decompress(data[HEADER.size :]), dtype=np.uint8)
        assert payload.size == cells
        if encoding == KEY:
            codes = payload.copy()
        elif self.codes is None or self.layout != (k, n, r, m) or sequence != (self.sequence + 1) % 2**32:
            self.codes = None  # no base: wait for a key frame
            return None
        else:
            codes = self.codes + payload  # uint8: mod 256
        self.codes, self.layout, self.sequence = codes, (k, n, r, m), sequence
        output = codes[: k * n * n].reshape((k, n, n) if k > 1 else (n, n))
        return Grids(epoch, sequence, output, codes[k * n * n :].reshape(m, r, r))


def _zero_runs(payload: bytes, cells: int) -> np.ndarray:
    """The changes of a zero-runs delta: pairs of (unchanged cells, base 128 low bits first with
    the high bit on every byte but the last; the next cell's change)."""
    changes = np.zeros(cells, dtype=np.uint8)
    cell, at = 0, 0
    while at < len(payload):
        run, shift = 0, 0
        while payload[at] & 0x80:
            run, shift, at = run + ((payload[at] & 0x7F) << shift), shift + 7, at + 1
        cell += run + (payload[at] << shift)
        assert cell < cells, (cell, cells)
        changes[cell] = payload[at + 1]
        cell, at = cell + 1, at + 2
    return changes
