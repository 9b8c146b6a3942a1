"""The original playground's random numbers: seedrandom 2.4 (ARC4), bit for bit.

TensorFlow Playground seeds ``Math.random`` with the link's ``seed`` text, so the
dataset and the initial weights are a pure function of the link. Reproducing
them needs the same stream; Python floats are IEEE doubles like JavaScript's,
so the double construction below is exact.
"""

from __future__ import annotations

import random as _system_random

_WIDTH = 256
_MASK = 255
_START = 2.0**52
_OVERFLOW = 2.0**53


class SeededRandom:
    """A seeded ARC4 stream with ``random()`` like seedrandom's ``Math.random``.

    >>> SeededRandom("hello").random() == SeededRandom("hello").random()
    True
    """

    def __init__(self, seed: str) -> None:
        self.seed = seed
        key = _mix_key(seed) or [0]
        s = list(range(_WIDTH))
        j = 0
        for i in range(_WIDTH):
            j = (j + key[i % len(key)] + s[i]) & _MASK
            s[i], s[j] = s[j], s[i]
        self._s = s
        self._i = 0
        self._j = 0
        self._next_bytes(_WIDTH)  # seedrandom discards the first 256 bytes

    def _next_bytes(self, count: int) -> int:
        s, i, j, r = self._s, self._i, self._j, 0
        for _ in range(count):
            i = (i + 1) & _MASK
            t = s[i]
            j = (j + t) & _MASK
            s[i] = s[j]
            s[j] = t
            r = r * 256 + s[(s[i] + s[j]) & _MASK]
        self._i, self._j = i, j
        return r

    def random(self) -> float:
        """A double in [0, 1) with 53 bits of randomness, as seedrandom makes it."""
        n = float(self._next_bytes(6))
        d = 2.0**48
        x = 0
        while n < _START:
            n = (n + x) * 256
            d *= 256
            x = self._next_bytes(1)
        while n >= _OVERFLOW:
            n /= 2
            d /= 2
            x >>= 1
        return (n + x) / d

    def uniform(self, a: float, b: float) -> float:
        """The original's ``randUniform``: ``rand() * (b - a) + a``."""
        return self.random() * (b - a) + a


def _mix_key(seed: str) -> list[int]:
    key: list[int] = []
    smear = 0
    units = seed.encode("utf-16-le", "surrogatepass")
    codes = [units[k] | units[k + 1] << 8 for k in range(0, len(units), 2)]  # JS charCodeAt
    for j, code in enumerate(codes):
        slot = j & _MASK
        previous = key[slot] if slot < len(key) else None
        smear ^= previous * 19 if previous is not None else 0
        value = (smear + code) & _MASK
        if slot < len(key):
            key[slot] = value
        else:
            key.append(value)
    return key


def new_seed() -> str:
    """A fresh seed in the original's style (``Math.random().toFixed(5)``)."""
    return f"{_system_random.random():.5f}"
