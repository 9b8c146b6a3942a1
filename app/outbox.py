"""A session's queue of outgoing messages, with backpressure both ways.

Frames are counted from the moment a thread produces them until the socket
has taken them: the trainer asks :attr:`Outbox.frame_waiting` before building
one, so at most one unsent training frame waits per session and a slow client
gets fewer, newer frames. The receiving side waits in
:meth:`Outbox.wait_for_room` when replies pile up, so a client that sends
without reading slows itself down instead of filling the server's memory.

Threads hand messages over with :meth:`Outbox.post`; only the event loop
touches the queue itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from .server_messages import Frame, Outgoing

HIGH_WATER = 32


class Postbox(Protocol):
    """Where a session's :class:`~app.session.Runner` posts: the WebSocket's :class:`Outbox`, or a
    notebook widget's messages (app/widget.py)."""

    @property
    def frame_waiting(self) -> bool: ...

    def post(self, messages: Sequence[Outgoing]) -> None: ...


class Outbox:
    def __init__(self, loop: asyncio.AbstractEventLoop, high_water: int = HIGH_WATER) -> None:
        self._loop = loop
        self._items: deque[tuple[str | bytes, bool]] = deque()
        self._ready = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._high_water = high_water
        self._frames_lock = threading.Lock()
        self._unsent_frames = 0
        self.closed = False

    @property
    def frame_waiting(self) -> bool:
        return self._unsent_frames > 0

    def post(self, messages: Sequence[Outgoing]) -> None:
        """From any thread: queue messages in order (calls made in order stay in order)."""
        if not messages:
            return
        self._count(messages)
        with contextlib.suppress(RuntimeError):  # the loop is closed: the connection is over
            self._loop.call_soon_threadsafe(self._enqueue, messages)

    def put(self, messages: Sequence[Outgoing]) -> None:
        """From the event loop: queue messages in order."""
        self._count(messages)
        self._enqueue(messages)

    def _count(self, messages: Sequence[Outgoing]) -> None:
        frames = sum(isinstance(m, Frame) for m in messages)
        if frames:
            with self._frames_lock:
                self._unsent_frames += frames

    def _enqueue(self, messages: Sequence[Outgoing]) -> None:
        if self.closed:
            return
        for message in messages:
            if isinstance(message, Frame):
                self._items.extend(message.items())
            else:
                self._items.append((message, False))
        self._ready.set()
        if len(self._items) >= self._high_water:
            self._room.clear()

    async def get(self) -> tuple[str | bytes, bool]:
        """The next item and whether it completes a frame (call :meth:`sent` after sending)."""
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def sent(self, ended_frame: bool) -> None:
        if ended_frame:
            with self._frames_lock:
                self._unsent_frames -= 1
        if len(self._items) < self._high_water // 2:
            self._room.set()

    async def wait_for_room(self) -> None:
        await self._room.wait()
