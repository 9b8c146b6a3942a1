"""The user's own points: which train, which test, and the edits that change them.

A drawn point is meant to be learned from, so edits put it in the training set;
uploaded points (which say nothing of sets) are spread over both sets by the
train/test ratio. The assignment stays what the user made it until the ratio
slider moves: then every point is spread anew by the new ratio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import datasets, point_codec
from .datasets import Dataset, PointsError

Rows = Sequence[Sequence[float]]


def _empty() -> Dataset:
    return Dataset.from_points(np.empty((0, 3)))


def _joined(first: Dataset, second: Dataset) -> Dataset:
    return Dataset.from_points(first.rows() + second.rows())


@dataclass(frozen=True)
class UserPoints:
    """One problem type's own points, split into the sets they train and test in."""

    train: Dataset
    test: Dataset
    percent_train: float  # the ratio in force when the sets were last made

    @staticmethod
    def empty(percent_train: float) -> UserPoints:
        return UserPoints(_empty(), _empty(), percent_train)

    @staticmethod
    def adopted(train: Dataset, test: Dataset, percent_train: float, regression: bool) -> UserPoints:
        """A generated dataset's points as the user's (snapped to the link's grid, sets kept)."""
        return UserPoints(point_codec.snap(train, regression), point_codec.snap(test, regression), percent_train)

    def __len__(self) -> int:
        return len(self.train) + len(self.test)

    def at_ratio(self, percent_train: float) -> UserPoints:
        """These points under ``percent_train``: unchanged if the ratio is the same, else re-spread."""
        if percent_train == self.percent_train:
            return self
        train, test = datasets.interleaved_split(_joined(self.train, self.test), percent_train)
        return UserPoints(train, test, percent_train)

    def added(self, points: Dataset) -> UserPoints:
        """``points`` appended to the training set (an edit: the user means them to be learned)."""
        return UserPoints(_joined(self.train, points), self.test, self.percent_train)

    def removed(self, points: Dataset) -> UserPoints:
        """Without one point equal to each of ``points`` (looked for in train, then test)."""
        train, test = self.train.rows(), self.test.rows()
        for number, row in enumerate(points.rows(), start=1):
            if row in train:
                train.remove(row)
            elif row in test:
                test.remove(row)
            else:
                raise PointsError(f"row {number}: no such point to remove")
        return UserPoints(Dataset.from_points(train), Dataset.from_points(test), self.percent_train)


def edited(current: UserPoints, mode: str, rows: Rows, test_rows: Rows | None, regression: bool,
           percent_train: float, classes: int = datasets.MIN_CLASSES) -> UserPoints:
    """The points after a ``points`` message (raises PointsError naming the first bad row),
    snapped to the link's grid so that a link reproduces exactly what trains.

    ``replace`` takes ``rows`` as the training set when ``test_rows`` is given (an undo restores
    both sets exactly), else spreads them by the ratio (a CSV upload); ``add`` and ``remove``
    edit ``current``. Class labels are ±1 for two ``classes``, else 0…K−1.
    """
    points = point_codec.snap(datasets.validate_points(rows, regression, classes), regression)
    if mode == "add":
        result = current.added(points)
    elif mode == "remove":
        result = current.removed(points)
    elif test_rows is not None:
        test = point_codec.snap(datasets.validate_points(test_rows, regression, classes), regression)
        result = UserPoints(points, test, percent_train)
    else:
        train, test = datasets.interleaved_split(points, percent_train)
        result = UserPoints(train, test, percent_train)
    if len(result) > datasets.MAX_USER_POINTS:
        raise PointsError(f"at most {datasets.MAX_USER_POINTS} points, got {len(result)}")
    return result
