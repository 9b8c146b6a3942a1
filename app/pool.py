"""Shared compute for every session: a few training threads handed out fairly.

The event loop never runs NumPy. Training runs on ``threads`` worker threads;
a session first waits its turn for a slot (an asyncio semaphore, which wakes
waiters in FIFO order, so sessions take turns round-robin), then trains for one
time slice. The slice shrinks as more sessions play, so a frame of every
playing session fits in one frame interval when the machine allows it, and a
max-speed session never holds a thread for long.

Control messages (set, reset, …) run on a separate thread so that a user's
click never queues behind other sessions' training.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TypeVar

T = TypeVar("T")

MIN_SLICE = 0.002  # below this, per-call overhead eats the time
DUTY = 0.8  # leave a fifth of each frame interval for frames, the socket and control messages


class TrainingPool:
    """Training and control threads plus the turn-taking between sessions."""

    def __init__(self, threads: int, max_fps: int) -> None:
        self.threads = threads
        self.frame_interval = 1.0 / max_fps
        self.playing = 0
        self._training = ThreadPoolExecutor(threads, thread_name_prefix="nnp-train")
        self._control = ThreadPoolExecutor(1, thread_name_prefix="nnp-control")
        self._slots: asyncio.Semaphore | None = None

    def slice_seconds(self) -> float:
        """Compute time one session may use per turn: its fair share of a frame interval."""
        share = self.frame_interval * DUTY * self.threads / max(1, self.playing)
        return max(MIN_SLICE, min(share, self.frame_interval * DUTY))

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for a free training thread, in arrival order."""
        if self._slots is None:  # created on first use, inside the running loop
            self._slots = asyncio.Semaphore(self.threads)
        async with self._slots:
            yield

    async def train(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on a training thread; call inside :meth:`turn`."""
        return await asyncio.get_running_loop().run_in_executor(self._training, fn)

    async def control(self, fn: Callable[[], T]) -> T:
        """Run a control operation (a click) on the control thread."""
        return await asyncio.get_running_loop().run_in_executor(self._control, fn)

    def shutdown(self) -> None:
        """Stop the threads; work already running finishes, queued work is dropped."""
        self._training.shutdown(wait=False, cancel_futures=True)
        self._control.shutdown(wait=False, cancel_futures=True)
