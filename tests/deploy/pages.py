"""Pages as Python WebSocket clients that behave like static/js: play, and resume after a drop.

What the real page does (app/static/js/socket.js, main.js), mirrored here:

* on open: ``hello`` with the page's hash; after a reconnect it carries
  ``resume: {epoch, weights, biases}`` of the last frame shown, then ``play``
  if the page was playing;
* the last ``frame`` message is what the page shows;
* on any close but an idle one it reconnects after 0.5, 1, 2, 3, 3… s, each
  delay spread by a random factor of 0.5 to 1.5 (socket.js's ``retryDelay``).

Each page records every frame's arrival and, for each drop, what it showed
and the first frame after it came back, so a test can tell what was lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

RETRY_DELAYS = (0.5, 1.0, 2.0, 3.0)  # socket.js's RETRY_DELAYS_MS, then every 3 s


def retry_delay(attempt: int) -> float:
    """socket.js's ``retryDelay``: the pages of a stopped process must not all come back at once."""
    return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)] * random.uniform(0.5, 1.5)


@dataclass(frozen=True)
class Shown:
    """What a frame showed: the page keeps the last one for its resume."""

    epoch: int
    weights: list[Any]
    biases: list[Any]
    at: float


@dataclass
class Drop:
    """One lost connection: what the page showed then, and the first frame once back."""

    shown: Shown
    at: float
    resumed: Shown | None = None

    @property
    def seconds_to_resume(self) -> float:
        assert self.resumed is not None, "not resumed yet"
        return self.resumed.at - self.at


@dataclass
class Page:
    """One playing page; :meth:`run` keeps it connected until ``stop`` is set."""

    url: str
    origin: str
    hash: str = ""
    frames: list[float] = field(default_factory=list)  # arrival time of every frame
    drops: list[Drop] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    last: Shown | None = None

    async def run(self, stop: asyncio.Event) -> None:
        attempt = 0
        while not stop.is_set():
            with contextlib.suppress(OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
                async with connect(self.url, origin=self.origin, open_timeout=5, max_size=None) as socket:
                    attempt = 0
                    await self._play(socket, stop)
            if stop.is_set():
                return
            if self.last is not None and (not self.drops or self.drops[-1].resumed is not None):
                self.drops.append(Drop(self.last, time.monotonic()))
            await _sleep_or_stop(stop, retry_delay(attempt))
            attempt += 1

    async def _play(self, socket: Any, stop: asyncio.Event) -> None:
        hello: dict[str, Any] = {"type": "hello", "hash": self.hash}
        if self.last is not None:
            hello["resume"] = {"epoch": self.last.epoch, "weights": self.last.weights, "biases": self.last.biases}
        await socket.send(json.dumps(hello))
        await socket.send(json.dumps({"type": "play"}))
        reader = asyncio.ensure_future(self._read(socket))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait([reader, stopper], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        if reader.done() and not reader.cancelled() and reader.exception() is not None:
            raise reader.exception()  # type: ignore[misc]

    async def _read(self, socket: Any) -> None:
        async for raw in socket:
            if isinstance(raw, str):
                self._on_message(json.loads(raw))

    def _on_message(self, message: dict[str, Any]) -> None:
        if message["type"] == "error":
            self.errors.append(message)
        if message["type"] != "frame":
            return
        shown = Shown(int(message["epoch"]), message["weights"], message["biases"], time.monotonic())
        self.frames.append(shown.at)
        self.last = shown
        if self.drops and self.drops[-1].resumed is None:
            self.drops[-1].resumed = shown

    def drops_since(self, moment: float) -> list[Drop]:
        return [drop for drop in self.drops if drop.at >= moment]

    def longest_gap(self, start: float, end: float) -> float:
        """The longest time without a frame between ``start`` and ``end``."""
        times = [start, *(t for t in self.frames if start < t < end), end]
        return max(b - a for a, b in itertools.pairwise(times))


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


class PagesInBackground:
    """Pages playing on an event loop in a thread while the test stops and starts servers.

    ``with PagesInBackground(url, origin) as pages: pages.open(40)``; every
    page is stopped and awaited on exit.
    """

    def __init__(self, url: str, origin: str) -> None:
        self.url = url
        self.origin = origin
        self.pages: list[Page] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pages", daemon=True)
        self._stop: asyncio.Event | None = None
        self._tasks: list[Future[None]] = []

    def open(self, count: int) -> list[Page]:
        """Open ``count`` more pages; return them."""
        assert self._stop is not None, "not started"
        new = [Page(self.url, self.origin) for _ in range(count)]
        self.pages += new
        self._tasks += [asyncio.run_coroutine_threadsafe(page.run(self._stop), self._loop) for page in new]
        return new

    def __enter__(self) -> PagesInBackground:
        self._thread.start()
        self._stop = asyncio.run_coroutine_threadsafe(_new_event(), self._loop).result()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        for task in self._tasks:
            task.result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


async def _new_event() -> asyncio.Event:
    return asyncio.Event()
