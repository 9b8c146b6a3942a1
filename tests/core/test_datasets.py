import numpy as np
import pytest

from nn_core import datasets
from nn_core.rng import SeededRandom


@pytest.mark.parametrize("name", datasets.CLASSIFICATION_DATASETS[:-1])
def test_classification_sets_have_balanced_labels_inside_the_square(name):
    data = datasets.generate(name, SeededRandom("s"), 0, regression=False)
    assert len(data) == 500
    assert set(np.unique(data.label)) == {-1.0, 1.0}
    assert np.abs(np.concatenate((data.x, data.y))).max() <= 6


@pytest.mark.parametrize("name", ["reg-plane", "reg-gauss"])
def test_regression_sets_have_1200_points(name):
    data = datasets.generate(name, SeededRandom("s"), 20, regression=True)
    assert len(data) == 1200 and np.isfinite(data.label).all()


def test_function_dataset_labels_points_by_the_sine_curve():
    data = datasets.generate("function", SeededRandom("s"), 0, regression=False)
    np.testing.assert_array_equal(data.label, np.where(data.y > np.sin(data.x), 1.0, -1.0))


def test_split_takes_the_first_part_for_training():
    data = datasets.generate("xor", SeededRandom("s"), 0, regression=False)
    train, test = datasets.split(data, 30)
    assert len(train) == 150 and len(test) == 350
    np.testing.assert_array_equal(train.x, data.x[:150])


@pytest.mark.parametrize(("rows", "message"), [
    ("nope", "list"), ([[0, 0]], "row 1"), ([[0, 0, 1], [0, "a", 1]], "row 2"),
    ([[0, float("nan"), 1]], "finite"), ([[0, 0, 2]], "label"),
])
def test_bad_user_points_are_named(rows, message):
    with pytest.raises(datasets.PointsError, match=message):
        datasets.validate_points(rows, regression=False)


def test_regression_points_take_any_finite_label():
    assert len(datasets.validate_points([[1, 2, 0.25]], regression=True)) == 1
