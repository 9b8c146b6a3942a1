"""How many epochs a playing page is owed: its speed in epochs per second, by the clock.

Classic speed is TensorFlow Playground's pace, one epoch per animation frame
(about 60 a second), whatever frame rate the server manages: at 20 frames a
second each frame carries three epochs. A page that falls behind (a busy
server) catches up at most :data:`MAX_LAG` seconds' worth, so under load it
slows down evenly instead of training in bursts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

MAX_LAG = 0.25  # seconds of epochs a page may be owed


class Pace:
    """Epochs owed since play started (``speed=max`` has no pace: see :meth:`owed`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._owed = 0.0
        self._at = clock()

    def start(self) -> None:
        """Play pressed: nothing is owed yet."""
        self._owed = 0.0
        self._at = self._clock()

    def owed(self, epochs_per_second: float) -> int:
        """Whole epochs owed now at this rate (the rate may change between calls)."""
        now = self._clock()
        self._owed += epochs_per_second * (now - self._at)
        self._owed = min(self._owed, epochs_per_second * MAX_LAG)
        self._at = now
        return int(self._owed + 1e-9)  # 60/s × 0.1 s is 6 epochs, not 5.999…

    def trained(self, epochs: int) -> None:
        self._owed = max(0.0, self._owed - epochs)
