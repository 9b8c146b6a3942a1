"""The limits a client meets in uvicorn, before the app sees a byte of its request.

The app refuses a message over ``max_message_bytes`` politely (``too_large``),
but only after the transport has buffered it; so the transport itself refuses
what is much bigger, and refuses oversized HTTP headers, and a client that
floods pings without reading their pongs stops being read. Each such client
then costs the server a bounded amount of memory.
"""

from __future__ import annotations

import asyncio
import os
from functools import lru_cache
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .balancer import connection_closed
from .config import AppSettings

# The request line and headers together; a browser's are well under 8 KB.
MAX_HEADER_BYTES = 16 * 1024
# How far past the app's own limit a message may go and still get the polite `too_large`.
POLITE_MARGIN = 64 * 1024


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, reading nothing more while its pongs cannot be sent.

    uvicorn answers each ping straight into the transport's write buffer; a
    client that sends pings and never reads would grow that buffer without
    end. Pausing reads while the buffer is full makes such a client wait on
    its own socket instead.
    """

    def pause_writing(self) -> None:
        super().pause_writing()
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        super().resume_writing()
        # read_paused: the protocol's own pause while the app has a message to take.
        if not self.read_paused:
            self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        try:
            super().connection_lost(exc)
        finally:
            connection_closed()  # an upgraded connection ends here, not in HTTPProtocol


class HTTPProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head takes too long.

    A slow-loris client sends a header byte every few seconds and holds a
    socket (and a file descriptor) forever; uvicorn's keep-alive timeout
    stops counting once any byte arrives. This one gives every request head
    ``NNP_HEADER_TIMEOUT`` seconds from the connection (or the previous
    response) on. The variable is read here because uvicorn builds the
    protocol itself, in each worker process, from the same environment.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as uvicorn's own
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._start_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._start_head_timer()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._cancel_head_timer()  # the socket belongs to the WebSocket protocol now
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        try:
            super().connection_lost(exc)
        finally:
            connection_closed()  # serve's supervisor balances its processes by their open connections

    def _start_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(header_timeout(), self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        """Still no complete request head: close (a request being answered is left alone)."""
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


@lru_cache(maxsize=1)
def header_timeout() -> float:
    """``NNP_HEADER_TIMEOUT``, read once per process (the server checked it at start-up)."""
    return AppSettings.from_env(os.environ).header_timeout


def uvicorn_limits(settings: AppSettings) -> dict[str, Any]:
    """uvicorn's keyword arguments for these limits (``serve`` and the test servers share them)."""
    return {
        # h11 bounds what it buffers of a request's head; httptools does not.
        "http": HTTPProtocol,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "ws": WebSocketProtocol,
        "ws_max_size": settings.max_message_bytes + POLITE_MARGIN,
        "ws_per_message_deflate": settings.ws_compression,
    }
