"""A session's queue of outgoing messages, with backpressure both ways.

Frames are counted from the moment a thread produces them until the socket
has taken them: the trainer asks :attr:`Outbox.frame_waiting` before building
one, so at most one unsent training frame waits per session and a slow client
gets fewer, newer frames. The receiving side waits in
:meth:`Outbox.wait_for_room` when replies pile up, so a client that sends
without reading slows itself down instead of filling the server's memory.

Threads hand messages over with :meth:`Outbox.post`; only the event loop
touches the queue itself. Every outbox of a loop posts through that loop's one
:class:`Mailbox`, which wakes the loop once per batch of posts rather than once
per frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import weakref
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from .server_messages import Frame, Outgoing

log = logging.getLogger("app.outbox")

HIGH_WATER = 32
GATHER_SECONDS = 0.008  # how often a loop collects posts while they keep coming (serve: half a frame)


class Postbox(Protocol):
    """Where a session's :class:`~app.session.Runner` posts: the WebSocket's :class:`Outbox`, or a
    notebook widget's messages (app/widget.py)."""

    @property
    def frame_waiting(self) -> bool: ...

    def post(self, messages: Sequence[Outgoing], reply: bool = False) -> None: ...


class Mailbox:
    """Posts from other threads to one event loop's outboxes, delivered in batches.

    ``call_soon_threadsafe`` wakes the loop on every call: at 150 pages, 1,500
    frames a second per process, each a write to the loop's wakeup descriptor
    and two context switches on the process's one core (measured: such
    switching made a training turn 0.42 ms instead of 0.26). So while posts
    keep coming the loop collects them every ``gather_seconds`` on a timer of
    its own, and a post only wakes the loop when no delivery is pending. A post
    waits at most that long; ``serve`` gathers for half a frame interval.
    Measured at 150 pages (interleaved, 3 runs each): 14.3–14.7 frames/s against
    12.7–13.1 when every post rang, CPU per frame 0.85 ms against 0.94; and 8 ms
    against 4 ms gave 15.7–16.6 against 14.5–15.0.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, gather_seconds: float = GATHER_SECONDS) -> None:
        self._loop = weakref.ref(loop)  # the loop's mailbox must not keep it alive (see mailbox_of)
        self._gather_seconds = gather_seconds
        self._lock = threading.Lock()
        self._posts: deque[tuple[Outbox, Sequence[Outgoing]]] = deque()
        self._pending = False  # a delivery is on its way: rung, or the loop's timer is set
        self._rung = False  # a wake-up of the loop is on its way
        self._timer: asyncio.TimerHandle | None = None  # the loop's own: touched on the loop only

    def post(self, outbox: Outbox, messages: Sequence[Outgoing], reply: bool = False) -> None:
        """From any thread. A ``reply`` to the page's message wakes the loop at once: a click's
        answer does not wait for the gathering. RuntimeError when the post would wake a loop
        that is closed or gone."""
        with self._lock:
            self._posts.append((outbox, messages))
            if self._rung or (self._pending and not reply):
                return
            self._pending = self._rung = True
        try:
            loop = self._loop()
            if loop is None:
                raise RuntimeError("the event loop is gone")
            loop.call_soon_threadsafe(self._deliver)
        except RuntimeError:  # nothing will ever deliver: keep nothing, and say so every time
            with self._lock:
                self._posts.clear()
                self._pending = self._rung = False
            raise

    def deliver_waiting(self) -> None:
        """On the loop: hand every waiting post to its outbox now (before the loop's own
        messages, which must not overtake them)."""
        with self._lock:
            posts, self._posts = self._posts, deque()
        for outbox, messages in posts:
            try:
                outbox.enqueue(messages)
            except Exception:  # one outbox's failure must not stop the others' deliveries
                log.exception("a message could not be queued")

    def _deliver(self) -> None:
        with self._lock:
            pending = self._pending = bool(self._posts)  # nothing came since the last look: the next post rings
            self._rung = False
        loop = self._loop()
        if self._timer is not None:  # a wake-up came before the timer: one timer at a time
            self._timer.cancel()
        self._timer = loop.call_later(self._gather_seconds, self._deliver) if pending and loop else None
        self.deliver_waiting()


_mailboxes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Mailbox] = weakref.WeakKeyDictionary()
_mailboxes_lock = threading.Lock()


def mailbox_of(loop: asyncio.AbstractEventLoop, gather_seconds: float = GATHER_SECONDS) -> Mailbox:
    """The loop's one mailbox, made on first use with that caller's ``gather_seconds`` (a
    process's connections all pass the same)."""
    with _mailboxes_lock:
        mailbox = _mailboxes.get(loop)
        if mailbox is None:
            mailbox = _mailboxes[loop] = Mailbox(loop, gather_seconds)
        return mailbox


class Outbox:
    def __init__(self, loop: asyncio.AbstractEventLoop, high_water: int = HIGH_WATER,
                 gather_seconds: float = GATHER_SECONDS) -> None:
        self._mailbox = mailbox_of(loop, gather_seconds)
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

    def post(self, messages: Sequence[Outgoing], reply: bool = False) -> None:
        """From any thread: queue messages in order (calls made in order stay in order); a
        ``reply`` to the page's message is delivered at once, the rest may be gathered."""
        if not messages:
            return
        self._count(messages)
        with contextlib.suppress(RuntimeError):  # the loop is closed: the connection is over
            self._mailbox.post(self, messages, reply)

    def put(self, messages: Sequence[Outgoing]) -> None:
        """From the event loop: queue messages in order, after those posted before."""
        self._count(messages)
        self._mailbox.deliver_waiting()
        self.enqueue(messages)

    def _count(self, messages: Sequence[Outgoing]) -> None:
        frames = sum(isinstance(m, Frame) for m in messages)
        if frames:
            with self._frames_lock:
                self._unsent_frames += frames

    def enqueue(self, messages: Sequence[Outgoing]) -> None:
        """On the event loop: messages already counted (by :meth:`post` or :meth:`put`) join the queue."""
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
