"""The loss history: every epoch while short, thinned evenly when long.

A playground left running at full speed does thousands of epochs a second;
keeping every point would grow without bound. Past ``limit`` points the
history keeps every other point and from then on records every
``stride``-th epoch, so the chart keeps its shape and memory stays bounded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

Point = tuple[int, float, float]
HISTORY_LIMIT = 4000  # points kept before thinning (and the most a reconnecting page hands back)


class History:
    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.limit = limit
        self.stride = 1
        self._points: list[Point] = []

    def add(self, epoch: int, train_loss: float, test_loss: float) -> None:
        if epoch % self.stride and self._points:
            return
        self._points.append((epoch, train_loss, test_loss))
        if len(self._points) > self.limit:
            self._points = self._points[::2]
            self.stride *= 2

    def truncate(self, epoch: int) -> None:
        """Forget the points after ``epoch`` (going back in time); the stride stays."""
        while self._points and self._points[-1][0] > epoch:
            self._points.pop()

    def points(self) -> list[Point]:
        return list(self._points)

    def recent(self, count: int) -> list[Point]:
        """The newest ``count`` points (fewer when there are fewer), oldest first."""
        return self._points[-count:] if count > 0 else []

    def __len__(self) -> int:
        return len(self._points)

    @classmethod
    def from_points(cls, rows: Iterable[Any], fallback: list[Point]) -> History:
        """Restore exported rows; malformed input gives ``fallback`` instead."""
        history = cls()
        try:
            points = [(int(e), float(tr), float(te)) for e, tr, te in rows]
        except (TypeError, ValueError, OverflowError):  # OverflowError: an epoch of 1e400 (JSON's inf)
            points = fallback
        points = [p for p in points if all(math.isfinite(v) for v in p[1:])][-history.limit:]
        for point in points or fallback:
            history._points.append(point)
        return history
