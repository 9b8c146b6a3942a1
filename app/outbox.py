"""A session's queue of outgoing messages, with backpressure both ways.

Frames are counted: the trainer asks :attr:`Outbox.frame_waiting` before
building one, so at most one unsent training frame waits per session and a
slow client gets fewer, newer frames. The receiving side waits in
:meth:`Outbox.wait_for_room` when many replies pile up, so a client that sends
without reading slows itself down instead of filling the server's memory.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable

from .frames import Frame

HIGH_WATER = 32


class Outbox:
    def __init__(self, high_water: int = HIGH_WATER) -> None:
        self._items: deque[str | bytes] = deque()
        self._frame_ends: deque[bool] = deque()
        self._ready = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._high_water = high_water
        self.unsent_frames = 0

    @property
    def frame_waiting(self) -> bool:
        return self.unsent_frames > 0

    def put(self, messages: Iterable[str | Frame]) -> None:
        """Queue messages in order; a frame becomes its JSON text and then its grids."""
        for message in messages:
            if isinstance(message, Frame):
                self._append(message.text, False)
                self._append(message.grids, True)
                self.unsent_frames += 1
            else:
                self._append(message, False)
        if len(self._items) >= self._high_water:
            self._room.clear()

    def _append(self, item: str | bytes, ends_frame: bool) -> None:
        self._items.append(item)
        self._frame_ends.append(ends_frame)
        self._ready.set()

    async def get(self) -> tuple[str | bytes, bool]:
        """The next item and whether it completes a frame (call :meth:`sent` after sending)."""
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft(), self._frame_ends.popleft()

    def sent(self, ended_frame: bool) -> None:
        if ended_frame:
            self.unsent_frames -= 1
        if len(self._items) < self._high_water // 2:
            self._room.set()

    async def wait_for_room(self) -> None:
        await self._room.wait()
