"""A page for load benchmarks: the playground's WebSocket protocol over a bare asyncio protocol.

On a small machine the benchmark's own client shares the cores with the
server it measures, so every microsecond it spends per message is taken
from the server. A general WebSocket client (``websockets``: frames parsed
into objects, a queue and a future per message) cost ~40 µs a message;
this one reads the frames straight out of its receive buffer: the opcode,
the length, and for a frame's JSON only its leading ``epoch``. It speaks
just enough of RFC 6455 for a loopback benchmark: no extensions, no
fragmented messages (the server sends none), pings answered, every sent
frame masked (with a zero key: the server must unmask, the key itself is
free).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
from dataclasses import dataclass, field
from typing import cast

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA
FRAME_PREFIX = b'{"type":"frame","epoch":'
RATES = (0.03, 0.1)  # the learning rates a page's `set`s alternate between
_ZERO_MASK = b"\x00\x00\x00\x00"
OPEN_TIMEOUT = 30.0  # seconds for the upgrade (a busy server answers late; a broken one never)


@dataclass
class PageStats:
    """What one page saw while measured: frames, bytes (JSON and grids), epochs, latencies (s)."""

    frames: int = 0
    bytes: int = 0
    first_epoch: int | None = None
    last_epoch: int = 0
    latencies: list[float] = field(default_factory=list)
    closed_early: bool = False  # the server closed the connection before the page did


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One masked client frame (FIN set)."""
    size = len(payload)
    if size < 126:  # RFC 6455's length forms
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    return head + _ZERO_MASK + payload


class Page(asyncio.Protocol):
    """One playing page: says hello, plays, and from ``start`` on counts what arrives; every
    ``set_every`` seconds it changes the learning rate and times the first frame after the
    ``state`` that shows the change (one change in flight at a time)."""

    def __init__(self, host: str, port: int, hello: list[dict[str, object]], set_every: float) -> None:
        self.stats = PageStats()
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.start, self.end = float("inf"), float("inf")  # loop times between which messages count
        self._host, self._port, self._hello, self._set_every = host, port, hello, set_every
        self._key = base64.b64encode(os.urandom(16))
        self._buffer = bytearray()
        self._upgraded = False
        self._refused = False  # the server answered the upgrade with something else than 101
        self._closing = False
        self._transport: asyncio.Transport | None = None
        self._pending: tuple[float, float] | None = None  # (rate, sent at) of the set in flight
        self._state_seen = False
        self._rate_index = 0
        self._timer: asyncio.TimerHandle | None = None

    # --- asyncio.Protocol ----------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # (uvloop's is not a subclass of it)
        request = (f"GET /ws HTTP/1.1\r\nHost: {self._host}:{self._port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {self._key.decode()}\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n")
        self._transport.write(request.encode())

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        self._buffer += data
        if not self._upgraded and not self._upgrade():
            return
        self._read_frames()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("the server closed the connection before the upgrade"))
        if not self._closing:
            self.stats.closed_early = True
        if not self.closed.done():
            self.closed.set_result(None)

    # --- measuring -----------------------------------------------------------------
    def measure_from(self, start: float, end: float, first_set: float) -> None:
        """Count what arrives between loop times ``start`` and ``end``; the timed ``set``s start at
        ``first_set`` (pages that all sent theirs at once would measure the queue of a burst, not a click)."""
        self.start, self.end = start, end
        self._timer = asyncio.get_running_loop().call_at(first_set, self._send_set)

    def close(self) -> None:
        self._closing = True
        if self._timer is not None:
            self._timer.cancel()
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(client_frame(CLOSE, struct.pack("!H", 1000)))
            self._transport.close()

    def send(self, message: dict[str, object]) -> None:
        assert self._transport is not None
        self._transport.write(client_frame(TEXT, json.dumps(message).encode()))

    def _send_set(self) -> None:
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._set_every, self._send_set)
        if self._pending is not None:
            return  # the last one's frame has not come yet
        self._rate_index = 1 - self._rate_index
        rate = RATES[self._rate_index]
        self._pending, self._state_seen = (rate, loop.time()), False
        self.send({"type": "set", "changes": {"learningRate": rate}})

    # --- the wire ------------------------------------------------------------------
    def _upgrade(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        status = bytes(self._buffer[: self._buffer.find(b"\r\n")])
        del self._buffer[: end + 4]
        if b" 101 " not in status:
            self._refused = True
            if not self.opened.done():  # (a timed-out open cancelled it)
                self.opened.set_exception(ConnectionError(f"no WebSocket: {status.decode(errors='replace')}"))
            assert self._transport is not None
            self._transport.close()
            return False
        self._upgraded = True
        for message in self._hello:
            self.send(message)
        if not self.opened.done():
            self.opened.set_result(None)
        return True

    def _read_frames(self) -> None:
        buffer, at = self._buffer, 0
        now = asyncio.get_running_loop().time()
        while len(buffer) - at >= 2:  # the shortest frame head
            opcode, size = buffer[at] & 0x0F, buffer[at + 1] & 0x7F
            head = 2
            if size == 126:
                if len(buffer) - at < 4:
                    break
                size, head = struct.unpack_from("!H", buffer, at + 2)[0], 4
            elif size == 127:
                if len(buffer) - at < 10:
                    break
                size, head = struct.unpack_from("!Q", buffer, at + 2)[0], 10
            if len(buffer) - at < head + size:
                break
            self._message(opcode, buffer, at + head, at + head + size, now)
            at += head + size
        del buffer[:at]

    def _message(self, opcode: int, buffer: bytearray, start: int, end: int, now: float) -> None:
        counted = self.start <= now < self.end
        if opcode == BINARY:  # grids: only their size counts
            if counted:
                self.stats.bytes += end - start
        elif opcode == TEXT:
            self._text(bytes(buffer[start:end]), now, counted)
        elif opcode == PING:
            assert self._transport is not None
            self._transport.write(client_frame(PONG, bytes(buffer[start:end])))
        elif opcode == CLOSE:  # the server's close: echoed (RFC 6455 5.5.1), then the socket goes
            assert self._transport is not None
            self._transport.write(client_frame(CLOSE, bytes(buffer[start : start + 2])))
            self._transport.close()

    def _text(self, text: bytes, now: float, counted: bool) -> None:
        if text.startswith(FRAME_PREFIX):
            if self._pending is not None and self._state_seen:
                self.stats.latencies.append(now - self._pending[1])
                self._pending = None
            if counted:  # the epoch comes first in a frame's JSON: no need to parse the rest
                epoch = int(text[len(FRAME_PREFIX) : text.index(b",", len(FRAME_PREFIX))])
                stats = self.stats
                stats.frames += 1
                stats.bytes += len(text)
                stats.first_epoch = epoch if stats.first_epoch is None else stats.first_epoch
                stats.last_epoch = epoch
            return
        message = json.loads(text)  # rare: state, data, errors
        if message["type"] == "state" and self._pending is not None \
                and message["config"]["learningRate"] == self._pending[0]:
            self._state_seen = True


async def open_page(host: str, port: int, hello: list[dict[str, object]], set_every: float) -> Page:
    """A connected page that has sent ``hello`` (its hello, settings and play messages)."""
    loop = asyncio.get_running_loop()
    _, page = await loop.create_connection(lambda: Page(host, port, hello, set_every), host, port)
    await asyncio.wait_for(page.opened, OPEN_TIMEOUT)
    return page
