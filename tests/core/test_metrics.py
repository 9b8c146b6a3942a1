"""Metrics from hand-made outputs (both classification forms and regression), and from a playground."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core import Playground
from nn_core.metrics import (
    accuracy,
    confusion_matrix,
    mean_absolute_error,
    predicted_classes,
    r_squared,
)
from nn_core.training import CHUNK_COST


def test_two_classes_output_at_least_zero_is_class_one():
    outputs = np.array([0.9, 0.0, -0.1, -0.8, 0.3])
    labels = np.array([1.0, -1.0, -1.0, 1.0, 1.0])
    assert predicted_classes(outputs).tolist() == [1, 1, 0, 0, 1]
    # rows = true class (0 = −1, 1 = +1), columns = predicted
    assert confusion_matrix(outputs, labels).tolist() == [[1, 1], [1, 2]]
    assert accuracy(outputs, labels) == pytest.approx(3 / 5)


def test_k_classes_take_the_argmax_of_each_row_of_probabilities():
    outputs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3], [0.5, 0.25, 0.25]])
    labels = np.array([0, 2, 0, 1])
    assert predicted_classes(outputs).tolist() == [0, 2, 1, 0]
    assert confusion_matrix(outputs, labels).tolist() == [[1, 1, 0], [1, 0, 0], [0, 0, 1]]
    assert accuracy(outputs, labels) == pytest.approx(0.5)


def test_a_confusion_matrix_counts_every_point_once():
    rng = np.random.default_rng(3)
    outputs = rng.dirichlet(np.ones(4), size=50)
    labels = rng.integers(0, 4, size=50)
    matrix = confusion_matrix(outputs, labels)
    assert matrix.shape == (4, 4) and matrix.sum() == 50
    assert np.trace(matrix) / 50 == pytest.approx(accuracy(outputs, labels))


def numpy_confusion_matrix(outputs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The reference: the classes by NumPy's comparisons and argmax, counted by bincount."""
    k = 2 if outputs.ndim == 1 else outputs.shape[1]
    truth = (labels > 0).astype(np.int64) if k == 2 else labels.astype(np.int64)
    predicted = (outputs >= 0).astype(np.int64) if outputs.ndim == 1 else np.argmax(outputs, axis=1)
    return np.bincount(truth * k + predicted, minlength=k * k).reshape(k, k)


# Few distinct values, so ties and NaNs are common: the first largest and the first NaN win, as argmax.
_OUTPUT_VALUES = st.sampled_from([-1.0, -0.5, 0.0, -0.0, 0.5, 1.0, math.nan, math.inf, -math.inf])


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 30), st.sampled_from([1, 2, 3, 4, 6]), st.data())
def test_the_compiled_confusion_matrix_counts_as_numpy_does(points, k, data):
    """k = 1: one neuron's (n,) outputs; k = 2: two columns with labels ±1; else K columns."""
    shape = (points,) if k == 1 else (points, k)
    outputs = np.array(data.draw(st.lists(_OUTPUT_VALUES, min_size=points * k, max_size=points * k))).reshape(shape)
    classes = data.draw(st.lists(st.integers(0, max(1, k - 1)), min_size=points, max_size=points))
    labels = np.array([1.0 if c else -1.0 for c in classes] if k <= 2 else classes, dtype=float)
    assert np.array_equal(confusion_matrix(outputs, labels), numpy_confusion_matrix(outputs, labels))


def test_a_single_column_of_outputs_is_one_class_and_writes_nothing_past_it():
    assert confusion_matrix(np.array([[0.5], [-0.5], [0.2]]), np.zeros(3)).tolist() == [[3]]


def test_a_label_that_is_no_class_is_refused_not_written_past_the_matrix():
    outputs = np.full((3, 3), 1 / 3)
    with pytest.raises(ValueError, match="not class indices"):
        confusion_matrix(outputs, np.array([0.0, 3.0, 1.0]))
    with pytest.raises(ValueError, match="not class indices"):
        confusion_matrix(outputs, np.array([0.0, np.nan, -1.0]))
    with pytest.raises(ValueError, match="not class indices"):
        confusion_matrix(outputs, np.array([0.0, 1.5, np.inf]))


def test_r_squared_and_mean_absolute_error_by_hand():
    targets = np.array([1.0, 2.0, 3.0, 4.0])
    outputs = np.array([1.5, 2.0, 2.0, 4.0])
    # SS_res = 0.25 + 0 + 1 + 0, SS_tot = 2.25 + 0.25 + 0.25 + 2.25
    assert r_squared(outputs, targets) == pytest.approx(1 - 1.25 / 5)
    assert mean_absolute_error(outputs, targets) == pytest.approx(1.5 / 4)
    assert r_squared(targets, targets) == 1.0
    assert r_squared(np.full(4, targets.mean()), targets) == 0.0


def test_nothing_to_measure_is_nan_not_a_score():
    empty = np.zeros(0)
    assert math.isnan(accuracy(empty, empty))
    assert math.isnan(r_squared(empty, empty)) and math.isnan(mean_absolute_error(empty, empty))
    assert math.isnan(r_squared(np.array([1.0, 2.0]), np.array([3.0, 3.0])))  # SS_tot = 0


def test_playground_metrics_match_its_outputs_on_the_grid_of_points():
    pg = Playground.from_url("#seed=0.12345&dataset=xor")
    pg.step(30)
    confusion = pg.confusion("test")
    assert confusion.sum() == len(pg.test)
    assert pg.metrics["test_accuracy"] == pytest.approx(np.trace(confusion) / len(pg.test))
    predicted = pg.predicted_classes("train")
    assert np.mean(predicted == (pg.train.label > 0)) == pytest.approx(pg.metrics["train_accuracy"])


def test_playground_r_squared_agrees_with_its_loss():
    """The outputs the metrics read are those the loss was computed from: R² = 1 − 2·n·loss / SS_tot."""
    pg = Playground.from_url("#seed=2&problem=regression&regDataset=reg-gauss")
    pg.step(20)
    for which, loss, points in (("train", pg.train_loss, pg.train), ("test", pg.test_loss, pg.test)):
        squared_error = 2 * loss * len(points)  # the loss is ½(output − target)² per point
        total = float(np.sum((points.label - points.label.mean()) ** 2))
        assert pg.metrics[f"{which}_r2"] == pytest.approx(1 - squared_error / total, rel=1e-12)


def test_metrics_follow_a_change_of_the_network_without_training():
    pg = Playground.from_url("#seed=0.12345")
    pg.step(50)
    pg.set_bias(len(pg.biases) - 1, 0, 50.0)  # the output is +1 everywhere: every point is called blue
    assert pg.predicted_classes("test").tolist() == [1] * len(pg.test)
    assert pg.metrics["test_accuracy"] == pytest.approx(np.mean(pg.test.label > 0))


def test_regression_has_no_confusion_matrix():
    pg = Playground.from_url("#seed=1&problem=regression")
    assert set(pg.metrics) == {"train_r2", "test_r2", "train_mae", "test_mae"}
    with pytest.raises(ValueError, match="regression"):
        pg.confusion()
    with pytest.raises(ValueError, match="'train' or 'test'"):
        Playground.from_url("#seed=1").confusion("validation")


def test_a_diverged_regression_reads_as_no_fit_without_warnings():
    targets = np.array([0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert r_squared(np.array([1e200, -1e200]), targets) == -math.inf
        assert math.isnan(r_squared(np.array([np.nan, 0.0]), targets))
        assert mean_absolute_error(np.array([np.inf, 0.0]), targets) == math.inf


def test_the_confusion_and_accuracy_follow_every_evaluation_and_a_copy_changes_nothing() -> None:
    pg = Playground.from_url("#dataset=xor&networkShape=3&noise=30")
    for _ in range(4):
        pg.step(3)  # a new evaluation each time: what the frame reads is worked out again
        for which in ("train", "test"):
            outputs, labels = pg._scored(which)
            assert np.array_equal(pg.confusion(which), confusion_matrix(outputs, labels))
            assert pg.metrics[f"{which}_accuracy"] == accuracy(outputs, labels)
    pg.confusion("test")[0, 0] += 1000  # the caller's copy
    assert pg.confusion("test").sum() == len(pg.test)
    before = pg.confusion("test")
    pg.train_examples(pg.trainer.examples)  # the epoch's training points: new weights, no evaluation yet
    pg.train_examples(CHUNK_COST)  # one chunk of its evaluation in pieces: the last evaluation still holds
    assert pg.progress > 0 and np.array_equal(pg.confusion("test"), before)
    pg.finish_epoch()
    assert pg.confusion("test").tolist() == confusion_matrix(*pg._scored("test")).tolist()
    assert pg.metrics["test_accuracy"] == accuracy(*pg._scored("test"))


def test_a_copy_or_a_pickle_works_its_caches_out_again() -> None:
    import pickle
    pg = Playground.from_url("#dataset=xor&networkShape=3")
    pg.step(2)
    pg.confusion("test"), pg.to_url()
    for other in (pickle.loads(pickle.dumps(pg)), pg._copy()):
        assert other._confusions_of is None and other._config_link is None
        assert np.array_equal(other.confusion("test"), pg.confusion("test")) and other.to_url() == pg.to_url()


def test_accuracy_read_off_the_confusion_matrix_is_accuracy() -> None:
    from nn_core.metrics import accuracy_of
    rng = np.random.default_rng(3)
    for k in (2, 3, 5):
        outputs = rng.uniform(-1, 1, 40) if k == 2 else rng.uniform(0, 1, (40, k))
        labels = np.sign(rng.uniform(-1, 1, 40)) if k == 2 else rng.integers(0, k, 40).astype(float)
        assert accuracy_of(confusion_matrix(outputs, labels)) == accuracy(outputs, labels)
    assert math.isnan(accuracy_of(np.zeros((2, 2), dtype=np.int64)))  # no points: nothing to measure


def test_a_new_evaluator_drops_the_old_ones_confusions() -> None:
    pg = Playground.from_url("#dataset=xor&networkShape=3")
    pg.confusion("test")
    pg.update({"problem": "regression"})  # no confusion is read again: the old evaluator must not be kept
    assert pg._confusions_of is None


def test_both_sets_confusion_matrices_in_one_pass_match_each_set_alone() -> None:
    from nn_core.metrics import confusion_matrices

    rng = np.random.default_rng(7)
    scores = rng.normal(size=(40, 3))
    classes = rng.integers(0, 3, 40).astype(float)
    one = rng.normal(size=(40, 1))
    signs = np.where(rng.random(40) < 0.5, -1.0, 1.0)
    for cut in (0, 1, 17, 40):
        pair = confusion_matrices(scores, classes, cut, False)
        assert np.array_equal(pair[0], confusion_matrix(scores[:cut], classes[:cut]))
        assert np.array_equal(pair[1], confusion_matrix(scores[cut:], classes[cut:]))
        pair = confusion_matrices(one, signs, cut, True)
        assert np.array_equal(pair[0], confusion_matrix(one[:cut, 0], signs[:cut]))
        assert np.array_equal(pair[1], confusion_matrix(one[cut:, 0], signs[cut:]))
