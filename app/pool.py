"""Shared compute for every session: training threads that serve playing sessions in turn.

The event loop never runs NumPy. Playing sessions wait in one queue ordered by
when they are due; a training thread takes the session that has waited
longest, trains it for one time slice, hands its frame to the event loop, and
puts it back: round-robin, so one big or max-speed session cannot starve the
others. The slice is a fair share of a frame interval and shrinks as more
sessions play. The threads go from session to session without a round trip
through the event loop, so they never sit idle while the loop is busy sending.

NumPy on these small arrays holds the GIL most of the time, so a second thread
adds little throughput; the slice is therefore computed as if for one core.

Control messages (set, reset, …) run on their own thread so that a click never
queues behind other sessions' training; they only wait for their own
session's current slice.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

T = TypeVar("T")

MIN_SLICE = 0.001  # below this, per-turn overhead eats the time
DUTY = 0.8  # leave a fifth of each frame interval for frames, the socket and control messages


class Player(Protocol):
    """What the pool needs from a playing session (app/connection.py's runner)."""

    @property
    def playing(self) -> bool: ...

    def turn(self, budget: float) -> float | None:
        """Train one slice; return when it is next due (monotonic seconds), or None to stop."""


class TrainingPool:
    """Training threads, a due-time queue of playing sessions, and a control thread."""

    def __init__(self, threads: int, max_fps: int) -> None:
        self.threads = threads
        self.frame_interval = 1.0 / max_fps
        self.playing = 0
        self._queue: list[tuple[float, int, Player]] = []
        self._scheduled: set[int] = set()
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._stopping = False
        self._workers: list[threading.Thread] = []
        self._control = ThreadPoolExecutor(1, thread_name_prefix="nnp-control")

    def slice_seconds(self) -> float:
        """Compute time one session may use per turn: its share of a frame interval."""
        share = self.frame_interval * DUTY / max(1, self.playing)
        return max(MIN_SLICE, share)

    def start(self, player: Player) -> None:
        """Queue a session that began playing (no-op if it is already queued or training)."""
        with self._wake:
            if id(player) in self._scheduled or self._stopping:
                return
            self._scheduled.add(id(player))
            self.playing += 1
            self._push(time.monotonic(), player)
            self._start_workers()

    async def control(self, fn: Callable[[], T]) -> T:
        """Run a control operation (a click) on the control thread."""
        return await asyncio.get_running_loop().run_in_executor(self._control, fn)

    def shutdown(self) -> None:
        """Stop the threads after their current turn; control work already queued is dropped."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        for worker in self._workers:
            worker.join(timeout=5)
        self._control.shutdown(wait=False, cancel_futures=True)

    # --- the training threads ----------------------------------------------------
    def _start_workers(self) -> None:
        while len(self._workers) < self.threads:
            worker = threading.Thread(target=self._work, name=f"nnp-train-{len(self._workers)}",
                                      daemon=True)
            self._workers.append(worker)
            worker.start()

    def _push(self, due: float, player: Player) -> None:
        heapq.heappush(self._queue, (due, next(self._order), player))
        self._wake.notify()

    def _work(self) -> None:
        while (player := self._next_due()) is not None:
            due = None
            try:
                due = player.turn(self.slice_seconds()) if player.playing else None
            finally:
                self._requeue(player, due)

    def _next_due(self) -> Player | None:
        with self._wake:
            while not self._stopping:
                if self._queue:
                    wait = self._queue[0][0] - time.monotonic()
                    if wait <= 0:
                        return heapq.heappop(self._queue)[2]
                    self._wake.wait(wait)
                else:
                    self._wake.wait()
            return None

    def _requeue(self, player: Player, due: float | None) -> None:
        with self._wake:
            if player.playing and not self._stopping:  # even if it paused and played again meanwhile
                self._push(time.monotonic() if due is None else due, player)
            else:
                self._scheduled.discard(id(player))
                self.playing -= 1
