"""``pg.widget()``: the live playground in a notebook, as an anywidget widget.

The view is the page itself (app/widget_page.py, app/static/widget/playground-widget.js);
the engine runs in the kernel. Each widget drives the user's own :class:`~nn_core.Playground`
through a :class:`~app.widget_session.WidgetSession` (the server's message handling and
frames) and a :class:`~app.session.Runner` (the server's training turns and pacing), on a
thread of its own: cells keep running while it plays. Messages travel as the widget's
custom messages, the grids as a binary buffer.

Thread safety: the runner holds the playground's own lock (``pg.lock``) for every message
and training turn, and every public method of the playground takes it, so a cell's
``pg.set(...)``, ``pg.step(...)`` or ``pg.history`` is safe while the widget plays: it waits
for the end of a training slice (a few milliseconds). The widget's thread shows what cells
changed within :data:`IDLE_TICK` seconds (or the next frame).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

try:
    import anywidget
    import traitlets
except ImportError as error:  # the notebook extra is optional: name it
    raise ImportError("Playground.widget() needs anywidget: pip install 'neural-playground[notebook]'") from error

from nn_core import Playground

from .config import AppSettings
from .protocol import ProtocolError, parse_client_message
from .scheduler import DUTY
from .server_messages import Frame, Outgoing, encode, error_message
from .session import Runner
from .widget_page import VIEW, widget_page
from .widget_session import WidgetSession

log = logging.getLogger("app.widget")

# Frames a second while playing: the kernel's messages pass through the notebook server to the
# browser, so half the app's 60; the epochs per second (the speed setting) do not change.
FRAMES_PER_SECOND = 30
IDLE_TICK = 0.1  # seconds between looks for a cell's changes while nothing trains
# A frame no view acknowledged within this long counts as lost (no view open, a closed tab):
# training frames go out again rather than wait for it.
ACK_TIMEOUT = 1.0

Send = Callable[[dict[str, Any], list[bytes] | None], None]


class KernelOutbox:
    """The runner's outbox in a kernel: each message a custom message to every view.

    A frame is its text, then its grids as a buffer (then B's, comparing); a view acknowledges each grids it
    received, so at most one training frame is on its way at a time (as the server's
    :class:`~app.outbox.Outbox`: a slow front end gets fewer, newer frames).
    """

    def __init__(self, send: Send, clock: Callable[[], float] = time.monotonic) -> None:
        self._send = send
        self._clock = clock
        self._unacknowledged = 0
        self._sent_at = 0.0

    @property
    def frame_waiting(self) -> bool:
        return self._unacknowledged > 0 and self._clock() - self._sent_at < ACK_TIMEOUT

    def post(self, messages: Sequence[Outgoing], reply: bool = False) -> None:
        """Send at once, replies or not (the kernel's comm has no loop to gather for)."""
        for message in messages:
            if isinstance(message, Frame):  # its text and grids, then B's when comparing (Frame.then)
                for item, _ in message.items():
                    self._post_part(item)
            else:
                self._send({"text": message}, None)

    def _post_part(self, item: str | bytes) -> None:
        if isinstance(item, str):
            self._send({"text": item}, None)
            return
        self._unacknowledged += 1  # before sending: the acknowledgement may come at once
        self._sent_at = self._clock()
        self._send({"grids": True}, [item])

    def acknowledged(self) -> None:
        self._unacknowledged = max(0, self._unacknowledged - 1)


class PlaygroundWidget(anywidget.AnyWidget):
    """``pg.widget()``: display it in a cell (the last expression) to see and drive ``pg``."""

    _esm = VIEW
    markup = traitlets.Unicode().tag(sync=True)
    stylesheet = traitlets.Unicode().tag(sync=True)
    modules = traitlets.Dict().tag(sync=True)
    resources = traitlets.Dict().tag(sync=True)

    def __init__(self, playground: Playground, settings: AppSettings | None = None) -> None:
        settings = settings or AppSettings()
        page = widget_page(settings.thumbnail)
        super().__init__(markup=page.markup, stylesheet=page.stylesheet, modules=page.modules,
                         resources=page.resources)
        self.playground = playground
        self._max_message_bytes = settings.max_message_bytes
        self._session = WidgetSession(playground, settings.thumbnail)
        self._outbox = KernelOutbox(self._send_message)
        frame_interval = 1.0 / FRAMES_PER_SECOND
        self._runner = Runner(self._session, self._outbox, frame_interval, lock=playground.lock,
                              fill_frames=False)
        self._budget = frame_interval * DUTY
        self._wake = threading.Event()
        self._closing = threading.Event()
        self.on_msg(self._receive)
        self._thread = threading.Thread(target=self._run, name="nnp-widget", daemon=True)
        self._thread.start()

    # --- from Python ------------------------------------------------------------
    @property
    def playing(self) -> bool:
        """Training on the widget's thread (play, or a step of several epochs)."""
        return self._session.training

    def play(self) -> None:
        """Press play, as the view's button does."""
        self.control({"type": "play"})

    def pause(self) -> None:
        self.control({"type": "pause"})

    def control(self, message: dict[str, Any]) -> None:
        """Apply one message of the page's protocol (docs/protocol.md), as if the view sent it."""
        self._apply(json.dumps(message))

    def close(self) -> None:
        """Stop the training thread, then close the widget (its views go)."""
        self._closing.set()
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._session.close()
        super().close()

    # --- from the views -----------------------------------------------------------
    def _receive(self, _widget: Any, content: dict[str, Any], _buffers: list[bytes]) -> None:
        if content.get("ack"):
            self._outbox.acknowledged()
        elif isinstance(content.get("text"), str):
            self._apply(content["text"])

    def _apply(self, text: str) -> None:
        """Validate and apply one message (errors become ``error`` messages, as on the server)."""
        try:
            if len(text.encode("utf-8")) > self._max_message_bytes:
                raise ProtocolError("too_large", f"a message may have at most {self._max_message_bytes} bytes")
            self._runner.control(parse_client_message(text))
        except ProtocolError as error:
            self._outbox.post([encode(error_message(error.code, error.message))])
        except Exception:  # an engine bug must not end the widget or the kernel
            log.exception("widget message failed")
            self._outbox.post([encode(error_message("internal", "the kernel could not do that"))])
        self._wake.set()

    def _send_message(self, content: dict[str, Any], buffers: list[bytes] | None) -> None:
        self.send(content, buffers)

    # --- the training thread --------------------------------------------------------
    def _run(self) -> None:
        """Training turns while it trains, paced as the server's; between them, a cell's changes."""
        while not self._closing.is_set():
            self._wake.clear()
            due = self._runner.turn(self._budget) if self._session.training else None  # catches up too
            if due is None:
                self._catch_up()
            delay = IDLE_TICK if due is None else due - time.monotonic()
            if delay > 0:
                self._wake.wait(min(delay, IDLE_TICK))

    def _catch_up(self) -> None:
        with self.playground.lock:
            try:
                self._outbox.post(self._session.catch_up())
            except Exception:
                log.exception("showing a cell's change failed")
