"""The playground: a configuration, its data, its network and its training state.

This is the one object the CLI, the server and a Python user hold.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import numpy as np

from . import datasets, grid, initializers, link_points, metrics, optimizers, rebuild, schedules, stopping
from . import explain as one_example  # the module; Playground.explain is the method
from .datasets import Dataset
from .divergence import RECOVERIES, Divergence, explain
from .features import feature_matrix
from .gradient_check import check_gradients
from .history import History
from .jit import kernel
from .link_points import PointsKey, points_key
from .network import Network
from .optimizers import Hyper
from .rebuild import Rebuild
from .rng import SeededRandom, new_seed
from .settings import Config, config_to_json, replace
from .snapshots import Snapshot, SnapshotStore
from .training import LossEvaluator, Trainer
from .urlstate import parse_hash, to_hash
from .user_points import UserPoints, edited

EXPORT_FORMAT = "neural-playground/1"
MAX_BRANCHES = 4  # abandoned branches kept for the loss chart
MOMENT_ROWS = {"sgd": 0, "momentum": 1, "adam": 2}  # rows of Optimizer.moments each optimizer uses

Method = TypeVar("Method", bound=Callable[..., Any])


def guarded(method: Method) -> Method:
    """Run ``method`` holding the playground's lock and count it in :attr:`Playground.revision`.

    A notebook widget trains on a thread while cells call the same playground: every public
    call that reads or changes the training state takes the lock (reentrant: ``update``
    finishes an epoch through ``finish_epoch``), so a cell waits for the end of a training
    slice instead of meeting a half-trained network.
    """

    @functools.wraps(method)
    def locked(self: Playground, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.revision += 1
            return method(self, *args, **kwargs)

    return cast(Method, locked)


class Playground:
    """A live playground. Build it with :meth:`from_url`, :meth:`from_config` or :meth:`load`.

    >>> pg = Playground.from_url("#seed=0.12345&networkShape=4,2")
    >>> pg.step(5)
    >>> pg.epoch, pg.train_loss < pg.history[0][1]
    (5, True)
    >>> pg.set(learningRate=0.1, networkShape=[5, 2])  # keeps every weight that has a place
    []
    >>> [w.shape for w in pg.weights]
    [(5, 2), (2, 5), (1, 2)]
    >>> Playground.load(pg.export()).to_url() == pg.to_url()
    True
    """

    def __init__(self, config: Config, warnings: Sequence[str] = (),
                 user_points: dict[PointsKey, UserPoints] | None = None) -> None:
        # Held by every public method that trains, changes or exports (see :func:`guarded`).
        self.lock = threading.RLock()
        self.revision = 0  # bumped by each of those calls, so a viewer can tell it may have changed
        self.config: Config = config
        self.warnings: list[str] = list(warnings)  # what opening the link reported
        self.data_version: int = 1  # bumped by every new set of points, so a viewer knows to redraw them
        # Regression points apart from each number of classes' points: a value is no class label,
        # nor is class 2 of three classes one of two (keyed by link_points.points_key).
        self._user_points: dict[PointsKey, UserPoints] = dict(user_points or {})
        self._config_link: tuple[Config, str] | None = None  # to_hash of the config it names (every state sends it)
        # The confusion matrices of one evaluation: ((its evaluator, its count), train's and test's).
        self._confusions_of: tuple[tuple[LossEvaluator, int], dict[str, np.ndarray]] | None = None
        # The seed's stream draws the data, then the weights; train and test are its points.
        self.rng: SeededRandom
        self.train: Dataset
        self.test: Dataset
        self.rng, self.train, self.test = self._new_data()
        self.net: Network = self._new_network(keep=None)
        self.optimizer: optimizers.Optimizer = self._new_optimizer()
        self.trainer: Trainer = self._new_trainer()
        self.evaluate: LossEvaluator = self._new_evaluator()
        self.hyper: Hyper = self._hyper()
        self.epoch: int = 0
        self.position: int = 0  # training points of the epoch in progress already trained (a cut epoch)
        self.resets: int = 0  # how many times the network was drawn afresh (Reset, or a change that resets)
        self.train_loss: float
        self.test_loss: float
        self.train_loss, self.test_loss = self._losses()
        self._best = stopping.BestTestLoss(self.epoch, self.test_loss)  # early stopping's patience
        self._history: History = self._new_history()
        self._snapshots = SnapshotStore()  # the branch in use, for rewind (nn_core/snapshots.py)
        self._abandoned: list[list[tuple[int, float, float]]] = []  # branches left by a rewind
        self._capture(anchor=True)

    # --- construction -----------------------------------------------------
    @classmethod
    def from_url(cls, url_or_hash: str) -> Playground:
        """Open a link (ours or TensorFlow Playground's, with the user's points if it carries them);
        never raises."""
        config, warnings = parse_hash(url_or_hash)
        if not isinstance(url_or_hash, str):
            return cls(config, warnings)
        own, unread = link_points.from_link(url_or_hash, config)
        return cls(config, warnings + unread, own)

    @classmethod
    def from_config(cls, config: Config) -> Playground:
        if not config.seed:
            config = dataclasses.replace(config, seed=new_seed())
        return cls(config)

    # --- read-only views ----------------------------------------------------
    @property
    def weights(self) -> list[np.ndarray]:
        """Per layer (first hidden first, output last): ``(n_out, n_in)``."""
        return [w.copy() for w in self.net.weights]

    @property
    def biases(self) -> list[np.ndarray]:
        return [b.copy() for b in self.net.biases]

    @property
    def dead(self) -> list[np.ndarray]:
        """L1-dead links, same shapes as :attr:`weights`."""
        return [d.copy() for d in self.net.dead_links]

    @property
    def gradients(self) -> list[np.ndarray]:
        """The last update's mean gradient of the loss (Σ over its batch / the batch's count) per
        weight, in the orientation of :attr:`weights`; zeros before the first update.

        Kept by the compiled update itself (nn_core/optimizers.py), so it is the very gradient
        training applied, without the regularizer's penalty.
        """
        return [g.copy() for g in self.net.weight_views(self.optimizer.last_gradient)]

    @property
    def gradient_sizes(self) -> list[float]:
        """Per weight layer (first hidden first, output last), the root mean square of
        :attr:`gradients`: a vanishing gradient shows as a first layer's size far below the
        output's, an exploding one as sizes that grow without bound."""
        gradient = self.optimizer.last_gradient
        layer_of, counts = self.net.weight_layers
        sums = np.zeros(len(counts) + 1)  # the last: the biases'
        _add_squares_by_layer(gradient, layer_of, sums)
        layers = list(zip(sums[:-1].tolist(), counts, strict=True))
        if all(count and _SAFE_SQUARES[0] <= total <= _SAFE_SQUARES[1] for total, count in layers):
            return [math.sqrt(total / count) for total, count in layers]  # one pass: the usual case
        # an exploding gradient's squares overflow (or a layer has no weights): scaled, per layer
        return [_root_mean_square(g) for g in self.net.weight_views(gradient)]

    @property
    def history(self) -> list[tuple[int, float, float]]:
        """``(epoch, train_loss, test_loss)`` since the last reset, thinned when long: the branch in
        use (after :meth:`rewind`, the epochs up to where it went back, then the new ones);
        a copy, read under the lock, so a widget's training thread may add to it meanwhile."""
        with self.lock:
            return self._history.points()

    def recent_history(self, count: int) -> list[tuple[int, float, float]]:
        """The newest ``count`` points of :attr:`history` (a copy of those alone: a frame's read)."""
        with self.lock:
            return self._history.recent(count)

    @property
    def branches(self) -> list[list[tuple[int, float, float]]]:
        """The abandoned branches' losses, oldest first (each from the epoch it left the branch in
        use), until a reset: what the loss chart shows faded."""
        return [list(points) for points in self._abandoned]

    @property
    def earliest_epoch(self) -> int:
        """The first epoch :meth:`rewind` can still go back to (the snapshot budget thins old ones;
        a change of network, data, optimizer or batch size starts afresh from its epoch)."""
        return self._snapshots.earliest

    @property
    def snapshot_epochs(self) -> list[int]:
        """The epochs snapshots hold, oldest first (others are replayed from the nearest before)."""
        return self._snapshots.epochs

    @property
    def snapshot_bytes(self) -> int:
        """Bytes the snapshots for :meth:`rewind` hold (at most :data:`nn_core.snapshots.SNAPSHOT_BUDGET`)."""
        return self._snapshots.nbytes

    @property
    def diverged(self) -> bool:
        return not (math.isfinite(self.train_loss) and math.isfinite(self.test_loss))

    @property
    def metrics(self) -> dict[str, float]:
        """Classification: ``train_accuracy``, ``test_accuracy``; regression: ``train_r2``, ``test_r2``,
        ``train_mae``, ``test_mae`` (NaN where a set has nothing to measure). See nn_core/metrics.py.

        Read from the outputs the last loss evaluation computed: no forward pass of its own.
        """
        if self.config.problem == "classification":
            confusions = self._confusions()
            return {f"{which}_accuracy": metrics.accuracy_of(confusions[which]) for which in ("test", "train")}
        return metrics.regression_metrics(self._scored("train"), self._scored("test"))

    def confusion(self, which: str = "test") -> np.ndarray:
        """The K×K confusion matrix of the ``"train"`` or ``"test"`` points: rows true class, columns
        predicted (K = 2: index 0 is the label −1, index 1 the label +1)."""
        self._classifying("confusion")
        if which not in ("train", "test"):
            raise ValueError(f"expected 'train' or 'test', got {which!r}")
        return self._confusions()[which].copy()

    def _confusions(self) -> dict[str, np.ndarray]:
        """Both sets' confusion matrices from the last loss evaluation's outputs, worked out once per
        evaluation: every frame reads them, and the accuracies, often of the same evaluation."""
        key = (self.evaluate, self.evaluate.evaluations)
        if self._confusions_of is None or self._confusions_of[0] != key:
            outputs = self.evaluate.outputs  # a column per output neuron: one is the (n,) form
            pair = metrics.confusion_matrices(outputs, self.evaluate.labels, self.evaluate.cut, outputs.shape[1] == 1)
            self._confusions_of = (key, {"train": pair[0], "test": pair[1]})
        return self._confusions_of[1]

    def predicted_classes(self, which: str = "test") -> np.ndarray:
        """Each ``"train"`` or ``"test"`` point's predicted class index, in the points' order."""
        self._classifying("predicted_classes")
        return metrics.predicted_classes(self._scored(which)[0])

    @property
    def learning_rate(self) -> float:
        """The rate the next epoch trains with: the schedule's at this epoch (nn_core/schedules.py)."""
        return schedules.learning_rate(self.config, self.epoch)

    @property
    def stop(self) -> stopping.Stop | None:
        """The stop condition that holds now, or None; :meth:`step` trains no epoch while one does."""
        return stopping.check(self.config, self.epoch, self.test_loss, len(self.test),
                              lambda: metrics.accuracy(*self._scored("test")), self._best)

    @property
    def loss_name(self) -> str:
        """The loss in force: cross-entropy applies to classification only."""
        return rebuild.loss_in_force(self.config)

    def outputs(self, which: str) -> np.ndarray:
        """The network's outputs for the ``"train"`` or ``"test"`` points, in their order.

        Shape ``(n,)`` with one output (two classes: in [−1, 1], class +1 where ≥ 0;
        regression: the value), ``(n, K)`` class probabilities with K ≥ 3 classes
        (the predicted class is the argmax). The labels are :meth:`labels`.
        """
        points = self._points_of(which)
        return self._forward(points.x, points.y)

    def labels(self, which: str) -> np.ndarray:
        """The labels of the ``"train"`` or ``"test"`` points: ±1 for two classes, class
        indices 0…K−1 (as floats) for K ≥ 3, values for regression."""
        return self._points_of(which).label.copy()

    def _points_of(self, which: str) -> Dataset:
        if which not in ("train", "test"):
            raise ValueError(f"expected 'train' or 'test', got {which!r}")
        return self.train if which == "train" else self.test

    def to_url(self) -> str:
        """The link of this playground: its settings' (worked out once per config), then its points'."""
        if self._config_link is None or self._config_link[0] is not self.config:
            self._config_link = (self.config, to_hash(self.config))
        return self._config_link[1] + link_points.link_part(self.config, self._user_points)

    @property
    def points_left_out_of_link(self) -> bool:
        """The user's points in use are more than a link carries: :meth:`to_url` opens without them."""
        return link_points.left_out(self.config, self._user_points)

    # --- training -----------------------------------------------------------
    @guarded
    def step(self, epochs: int = 1) -> None:
        """Train ``epochs`` epochs (the first finishes an epoch in progress), each with its
        scheduled learning rate; each records the train and test loss. A stop condition that
        holds (:attr:`stop`) ends it early, at that very epoch.

        Overflow is an outcome here, not an error: it shows as :attr:`diverged`.
        """
        watch = stopping.any_condition(self.config)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(epochs):
                if watch and self._stop_holds():
                    return
                self._finish()

    @guarded
    def train_examples(self, examples: int) -> int:
        """Spend ``examples`` training examples' worth of work, across epochs; return the epochs finished.

        This cuts an epoch that takes longer than a server's time slice (a big
        network at batch size 1) into pieces: its training points, then its
        end-of-epoch losses in chunks of points (each costs
        :data:`nn_core.training.CHUNK_COST` examples), so an epoch costs
        :attr:`epoch_cost`. The next call resumes where this one stopped, and the
        epochs come out bit for bit as :meth:`step` trains them. With no points at
        all each example is an (empty) epoch, as :meth:`step`'s.
        """
        finished = 0
        watch = stopping.any_condition(self.config)
        with np.errstate(over="ignore", invalid="ignore"):
            while examples > 0:
                if watch and self._stop_holds():
                    break
                epoch = self.epoch
                examples -= self._advance(examples)
                finished += self.epoch - epoch
        return finished

    @property
    def epoch_cost(self) -> int:
        """What an epoch costs :meth:`train_examples`: its training points and its losses' chunks."""
        return max(1, self.trainer.examples + self.evaluate.cost)

    @property
    def progress(self) -> int:
        """What of :attr:`epoch_cost` the epoch in progress has spent."""
        return self.position + self.evaluate.spent

    @guarded
    def finish_epoch(self) -> None:
        """Train (and evaluate) the rest of an epoch in progress, if any: changes apply between epochs."""
        if self.progress:
            with np.errstate(over="ignore", invalid="ignore"):
                self._finish()

    def _advance(self, budget: int) -> int:
        """Spend about ``budget`` on the epoch in progress: training points first, then chunks of
        its evaluation (at least one); at its end count it. Return what it spent."""
        if self.position < self.trainer.examples:
            before = self.position
            self._train_to(min(self.trainer.examples, self.position + budget))
            return self.position - before
        before = self.evaluate.spent
        self.evaluate.advance(self.net, budget)
        spent = self.evaluate.spent - before
        if self.evaluate.complete:
            self._end_epoch()
        return max(1, spent)

    def _finish(self) -> None:
        """Train and evaluate the rest of the epoch in progress, and count it."""
        self._train_to(self.trainer.examples)
        while not self.evaluate.complete:
            self.evaluate.advance(self.net, self.evaluate.cost)
        self._end_epoch()

    def _train_to(self, last: int) -> None:
        """Train the epoch in progress up to point ``last``."""
        if schedules.scheduled(self.config):
            self.hyper.learning_rate = self.learning_rate
        self.trainer.train(self.hyper, self.position, last)
        self.position = last

    def _end_epoch(self) -> None:
        """The epoch's training and evaluation are done: count it and record its losses."""
        self.position = 0
        self.epoch += 1
        self.train_loss, self.test_loss = self.evaluate.losses()
        self._history.add(self.epoch, self.train_loss, self.test_loss)
        self._best.observe(self.epoch, self.test_loss)
        if self._snapshots.due(self.epoch):
            self._capture()

    def _stop_holds(self) -> bool:
        """A stop condition holds between epochs (one never cuts an epoch in progress)."""
        return self.progress == 0 and self.stop is not None

    # --- time travel --------------------------------------------------------
    @guarded
    def rewind(self, epoch: int) -> None:
        """Go back to ``epoch`` of the branch in use and make it the present: training on from
        here gives, bit for bit, the losses it gave the first time (with the same settings).

        The epochs after it become an abandoned branch (:attr:`branches`); an epoch between two
        snapshots is replayed from the nearest one before it. ValueError outside
        :attr:`earliest_epoch`..:attr:`epoch`. An epoch in progress is dropped.
        """
        if isinstance(epoch, bool) or not isinstance(epoch, int) or not self.earliest_epoch <= epoch <= self.epoch:
            raise ValueError(f"epoch: expected a whole number from {self.earliest_epoch} to {self.epoch}, "
                             f"got {epoch!r}")
        left = [point for point in self._history.points() if point[0] >= epoch]
        if len(left) > 1:
            self._abandoned = [*self._abandoned, left][-MAX_BRANCHES:]
        snapshot = self._snapshots.nearest(epoch)
        assert snapshot is not None  # the store is never empty and epoch ≥ its oldest
        self._restore(snapshot)
        with np.errstate(over="ignore", invalid="ignore"):
            while self.epoch < epoch:
                self._finish()

    @guarded
    def at(self, epoch: int) -> Playground:
        """A separate playground at ``epoch`` of this one's branch, this one untouched: a look at the
        past (its network, maps and losses) that keeps the future. ValueError as :meth:`rewind`."""
        past = self._copy()
        past.rewind(epoch)
        past._abandoned = []
        return past

    @guarded
    def fork(self, **changes: Any) -> Playground:
        """A second playground on the same data with the same current weights and training state,
        then ``changes`` applied to it alone (forgiving, as :meth:`set`; its warnings in ``warnings``)."""
        self.finish_epoch()
        other = self._copy()
        other.warnings = other.set(**changes)
        return other

    @property
    def divergence(self) -> Divergence | None:
        """Where the loss blew up (NaN/inf, or ×100 within a few epochs), whether a layer's weights or
        its gradients grew first, and the clipping a recovery would set; None while it has not.
        See nn_core/divergence.py."""
        return explain(self)

    @guarded
    def recover(self, how: str = "learning_rate") -> Divergence:
        """Rewind to the last good epoch before the divergence (a new branch) and change one setting:
        ``"learning_rate"`` divides the learning rate by 10, ``"clip"`` sets ``gradientClip`` to
        the last good epoch's gradient norm (:attr:`Divergence.suggested_clip`). ValueError when
        the loss has not diverged, or that epoch can no longer be gone back to."""
        if how not in RECOVERIES:
            raise ValueError(f"how: expected one of {', '.join(RECOVERIES)}, got {how!r}")
        found = self.divergence
        if found is None:
            raise ValueError("the loss has not diverged")
        if not self.can_recover(found):
            raise ValueError(f"epoch {found.last_good}, the last good one, can no longer be gone back to"
                             " (a change of network, data, optimizer or batch size since)")
        clip = found.suggested_clip
        if how == "clip" and clip is None:
            raise ValueError(f"epoch {found.last_good} has no gradient norm to clip at")
        self.rewind(found.last_good)
        self.set(**({"learningRate": self.config.learningRate / 10} if how == "learning_rate"
                    else {"gradientClip": clip}))
        return found

    def can_recover(self, found: Divergence) -> bool:
        """Whether :meth:`recover` can still go back to ``found``'s last good epoch."""
        return found.last_good >= self.earliest_epoch

    def __getstate__(self) -> dict[str, Any]:
        """The state without :attr:`lock` (a lock cannot be copied or pickled: a copy gets its own)
        and without the caches of results (a copy works them out again when asked)."""
        return {name: value for name, value in vars(self).items() if name not in _NOT_COPIED}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self.lock = threading.RLock()
        self._config_link = self._confusions_of = None  # also for a playground pickled before they existed

    def _copy(self) -> Playground:
        """A deep copy whose snapshot store shares the (immutable) snapshots."""
        store = self._snapshots
        other: Playground = copy.deepcopy(self, {id(store): store.copy()})
        return other

    def _capture(self, anchor: bool = False) -> None:
        """Snapshot the state at this epoch's end (an anchor: a change was made here)."""
        net, trainer, optimizer = self.net, self.trainer, self.optimizer
        count = trainer.carry_count
        self._snapshots.add(Snapshot(
            self.epoch, self.config, net.params.copy(), net.dead.copy() if net.dead.any() else None,
            trainer.carry.copy() if count else None, count, optimizer.moments[:MOMENT_ROWS[optimizer.name]].copy(),
            int(optimizer.steps[0]), self._best.epoch, self._best.loss, self.train_loss, self.test_loss, anchor))

    def _restore(self, snapshot: Snapshot) -> None:
        """Put the state of ``snapshot`` back (same network, data, optimizer and trainer kind)."""
        self._snapshots.truncate(snapshot.epoch)
        self._history.truncate(snapshot.epoch)
        self.config = snapshot.config
        self.hyper = self._hyper()
        net, trainer, optimizer = self.net, self.trainer, self.optimizer
        net.params[:] = snapshot.params
        net.dead[:] = False if snapshot.dead is None else snapshot.dead
        trainer.carry[:] = 0.0 if snapshot.carry is None else snapshot.carry
        trainer.carry_count = snapshot.carry_count
        optimizer.moments[:] = 0.0
        optimizer.moments[:snapshot.moments.shape[0]] = snapshot.moments
        optimizer.steps[0] = snapshot.steps
        # Not kept (it would cost a page's memory budget a third more): "Show gradients" has no
        # last update to draw until the next one, rather than the abandoned future's.
        optimizer.last_gradient[:] = 0.0
        self.epoch, self.position = snapshot.epoch, 0
        self.evaluate.restart()
        self._best = stopping.BestTestLoss(snapshot.best_epoch, snapshot.best_loss)
        self.train_loss, self.test_loss = self._losses()  # the same values, and the metrics' outputs

    @guarded
    def reset(self) -> None:
        """New initial weights from the continuing stream (the original's Reset); same data."""
        self._abandoned = []
        self.net = self._new_network(keep=None)
        self.optimizer = self._new_optimizer()
        self._rebuild_trainer()
        self._restart_history()
        self.resets += 1

    def regenerate(self) -> None:
        """A new seed and so new data; the weights stay."""
        self.set(seed=new_seed())

    # --- changes ------------------------------------------------------------
    def set(self, **changes: Any) -> list[str]:
        """Change settings, forgiving: see :meth:`update`."""
        return self.update(changes)

    @guarded
    def update(self, changes: Mapping[str, Any], strict: bool = False) -> list[str]:
        """Change settings in one step; return the warnings. Keeps what it can.

        Same shape: weights and epoch stay. New shape: every weight whose ends
        still exist stays, only new ones are drawn. New data: weights stay. A
        new initialisation scheme only means something for fresh weights, so
        it resets the network. With ``keepWeights`` off, every change that resets
        the network in the original resets it here (new weights, epoch 0). A
        value a setting cannot take becomes a warning, or with ``strict`` (the
        page's messages) a :class:`SettingError` raised before anything changes.
        """
        old = self.config
        config, warnings = replace(old, changes, strict)  # a refused change leaves everything as it was
        self.finish_epoch()
        self.config = config
        stale = rebuild.plan(old, self.config)
        if stale.loss_fallback:
            warnings.append("loss: cross-entropy applies to classification; using squared error")
        self._rebuild(stale, old.features)
        return warnings

    @guarded
    def set_points(self, rows: Any, mode: str = "replace", test: Any = None) -> None:
        """Use the user's ``[x, y, label]`` rows as this problem type's data (raises PointsError).

        ``add`` and ``remove`` edit the data in use: the first edit of a generated dataset keeps
        its points, which become the user's. See :func:`nn_core.user_points.edited`.
        """
        regression = self.config.problem == "regression"
        custom = datasets.CUSTOM_NAMES[regression]
        self.finish_epoch()
        key = points_key(self.config, regression)
        current = self._own(key)
        if self.config.data_source != custom:
            current = UserPoints.adopted(self.train, self.test, self.config.percTrainData, regression)
        self._user_points[key] = edited(current, mode, rows, test, regression, self.config.percTrainData, key[1])
        if self.config.data_source == custom:
            self._rebuild(Rebuild(data=True, trainer=True), self.config.features)
        else:
            self.update({self.config.dataset_key: custom})

    @guarded
    def set_weight(self, layer: int, node: int, source: int, value: float) -> None:
        """Set one weight (and revive its link if L1 had killed it); ValueError if bad."""
        _check_finite(value)
        self.finish_epoch()
        layer = _index(layer, self.net.depth)
        node = _index(node, self.net.sizes[layer + 1])
        source = _index(source, self.net.sizes[layer])
        self.net.weights[layer][node, source] = value
        self.net.dead_links[layer][node, source] = False
        self._update_losses()

    @guarded
    def set_bias(self, layer: int, node: int, value: float) -> None:
        """Set one bias; ValueError if bad."""
        _check_finite(value)
        self.finish_epoch()
        layer = _index(layer, self.net.depth)
        node = _index(node, self.net.sizes[layer + 1])
        self.net.biases[layer][node] = value
        self._update_losses()

    @guarded
    def resume(self, epoch: Any, weights: Any, biases: Any, history: Any = None) -> None:
        """Continue from saved weights and epoch (validated against the shape); ``history``'s
        points before ``epoch`` (``[epoch, train, test]`` rows) keep the loss chart's past."""
        new_weights = _validated_layers(weights, [w.shape for w in self.net.weights], "weights")
        new_biases = _validated_layers(biases, [b.shape for b in self.net.biases], "biases")
        if not isinstance(epoch, int) or isinstance(epoch, bool) or not 0 <= epoch < 10**9:
            raise ValueError("epoch: expected a whole number ≥ 0")
        for target, value in zip(self.net.weights, new_weights, strict=True):
            target[...] = value
        for target, value in zip(self.net.biases, new_biases, strict=True):
            target[...] = value
        self.net.dead[:] = False
        self.optimizer = self._new_optimizer()
        self._rebuild_trainer(keep_carry=False)  # no carried gradient, no momentum from other weights
        self._restart_history(epoch)
        if history:
            self._history = History.from_points(_earlier(history, epoch) + self._history.points(),
                                                self._history.points())

    # --- one example, one step ------------------------------------------------
    def predict(self, points: Any) -> np.ndarray:
        """The network's outputs for an array of ``(x, y)`` points: ``(n,)`` with one output,
        ``(n, K)`` class probabilities with K classes (as :meth:`outputs`); ValueError if bad.
        Under the lock (not counted in :attr:`revision`: it changes nothing)."""
        xy = _points_array(points)
        with self.lock:
            return self._forward(xy[:, 0], xy[:, 1])

    def _forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The outputs at points ``(x, y)``: ``(n,)`` with one output neuron, else ``(n, K)``."""
        with np.errstate(over="ignore", invalid="ignore"):
            values = self.net.forward(feature_matrix(self.config.features, x, y))
        return values[:, 0].copy() if values.shape[1] == 1 else values

    @guarded
    def explain(self, x: float, y: float, label: float | None = None) -> dict[str, Any]:
        """One example through the network, by the kernels that train (nn_core/explain.py).

        ``{"inputs", "output", "loss", "layers": [{"z", "a"} per layer after the inputs]}``;
        with a ``label`` (the convention of :meth:`labels`) each layer also has ``delta``
        (dE/dz), ``weight_grad`` (``[j][i]``: the link from node i below to node j, as
        :attr:`weights`), ``bias_grad``, and ``new_weights``/``new_biases``: what one
        training step of batch size 1 on this example would make of them at the current
        optimizer, scheduled learning rate and regularization (:meth:`apply_example`
        performs exactly that step). A label means a step is being explained, so an
        epoch in progress is finished first, as every change does. ValueError if bad.
        """
        example = self._example(x, y, label)
        if example.gradient is None:
            return one_example.report(example)
        after = one_example.step_update(example, self.optimizer, self.hyper, self.learning_rate)
        return one_example.report(example, after)

    @guarded
    def apply_example(self, x: float, y: float, label: float) -> dict[str, Any]:
        """Perform the training step :meth:`explain` shows for this example; return that explanation.

        The optimizer's state advances (momentum, Adam's step count); the carried gradient of
        an unfinished batch is left alone. It is no epoch: like a weight edited by hand it
        changes the weights (which the export and a resumed session carry) and the losses.
        """
        shown = self.explain(x, y, label)
        example = self._example(x, y, label)
        assert example.gradient is not None  # a label was checked
        one_example.apply_step(self.net, example.gradient, self.optimizer, self.hyper, self.learning_rate)
        self._update_losses()
        return shown

    def _example(self, x: Any, y: Any, label: Any) -> one_example.Example:
        _check_finite(x)
        _check_finite(y)
        if label is not None:
            label = one_example.check_label(label, self.config.problem, self.config.classes,
                                         self.config.multiclass)
            self.finish_epoch()
        return one_example.run(self.net, self.config.features, self.loss_name, x, y, label)

    # --- in a notebook ---------------------------------------------------------
    def widget(self) -> Any:
        """This playground live in a notebook: the page's diagram, maps, chart and controls,
        training on a thread of the kernel (app/widget.py). Changes made in it change this
        object, and ``set`` and the other calls made from cells show in it. Needs the
        ``notebook`` extra (anywidget); raises ImportError naming it when missing."""
        from app.widget import PlaygroundWidget  # the web side, imported only when asked for

        return PlaygroundWidget(self)

    # --- views for drawing and checking --------------------------------------
    def boundaries(self, resolution: int = grid.THUMBNAIL_RESOLUTION,
                   output_resolution: int = grid.OUTPUT_RESOLUTION) -> grid.Boundaries:
        """Every neuron's map over [−6, 6]² from one forward pass of the grid (under the lock, as
        :meth:`predict`: a widget's thread may be training)."""
        with self.lock:
            return grid.boundaries(self.net, self.config.features, resolution, output_resolution)

    @guarded
    def gradient_check(self) -> dict[str, Any]:
        """Backprop's gradients against central differences, per layer."""
        return check_gradients(self.net, self.train, self.config.features, self.loss_name, self.hyper)

    @guarded
    def export(self) -> dict[str, Any]:
        """Everything needed to rebuild this playground, as JSON-able data (at an epoch's end)."""
        self.finish_epoch()
        data: dict[str, Any] = {
            "format": EXPORT_FORMAT,
            "hash": self.to_url(),
            "config": config_to_json(self.config),
            "epoch": self.epoch,
            "weights": [w.tolist() for w in self.net.weights],
            "biases": [b.tolist() for b in self.net.biases],
            "history": [list(point) for point in self.history],
        }
        own = self._own_points()
        if own is not None and len(own):
            data["points"], data["test_points"] = own.train.rows(), own.test.rows()
        return data

    @classmethod
    def load(cls, data: Any) -> Playground:
        """Rebuild an exported playground (raises ValueError on anything malformed)."""
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise ValueError(f"not a {EXPORT_FORMAT} export")
        if not isinstance(data.get("hash"), str):
            raise ValueError("hash: expected the playground's link")
        playground = cls.from_url(data["hash"])
        if data.get("points"):
            try:
                playground.set_points(data["points"], test=data.get("test_points"))
            except datasets.PointsError as error:
                raise ValueError(f"points: {error}") from None
        playground.resume(data.get("epoch"), data.get("weights"), data.get("biases"))
        playground._history = History.from_points(data.get("history") or [], playground._history.points())
        return playground

    # --- internals --------------------------------------------------------------
    def _rebuild(self, stale: Rebuild, old_features: tuple[str, ...]) -> None:
        """Rebuild what a change made stale, in :class:`Rebuild`'s order (new data draws the
        new weights from the new seed's stream), then the hyper-parameters and the losses."""
        if stale.data:
            self.rng, self.train, self.test = self._new_data()
            self.data_version += 1
        if stale.reset:  # fresh weights straight after the data, from the same stream as the original
            self.reset()
        else:
            self._keep_what_fits(stale, old_features)
        if stale.data or stale.network or stale.optimizer or stale.trainer:
            self._snapshots.clear()  # a snapshot restores into this network, data and trainer only
        self.hyper = self._hyper()
        self._update_losses(evaluate=stale.losses)

    def _keep_what_fits(self, stale: Rebuild, old_features: tuple[str, ...]) -> None:
        """A new network keeps every weight that still has a place; then optimizer and trainer."""
        if stale.network:
            self.net = self._new_network(initializers.KeptParameters(self.net, old_features))
        if stale.optimizer:
            self.optimizer = self._new_optimizer()
        if stale.trainer:
            self._rebuild_trainer()

    def _new_data(self) -> tuple[SeededRandom, Dataset, Dataset]:
        """The seed's random stream and the train and test points it (or the user) gives."""
        config = self.config
        rng = SeededRandom(config.seed)
        if datasets.is_custom(config.data_source):
            key = points_key(config, config.problem == "regression")
            own = self._own(key).at_ratio(config.percTrainData)
            self._user_points[key] = own
            train, test = own.train, own.test
        else:
            regression = config.problem == "regression"
            all_points = datasets.generate(config.data_source, rng, config.noise, regression, config.classes)
            train, test = datasets.split(all_points, config.percTrainData)
        return rng, train, test

    def _own_points(self) -> UserPoints | None:
        """The user's points when they are the data in use."""
        if not datasets.is_custom(self.config.data_source):
            return None
        return self._own(points_key(self.config, self.config.problem == "regression"))

    def _own(self, key: PointsKey) -> UserPoints:
        """The user's points of one kind (none yet: an empty set)."""
        return self._user_points.get(key) or UserPoints.empty(self.config.percTrainData)

    def _new_network(self, keep: initializers.KeptParameters | None) -> Network:
        config = self.config
        output = "softmax" if config.multiclass else "tanh" if config.problem == "classification" else "linear"
        net = Network.zeros(config.layer_sizes, config.activation, output)
        initializers.build(net, config.features, self.rng, config.init, config.initZero, keep)
        return net

    def _new_optimizer(self) -> optimizers.Optimizer:
        return optimizers.make(self.config.optimizer, self.net.params.size)

    def _new_trainer(self, previous: Trainer | None = None) -> Trainer:
        """A trainer for the current net and data; ``previous``'s partial batch survives if it fits."""
        config = self.config
        trainer = Trainer(self.net, self.train, config.features, config.batchSize, self.loss_name, self.optimizer)
        if previous is not None and previous.net is self.net and previous.carry.shape == trainer.carry.shape:
            trainer.carry, trainer.carry_count = previous.carry, previous.carry_count
        return trainer

    def _new_evaluator(self) -> LossEvaluator:
        return LossEvaluator(self.net, self.train, self.test, self.config.features, self.loss_name)

    def _rebuild_trainer(self, keep_carry: bool = True) -> None:
        """New trainer and evaluator for new data, net, batch, loss or optimizer."""
        self.trainer = self._new_trainer(self.trainer if keep_carry else None)
        self.position = 0  # new points or a new network: the next epoch starts at the first point
        self.evaluate = self._new_evaluator()
        self._confusions_of = None  # they belong to the old evaluator's outputs (and would keep it alive)
        self.hyper = self._hyper()

    def _hyper(self) -> Hyper:
        c = self.config
        return Hyper(c.learningRate, c.regularization, c.regularizationRate, c.momentum, c.beta1, c.beta2,
                     c.gradientClip)

    def _losses(self) -> tuple[float, float]:
        """Train and test loss now; a huge weight may overflow, which shows as :attr:`diverged`."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self.evaluate(self.net)

    def _update_losses(self, evaluate: bool = True) -> None:
        """The losses after a change; early stopping's patience and a new branch start here (an
        evaluation in pieces in progress starts again: its first pieces saw other weights).

        ``evaluate=False``: the change left the points, the weights and the loss function as they
        were (a learning rate dragged on its slider), so the losses of the epoch's end still hold.
        """
        if evaluate:
            self.evaluate.restart()
            self.train_loss, self.test_loss = self._losses()
        self._best = stopping.BestTestLoss(self.epoch, self.test_loss)
        self._snapshots.truncate(self.epoch)
        self._capture(anchor=True)

    def _scored(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        """The ``"train"`` or ``"test"`` points' outputs (from the last loss evaluation) and labels."""
        cut, outputs = self.evaluate.cut, self.evaluate.outputs
        if outputs.shape[1] == 1:  # one output neuron: the (n,) form of the metrics
            outputs = outputs[:, 0]
        if which == "train":
            return outputs[:cut].copy(), self.train.label
        if which == "test":
            return outputs[cut:].copy(), self.test.label
        raise ValueError(f"expected 'train' or 'test', got {which!r}")

    def _classifying(self, what: str) -> None:
        if self.config.problem != "classification":
            raise ValueError(f"{what}: a regression has no classes")

    def _new_history(self) -> History:
        history = History()
        history.add(self.epoch, self.train_loss, self.test_loss)
        return history

    def _restart_history(self, epoch: int = 0) -> None:
        self.epoch = epoch
        self._snapshots.clear()
        self._update_losses()
        self._history = self._new_history()


def _earlier(rows: Any, epoch: int) -> list[Any]:
    """The rows of a history before ``epoch`` (malformed rows are History.from_points' to refuse)."""
    if not isinstance(rows, list):
        return []
    return [row for row in rows if isinstance(row, (list, tuple)) and row and isinstance(row[0], (int, float))
            and not isinstance(row[0], bool) and row[0] < epoch]


# What __getstate__ leaves out of a copy or a pickle: the lock, and caches of results.
_NOT_COPIED = frozenset({"lock", "_config_link", "_confusions_of"})

# Sums of squares between these are neither overflowed nor (partly) lost to underflow.
_SAFE_SQUARES = (1e-280, 1e280)


@kernel
def _add_squares_by_layer(values: np.ndarray, layer_of: np.ndarray, sums: np.ndarray) -> None:
    """``sums[layer] += value²`` for each value, in order (as ``np.bincount`` adds its weights):
    a frame's gradient sizes in one call, with no squares array and no floating-point warnings."""
    for i in range(values.size):
        sums[layer_of[i]] += values[i] * values[i]


def _root_mean_square(values: np.ndarray) -> float:
    """sqrt(mean(v²)); every frame sends one per layer, so the usual case is one dot product.
    Outside :data:`_SAFE_SQUARES` (or for NaN or infinity) it is scaled by the largest |v|
    first, so an exploding gradient's square cannot overflow (a NaN or infinite entry makes it
    NaN or infinite, as it should)."""
    flat = values.ravel()  # a copy of a layer's strided view: its weights, not its biases
    squares = float(flat.dot(flat)) if flat.size else 0.0
    if _SAFE_SQUARES[0] <= squares <= _SAFE_SQUARES[1]:
        return math.sqrt(squares / flat.size)
    largest = float(np.max(np.abs(values), initial=0.0))  # NaN if any is; 0 for a layer of no weights
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    return largest * float(np.sqrt(np.mean(np.square(values / largest))))


def _check_finite(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")


def _points_array(points: Any) -> np.ndarray:
    """``(n, 2)`` finite floats, or ValueError."""
    try:
        xy = np.asarray(points, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("points: expected (x, y) pairs of numbers") from None
    if xy.shape[1:] != (2,) or not np.isfinite(xy).all():
        raise ValueError(f"points: expected finite (x, y) pairs, shape (n, 2), got shape {xy.shape}")
    return xy


def _index(value: Any, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise ValueError(f"index {value!r} is out of range 0..{size - 1}")
    return value


def _validated_layers(values: Any, shapes: list[tuple[int, ...]], name: str) -> list[np.ndarray]:
    if not isinstance(values, (list, tuple)) or len(values) != len(shapes):
        raise ValueError(f"{name}: expected {len(shapes)} layers")
    arrays = []
    for layer, (value, shape) in enumerate(zip(values, shapes, strict=True)):
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name}[{layer}]: expected numbers") from None
        if array.shape != shape or not np.isfinite(array).all():
            raise ValueError(f"{name}[{layer}]: expected finite numbers of shape {shape}")
        arrays.append(array)
    return arrays
