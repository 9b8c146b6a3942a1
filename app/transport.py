"""The limits a client meets in uvicorn, before the app sees a byte of its request.

The app refuses a message over ``max_message_bytes`` politely (``too_large``),
but only after the transport has buffered it; so the transport itself refuses
what is much bigger, and refuses oversized HTTP headers, and a client that
floods pings without reading their pongs stops being read. Each such client
then costs the server a bounded amount of memory.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

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


def uvicorn_limits(settings: AppSettings) -> dict[str, Any]:
    """uvicorn's keyword arguments for these limits (``serve`` and the test servers share them)."""
    return {
        # h11 bounds what it buffers of a request's head; httptools does not.
        "http": "h11",
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "ws": WebSocketProtocol,
        "ws_max_size": settings.max_message_bytes + POLITE_MARGIN,
        "ws_per_message_deflate": settings.ws_compression,
    }
