"""The session of a notebook widget: the server's :class:`~app.session.Session`, on the user's playground.

Every message of the page is handled as a WebSocket's is (the same validation, the same
frames); what differs is where the playground comes from and who else may change it:

* ``hello`` does not open the link the page sends: it shows the playground the widget was
  made from (``pg.widget()``), playing on if it was.
* ``load`` (importing a model file) is refused: it would replace the user's object.
* "Stop comparing" keeping B makes the user's playground B (Compare mode's other side).
* The user's cells change that same playground (``pg.set(...)``, ``pg.step(...)``): the
  widget's thread asks :meth:`WidgetSession.catch_up` what the page must hear.
"""

from __future__ import annotations

from nn_core import Playground

from . import protocol as p
from .protocol import ProtocolError
from .server_messages import Frame, Outgoing
from .session import Chunk, Phase, Session

_OWN = frozenset({"lock", "revision"})  # what the user's playground keeps when it becomes B


class WidgetSession(Session):
    """A session whose playground is the user's own object."""

    def __init__(self, playground: Playground, thumbnail: int) -> None:
        super().__init__(thumbnail)
        self._playground = playground
        self._open(playground)  # paused, before any view says hello: widget.play() works at once
        self._shown = self._shows()  # what the last state showed (see _shows)
        self._shown_revision = playground.revision  # the playground's revision the last frame showed

    def handle(self, message: p.ClientMessage) -> list[Outgoing]:
        """As the server's; whatever the page asked for (a hover's explain, an export), its answers
        tell it, so only later changes are a cell's."""
        out = super().handle(message)
        if self._pg is not None:
            self._shown_revision = self._pg.revision
        return out

    def _hello(self, message: p.HelloMessage) -> list[Outgoing]:
        """A view opened (or reopened): everything afresh; a playground in training trains on."""
        phase = self.phase
        self._open(self._playground)
        if phase in (Phase.PLAYING, Phase.STEPPING):
            self.phase = phase
        return [*self._state(list(self.pg.warnings)), self.frame()]

    def _load(self, message: p.LoadMessage) -> list[Outgoing]:
        raise ProtocolError("invalid", "a widget shows your playground: import a model in Python with "
                                       "Playground.load(data) and make its widget")

    def _compare(self, message: p.CompareMessage) -> list[Outgoing]:
        """As the server's, but "Stop comparing" keeping B makes the user's own playground B (its
        settings, network and history): the widget and the user's cells go on sharing one object."""
        if not message.on and message.keep == "b" and self._b is not None:
            b = self._b.pg  # a fork: nothing in it is shared with the user's playground
            vars(self._playground).update({k: v for k, v in vars(b).items() if k not in _OWN})
            message = message.model_copy(update={"keep": "a"})
        return super()._compare(message)

    def _state(self, warnings: list[str]) -> list[Outgoing]:
        out = super()._state(warnings)
        self._shown = self._shows()
        return out

    def frame(self) -> Frame:
        frame = super().frame()
        self._shown_revision = self.pg.revision
        return frame

    def train(self, budget: float, want_frame: bool, frame_time: bool = True) -> Chunk:
        """A training turn, after what a cell changed since the last one (a reset stops it there)."""
        caught_up = self.catch_up()
        chunk = super().train(budget, want_frame, frame_time)
        chunk.out = [*caught_up, *chunk.out]
        return chunk

    def _shows(self) -> tuple[object, ...]:
        """What a ``state`` shows that a cell may change: settings, network (a reset) and points."""
        pg = self.pg
        return pg.config, pg.resets, pg.data_version

    def _b_follows(self, shown: tuple[object, ...]) -> None:
        """Comparing, after a cell changed A alone: B follows as it does the page's changes (a reset
        gives B A's new weights; the data, and the settings shared, go to B)."""
        a, b = self.pg, self._b
        assert b is not None
        if a.resets != shown[1]:
            b.reset(a)
            return
        b.same_data(a)
        if a.data_version != shown[2] and a.train.rows() != b.pg.train.rows():
            b.same_points(a)

    def _b_keeps_up(self) -> None:
        """Comparing: B trained up to A's point after a cell's ``pg.step``, or back to A's epoch after
        a cell's ``pg.rewind`` (when B can go back so far); in lockstep, nothing to do."""
        a, b = self.pg, self._b
        assert b is not None
        if (a.epoch, a.progress) > (b.pg.epoch, b.pg.progress):
            b.follow(a, (b.pg.epoch, b.pg.progress))
        elif (a.epoch, a.progress) < (b.pg.epoch, b.pg.progress) and a.progress == 0:
            b.rewind(a.epoch)

    def catch_up(self) -> list[Outgoing]:
        """What the page must hear of changes made from cells (call it holding the playground's lock).

        New settings, a reset or new points: a ``state`` and a frame (a reset pauses, as the
        page's own Reset does). While paused, anything else a cell did (``pg.step(100)``, a
        weight set by hand): a frame. While training, the training turns send the frames.
        """
        if self.phase in (Phase.IDLE, Phase.CLOSED):
            return []
        if self._b is not None:
            self._b_keeps_up()
        if self._shows() != self._shown:
            if self.pg.resets != self._shown[1]:
                self._after_reset()
            if self._b is not None:
                self._b_follows(self._shown)
            self._cursor.restart()  # the history may have been rewound or restarted
            return [*self._state([]), self.frame()]
        if not self.training and self.pg.revision != self._shown_revision:
            self._cursor.restart()
            return [self.frame()]
        return []
