"""Snapshots of a playground's whole training state, within a fixed byte budget.

Time travel (going back to an epoch and training on from it, bit for bit as
the first time) needs the exact state at that epoch: every parameter, the dead
links, the partial batch the trainer carries, the optimizer's moments and
steps, the epoch (the schedule's position), early stopping's best loss, the
losses and the settings in force. A snapshot holds exactly that, taken at an
epoch's end, never inside one.

A run at full speed does thousands of epochs a second, so the store cannot
keep them all: it takes one every ``stride`` epochs (a power of two that grows
with how many fit, so capturing stays cheap), and past the budget it drops the
snapshot whose neighbours are closest relative to its age, so recent epochs
stay dense and old ones thin out. An epoch between two snapshots is reached by
replaying from the nearest one before it.

A change of settings or a weight edit is an *anchor*: training from a
snapshot before it would not pass through it, so an anchor is never thinned
(only the oldest snapshots go once anchors alone fill the budget, and
:attr:`SnapshotStore.earliest` then moves forward).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .settings import Config

Array = np.ndarray
# Bytes of snapshots per playground, whatever the network: within issue 14's 2 MB, and leaving room
# in a page's 5 MB for the passes' buffers and the grids (tests/app/test_memory.py).
SNAPSHOT_BUDGET = 3 * 512 * 1024
SNAPSHOT_OVERHEAD = 600  # bytes a snapshot's Python objects take besides its arrays (measured, rounded up)
KEPT_ENDS = ("oldest", "newest")  # never thinned while another snapshot can go
THINNING = 0.125  # the share of the budget one thinning frees
DENSITY = 64  # the stride is 1 up to a capacity of 2·DENSITY snapshots, then doubles with it


@dataclass(frozen=True)
class Snapshot:
    """One epoch's training state; arrays are private copies, never written after capture."""

    epoch: int
    config: Config
    params: Array
    dead: Array | None  # None: no link is dead
    carry: Array | None  # the partial batch's summed gradient; None when it holds no example
    carry_count: int
    moments: Array  # the optimizer's rows in use: none (sgd), one (momentum), two (adam)
    steps: int
    best_epoch: int  # early stopping's best test loss so far, and its epoch
    best_loss: float
    train_loss: float
    test_loss: float
    anchor: bool = False

    @property
    def nbytes(self) -> int:
        arrays = [a for a in (self.params, self.dead, self.carry, self.moments) if a is not None]
        return SNAPSHOT_OVERHEAD + sum(a.nbytes for a in arrays)


class SnapshotStore:
    """A playground's snapshots of the branch in use, oldest first, within ``budget`` bytes."""

    def __init__(self, budget: int = SNAPSHOT_BUDGET) -> None:
        self.budget = budget
        self._snapshots: list[Snapshot] = []
        self._bytes = 0
        self._stride = 1  # worked out once per snapshot: `due` runs after every epoch

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._snapshots)

    @property
    def epochs(self) -> list[int]:
        return [s.epoch for s in self._snapshots]

    @property
    def earliest(self) -> int:
        """The first epoch that can still be gone back to (the oldest snapshot's)."""
        return self._snapshots[0].epoch if self._snapshots else 0

    @property
    def stride(self) -> int:
        """Snapshot every ``stride``-th epoch: a power of two that grows with the store's capacity
        (from the last snapshot's size), so that a small network's thousands of snapshots cost
        little per epoch (thinning looks at them all), while a big one snapshots every epoch."""
        return self._stride

    def due(self, epoch: int) -> bool:
        return epoch % self.stride == 0

    def add(self, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` as the newest (it replaces one of the same epoch), then thin to the budget."""
        self.truncate(snapshot.epoch - 1)
        self._snapshots.append(snapshot)
        self._bytes += snapshot.nbytes
        capacity = self.budget // snapshot.nbytes
        self._stride = 1
        while self._stride * 2 * DENSITY <= capacity:
            self._stride *= 2
        if self._bytes > self.budget:
            self._thin()

    def nearest(self, epoch: int) -> Snapshot | None:
        """The latest snapshot at or before ``epoch``."""
        found = None
        for snapshot in self._snapshots:
            if snapshot.epoch > epoch:
                break
            found = snapshot
        return found

    def truncate(self, epoch: int) -> None:
        """Forget the snapshots after ``epoch`` (a branch being left)."""
        while self._snapshots and self._snapshots[-1].epoch > epoch:
            self._drop(len(self._snapshots) - 1)

    def clear(self) -> None:
        self._snapshots, self._bytes = [], 0

    def copy(self) -> SnapshotStore:
        """An independent store sharing the (immutable) snapshots."""
        other = SnapshotStore(self.budget)
        other._snapshots, other._bytes, other._stride = list(self._snapshots), self._bytes, self._stride
        return other

    def _drop(self, index: int) -> None:
        self._bytes -= self._snapshots.pop(index).nbytes

    def _thin(self) -> None:
        """Drop the snapshots least needed until a ``THINNING`` share of the budget is free again
        (in one pass, so a small network's thousands of snapshots cost little per epoch): of those
        between the oldest and the newest and no anchor, the ones whose going leaves the smallest
        gap for their age. With none such (anchors alone fill the budget), the oldest go."""
        snapshots = self._snapshots
        epochs = np.array([s.epoch for s in snapshots], dtype=np.float64)
        score = np.full(epochs.size, np.inf)
        if epochs.size > len(KEPT_ENDS):
            score[1:-1] = (epochs[2:] - epochs[:-2]) / np.maximum(epochs[-1] - epochs[1:-1], 1.0)
            score[1:-1][[s.anchor for s in snapshots[1:-1]]] = np.inf
        goal = self.budget * (1.0 - THINNING)
        going: set[int] = set()
        freed = 0
        for index in np.argsort(score, kind="stable"):
            if self._bytes - freed <= goal or not np.isfinite(score[index]):
                break
            going.add(int(index))
            freed += snapshots[index].nbytes
        self._snapshots = [s for i, s in enumerate(snapshots) if i not in going]
        self._bytes -= freed
        while self._bytes > self.budget and len(self._snapshots) > 1:
            self._drop(0)
