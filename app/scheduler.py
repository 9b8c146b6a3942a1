"""The scheduler: training threads that serve every playing session in turn, fairly.

The event loop never runs NumPy. A playing session is due again one frame
interval after its last frame began (at once while a frame's epochs are not
done). Among the sessions that are due, a training thread takes the one that
has used the least compute so far (fair queuing on "virtual time"; a session
that becomes due starts no lower than the scheduler's virtual time, so waiting
earns no credit), trains it for one time slice, hands its output to the event
loop and puts it back. So a big network, whose frames alone cost tens of
milliseconds, gets the time the small ones leave, and cannot starve them. The
slice is a fair share of a frame interval and shrinks as more sessions play.

A session at ``max`` speed owes no epochs: after its fair turn it trains on
until its frame interval is over, in turns that only fill time
(``Runner.filling``). Those wait in a queue of their own, served in turn only
when no session is due, and count no compute: a max page gets its fair share
like any other, plus whatever the others leave.

The threads go from session to session without a round trip through the event
loop, so they never sit idle while the loop is busy sending.

NumPy on these small arrays holds the GIL most of the time, so a second thread
adds little throughput; the slice is therefore computed as if for one core.

Control messages (set, reset, …) run on their own few threads so that a click
never queues behind other sessions' training; they only wait for their own
session's current slice: a turn gives way to a control waiting for its session.
A ``step`` of many epochs trains in turns, like play; a turn that finds its
session busy with a control message is skipped, not waited for. A session sends
its next message only after the
previous one is done, so it never has more than one in flight.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .session import Runner

T = TypeVar("T")
log = logging.getLogger("app.scheduler")

CONTROL_THREADS = 4  # a slow click (step 1000 on a big network) must not hold up everyone's
MIN_SLICE = 0.001  # below this, per-turn overhead eats the time
DUTY = 0.8  # leave a fifth of each frame interval for frames, the socket and control messages


class TrainingScheduler:
    """Training threads, a due-time queue of playing sessions, and a control thread."""

    def __init__(self, threads: int, max_fps: int) -> None:
        self.threads = threads
        self.frame_interval = 1.0 / max_fps
        self._waiting: list[tuple[float, int, Runner]] = []  # by due time
        self._ready: list[tuple[float, int, Runner]] = []  # due; by compute used (virtual time)
        self._spare: deque[Runner] = deque()  # turns that only fill a frame interval; in turn
        self._used: dict[int, float] = {}  # virtual time per scheduled session: compute used, lifted
        self._clock = 0.0  # virtual time of the last session picked (see _lifted)
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._stopping = False
        self._workers: list[threading.Thread] = []
        self._control = ThreadPoolExecutor(CONTROL_THREADS, thread_name_prefix="nnp-control")

    @property
    def playing(self) -> int:
        """Sessions scheduled to train (each has an entry in ``_used`` exactly while it plays)."""
        return len(self._used)

    def slice_seconds(self) -> float:
        """Compute time one session may use per turn: its share of a frame interval."""
        share = self.frame_interval * DUTY / max(1, self.playing)
        return max(MIN_SLICE, share)

    def start(self, runner: Runner) -> None:
        """Queue a session that began playing (no-op if it is already queued or training)."""
        with self._wake:
            if id(runner) in self._used or self._stopping:
                return
            self._used[id(runner)] = self._clock  # a newcomer starts level with the others
            self._push(time.monotonic(), runner)
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

    def _push(self, due: float, runner: Runner) -> None:
        heapq.heappush(self._waiting, (due, next(self._order), runner))
        self._wake.notify()

    def _work(self) -> None:
        while (picked := self._next()) is not None:
            runner, spare = picked
            due = None
            # CPU time of this thread, not the clock: a turn the OS preempted (other work on
            # the machine) or that waited for the GIL must not count as compute used, or its
            # session would fall behind the others for as long as the preemption lasted.
            started = time.thread_time()
            try:
                due = runner.turn(self.slice_seconds()) if runner.training else None
            except Exception:  # one session's failure must not stop this thread for everyone
                log.exception("a training turn failed")
            finally:
                self._requeue(runner, due, 0.0 if spare else time.thread_time() - started)

    def _next(self) -> tuple[Runner, bool] | None:
        """The due session that has used the least compute, else the next turn that only fills
        time (then True); waits while there is neither."""
        with self._wake:
            while not self._stopping:
                now = time.monotonic()
                while self._waiting and self._waiting[0][0] <= now:
                    runner = heapq.heappop(self._waiting)[2]
                    heapq.heappush(self._ready, (self._lifted(runner), next(self._order), runner))
                if self._ready:
                    self._clock, _, runner = heapq.heappop(self._ready)
                    return runner, False
                if self._spare:
                    return self._spare.popleft(), True
                self._wake.wait(self._waiting[0][0] - now if self._waiting else None)
            return None

    def _lifted(self, runner: Runner) -> float:
        """The session's virtual time as it becomes due: at least the scheduler's (start-time fair
        queuing). Time spent waiting for its next frame earns no credit: a page at 60 fps, or one
        at max speed that paused, would otherwise come back so far behind a page training all
        along that it took every turn from it for seconds."""
        used = self._used[id(runner)] = max(self._used[id(runner)], self._clock)
        return used

    def _requeue(self, runner: Runner, due: float | None, seconds: float) -> None:
        with self._wake:
            if runner.training and not self._stopping:  # even if it paused and played again meanwhile
                self._used[id(runner)] += seconds
                now = time.monotonic()
                if runner.filling and due is not None and due <= now:
                    self._spare.append(runner)
                    self._wake.notify()
                else:
                    self._push(now if due is None else due, runner)
            else:
                del self._used[id(runner)]
