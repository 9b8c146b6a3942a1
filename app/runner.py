"""A session as the training threads see it: its lock, its turns, and where its output goes.

Every use of the playground — a training turn on a training thread, a control
message on the control thread — happens under :attr:`Runner.lock`, and the
output is posted while the lock is held, so messages reach the page in the
order things happened.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol

from .messages import encode, error_message
from .session import Outgoing, Phase, Session

log = logging.getLogger("app.runner")


class Sink(Protocol):
    """Where output goes (app/outbox.py's Outbox): callable from any thread."""

    @property
    def frame_waiting(self) -> bool: ...

    def post(self, messages: Sequence[Outgoing]) -> None: ...


class Runner:
    """A session's lock and training turns (what the pool schedules)."""

    def __init__(self, session: Session, sink: Sink, frame_interval: float) -> None:
        self.session = session
        self.sink = sink
        self.frame_interval = frame_interval
        self.lock = threading.Lock()
        self.stopped_at = 0.0  # when training last stopped by itself (divergence, error)
        self._frame_started: float | None = None

    @property
    def playing(self) -> bool:
        return self.session.playing

    def control(self, message: Any) -> None:
        """Apply one validated client message (raises ProtocolError for the caller to report)."""
        with self.lock:
            self.sink.post(self.session.handle(message))

    def turn(self, budget: float) -> float | None:
        """Train one slice; return when the next turn is due, or None when play stopped.

        A frame's epochs may take several turns (x100 on a big network); the
        next frame is due one frame interval after the previous one started.
        """
        now = time.monotonic()
        with self.lock:
            if not self.session.playing:
                return None
            if self._frame_started is None:
                self._frame_started = now
            try:
                chunk = self.session.train(budget, want_frame=not self.sink.frame_waiting)
            except Exception:
                log.exception("training failed")
                self.session.phase = Phase.PAUSED
                self.sink.post([encode(error_message("internal", "training stopped after a server error"))]
                               + self._pause_frame())
                self.stopped_at = time.monotonic()
                return None
            self.sink.post(chunk.out)
            if not self.session.playing:  # diverged
                self.stopped_at = time.monotonic()
                return None
            if not chunk.frame_due:
                return time.monotonic()  # more of this frame's epochs, after the others' turns
            started, self._frame_started = self._frame_started, None
            return started + self.frame_interval

    def _pause_frame(self) -> list[Any]:
        """A frame saying playing is over, if one can still be built after the failure."""
        try:
            return [self.session.frame()]
        except Exception:
            log.exception("no frame after the failure either")
            return []
