"""Divergence, explained: when the loss blew up, and whether a layer's weights or gradients grew first.

A loss that turns NaN or infinite, or grows ``GROWTH`` times within ``WINDOW``
epochs, has diverged. The person wants to know where it started, and a way
back: the last good epoch is the lowest loss of the window before the blow-up,
and replaying from it (time travel, nn_core/snapshots.py) epoch by epoch shows
which layer's largest weight, and which layer's gradient norm (the kept last
gradient, ``Optimizer.last_gradient``), grew ``LAYER_GROWTH`` times (or
overflowed) first, and which of the two came first. Two ways back are offered:
a tenth of the learning rate, or gradient clipping at the last good epoch's
gradient norm (:attr:`Divergence.suggested_clip`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .settings import MAX_GRADIENT_CLIP

if TYPE_CHECKING:
    from .network import Network
    from .playground import Playground

WINDOW = 5  # epochs a growth is measured over
GROWTH = 100.0  # the train loss growing this many times within the window is a divergence
LAYER_GROWTH = 10.0  # a layer's largest weight (or its gradient norm) growing this many times: where it started
MAX_REPLAY = 200  # epochs replayed at most to find the layer
RECOVERIES = ("learning_rate", "clip")  # the ways back Playground.recover takes: a tenth of the rate, or clipping


@dataclass(frozen=True)
class Growth:
    """The first layer whose ``kind`` grew LAYER_GROWTH times: "weights" (its largest weight or
    bias) or "gradients" (the L2 norm of its last mean gradient, weights' and biases')."""

    kind: str
    layer: int  # weight layer, 0 = the first hidden layer's
    epoch: int  # the epoch it happened in (by its end, or in a batch of it)
    growth: float  # how many times it had grown (inf: it overflowed)
    batch: int | None = None  # the batch of that epoch, when the replay had to look inside it


@dataclass(frozen=True)
class Divergence:
    """Where a run diverged: the first bad epoch, the last good one, and what grew first."""

    epoch: int  # the first epoch whose loss is NaN/inf or GROWTH times the window's lowest
    last_good: int  # the window's lowest loss before it: where rewinding goes
    last_good_loss: float
    cause: str  # "NaN", "infinite" or "grew ×N"
    weights: Growth | None  # the first layer whose largest weight or bias grew, None when none did in the replay
    gradients: Growth | None  # the first layer whose gradient norm grew, likewise
    gradient_norm: float  # the training set's mean gradient's global L2 norm at last_good (NaN: unknown)
    depth: int  # weight layers in the network, to name the output layer
    momentum: float = 0.0  # the momentum optimizer's (0 for the others): it scales the clipping offered

    @property
    def started(self) -> Growth | None:
        """What grew first: the earlier epoch (and batch); at the same batch the gradient, which
        is what moved the weights."""
        found = [g for g in (self.gradients, self.weights) if g is not None]
        return min(found, key=lambda g: (g.epoch, -1 if g.batch is None else g.batch), default=None)

    @property
    def layer(self) -> int | None:
        """The layer where it started (its weights or its gradients), None when it cannot be told."""
        return None if self.started is None else self.started.layer

    @property
    def layer_epoch(self) -> int | None:
        """The epoch it started in, None when it cannot be told."""
        return None if self.started is None else self.started.epoch

    def layer_name(self, layer: int | None = None) -> str:
        layer = self.layer if layer is None else layer
        if layer is None:
            return ""
        return "the output layer" if layer == self.depth - 1 else f"hidden layer {layer + 1}"

    @property
    def message(self) -> str:
        text = (f"The loss diverged at epoch {self.epoch} ({self.cause}); the last good epoch is "
                f"{self.last_good} (train loss {self.last_good_loss:.4g}).")
        first = self.started
        if first is None:
            return text
        other = self.weights if first is self.gradients else self.gradients
        text += f" It started in {self.layer_name(first.layer)}'s {first.kind}: {self._grew(first, 'their ')}"
        if other is None:
            return text + f", before any layer's {_OTHER[first.kind]} grew ×{LAYER_GROWTH:g}."
        return text + f"; then the {other.kind}: {self.layer_name(other.layer)}'s {self._grew(other, '')}."

    def _grew(self, growth: Growth, their: str) -> str:
        what = their + ("largest weight or bias" if growth.kind == "weights" else "gradient norm")
        grown = "overflowed" if math.isinf(growth.growth) else f"grew ×{growth.growth:.3g}"
        when = f"epoch {growth.epoch}" if growth.batch is None else f"batch {growth.batch} of epoch {growth.epoch}"
        return f"{what} {grown} by {when}"

    @property
    def suggested_clip(self) -> float | None:
        """The gradient clipping a recovery sets, None when there is none to take: the last good
        epoch's gradient norm (the training set's mean gradient's global L2 norm at its weights), so
        no later update is steeper than that epoch's; times 1 − momentum with the momentum optimizer,
        whose velocity adds up about 1/(1 − momentum) updates; to 3 significant digits, at most
        MAX_GRADIENT_CLIP."""
        clip = self.gradient_norm * (1.0 - self.momentum)
        if not math.isfinite(clip) or clip <= 0.0:
            return None
        return min(float(f"{clip:.3g}"), MAX_GRADIENT_CLIP)

    def to_json(self) -> dict[str, Any]:
        started = self.started
        return {"epoch": self.epoch, "last_good": self.last_good, "cause": self.cause,
                "started_in": None if started is None else started.kind, "layer": self.layer,
                "layer_epoch": self.layer_epoch, "message": self.message}


_OTHER = {"weights": "gradients", "gradients": "weights"}


def onset(points: Sequence[tuple[int, float, float]]) -> tuple[int, int, float, str] | None:
    """The first diverged point of a loss history, as (epoch, last good epoch, its loss, cause)."""
    window: list[tuple[int, float]] = []
    for epoch, train, test in points:
        window = [(e, loss) for e, loss in window if e >= epoch - WINDOW]
        cause = _cause(train, test, window)
        if cause:
            if not window:
                return None  # nothing good to go back to
            good_epoch, good_loss = min(window, key=lambda point: (point[1], -point[0]))
            return epoch, good_epoch, good_loss, cause
        window.append((epoch, train))
    return None


def _cause(train: float, test: float, window: list[tuple[int, float]]) -> str:
    if math.isnan(train) or math.isnan(test):
        return "NaN"
    if math.isinf(train) or math.isinf(test):
        return "infinite"
    lowest = min((loss for _, loss in window), default=math.inf)
    if lowest > 0.0 and train > GROWTH * lowest:
        return f"grew ×{train / lowest:.3g}"
    return ""


def explain(playground: Playground) -> Divergence | None:
    """The divergence of the branch in use, or None; what grew first comes from replaying a copy."""
    found = onset(playground.history)
    if found is None:
        return None
    epoch, last_good, good_loss, cause = found
    # The replay starts where rewinding still reaches (a change since may have moved that on).
    start = max(last_good, playground.earliest_epoch)
    config = playground.config
    momentum = config.momentum if config.optimizer == "momentum" else 0.0
    if start >= min(epoch, playground.epoch):
        return Divergence(epoch, last_good, good_loss, cause, None, None, math.nan, playground.net.depth, momentum)
    weights, gradients, norm = _replay(playground, start, epoch)
    return Divergence(epoch, last_good, good_loss, cause, weights, gradients,
                      norm if start == last_good else math.nan, playground.net.depth, momentum)


@dataclass
class _Watch:
    """The layers' sizes at the start of the replay, and the first growth of each kind seen since."""

    weight_base: np.ndarray
    gradient_base: np.ndarray
    weights: Growth | None = None
    gradients: Growth | None = None

    def look(self, past: Playground, epoch: int, batch: int | None = None) -> None:
        """Compare ``past``'s layers (weights, its last update's gradient) with the start's, during
        ``epoch`` (or by its end)."""
        if self.weights is None:
            self.weights = _grown("weights", _scales(past.net), self.weight_base, epoch, batch)
        if self.gradients is None:
            norms = _norms(past.net.layer_views(past.optimizer.last_gradient))
            self.gradients = _grown("gradients", norms, self.gradient_base, epoch, batch)

    @property
    def both(self) -> bool:
        return self.weights is not None and self.gradients is not None


def _replay(playground: Playground, start: int, end: int) -> tuple[Growth | None, Growth | None, float]:
    """Replay ``start``..``end`` on a copy, epoch by epoch: the first layer whose weights and
    the first whose gradients grew LAYER_GROWTH times, and the gradient norm at ``start``.

    The gradients are measured against the training set's mean gradient at ``start``. An epoch
    keeps only its last batch's gradient, and a weight only grows by a gradient, so the epoch
    the weights grew in (unless the gradients had grown in an earlier one) is replayed again
    batch by batch to tell which came first.
    """
    past = playground.at(start)
    full = past.trainer.full_batch_gradient() / max(past.trainer.examples, 1)
    with np.errstate(over="ignore", invalid="ignore"):
        norm = float(np.linalg.norm(full[~past.net.dead]))  # the live parameters' (L1-dead links': none)
    watch = _Watch(_scales(past.net), _norms(past.net.layer_views(full)))
    for _ in range(min(end - start, MAX_REPLAY)):
        before = past.epoch
        past.step(1)
        if past.epoch == before:  # a stop condition holds
            break
        watch.look(past, past.epoch)
        if watch.both:
            break
    if watch.weights is not None and (watch.gradients is None or watch.gradients.epoch >= watch.weights.epoch):
        _inside(playground, watch)
    return watch.weights, watch.gradients, norm


def _inside(playground: Playground, watch: _Watch) -> None:
    """Replay the epoch the weights grew in, one batch (one update) at a time, and keep the first
    growth of each kind it shows: batches count from the epoch's first point, as updates do."""
    assert watch.weights is not None
    epoch = watch.weights.epoch
    past = playground.at(epoch - 1)
    inside = _Watch(watch.weight_base, watch.gradient_base)
    size = past.config.batchSize
    for batch in range(1, past.trainer.examples // size + 2):  # a carried batch may add one
        if past.epoch >= epoch or inside.both or (not past.train_examples(size) and past.progress == 0):
            break  # the epoch is over (or a stop condition holds)
        inside.look(past, epoch, batch)
    if inside.weights is not None:
        watch.weights = inside.weights
        if inside.gradients is not None:
            watch.gradients = inside.gradients


def _grown(kind: str, sizes: np.ndarray, base: np.ndarray, epoch: int, batch: int | None) -> Growth | None:
    """The most grown layer when one grew LAYER_GROWTH times (or overflowed), else None."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        growth = np.where(np.isfinite(sizes), sizes / np.maximum(base, 1e-300), np.inf)
    if not (growth >= LAYER_GROWTH).any():
        return None
    layer = int(np.argmax(growth))
    return Growth(kind, layer, epoch, float(growth[layer]), batch)


def _scales(net: Network) -> np.ndarray:
    """Each layer's largest weight or bias in absolute value (NaN counts as infinite): a bias can
    blow up the outputs while the weights stay put."""
    blocks = net.layer_views(net.params)
    return np.array([float(np.nan_to_num(np.abs(b), nan=np.inf).max(initial=0.0)) for b in blocks])


def _norms(gradients: list[np.ndarray]) -> np.ndarray:
    """Each layer's gradient L2 norm, its weights' and biases' (NaN counts as infinite)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array([float(np.linalg.norm(np.nan_to_num(g, nan=np.inf))) for g in gradients])
