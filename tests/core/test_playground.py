import math

import numpy as np
import pytest

from nn_core import Playground
from nn_core.datasets import PointsError
from nn_core.settings import SettingError

DEFAULT = "#seed=0.12345&networkShape=4,2"


def test_changing_learning_rate_keeps_weights_and_epoch():
    playground = Playground.from_url(DEFAULT)
    playground.step(5)
    before = playground.weights
    changes = {"learningRate": 0.1, "regularization": "L2", "batchSize": 3, "optimizer": "adam", "activation": "relu"}
    assert playground.set(**changes) == []
    assert playground.epoch == 5
    for old, new in zip(before, playground.weights, strict=True):
        np.testing.assert_array_equal(old, new)
    assert "learningRate=0.1" in playground.to_url()
    playground.step(2)
    assert playground.epoch == 7


def test_adding_a_neuron_or_layer_keeps_every_weight_that_still_has_a_place():
    playground = Playground.from_url(DEFAULT)
    old_w, old_b = playground.weights, playground.biases
    playground.set(networkShape=[5, 2])
    assert [w.shape for w in playground.weights] == [(5, 2), (2, 5), (1, 2)]
    np.testing.assert_array_equal(playground.weights[0][:4], old_w[0])
    np.testing.assert_array_equal(playground.weights[1][:, :4], old_w[1])
    np.testing.assert_array_equal(playground.weights[2], old_w[2])
    np.testing.assert_array_equal(playground.biases[0][:4], old_b[0])
    playground.set(networkShape=[5, 2, 3])
    np.testing.assert_array_equal(playground.weights[1][:, :4], old_w[1])
    assert playground.weights[3].shape == (1, 3)


def test_adding_a_feature_keeps_the_weights_of_the_other_inputs():
    playground = Playground.from_url(DEFAULT)
    old = playground.weights[0]
    playground.set(xSquared=True)
    assert playground.config.features == ("x", "y", "xSquared")
    np.testing.assert_array_equal(playground.weights[0][:, :2], old)
    playground.set(x=False)
    np.testing.assert_array_equal(playground.weights[0][:, 0], old[:, 1])


def test_new_data_keeps_the_weights_and_bumps_the_data_version():
    playground = Playground.from_url(DEFAULT)
    weights, version, train = playground.weights, playground.data_version, playground.train.x.copy()
    playground.regenerate()
    assert playground.data_version > version
    assert not np.array_equal(train, playground.train.x)
    np.testing.assert_array_equal(weights[0], playground.weights[0])


def test_reset_draws_new_weights_from_the_continuing_stream():
    playground = Playground.from_url(DEFAULT)
    playground.step(3)
    first = playground.weights
    playground.reset()
    assert playground.epoch == 0 and len(playground.history) == 1
    assert not np.array_equal(first[0], playground.weights[0])


def test_set_weight_and_bias_change_the_output_and_reject_bad_input():
    playground = Playground.from_url(DEFAULT)
    playground.set_weight(0, 1, 0, 2.5)
    playground.set_bias(2, 0, -0.75)
    assert playground.weights[0][1, 0] == 2.5 and playground.biases[2][0] == -0.75
    for args in ((5, 0, 0, 1.0), (0, 9, 0, 1.0), (0, 0, 0, math.nan), (0, 0, -1, 1.0), (0, 0, 0, "1")):
        with pytest.raises(ValueError, match=r"expected a finite number|out of range"):
            playground.set_weight(*args)


def test_user_points_train_and_errors_name_the_row():
    playground = Playground.from_url(DEFAULT)
    rows = [[x / 2, 1.0, 1] for x in range(-8, 8)] + [[x / 2, -1.0, -1] for x in range(-8, 8)]
    playground.set_points(rows)
    assert playground.config.dataset == "custom"
    assert len(playground.train) + len(playground.test) == 32
    start = playground.train_loss
    playground.step(30)
    assert playground.train_loss < start
    playground.set_points([[0.5, 0.5, 1]], mode="add")
    assert len(playground.train) + len(playground.test) == 33
    with pytest.raises(PointsError, match="row 2"):
        playground.set_points([[0, 0, 1], [0, 0, 0.5]])
    with pytest.raises(PointsError, match="row 1"):
        playground.set_points([[7, 0, 1]])
    with pytest.raises(PointsError, match="at most 5000"):
        playground.set_points([[0, 0, 1]] * 5001)


def test_export_and_load_restore_everything():
    playground = Playground.from_url(DEFAULT + "&optimizer=momentum")
    playground.step(4)
    restored = Playground.load(playground.export())
    assert restored.to_url() == playground.to_url() and restored.epoch == 4
    for a, b in zip(playground.weights, restored.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert restored.history == playground.history
    wrong_shape = {"format": "neural-playground/1", "hash": "#seed=1", "epoch": 1, "weights": [[1]], "biases": []}
    for bad in (None, {}, wrong_shape):
        with pytest.raises(ValueError, match=r"export|weights"):
            Playground.load(bad)


def test_resume_validates_shapes_and_continues_from_the_epoch():
    playground = Playground.from_url(DEFAULT)
    other = Playground.from_url(DEFAULT)
    other.step(10)
    playground.resume(10, [w.tolist() for w in other.weights], [b.tolist() for b in other.biases])
    assert playground.epoch == 10 and playground.train_loss == other.train_loss
    with pytest.raises(ValueError, match="weights: expected 3 layers"):
        playground.resume(1, [[[0.0]]], [])


def test_resume_starts_without_a_carried_partial_batch():
    playground = Playground.from_url(DEFAULT + "&batchSize=7")
    playground.step()  # 250 training points: 5 carried into the next update
    assert playground.trainer.carry_count == 5
    playground.resume(1, [w.tolist() for w in playground.weights], [b.tolist() for b in playground.biases])
    assert playground.trainer.carry_count == 0


def test_divergence_is_reported():
    playground = Playground.from_url(
        "#seed=d&learningRate=10&activation=relu&problem=regression&networkShape=8,8,8&batchSize=1")
    for _ in range(50):
        playground.step()
        if playground.diverged:
            break
    assert playground.diverged


def test_history_stays_bounded():
    playground = Playground.from_url("#seed=1&networkShape=&dataset=gauss")
    playground._history.limit = 50
    playground.step(500)
    assert len(playground.history) <= 51
    assert playground.history[-1][0] >= 480


def test_cross_entropy_on_regression_falls_back_with_a_warning():
    playground = Playground.from_url("#seed=1&problem=regression")
    warnings = playground.set(loss="crossEntropy")
    assert playground.loss_name == "squared" and warnings
    assert playground.set(learningRate=0.1) == []  # said once, not at every change


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
@pytest.mark.parametrize("init", ["classic", "xavier", "he"])
def test_every_optimizer_and_init_learns_the_circle(optimizer, init):
    playground = Playground.from_url(f"#seed=3&optimizer={optimizer}&init={init}&learningRate=0.01")
    playground.step(60)
    assert playground.test_loss < 0.1


def test_a_new_initialisation_scheme_draws_fresh_weights():
    playground = Playground.from_url(DEFAULT)
    playground.step(3)
    playground.set(initZero=True)
    assert playground.epoch == 0
    assert all((w == 0).all() for w in playground.weights)
    playground.set(initZero=False, init="xavier")
    assert all(abs(w).max() > 0 for w in playground.weights)


def test_update_applies_a_change_and_warns_like_set():
    playground = Playground.from_url(DEFAULT)
    warnings = playground.update({"learningRate": 0.1, "batchSize": 99})
    assert playground.config.learningRate == 0.1 and playground.config.batchSize == 30
    assert warnings == Playground.from_url(DEFAULT).set(learningRate=0.1, batchSize=99)
    assert len(warnings) == 1 and warnings[0].startswith("batchSize")


@pytest.mark.parametrize("changes", [{"learningRate": 0.1, "batchSize": 99},
                                     {"networkShape": [3], "activation": "nope"},
                                     {"seed": "2", "noise": "10"}])
def test_strict_update_raises_before_anything_changes(changes):
    playground = Playground.from_url(DEFAULT)
    playground.step(2)
    before = playground.export()
    with pytest.raises(SettingError, match=r"batchSize|activation|noise"):
        playground.update(changes, strict=True)
    assert playground.export() == before and playground.data_version == 1


def test_strict_update_of_good_values_changes_like_set():
    playground, other = Playground.from_url(DEFAULT), Playground.from_url(DEFAULT)
    assert playground.update({"networkShape": [3], "seed": "2"}, strict=True) == []
    other.set(networkShape=[3], seed="2")
    assert playground.export() == other.export()


KEEP_OFF = "#seed=0.12345&networkShape=4,2&keepWeights=false"


def test_with_keep_weights_off_new_data_resets_as_opening_the_new_link_does():
    """The original draws the data from the seed, then the network from the same stream."""
    playground = Playground.from_url(KEEP_OFF)
    playground.step(4)
    playground.set(dataset="xor", noise=10)
    fresh = Playground.from_url(KEEP_OFF + "&dataset=xor&noise=10")
    assert playground.epoch == 0 and len(playground.history) == 1 and playground.resets == 1
    for ours, theirs in zip(playground.weights + playground.biases, fresh.weights + fresh.biases, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_with_keep_weights_off_a_new_activation_draws_from_the_continuing_stream():
    playground = Playground.from_url(KEEP_OFF)
    playground.step(4)
    playground.set(activation="relu")
    twin = Playground.from_url(KEEP_OFF + "&activation=relu")
    twin.reset()
    assert playground.epoch == 0
    np.testing.assert_array_equal(playground.weights[0], twin.weights[0])


def test_with_keep_weights_on_the_same_changes_keep_weights_and_epoch():
    playground = Playground.from_url(DEFAULT)
    playground.step(4)
    before = playground.weights
    playground.set(activation="relu", dataset="xor")
    assert playground.epoch == 4 and playground.resets == 0
    np.testing.assert_array_equal(before[0], playground.weights[0])


def test_a_hidden_feature_leaves_the_network_with_its_links():
    playground = Playground.from_url(DEFAULT)
    old = playground.weights[0]
    playground.set(hidden=["x"])
    assert playground.config.features == ("y",)
    assert playground.weights[0].shape == (4, 1)
    np.testing.assert_array_equal(playground.weights[0][:, 0], old[:, 1])


def test_load_ignores_a_history_whose_epochs_do_not_fit():
    """JSON reads 1e400 as inf, and int(inf) overflows: the history falls back, nothing raises."""
    pg = Playground.from_url("#seed=0.5&networkShape=3")
    pg.step(3)
    data = pg.export()
    data["history"] = [[1e400, 0.1, 0.1]]
    loaded = Playground.load(data)
    assert loaded.epoch == 3 and all(p[0] <= 3 for p in loaded.history)


def test_a_copy_or_pickle_of_a_playground_has_a_lock_of_its_own():
    """The lock every public method takes (Playground.lock) is no part of the state: a deep copy or
    a pickle (a process pool, a notebook's store) gives a playground that trains on as the original."""
    import copy
    import pickle

    playground = Playground.from_url(DEFAULT)
    playground.step(3)
    for other in (copy.deepcopy(playground), pickle.loads(pickle.dumps(playground))):
        assert other.lock is not playground.lock
        with playground.lock:  # the original busy (a widget training) does not hold the copy up
            other.step(2)
        assert other.epoch == 5
    playground.step(2)
    assert playground.train_loss == other.train_loss


def test_predict_and_boundaries_wait_for_the_lock():
    """A notebook widget trains on a thread, holding ``pg.lock`` for each slice (nogil kernels
    change the weights in place): a cell's predict or boundaries waits for the slice's end."""
    import threading
    import time

    playground = Playground.from_url(DEFAULT)
    for call in (lambda: playground.predict([[0.5, 0.5]]), lambda: playground.boundaries(4, 4)):
        held = threading.Event()

        def train_slice(held: threading.Event = held) -> None:
            with playground.lock:
                held.set()
                time.sleep(0.3)

        thread = threading.Thread(target=train_slice)
        thread.start()
        held.wait()
        started = time.monotonic()
        call()
        assert time.monotonic() - started >= 0.25
        thread.join()
