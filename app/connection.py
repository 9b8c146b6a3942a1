"""One WebSocket connection: receiving, sending, training turns and the idle timer.

* The receiver validates each message at the edge and runs it on the control
  thread; errors become ``error`` messages and the session carries on.
* The sender drains the :class:`~app.outbox.Outbox` onto the socket.
* While the session plays, the shared :class:`~app.scheduler.TrainingScheduler`
  calls its :class:`~app.session.Runner` on a training thread, once per time
  slice, paced to ``max_fps`` frames a second.
* The watchdog closes a session that is not playing and has been silent for
  ``idle_timeout`` seconds.

The runner's lock serialises every use of the playground (see app/session.py).
When the connection ends, every task is cancelled and awaited and the
scheduler drops the session at its next turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from .admission import Ticket
from .config import AppSettings
from .outbox import Outbox
from .protocol import IDLE_CLOSE_REASON, ProtocolError, parse_client_message
from .scheduler import TrainingScheduler
from .server_messages import encode, error_message
from .session import Phase, Runner, Session

log = logging.getLogger("app.connection")

CLOSE_NORMAL = 1000
CLOSE_TRY_AGAIN_LATER = 1013


class Connection:
    """The live state of one WebSocket; :meth:`run` returns when it is over."""

    def __init__(self, websocket: WebSocket, settings: AppSettings, scheduler: TrainingScheduler,
                 ticket: Ticket) -> None:
        loop = asyncio.get_running_loop()
        self.websocket = websocket
        self.ticket = ticket
        self.settings = settings
        self.scheduler = scheduler
        self.session = Session(settings.thumbnail)
        # Posts wait at most half a frame to be gathered with others (app/outbox.py's Mailbox).
        self.outbox = Outbox(loop, gather_seconds=scheduler.frame_interval / 2)
        self.runner = Runner(self.session, self.outbox, scheduler.frame_interval)
        self.last_message = time.monotonic()

    async def run(self) -> None:
        """Serve the connection until the client leaves, the socket fails or it idles out."""
        tasks = [asyncio.create_task(self._receive_loop(), name="nnp-receive"),
                 asyncio.create_task(self._send_loop(), name="nnp-send"),
                 asyncio.create_task(self._watchdog(), name="nnp-watchdog")]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.session.close()  # the scheduler drops it at its next turn
            self.outbox.closed = True
            for task in tasks:
                task.cancel()
            # wait(), not gather(): if this task is itself cancelled meanwhile, the error it
            # raises must be that cancellation, not a child's (anyio checks which one it is).
            await asyncio.wait(tasks)
            for task in tasks:
                if not task.cancelled() and task.exception() is not None:
                    log.error("connection task failed", exc_info=task.exception())
            await self._close(CLOSE_NORMAL, "")

    # --- receiving -----------------------------------------------------------
    async def _receive_loop(self) -> None:
        while True:
            await self.outbox.wait_for_room()
            event = await self.websocket.receive()
            if event["type"] == "websocket.disconnect":
                return
            self.last_message = time.monotonic()
            await self._dispatch(event)

    async def _dispatch(self, event: Message) -> None:
        try:
            text = self._text_of(event)
            # Parsing a big message (5,000 points) takes milliseconds: not on the event loop.
            await self.scheduler.control(lambda: self.runner.control(parse_client_message(text)))
        except ProtocolError as error:
            self.outbox.put([encode(error_message(error.code, error.message))])
        except Exception:  # an engine bug must not end the session or the server
            log.exception("message failed")
            self.outbox.put([encode(error_message("internal", "the server could not do that"))])
        if self.session.phase is not Phase.IDLE:
            self.ticket.hello()
        if self.session.training:
            self.scheduler.start(self.runner)

    def _text_of(self, event: Message) -> str:
        text, data = event.get("text"), event.get("bytes")
        limit = self.settings.max_message_bytes
        size = len(data) if data is not None else _utf8_size(text or "", limit)
        if size > limit:
            raise ProtocolError("too_large", f"a message may have at most {limit} bytes, "
                                             f"this one has at least {size}")
        if not isinstance(text, str):
            raise ProtocolError("bad_json", "binary messages are not part of the protocol; send JSON text")
        return text

    # --- sending ---------------------------------------------------------------
    async def _send_loop(self) -> None:
        while True:
            item, ended_frame = await self.outbox.get()
            try:
                if isinstance(item, bytes):
                    await self.websocket.send_bytes(item)
                else:
                    await self.websocket.send_text(item)
            except (WebSocketDisconnect, RuntimeError, OSError):
                return  # the client is gone; run() tidies up
            self.outbox.sent(ended_frame)

    # --- idle timeout and closing ----------------------------------------------------
    async def _watchdog(self) -> None:
        """Return (ending the connection) once a non-playing session has idled too long,
        or a socket has not said hello within ``hello_timeout``."""
        opened = time.monotonic()
        while True:
            if self.session.phase is Phase.IDLE:
                reason, left = "no hello", self.settings.hello_timeout - (time.monotonic() - opened)
            else:
                since = max(self.last_message, self.runner.stopped_at)
                reason, left = IDLE_CLOSE_REASON, self.settings.idle_timeout - (time.monotonic() - since)
            if left <= 0 and not self.session.training:
                log.info("closing a session: %s", reason)
                await self._close(CLOSE_NORMAL, reason)
                return
            # Short enough to notice the phase change (hello) within the shorter timeout.
            await asyncio.sleep(min(max(left, 0.01), self.settings.idle_timeout,
                                    self.settings.hello_timeout, 5.0))

    async def _close(self, code: int, reason: str) -> None:
        if self.websocket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.websocket.close(code, reason)


def _utf8_size(text: str, limit: int) -> int:
    """Bytes of ``text`` in UTF-8; past ``limit`` characters the count alone decides."""
    return len(text) if len(text) > limit else len(text.encode("utf-8"))


async def refuse_busy(websocket: WebSocket) -> None:
    """Tell a client the server is full, then close with 1013 (try again later)."""
    await websocket.accept()
    with contextlib.suppress(Exception):
        await websocket.send_text(encode(error_message("busy", "the server is busy; try again later")))
        await websocket.close(CLOSE_TRY_AGAIN_LATER, "server busy")
