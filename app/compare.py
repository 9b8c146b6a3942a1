"""Compare mode on the server: a page's second playground B beside its playground A.

B is opened from a link's ``compare=`` (nn_core/comparison.py) or forked from A
by a ``compare`` message, and follows A: every training turn trains B the same
training points A just trained (so the same epochs per frame), a reset gives
both A's new weights, new data or points go to both. A ``set`` names its side;
its shared keys (the data, the view) go to both sides. B's frames are A's
frame encoders run on B (its own history cursor and grid stream), marked
``"side": "b"`` and sent right after A's, so the page's second grid decoder
always holds B's previous grids.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace as with_fields
from typing import Any

from nn_core import Playground
from nn_core.comparison import (
    SHARED,
    ComparisonError,
    compare_part,
    compare_text,
    differences,
    link_with,
    parse_changes,
)
from nn_core.settings import config_to_json, replace

from .grid_message import GridStream
from .server_messages import Frame, HistoryCursor, Json, build_frame, encode


class SideB:
    """B, and what B's page side has been sent (its own deltas and history)."""

    def __init__(self, b: Playground) -> None:
        self.pg = b
        self.cursor = HistoryCursor()
        self.grids = GridStream()
        self.layout: tuple[tuple[int, ...], tuple[str, ...]] = ((), ())

    # --- opening -----------------------------------------------------------------
    @classmethod
    def from_link(cls, link: str) -> tuple[SideB | None, list[str]]:
        """B of a comparison link (None without ``compare=``); a bad one opens A alone, with why."""
        text = compare_text(link)
        if text is None:
            return None, []
        try:
            changes = parse_changes(text)
        except ComparisonError as error:
            return None, [f"{error} (opened without the comparison)"]
        b = Playground.from_url(link_with(link, changes))
        return cls(b), [f"B: {warning}" for warning in b.warnings]

    @classmethod
    def fork(cls, a: Playground, changes: Mapping[str, Any]) -> SideB:
        return cls(a.fork(**changes))

    def restart(self) -> None:
        """B's chart and grids sent afresh (a new B, or A's page reopened)."""
        self.cursor.restart()
        self.grids.restart()

    # --- changes ----------------------------------------------------------------
    def set(self, a: Playground, changes: Mapping[str, Any], side: str) -> list[str]:
        """``changes`` on ``side``, the shared ones on both; SettingError (nothing changed) for a bad value."""
        shared = {key: value for key, value in changes.items() if key in SHARED}
        on_a = changes if side == "a" else shared
        on_b = changes if side == "b" else shared
        replace(a.config, on_a, strict=True)  # both checked before either changes
        replace(self.pg.config, on_b, strict=True)
        warnings = a.update(on_a, strict=True) if on_a else []
        b_warnings = self.pg.update(on_b, strict=True) if on_b else []
        return warnings + [f"B: {warning}" for warning in b_warnings if warning not in warnings]

    def reset(self, a: Playground) -> None:
        """After A's reset: B is A's new network with B's differences (the same new initial weights)."""
        self.pg = a.fork(**differences(a.config, self.pg.config))
        self.restart()

    def same_data(self, a: Playground) -> None:
        """After a change of A alone to what both sides share (a new seed, more noise…): B's is A's."""
        mine = self.pg.config
        shared = {key: getattr(a.config, key) for key in SHARED if getattr(a.config, key) != getattr(mine, key)}
        if shared:
            self.pg.update(shared)

    def same_points(self, a: Playground) -> None:
        """After A's new points: B's set is A's, as they are now."""
        self.pg.set_points([list(row) for row in a.train.rows()], test=list(a.test.rows()))

    def follow(self, a: Playground, since: tuple[int, int]) -> None:
        """Train B the work A did since ``(epoch, progress)`` (B's own stop condition or
        divergence ends B's part early): on the same points, the same epochs and pieces."""
        trained = (a.epoch - since[0]) * a.epoch_cost + a.progress - since[1]
        if trained > 0 and not self.pg.diverged and self.pg.stop is None:
            self.pg.train_examples(trained)

    # --- messages ---------------------------------------------------------------
    def link(self, a: Playground) -> str:
        return a.to_url() + compare_part(a.config, self.pg.config)

    def state(self, state: Json, a: Playground) -> Json:
        """A's ``state`` with the comparison's link and B's side (its settings and network)."""
        b = self.pg
        layout = (b.config.layer_sizes, b.config.features)
        if layout != self.layout:  # the page drops B's grids for a new shape: a key frame follows
            self.layout = layout
            self.grids.restart()
        compare = {"config": config_to_json(b.config), "layer_sizes": list(b.config.layer_sizes),
                   "features": list(b.config.features), "epoch": int(b.epoch),
                   "differences": compare_part(a.config, b.config).partition("=")[2]}
        return {**state, "hash": self.link(a), "compare": compare}

    def frame(self, playing: bool, thumbnail: int, gradients: bool, epoch: int | None = None) -> Frame:
        """B's frame: A's frame encoders on B, with ``"side": "b"``; with ``epoch`` (A's page looks at
        a past epoch) B at that epoch, or B's present when B cannot go back so far."""
        past = self._past(epoch)
        if past is None:
            frame = build_frame(self.pg, self.cursor, self.grids, playing, thumbnail, False, gradients)
        else:  # the whole history up to then; the present's next frame sends it all again
            frame = build_frame(past, HistoryCursor(), self.grids, False, thumbnail, False, gradients)
            self.cursor.restart()
        return with_fields(frame, text=encode({**json.loads(frame.text), "side": "b"}))

    def _past(self, epoch: int | None) -> Playground | None:
        if epoch is None or not self.pg.earliest_epoch <= epoch < self.pg.epoch:
            return None
        return self.pg.at(epoch)

    def rewind(self, epoch: int) -> None:
        """A made a past epoch the present (a new branch): so does B, when it can go back to it."""
        if self.pg.earliest_epoch <= epoch <= self.pg.epoch:
            self.pg.rewind(epoch)
            self.cursor.restart()


def train_examples(a: Playground, b: SideB | None, examples: int) -> int:
    """``examples`` training points of A (epochs finished, as ``Playground.train_examples``), and
    the same of B when comparing."""
    since = (a.epoch, a.progress)
    done = a.train_examples(examples)
    if b is not None:
        b.follow(a, since)
    return done


def finish_epochs(a: Playground, b: SideB) -> None:
    """A's epoch in progress finished, and B trained the same points: a change meets both sides at
    an epoch's end (A alone finishes its epoch for most changes, a seek or an export)."""
    since = (a.epoch, a.progress)
    a.finish_epoch()
    b.follow(a, since)


def with_b(frame: Frame, b: SideB | None, playing: bool, thumbnail: int, gradients: bool,
           epoch: int | None = None) -> Frame:
    """A's frame, followed by B's when comparing (``epoch``: of the past epoch A's page looks at)."""
    return frame if b is None else with_fields(frame, then=b.frame(playing, thumbnail, gradients, epoch))
