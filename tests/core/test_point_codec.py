"""The user's points in a link: snapped to a grid, so points → link → points is exact."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core import Playground, point_codec
from nn_core.datasets import Dataset
from nn_core.features import EXTENT
from nn_core.point_codec import MAX_LINK_POINTS
from nn_core.urlstate import MAX_HASH_LENGTH

coordinate = st.floats(-EXTENT, EXTENT)
class_point = st.tuples(coordinate, coordinate, st.sampled_from([1.0, -1.0]))
value_point = st.tuples(coordinate, coordinate, st.floats(-3, 3))


def dataset(rows: list) -> Dataset:
    return Dataset.from_points(np.asarray(rows, dtype=float).reshape(-1, 3))


@settings(max_examples=200, deadline=None)
@given(st.booleans().flatmap(lambda regression: st.tuples(
    st.just(regression),
    st.lists(value_point if regression else class_point, max_size=40),
    st.lists(value_point if regression else class_point, max_size=40))))
def test_points_to_link_to_points_is_exact(case) -> None:
    regression, train_rows, test_rows = case
    train = point_codec.snap(dataset(train_rows), regression)
    test = point_codec.snap(dataset(test_rows), regression)
    assert point_codec.snap(train, regression).rows() == train.rows()  # snapping is idempotent
    decoded_train, decoded_test = point_codec.decode(point_codec.encode(train, test, regression), regression)
    assert decoded_train.rows() == train.rows() and decoded_test.rows() == test.rows()
    assert np.all(np.abs(train.x - dataset(train_rows).x) <= 0.5 / point_codec.COORD_STEPS)


def test_a_link_with_the_most_points_of_both_types_fits_the_hash_limit() -> None:
    rng = np.random.default_rng(1)
    link = "#seed=0.5&dataset=custom&regDataset=reg-custom&networkShape=8,8,8,8,8,8"
    playground = Playground.from_url(link)
    for regression in (False, True):
        playground.set(problem="regression" if regression else "classification")
        labels = rng.uniform(-1, 1, MAX_LINK_POINTS) if regression else rng.choice([-1.0, 1.0], MAX_LINK_POINTS)
        rows = np.column_stack((rng.uniform(-6, 6, (MAX_LINK_POINTS, 2)), labels)).tolist()
        playground.set_points(rows)
    url = playground.to_url()
    assert "&points=" in url and "&regPoints=" in url and len(url) <= MAX_HASH_LENGTH
    reopened = Playground.from_url(url)
    assert reopened.train.rows() == playground.train.rows() and reopened.test.rows() == playground.test.rows()


def test_a_link_reproduces_the_points_sets_and_first_epoch_loss() -> None:
    playground = Playground.from_url("#seed=0.7&dataset=custom&networkShape=3")
    for i in range(30):
        playground.set_points([[i / 7 - 2, 0.123456 * i, 1 if i % 3 else -1]], mode="add")
    playground.set_points(playground.train.rows(), test=[[1, 2, 1]])  # a test point too
    reopened = Playground.from_url(playground.to_url())
    assert reopened.to_url() == playground.to_url()
    assert reopened.train.rows() == playground.train.rows() and reopened.test.rows() == playground.test.rows()
    assert [w.tolist() for w in reopened.weights] == [w.tolist() for w in playground.weights]
    playground.step()
    reopened.step()
    assert reopened.train_loss == playground.train_loss


def test_too_many_points_leave_the_link_and_say_so() -> None:
    playground = Playground.from_url("#seed=0.7&dataset=custom")
    playground.set_points([[(i % 100) / 10 - 5, (i // 100) / 10, 1] for i in range(MAX_LINK_POINTS + 1)])
    assert playground.points_left_out_of_link and "points=" not in playground.to_url()
    playground.set_points([[1, 1, 1]])
    assert not playground.points_left_out_of_link and "points=" in playground.to_url()


def test_an_unreadable_points_key_warns_and_opens_without_points() -> None:
    playground = Playground.from_url("#seed=0.7&dataset=custom&points=AAAA_bogus")
    assert len(playground.train) + len(playground.test) == 0
    assert any(warning.startswith("points: could not be read") for warning in playground.warnings)
