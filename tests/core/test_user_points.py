"""The user's own points: edits go to the training set, and each problem type keeps its own."""

from __future__ import annotations

import numpy as np
import pytest

from nn_core import Playground, point_codec
from nn_core.datasets import PointsError

LINK = "#seed=0.5&networkShape=2&percTrainData=50"


def rows(data) -> list[list[float]]:
    return data.rows()


def test_an_added_point_trains_and_the_first_edit_keeps_the_generated_points():
    playground = Playground.from_url(LINK)
    train, test = playground.train, playground.test
    playground.set_points([[1.5, -2.0, -1]], mode="add")
    assert playground.config.dataset == "custom"
    assert rows(playground.train)[-1] == [1.5, -2.0, -1.0]  # on the grid already
    near = 1 / point_codec.COORD_STEPS  # the generated points are snapped onto the link's grid
    assert np.allclose(rows(playground.train)[:-1], rows(train), atol=near)
    assert np.allclose(rows(playground.test), rows(test), atol=near)
    for _ in range(5):
        playground.set_points([[0.0, 0.0, 1]], mode="add")
    assert len(playground.train) == len(train) + 6 and len(playground.test) == len(test)


def test_remove_takes_out_one_equal_point_and_refuses_a_missing_one():
    playground = Playground.from_url(LINK + "&dataset=custom")
    playground.set_points([[1, 1, 1], [2, 2, -1]], test=[[3, 3, 1]])
    playground.set_points([[3, 3, 1]], mode="remove")
    assert rows(playground.train) == [[1, 1, 1], [2, 2, -1]] and rows(playground.test) == []
    with pytest.raises(PointsError, match="no such point"):
        playground.set_points([[5, 5, 1]], mode="remove")


def test_replace_with_test_restores_both_sets_until_the_ratio_moves():
    playground = Playground.from_url(LINK)
    playground.set_points([[1, 1, 1], [2, 2, 1], [3, 3, -1]], test=[[4, 4, -1]])
    playground.set(seed="other")  # new data for generated sets; the user's stay as they are
    assert len(playground.train) == 3 and len(playground.test) == 1
    playground.set(percTrainData=50)
    assert len(playground.train) == 3
    playground.set(percTrainData=30)
    assert len(playground.train) + len(playground.test) == 4 and len(playground.test) >= 2


def test_a_csv_without_sets_is_spread_by_the_ratio():
    playground = Playground.from_url(LINK)
    playground.set_points([[x / 4, 0, 1] for x in range(20)])
    assert len(playground.train) == 10 and len(playground.test) == 10


def test_classification_and_regression_points_are_kept_apart():
    playground = Playground.from_url(LINK + "&dataset=custom&regDataset=reg-custom")
    playground.set_points([[1, 1, 1], [-1, -1, -1]], test=[])
    playground.set(problem="regression")
    assert len(playground.train) + len(playground.test) == 0
    playground.set_points([[0.5, 0.5, 0.25]], mode="add")
    playground.set(problem="classification")
    assert rows(playground.train) == [[1, 1, 1], [-1, -1, -1]]
    playground.set(problem="regression")
    assert rows(playground.train) == [[0.5, 0.5, 0.25]]


def test_export_and_load_keep_the_sets():
    playground = Playground.from_url(LINK)
    playground.set_points([[1, 1, 1], [2, 2, 1], [3, 3, -1]], test=[[4, 4, -1]])
    loaded = Playground.load(playground.export())
    assert rows(loaded.train) == rows(playground.train) and rows(loaded.test) == rows(playground.test)
