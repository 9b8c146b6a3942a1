"""K classes: the datasets, the link's ``classes`` key, the user's class points and the outputs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core import Playground, point_codec
from nn_core.cli import main
from nn_core.datasets import MULTICLASS_DATASETS, Dataset, PointsError, generate
from nn_core.features import EXTENT
from nn_core.rng import SeededRandom
from nn_core.settings import DEFAULT, SettingError, replace
from nn_core.urlstate import parse_hash, to_hash

BLOBS = "#classes=4&dataset=blobs&networkShape=8&seed=1"


@pytest.mark.parametrize("name", ["blobs", "spiral", "rings"])
@pytest.mark.parametrize("classes", [3, 4, 6])
def test_k_class_datasets_are_seeded_and_have_every_class(name, classes):
    data = generate(name, SeededRandom("s"), 0, regression=False, classes=classes)
    again = generate(name, SeededRandom("s"), 0, regression=False, classes=classes)
    assert data.rows() == again.rows()
    labels, counts = np.unique(data.label, return_counts=True)
    assert labels.tolist() == list(range(classes)) and len(data) == 500 // classes * classes
    assert counts.min() >= 500 // classes * 0.8  # rings: the noise-free label is the ring drawn in
    assert np.abs(np.concatenate((data.x, data.y))).max() <= EXTENT
    assert generate(name, SeededRandom("t"), 0, regression=False, classes=classes).rows() != data.rows()


def test_noise_moves_points_and_mixes_rings():
    clean = generate("rings", SeededRandom("s"), 0, regression=False, classes=3)
    noisy = generate("rings", SeededRandom("s"), 50, regression=False, classes=3)
    radius = np.hypot(noisy.x, noisy.y)
    inner = noisy.label == 0
    assert radius[inner].max() > radius[noisy.label == 1].min()  # noise mixes neighbouring rings
    assert not np.array_equal(clean.label, noisy.label)
    spread = [np.std(generate("blobs", SeededRandom("s"), n, False, 3).x) for n in (0, 50)]
    assert spread[1] > spread[0]


def test_blobs_and_rings_have_two_classes_as_minus_and_plus_one():
    for name in ("blobs", "rings"):
        data = generate(name, SeededRandom("s"), 0, regression=False)
        assert set(data.label.tolist()) == {-1.0, 1.0}


def test_the_train_test_ratio_applies():
    playground = Playground.from_url("#classes=3&dataset=spiral&percTrainData=70&seed=3")
    assert (len(playground.train), len(playground.test)) == (348, 150)


def test_classic_links_do_not_mention_classes_and_k_round_trips():
    assert "classes" not in to_hash(parse_hash("#seed=1&dataset=spiral")[0])
    config, warnings = parse_hash(BLOBS)
    assert (config.classes, config.dataset, config.layer_sizes, warnings) == (4, "blobs", (2, 8, 4), [])
    assert parse_hash(to_hash(config)) == (config, [])


def test_a_two_class_dataset_with_k_classes_warns_and_uses_blobs():
    config, warnings = parse_hash("#classes=3&dataset=xor&seed=1")
    assert config.dataset == "blobs" and config.classes == 3
    assert warnings == [f"dataset: xor has two classes, not 3; 3 classes need one of "
                        f"{', '.join(MULTICLASS_DATASETS)}; using blobs"]
    assert parse_hash("#classes=9&dataset=rings&seed=1")[0].classes == 6  # clamped, with a warning


def test_page_messages_with_a_two_class_dataset_for_k_classes_are_refused():
    three, _ = replace(DEFAULT, {"classes": 3, "dataset": "rings"}, strict=True)
    with pytest.raises(SettingError, match="dataset: circle has two classes, not 3"):
        replace(three, {"dataset": "circle"}, strict=True)
    # classes alone takes the dataset along, and back to two classes any dataset is fine
    assert replace(DEFAULT, {"classes": 5}, strict=True)[0].dataset == "blobs"
    assert replace(three, {"classes": 2}, strict=True)[0].dataset == "rings"


def test_four_class_blobs_reach_test_accuracy_095_within_300_epochs_from_the_cli(capsys):
    assert main(["train", BLOBS, "--epochs", "300", "--json"]) == 0
    last = json.loads(capsys.readouterr().out.splitlines()[-1])
    playground = Playground.from_url(BLOBS)
    playground.step(300)
    assert (last["epoch"], last["test_loss"]) == (300, playground.test_loss)  # the CLI's own run
    outputs = playground.outputs("test")
    assert outputs.shape == (len(playground.test), 4)
    np.testing.assert_allclose(outputs.sum(axis=1), 1.0)
    accuracy = float(np.mean(outputs.argmax(axis=1) == playground.labels("test")))
    assert accuracy >= 0.95, accuracy


def test_outputs_are_in_the_metrics_contracts_form():
    two = Playground.from_url("#seed=1")
    assert two.outputs("train").shape == (250,) and np.abs(two.outputs("train")).max() <= 1
    assert set(two.labels("test").tolist()) == {-1.0, 1.0}
    np.testing.assert_allclose(two.outputs("test"), two.net.forward(
        np.column_stack((two.test.x, two.test.y)))[:, 0])
    with pytest.raises(ValueError, match="'train' or 'test'"):
        two.outputs("all")


def test_changing_classes_rebuilds_the_output_layer_and_keeps_the_hidden_weights():
    playground = Playground.from_url("#classes=3&dataset=blobs&networkShape=4&seed=1")
    hidden = playground.weights[0]
    playground.set(classes=5)
    assert playground.weights[-1].shape == (5, 4) and np.array_equal(playground.weights[0], hidden)
    assert set(playground.train.label.tolist()) == {0.0, 1.0, 2.0, 3.0, 4.0}
    playground.set(classes=2)
    assert playground.net.output_activation == "tanh" and playground.weights[-1].shape == (1, 4)


def test_your_points_with_k_classes_and_their_link():
    playground = Playground.from_url("#classes=3&dataset=custom&seed=1")
    playground.set_points([[1, 1, 0], [-1, 2, 2], [0.5, -3, 1], [2, 2, 2]])
    assert sorted(np.concatenate((playground.train.label, playground.test.label)).tolist()) == [0, 1, 2, 2]
    with pytest.raises(PointsError, match="row 1: label must be a class 0 to 2"):
        playground.set_points([[1, 1, 3]], mode="add")
    with pytest.raises(PointsError, match="label must be a class"):
        playground.set_points([[1, 1, -1]], mode="add")
    again = Playground.from_url(playground.to_url())
    assert again.train.rows() == playground.train.rows() and again.test.rows() == playground.test.rows()
    playground.set(classes=4)  # another number of classes: other points; back again, the same
    assert len(playground.train) + len(playground.test) == 0
    playground.set(classes=3)
    assert again.train.rows() == playground.train.rows()


def test_two_class_points_stay_plus_minus_one():
    playground = Playground.from_url("#dataset=custom&seed=1")
    with pytest.raises(PointsError, match="1 or -1"):
        playground.set_points([[1, 1, 0]])


class_point = st.tuples(st.floats(-EXTENT, EXTENT), st.floats(-EXTENT, EXTENT), st.integers(0, 5))


@settings(max_examples=100, deadline=None)
@given(st.lists(class_point, max_size=30), st.lists(class_point, max_size=30))
def test_class_points_to_link_to_points_is_exact(train_rows, test_rows):
    train = point_codec.snap(Dataset.from_points(np.asarray(train_rows, float).reshape(-1, 3)), False)
    test = point_codec.snap(Dataset.from_points(np.asarray(test_rows, float).reshape(-1, 3)), False)
    decoded = point_codec.decode(point_codec.encode(train, test, False, 6), False, 6)
    assert decoded[0].rows() == train.rows() and decoded[1].rows() == test.rows()


def test_a_link_class_beyond_k_is_refused():
    text = point_codec.encode(Dataset.from_points([[0, 0, 5]]), Dataset.from_points(np.empty((0, 3))), False, 6)
    with pytest.raises(point_codec.LinkPointsError, match="a class beyond 2"):
        point_codec.decode(text, False, 3)
    playground = Playground.from_url(f"#classes=3&dataset=custom&seed=1&points={text}")
    assert "points: could not be read (a class beyond 2)" in playground.warnings[0]


def test_export_and_load_keep_k_classes_points_and_weights():
    playground = Playground.from_url("#classes=3&dataset=custom&seed=1")
    playground.set_points([[1, 1, 0], [-1, 2, 2], [0.5, -3, 1], [2, 2, 2]])
    playground.step(3)
    loaded = Playground.load(json.loads(json.dumps(playground.export())))
    assert loaded.to_url() == playground.to_url() and loaded.config.classes == 3
    np.testing.assert_array_equal(loaded.weights[-1], playground.weights[-1])
    assert loaded.train.rows() == playground.train.rows()


def test_k_class_grids_are_probabilities_per_output_neuron():
    playground = Playground.from_url(BLOBS)
    playground.step(20)
    maps = playground.boundaries()
    assert maps.output.shape == (4, 100, 100) and maps.thumbnails.shape == (2 + 8 + 4, 25, 25)
    np.testing.assert_allclose(maps.output.sum(axis=0), 1.0, atol=1e-5)
    np.testing.assert_allclose(maps.thumbnails[-4:], maps.output.reshape(4, 25, 4, 25, 4).mean(axis=(2, 4)),
                               atol=1e-5)
    corner = playground.net.forward(np.array([[-6.0, 6.0]]))[0]  # row 0 = top, column 0 = left
    np.testing.assert_allclose(maps.output[:, 0, 0], corner, atol=1e-5)
