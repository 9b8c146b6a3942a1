"""One WebSocket connection: receiving, sending, training and the idle timer, as tasks.

Four coroutines share a :class:`~app.session.Session`:

* the receiver validates each message at the edge and runs it on the control
  thread (replies go out in order, errors become ``error`` messages);
* the sender drains the :class:`~app.outbox.Outbox` onto the socket;
* the trainer, while playing, takes turns on the shared training threads and
  paces frames to ``max_fps``;
* the watchdog closes a session that is not playing and has been silent for
  ``idle_timeout`` seconds.

The session lock serialises every use of the playground, and replies are
queued while it is held, so the page sees messages in the order things
happened. When the connection ends, every task is cancelled and awaited.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from .config import AppSettings
from .messages import encode, error_message
from .outbox import Outbox
from .pool import TrainingPool
from .protocol import ProtocolError, parse_client_message
from .session import Chunk, Outgoing, Phase, Session

log = logging.getLogger("app.connection")

CLOSE_NORMAL = 1000
CLOSE_TRY_AGAIN_LATER = 1013


class Connection:
    """The live state of one WebSocket; :meth:`run` returns when it is over."""

    def __init__(self, websocket: WebSocket, settings: AppSettings, pool: TrainingPool) -> None:
        self.websocket = websocket
        self.settings = settings
        self.pool = pool
        self.session = Session(settings.thumbnail)
        self.outbox = Outbox()
        self.lock = asyncio.Lock()
        self.last_message = asyncio.get_running_loop().time()
        self._trainer: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Serve the connection until the client leaves, the socket fails or it idles out."""
        tasks = [asyncio.create_task(self._receive_loop(), name="nnp-receive"),
                 asyncio.create_task(self._send_loop(), name="nnp-send"),
                 asyncio.create_task(self._watchdog(), name="nnp-watchdog")]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.session.close()
            if self._trainer is not None:
                tasks.append(self._trainer)
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
            self.last_message = asyncio.get_running_loop().time()
            await self._dispatch(event)

    async def _dispatch(self, event: dict[str, Any]) -> None:
        try:
            message = parse_client_message(self._text_of(event))
            await self._locked(self.pool.control, lambda: self.session.handle(message))
        except ProtocolError as error:
            self.outbox.put([encode(error_message(error.code, error.message))])
        except Exception:  # an engine bug must not end the session or the server
            log.exception("message failed")
            self.outbox.put([encode(error_message("internal", "the server could not do that"))])
        self._follow_phase()

    def _text_of(self, event: dict[str, Any]) -> str:
        text, data = event.get("text"), event.get("bytes")
        limit = self.settings.max_message_bytes
        size = len(data) if data is not None else _utf8_size(text or "", limit)
        if size > limit:
            raise ProtocolError("too_large", f"a message may have at most {limit} bytes, "
                                             f"this one has at least {size}")
        if text is None:
            raise ProtocolError("bad_json", "binary messages are not part of the protocol; send JSON text")
        return text

    async def _locked(self, run: Callable[[Callable[[], Any]], Any], work: Callable[[], Any]) -> Any:
        """Run ``work`` on a thread with the session to itself, and queue its output at once."""
        async with self.lock:
            result = await run(work)
            self.outbox.put(result.out if isinstance(result, Chunk) else result)
        return result

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

    # --- training ----------------------------------------------------------------
    def _follow_phase(self) -> None:
        """Start or stop the trainer task to match the session's phase."""
        if self.session.playing and (self._trainer is None or self._trainer.done()):
            self._trainer = asyncio.create_task(self._play(), name="nnp-train")

    async def _play(self) -> None:
        loop = asyncio.get_running_loop()
        self.pool.playing += 1
        try:
            while self.session.playing:
                started = loop.time()
                await self._one_frame()
                await asyncio.sleep(max(0.0, started + self.pool.frame_interval - loop.time()))
        except Exception:
            log.exception("training failed")
            self.session.phase = Phase.PAUSED
            self.outbox.put([encode(error_message("internal", "training stopped after a server error"))])
        finally:
            self.pool.playing -= 1
            self.last_message = loop.time()  # a session paused by divergence idles from now

    async def _one_frame(self) -> None:
        """Train one frame's epochs in fair turns; the last turn builds the frame if wanted."""
        while self.session.playing:
            async with self.pool.turn():
                budget = self.pool.slice_seconds()
                chunk = await self._locked(self.pool.train, lambda: self.session.train(
                    budget, want_frame=not self.outbox.frame_waiting))
            if chunk.frame_due or chunk.epochs == 0:
                return

    # --- idle timeout and closing ----------------------------------------------------
    async def _watchdog(self) -> None:
        """Return (ending the connection) once a non-playing session has idled too long."""
        loop = asyncio.get_running_loop()
        timeout = self.settings.idle_timeout
        while True:
            left = timeout - (loop.time() - self.last_message)
            if left <= 0 and not self.session.playing:
                log.info("closing an idle session")
                await self._close(CLOSE_NORMAL, "idle timeout")
                return
            await asyncio.sleep(min(max(left, 0.01) if left > 0 else timeout, 5.0))

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
