"""``serve``'s supervisor accepts every connection and hands it to the process holding the fewest.

Each process listening on the port with ``SO_REUSEPORT`` left the choice to the
kernel, which spreads connections by a hash of their addresses: fair on average,
but 150 pages split 80 / 70 and the busier process's pages got 19 frames a
second while the other's got 22. uvicorn's shared socket was worse (whichever
process woke first took a whole burst). Here the supervisor alone listens. It
passes each accepted socket over a Unix socket pair (``SCM_RIGHTS``) to the
ready process with the fewest open connections, and that process serves it as
if it had accepted it itself. Counting needs no messages back: the supervisor
knows how many connections it handed each process, and each process counts in
shared memory how many of them it has closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import logging
import multiprocessing
import os
import selectors
import socket
import time
from dataclasses import dataclass

import uvicorn

log = logging.getLogger("app.balancer")

READY = b"R"  # a process's one message to the supervisor: its app has started
HANDED = b"C"  # the byte that carries each handed connection's descriptor
ACCEPT_BATCH = 64  # connections accepted in a row before the supervisor looks at its processes again
ACCEPT_PAUSE = 1.0  # seconds without accepting after running out of descriptors (the backlog waits)
OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
STOP_DRAIN_SECONDS = 1.0  # how long a stopping process waits for the supervisor's end of its channel

# This process's count of closed connections, shared with the supervisor (serve's processes only).
_closed: ctypes.c_longlong | None = None


def connection_closed() -> None:
    """Count one closed connection of this process (a no-op outside ``serve``'s processes)."""
    if _closed is not None:
        _closed.value += 1


@dataclass
class Channel:
    """The supervisor's end of one process's socket pair, and what it knows of that process's load."""

    sock: socket.socket
    closed: ctypes.c_longlong  # shared memory: written by the process only
    handed: int = 0
    ready: bool = False

    @property
    def load(self) -> int:
        """The connections handed to the process and not closed yet (in flight or open)."""
        return self.handed - self.closed.value


def new_channel() -> tuple[Channel, socket.socket, ctypes.c_longlong]:
    """A channel for a new process, and the process's own end and closed-count to give it."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setblocking(False)  # a process that stops reading must not stall the accepts
    closed = multiprocessing.get_context("spawn").RawValue(ctypes.c_longlong, 0)
    return Channel(ours, closed), theirs, closed


class Balancer:
    """The supervisor's side: the listening socket and one channel per process."""

    def __init__(self, listener: socket.socket) -> None:
        listener.setblocking(False)
        self.listener = listener
        self.channels: list[Channel] = []
        self._selector = selectors.DefaultSelector()
        self._accepting = False
        self._paused_until = 0.0  # out of descriptors: accept again after this (time.monotonic)

    def add(self, channel: Channel) -> None:
        self.channels.append(channel)
        self._selector.register(channel.sock, selectors.EVENT_READ, channel)

    def remove(self, channel: Channel) -> None:
        """Forget a process that ended (its connections ended with it)."""
        if channel in self.channels:
            self.channels.remove(channel)
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(channel.sock)
            channel.sock.close()
        self._listen_while_ready()

    def wait(self, seconds: float) -> None:
        """Hand over the connections that arrive and note the processes that became ready, for up to ``seconds``."""
        for key, _ in self._selector.select(seconds):
            if key.fileobj is self.listener:
                self._accept()
            else:
                self._read(key.data)
        if self._paused_until and time.monotonic() >= self._paused_until:
            self._paused_until = 0.0
            self._listen_while_ready()

    def close(self) -> None:
        """Stop taking connections (the ones still waiting in the backlog are refused)."""
        for channel in list(self.channels):
            self.remove(channel)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(self.listener)
        self._selector.close()
        self.listener.close()

    def _read(self, channel: Channel) -> None:
        try:
            message = channel.sock.recv(16)
        except BlockingIOError:
            return
        except OSError:
            message = b""
        if message == READY:
            channel.ready = True
        elif not message:  # the process ended or is stopping: take no more connections there
            channel.ready = False
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(channel.sock)
            with contextlib.suppress(OSError):  # tells a stopping process nothing more will come
                channel.sock.shutdown(socket.SHUT_WR)
        self._listen_while_ready()

    def _listen_while_ready(self) -> None:
        """Accept only while some process can serve (and descriptors are left): until then new
        connections wait in the backlog."""
        ready = any(channel.ready for channel in self.channels) and not self._paused_until
        if ready and not self._accepting:
            self._selector.register(self.listener, selectors.EVENT_READ)
        elif not ready and self._accepting:
            self._selector.unregister(self.listener)
        self._accepting = ready

    def _accept(self) -> None:
        for _ in range(ACCEPT_BATCH):
            if not self._accepting:  # the last ready process ended in this same wait
                return
            try:
                connection, _ = self.listener.accept()
            except BlockingIOError:  # none left
                return
            except OSError as error:
                if error.errno in OUT_OF_RESOURCES:  # the listener stays readable: pause, not spin
                    log.warning("cannot accept a connection (%s): pausing %g s", error, ACCEPT_PAUSE)
                    self._paused_until = time.monotonic() + ACCEPT_PAUSE
                    self._listen_while_ready()
                    return
                # That one connection's trouble (the client reset it, its network failed, a
                # firewall refused it): the others are still to be accepted.
                log.info("a connection failed before it was accepted: %s", error)
                continue
            with connection:  # the process holds its own copy once handed
                self._hand(connection)

    def _hand(self, connection: socket.socket) -> None:
        """Give the connection to the ready process with the fewest (the first of them on a tie)."""
        for channel in sorted((c for c in self.channels if c.ready), key=lambda c: c.load):
            try:
                socket.send_fds(channel.sock, [HANDED], [connection.fileno()])
            except OSError:  # its queue is full, or it just ended: the next one
                continue
            channel.handed += 1
            return
        log.warning("no server process could take a connection: closed")


class HandedConnectionsServer(uvicorn.Server):
    """A server process's uvicorn: no listening socket, it serves the connections its supervisor hands it."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket, closed: ctypes.c_longlong) -> None:
        super().__init__(config)
        self.channel = channel
        self._closed = closed
        self._serving: set[asyncio.Task[None]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        global _closed  # noqa: PLW0603 (one count per process, read by the protocols' connection_lost)
        _closed = self._closed
        await super().startup(sockets=[])  # the app's warm-up; uvicorn listens on nothing
        loop = asyncio.get_running_loop()
        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._take_connections, loop)
        self.channel.send(READY)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop taking connections: the supervisor reads the end of this channel and hands the
        next ones to the other processes; the ones already handed are closed, as a listening
        socket's backlog is when it closes."""
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.channel.fileno())
        with contextlib.suppress(OSError):
            self.channel.shutdown(socket.SHUT_WR)
        # Until the supervisor's end (it may have handed one more meanwhile), or a deadline.
        deadline = time.monotonic() + STOP_DRAIN_SECONDS
        while True:
            descriptors, ended = self._received()
            for descriptor in descriptors:
                os.close(descriptor)
                connection_closed()
            if ended or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.01)
        # Connections still being set up join uvicorn's before it asks them all to close.
        await asyncio.gather(*self._serving, return_exceptions=True)
        await super().shutdown(sockets)

    def _received(self) -> tuple[list[int], bool]:
        """The descriptors waiting in the channel, without blocking, and whether the channel has
        ended; a handed connection whose descriptor did not arrive (this process out of
        descriptors) counts as closed."""
        descriptors: list[int] = []
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self.channel, 16, 1)
            except BlockingIOError:
                return descriptors, False
            except OSError:
                return descriptors, True
            if not message:
                return descriptors, True
            if not fds:
                log.warning("a handed connection's descriptor was lost (out of descriptors?)")
                connection_closed()
            descriptors.extend(fds)

    def _take_connections(self, loop: asyncio.AbstractEventLoop) -> None:
        descriptors, ended = self._received()
        if ended:  # the supervisor is gone (and its SIGTERM on the way): take nothing more
            loop.remove_reader(self.channel.fileno())
        for descriptor in descriptors:
            task = loop.create_task(self._serve_handed(loop, socket.socket(fileno=descriptor)))
            self._serving.add(task)
            task.add_done_callback(self._serving.discard)

    async def _serve_handed(self, loop: asyncio.AbstractEventLoop, connection: socket.socket) -> None:
        """The connection as uvicorn serves one it accepted (the protocol it builds for its own listener)."""
        config = self.config
        try:
            connection.setblocking(False)
            await loop.connect_accepted_socket(
                lambda: config.http_protocol_class(config=config, server_state=self.server_state,  # type: ignore[call-arg]
                                                   app_state=self.lifespan.state),
                connection)
        except OSError as error:  # the client left before it was served
            log.info("a handed connection could not be served: %s", error)
            connection.close()
            connection_closed()
