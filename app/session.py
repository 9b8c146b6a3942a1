"""One page's training session: a playground, a small state machine, and its lock.

Phases: ``IDLE`` (connected, no ``hello`` yet) → ``PAUSED`` ⇄ ``PLAYING`` →
``CLOSED``, and ``STEPPING`` (a ``step`` of n epochs being trained in turns,
like play, then back to ``PAUSED``). :class:`Session`'s methods are synchronous CPU work on the
session's playground and return what to send, in order.

:class:`Runner` is the session as the threads see it: every use of the
playground — a training turn on a training thread (app/scheduler.py), a
control message on a control thread (app/connection.py) — happens under its
lock, and the output is posted to the outbox while the lock is held, so
messages reach the page in the order things happened.
"""

from __future__ import annotations

import enum
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nn_core import Playground
from nn_core.datasets import PointsError
from nn_core.settings import SPEEDS, SettingError

from . import protocol as p
from .compare import SideB, finish_epochs, train_examples, with_b
from .grid_message import GridStream
from .outbox import Postbox
from .pace import Pace
from .protocol import ClientMessage, ProtocolError
from .server_messages import (
    Frame,
    HistoryCursor,
    Outgoing,
    build_frame,
    data_message,
    diverged_message,
    encode,
    error_message,
    explain_message,
    export_message,
    gradient_check_message,
    state_message,
    stopped_message,
)

log = logging.getLogger("app.session")
# A frame whose epochs are not done after this long goes out anyway (a big network at x100).
MAX_FRAME_SECONDS = 0.1
BUSY_RETRY = 0.002  # seconds before a training turn tries a busy session again
# Messages that only look: while the page looks at a past epoch they keep the future; any other
# message first makes that epoch the present (a new branch), then applies.
LOOKS = frozenset({"seek", "pause", "key_frame", "predictions", "gradients", "export", "gradient_check"})
# Seconds per training point before the first turn has measured it: a small first turn for a big
# network (~0.1 ms a point), learned within a few turns for any network.
FIRST_GUESS = 1e-4
SHORT_EPOCH = 0.001  # seconds: an epoch this short is never cut (the scheduler's smallest slice)


class Phase(enum.Enum):
    IDLE = "idle"
    PAUSED = "paused"
    PLAYING = "playing"
    STEPPING = "stepping"
    CLOSED = "closed"


@dataclass
class Chunk:
    """What one training turn did and what it produced."""

    epochs: int = 0
    frame_due: bool = False
    out: list[Outgoing] = field(default_factory=list)


class Session:
    """The playground of one WebSocket, with what the page has been sent so far."""

    def __init__(self, thumbnail: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.thumbnail = thumbnail
        self._clock = clock
        self._phase = Phase.IDLE
        self._pg: Playground | None = None
        self._cursor = HistoryCursor()
        self._grids = GridStream()  # deltas against the last frame built; restarted with every state
        self._data_version = -1
        self._seconds_per_example = FIRST_GUESS  # training one point, its share of the epoch's losses included
        self._seconds_per_frame = 0.001
        self._pace = Pace(clock)
        self._steps_left = 0  # epochs of a `step` still to train
        self._frame_started = clock()  # when the epochs of the frame being built began
        self._frame_at: tuple[int, int] = (-1, 0)  # the (epoch, point) the last frame showed
        self._layout: tuple[tuple[int, ...], tuple[str, ...]] = ((), ())  # the shape the last state showed
        self._send_predictions = False  # frames carry each point's predicted class (the page asked)
        # Frames carry every link's last gradient (the page's toggle, kept across playgrounds).
        self._send_gradients = False
        self._view: Playground | None = None  # the past epoch the page looks at (a `seek`), if any
        self._b: SideB | None = None  # Compare mode's second playground (app/compare.py), if comparing

    # --- phases --------------------------------------------------------------
    @property
    def phase(self) -> Phase:
        return self._phase

    @phase.setter
    def phase(self, phase: Phase) -> None:
        # CLOSED is final: close() comes from the event loop without the session's lock, so a
        # message still being applied on another thread must not bring the session back.
        if self._phase is not Phase.CLOSED:
            self._phase = phase

    @property
    def playing(self) -> bool:
        return self._phase is Phase.PLAYING

    @property
    def training(self) -> bool:
        """Playing or stepping: the scheduler gives the session turns."""
        return self._phase in (Phase.PLAYING, Phase.STEPPING)

    @property
    def unpaced(self) -> bool:
        """Playing at ``max``: no pace owes its epochs, so only the frame rate says when a frame is done."""
        return self.playing and SPEEDS[self.pg.config.speed] is None

    @property
    def pg(self) -> Playground:
        """The page's playground; only a ``hello`` makes one (:meth:`handle` checks it first)."""
        if self._pg is None:
            raise RuntimeError("the session has no playground before hello")
        return self._pg

    def close(self) -> None:
        self.phase = Phase.CLOSED

    # --- control messages ----------------------------------------------------
    def handle(self, message: ClientMessage) -> list[Outgoing]:
        """Apply one validated client message; return what to send, in order."""
        if self.phase is Phase.CLOSED:
            return []
        if isinstance(message, p.HelloMessage):
            return self._hello(message)
        if self._pg is None:
            raise ProtocolError("invalid", "send hello first")
        handler: Callable[[Any], list[Outgoing]] = getattr(self, "_" + message.type)
        if self._b is not None and self.pg.progress:  # comparing: both sides meet it at an epoch's end
            finish_epochs(self.pg, self._b)
        if self._view is None or _only_looks(message):
            return handler(message)
        if isinstance(message, p.RecoverMessage):  # its way back starts from the present's divergence
            self._leave_view()
            return handler(message)
        self._continue_from_view()  # a change while looking at the past makes a new branch there
        out = handler(message)
        # The page hears it is back in the present (its scrubber follows again), unless the answer says so.
        return out if any(_is_state(o) for o in out) else [*self._state([]), *out]

    def _hello(self, message: p.HelloMessage) -> list[Outgoing]:
        self._open(Playground.from_url(message.hash))
        self._b, compare_warnings = SideB.from_link(message.hash)
        out: list[Outgoing] = []
        if message.resume is not None:
            out += self._resume(message.resume)
        return out + self._state(list(self.pg.warnings) + compare_warnings) + [self.frame()]

    def _load(self, message: p.LoadMessage) -> list[Outgoing]:
        """An exported model: its configuration, points, weights and history, paused."""
        try:
            playground = Playground.load(message.model)
        except ValueError as error:
            raise ProtocolError("bad_model", f"could not import the model: {error}") from None
        self._open(playground)
        return [*self._state(list(playground.warnings)), self.frame()]

    def _open(self, playground: Playground) -> None:
        """Start over with ``playground``: paused, and everything it shows sent afresh."""
        self._pg = playground
        self._view = None
        self._b = None
        self.phase = Phase.PAUSED
        self._cursor.restart()
        self._grids.restart()
        self._data_version = -1
        self._send_predictions = False

    def _resume(self, resume: p.Resume) -> list[Outgoing]:
        try:
            self.pg.resume(resume.epoch, resume.weights, resume.biases, [list(row) for row in resume.history])
        except ValueError as error:
            return [encode(error_message("bad_resume", f"could not resume: {error}"))]
        if self._b is not None:  # B goes on from A's weights (a resume carries only A's)
            self._b.reset(self.pg)
        return []

    def _set(self, message: p.SetMessage) -> list[Outgoing]:
        resets = self.pg.resets
        try:  # a value the page's own controls cannot produce is refused, and nothing changes
            if self._b is not None:
                warnings = self._b.set(self.pg, message.changes, message.side)
            elif message.side == "b":
                raise ProtocolError("invalid", "set: side b needs compare mode (send compare first)")
            else:
                warnings = self.pg.update(message.changes, strict=True)
        except SettingError as error:
            raise ProtocolError("invalid", str(error)) from None
        if self.pg.resets != resets:
            self._after_reset()
        return [*self._state(warnings), self.frame()]

    def _play(self, message: p.PlayMessage) -> list[Outgoing]:
        if self.pg.diverged:
            return [encode(diverged_message(self.pg))]
        if not len(self.pg.train):
            return self._no_points()
        if self.pg.stop is not None:
            return self._stopped()
        self.phase = Phase.PLAYING
        self._pace.start()
        self._frame_started = self._clock()
        return []

    def _pause(self, message: p.PauseMessage) -> list[Outgoing]:
        self.phase = Phase.PAUSED
        return [self.frame()]

    def _step(self, message: p.StepMessage) -> list[Outgoing]:
        """n epochs, trained in turns like play (a long step must not hold a control thread)."""
        self.phase = Phase.PAUSED
        if self.pg.diverged:
            return [self.frame(), *self._divergence()]
        if not len(self.pg.train):
            return self._no_points()
        if self.pg.stop is not None:
            return self._stopped()
        self.phase = Phase.STEPPING
        self._steps_left = message.n
        self._frame_started = self._clock()  # as play: the step's first frame is due when it is done, or slow
        return []

    def _no_points(self) -> list[Outgoing]:
        """Training on no points would show a loss of 0: refuse, and say why."""
        self.phase = Phase.PAUSED
        return [encode(error_message("no_points", "there are no training points to train on")), self.frame()]

    def _reset(self, message: p.ResetMessage) -> list[Outgoing]:
        self.pg.reset()
        if self._b is not None:
            self._b.reset(self.pg)
        self._after_reset()
        return [*self._state([]), self.frame()]

    def _after_reset(self) -> None:
        """A new network starts paused at epoch 0, as after the original's Reset."""
        self.phase = Phase.PAUSED
        self._cursor.restart()

    def _regenerate(self, message: p.RegenerateMessage) -> list[Outgoing]:
        self.pg.regenerate()
        if self._b is not None:
            self._b.same_data(self.pg)
        return [*self._state([]), self.frame()]

    def _set_weight(self, message: p.SetWeightMessage) -> list[Outgoing]:
        try:
            self.pg.set_weight(message.layer, message.node, message.source, message.value)
        except ValueError as error:
            raise ProtocolError("invalid", f"set_weight: {error}") from None
        return [self.frame()]

    def _set_bias(self, message: p.SetBiasMessage) -> list[Outgoing]:
        try:
            self.pg.set_bias(message.layer, message.node, message.value)
        except ValueError as error:
            raise ProtocolError("invalid", f"set_bias: {error}") from None
        return [self.frame()]

    def _points(self, message: p.PointsMessage) -> list[Outgoing]:
        try:
            test = None if message.test is None else [list(row) for row in message.test]
            self.pg.set_points([list(row) for row in message.points], mode=message.mode, test=test)
            if self._b is not None:
                self._b.same_points(self.pg)
        except PointsError as error:
            raise ProtocolError("bad_points", str(error)) from None
        return [*self._state([]), self.frame()]

    def _key_frame(self, message: p.KeyFrameMessage) -> list[Outgoing]:
        """The page could not apply a delta (it holds no base): all its grids again."""
        self._grids.restart()
        if self._b is not None:  # the page may have lost B's base instead
            self._b.grids.restart()
        return [self.frame()]

    def _predictions(self, message: p.PredictionsMessage) -> list[Outgoing]:
        self._send_predictions = message.on
        return [self.frame()]

    def _gradients(self, message: p.GradientsMessage) -> list[Outgoing]:
        self._send_gradients = message.on
        return [self.frame()]

    def _gradient_check(self, message: p.GradientCheckMessage) -> list[Outgoing]:
        return [encode(gradient_check_message(self.pg.gradient_check()))]

    def _explain(self, message: p.ExplainMessage) -> list[Outgoing]:
        """The engine's numbers (of the past epoch looked at, for a hover); a labelled example
        first finishes an epoch in progress, and then a frame shows the weights it starts from."""
        shown = self._view or self.pg
        at = (self.pg.epoch, self.pg.position)
        try:
            explained = shown.explain(message.x, message.y, message.label)
        except ValueError as error:
            raise ProtocolError("invalid", f"explain: {error}") from None
        moved = [self.frame()] if (self.pg.epoch, self.pg.position) != at else []
        answer = explain_message("explain", message.x, message.y, message.label, explained, shown.learning_rate)
        return [*moved, encode(answer)]

    def _apply_example(self, message: p.ApplyExampleMessage) -> list[Outgoing]:
        """The shown one-example step, performed: what it applied, then a frame of the new weights."""
        try:
            applied = self.pg.apply_example(message.x, message.y, message.label)
        except ValueError as error:
            raise ProtocolError("invalid", f"apply_example: {error}") from None
        # the rate of this epoch (the step counts no epoch): the one the update used
        answer = explain_message("applied", message.x, message.y, message.label, applied, self.pg.learning_rate)
        return [encode(answer), self.frame()]

    def _compare(self, message: p.CompareMessage) -> list[Outgoing]:
        """Compare mode on (B forks A) or off (the side kept becomes the page's playground)."""
        if message.on:
            self._b = self._b or SideB.fork(self.pg, {})
        elif self._b is not None:
            kept = self._b.pg if message.keep == "b" else self.pg
            self._open(kept)  # paused, everything sent afresh; _open ends the comparison
        self.phase = Phase.PAUSED
        return [*self._state([]), self.frame()]

    def _export(self, message: p.ExportMessage) -> list[Outgoing]:
        return [encode(export_message(self.pg.export()))]

    # --- time travel ---------------------------------------------------------------
    def _seek(self, message: p.SeekMessage) -> list[Outgoing]:
        """Frames of a past epoch (or of the present again, at the epoch in use), training paused."""
        self.phase = Phase.PAUSED
        self.pg.finish_epoch()
        if message.epoch >= self.pg.epoch:
            self._view = None
            self._cursor.restart()
            return [self.frame()]
        try:
            self._view = self.pg.at(message.epoch)
        except ValueError as error:
            raise ProtocolError("invalid", f"seek: {error}") from None
        return [self._view_frame(self._view)]

    def _continue(self, message: p.ContinueMessage) -> list[Outgoing]:
        """``handle`` already made the epoch looked at the present."""
        return [*self._state([]), self.frame()]

    def _recover(self, message: p.RecoverMessage) -> list[Outgoing]:
        try:
            self.pg.recover(message.how)
        except ValueError as error:
            raise ProtocolError("invalid", f"recover: {error}") from None
        if self._b is not None:  # comparing: B goes back to the same epoch, the two stay in lockstep
            self._b.rewind(self.pg.epoch)
        self.phase = Phase.PAUSED
        return [*self._state([]), self.frame()]

    def _continue_from_view(self) -> None:
        view, self._view = self._view, None
        if view is not None:
            self.pg.rewind(view.epoch)  # the same epoch of the same branch: it cannot be refused
            self._cursor.restart()
            if self._b is not None:
                self._b.rewind(view.epoch)

    def _leave_view(self) -> None:
        """Back to the present, the future kept (the next frame redraws the whole history)."""
        self._view = None
        self._cursor.restart()

    def _view_frame(self, view: Playground) -> Frame:
        """A frame of the past: its whole history (the chart redrawn to that epoch), then the
        present's frames send the whole history again."""
        frame = build_frame(view, HistoryCursor(), self._grids, False, self.thumbnail, self._send_predictions,
                            self._send_gradients)
        frame = with_b(frame, self._b, False, self.thumbnail, self._send_gradients, view.epoch)
        self._cursor.restart()
        return frame

    # --- training --------------------------------------------------------------
    def train(self, budget: float, want_frame: bool, frame_time: bool = True) -> Chunk:
        """One turn: train the epochs owed (by the pace, or a step's) until ``budget`` runs out.

        The frame is due when those epochs are done or have taken
        :data:`MAX_FRAME_SECONDS`; at ``max``, which owes no epochs, when the
        caller says it is ``frame_time``. It is built only when ``want_frame``
        (no frame of this session still waits to be sent: a slow client gets
        fewer, newer frames) and something changed; the end of a step or a
        divergence always sends one.
        """
        chunk = Chunk()
        if not self.training:
            return chunk
        if not len(self.pg.train):  # the points went while it played (cleared, removed, re-split)
            chunk.frame_due, chunk.out = True, self._no_points()
            return chunk
        target = self._epochs_owed()
        chunk.epochs = self._train_until(target, budget)
        self._count_trained(chunk.epochs)
        if target is None:
            done = frame_time
        else:
            done = chunk.epochs >= target or self._clock() - self._frame_started >= MAX_FRAME_SECONDS
        chunk.frame_due = done or self.pg.diverged or self.pg.stop is not None
        if chunk.frame_due:
            self._frame_started = self._clock()
            chunk.out = self._frame_after_turn(want_frame)
        return chunk

    def _epochs_owed(self) -> int | None:
        """This turn's epochs: what is left of a step, what the pace owes, or None (max)."""
        if self.phase is Phase.STEPPING:
            return self._steps_left
        rate = SPEEDS[self.pg.config.speed]
        return None if rate is None else self._pace.owed(rate)

    def _train_until(self, target: int | None, budget: float) -> int:
        """Train up to ``target`` epochs (None: no limit) within ``budget`` seconds; return how
        many were finished.

        The turn counts in training points, not epochs: an epoch longer than the
        budget (a big network at batch size 1 on thousands of points) is cut, and
        the next turn resumes it (``Playground.train_examples``, bit for bit the uncut epoch).
        """
        # The frame is part of the turn: a big network's frame must not make its turns longer,
        # but half the turn stays for training even when its frame alone would fill the turn.
        deadline = time.perf_counter() + max(budget - self._seconds_per_frame, budget / 2)
        per_epoch = self.pg.epoch_cost
        done = 0
        while not self.pg.diverged and (target is None or done < target):
            left = None if target is None else (target - done) * per_epoch - self.pg.progress
            n = self._examples_that_fit(deadline - time.perf_counter(), left)
            started = time.perf_counter()
            done += train_examples(self.pg, self._b, n)  # ends early, at the very epoch, where a stop condition holds
            if self.pg.stop is not None:
                return done
            self._learn_speed(n, time.perf_counter() - started)
            if time.perf_counter() >= deadline:
                break
        return done

    def _count_trained(self, epochs: int) -> None:
        if self.phase is Phase.STEPPING:
            self._steps_left -= epochs
        else:
            self._pace.trained(epochs)

    def _frame_after_turn(self, want_frame: bool) -> list[Outgoing]:
        if self.pg.diverged:
            self.phase = Phase.PAUSED
            return [self.frame(), *self._divergence()]
        if self.pg.stop is not None:
            return self._stopped()
        if self.phase is Phase.STEPPING and self._steps_left <= 0:
            self.phase = Phase.PAUSED  # the step's answer, even if a frame still waits
            return [self.frame()]
        if want_frame and (self.pg.epoch, self.pg.position) != self._frame_at:
            return [self.frame()]
        return []

    def _examples_that_fit(self, seconds: float, left: int | None) -> int:
        """Training points for ``seconds``; whole epochs (at least the rest of this one) when an
        epoch is short, so a small network's frame takes one turn and shows a finished epoch."""
        n = max(1, int(seconds / self._seconds_per_example))
        epoch = self.pg.epoch_cost
        if self._seconds_per_example * epoch <= SHORT_EPOCH:
            rest = epoch - self.pg.progress
            n = rest + max(0, n - rest) // epoch * epoch
        return n if left is None else max(1, min(n, left))

    def _learn_speed(self, examples: int, seconds: float) -> None:
        per_example = max(seconds / examples, 1e-9)
        self._seconds_per_example = 0.7 * self._seconds_per_example + 0.3 * per_example

    # --- messages ----------------------------------------------------------------
    def frame(self) -> Frame:
        if self._view is not None:
            return self._view_frame(self._view)
        started = time.perf_counter()
        frame = build_frame(self.pg, self._cursor, self._grids, self.playing, self.thumbnail, self._send_predictions,
                            self._send_gradients)
        frame = with_b(frame, self._b, self.playing, self.thumbnail, self._send_gradients)
        self._frame_at = (self.pg.epoch, self.pg.position)
        self._seconds_per_frame = 0.7 * self._seconds_per_frame + 0.3 * (time.perf_counter() - started)
        return frame

    def _state(self, warnings: list[str]) -> list[Outgoing]:
        """The ``state`` (and ``data`` when the points changed).

        When the network's shape or its features changed, the next frame is a key
        frame, since a page that sees a new shape drops the grids it holds. Any other
        change (a learning rate dragged on a slider, a reset) keeps the deltas: a key
        frame costs ten times a delta's deflate and bytes, for every ``set``.
        """
        layout = (self.pg.config.layer_sizes, self.pg.config.features)
        if layout != self._layout:
            self._layout = layout
            self._grids.restart()
        state = state_message(self.pg, warnings, self.playing, self.thumbnail)
        out: list[Outgoing] = [encode(state if self._b is None else self._b.state(state, self.pg))]
        if self.pg.data_version != self._data_version:
            self._data_version = self.pg.data_version
            out.append(encode(data_message(self.pg)))
        return out

    def _stopped(self) -> list[Outgoing]:
        """A stop condition holds: training pauses, a frame shows it, and the page hears which one."""
        stop = self.pg.stop
        if stop is None:
            return []
        self.phase = Phase.PAUSED
        return [self.frame(), encode(stopped_message(stop, int(self.pg.epoch)))]

    def _divergence(self) -> list[Outgoing]:
        if not self.pg.diverged:
            return []
        self.phase = Phase.PAUSED
        return [encode(diverged_message(self.pg))]


class Runner:
    """A session's lock and training turns (what the scheduler schedules)."""

    def __init__(self, session: Session, outbox: Postbox, frame_interval: float,
                 lock: threading.Lock | threading.RLock | None = None, fill_frames: bool = True) -> None:
        self.session = session
        self.outbox = outbox
        self.frame_interval = frame_interval
        # A notebook widget passes its playground's own lock, which the user's cells take too.
        self.lock = threading.Lock() if lock is None else lock
        # At max, train on in turns until the frame interval is over (see _turn_locked). A widget
        # does not: its user's cells take the playground's lock directly, and Python's locks are
        # not fair, so turns back to back would keep a cell waiting for seconds.
        self.fill_frames = fill_frames
        self.stopped_at = 0.0  # when training last stopped by itself (divergence, error)
        self.filling = False  # the next turn, due at once, only fills the frame interval (at max)
        self._frame_started: float | None = None
        # Controls waiting for the lock: turns give way to them (a lock that is free for a moment
        # between two turns goes to whichever thread asks first, mostly the training thread).
        self._controls_waiting = 0
        self._count_lock = threading.Lock()

    @property
    def training(self) -> bool:
        return self.session.training

    def control(self, message: ClientMessage) -> None:
        """Apply one validated client message (raises ProtocolError for the caller to report)."""
        with self._count_lock:
            self._controls_waiting += 1
        waiting = True
        try:
            with self.lock:
                self._stop_waiting()
                waiting = False
                self.outbox.post(self.session.handle(message), reply=True)
        finally:
            if waiting:  # the lock never came (an exception, a KeyboardInterrupt in a notebook)
                self._stop_waiting()

    def _stop_waiting(self) -> None:
        with self._count_lock:
            self._controls_waiting -= 1

    def turn(self, budget: float) -> float | None:
        """Train one slice; return when the next turn is due, or None when play stopped.

        A frame's epochs may take several turns (x100 on a big network); the
        next frame is due one frame interval after the previous one started.
        """
        now = time.monotonic()
        # A control message (a gradient check of a big network) may hold the playground for
        # long: skip this turn rather than keep a training thread from everyone else. A control
        # waiting for its turn goes first.
        if self._controls_waiting > 0 or not self.lock.acquire(blocking=False):
            return now + BUSY_RETRY
        try:
            return self._turn_locked(now, budget)
        finally:
            self.lock.release()

    def _turn_locked(self, now: float, budget: float) -> float | None:
        self.filling = False
        due = self._train_turn(now, budget)
        if due is None:
            self._frame_started = None  # the next play starts a frame interval afresh
        return due

    def _train_turn(self, now: float, budget: float) -> float | None:
        if not self.session.training:
            return None
        if self._frame_started is None:
            self._frame_started = now
        frame_time = True
        if self.fill_frames and self.session.unpaced:
            # At max the frame is done when its interval is: until then the session trains on in
            # turns that only fill time (``filling``: the scheduler gives them what no due
            # session wants), so a core no other page needs trains it all the time, not only a
            # fair slice of each frame interval.
            left = self._frame_started + self.frame_interval - now
            frame_time = left <= budget
            budget = min(budget, max(left, 0.0))
        try:
            chunk = self.session.train(budget, want_frame=not self.outbox.frame_waiting, frame_time=frame_time)
        except Exception:
            log.exception("training failed")
            self.session.phase = Phase.PAUSED
            self.outbox.post([encode(error_message("internal", "training stopped after a server error")),
                              *self._pause_frame()])
            self.stopped_at = time.monotonic()
            return None
        self.outbox.post(chunk.out)
        if not self.session.training:  # diverged, or a step is done
            self.stopped_at = time.monotonic()
            return None
        if not chunk.frame_due:
            self.filling = not frame_time  # nothing owed: only the frame interval is left to fill
            return time.monotonic()  # more of this frame's epochs, after the others' turns
        started, self._frame_started = self._frame_started, None
        return started + self.frame_interval

    def _pause_frame(self) -> list[Outgoing]:
        """A frame saying playing is over, if one can still be built after the failure."""
        try:
            return [self.session.frame()]
        except Exception:
            log.exception("no frame after the failure either")
            return []


def _only_looks(message: ClientMessage) -> bool:
    """Whether ``message`` leaves the past epoch looked at as it is (a hover's unlabelled explain too)."""
    return message.type in LOOKS or (isinstance(message, p.ExplainMessage) and message.label is None)


def _is_state(out: Outgoing) -> bool:
    return isinstance(out, str) and json.loads(out).get("type") == "state"
