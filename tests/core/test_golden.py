"""Classic mode reproduces TensorFlow Playground's own numbers (tests/data/golden)."""

import json
from pathlib import Path

import numpy as np
import pytest

from nn_core import Playground

GOLDEN = sorted((Path(__file__).parents[1] / "data" / "golden").glob("*.json"))


@pytest.fixture(scope="module", params=GOLDEN, ids=lambda p: p.stem)
def golden(request):
    reference = json.loads(request.param.read_text())
    return reference, Playground.from_url(reference["hash"])


def test_golden_files_are_present():
    assert {p.stem for p in GOLDEN} >= {"circle-default", "spiral-deep", "xor-l1-batch1", "reg-gauss-linear"}


def test_link_round_trips_to_the_original_hash(golden):
    reference, playground = golden
    assert playground.to_url() == reference["hash"]
    assert list(playground.config.features) == reference["features"]


def test_points_labels_and_split_match(golden):
    reference, playground = golden
    for ours, rows in ((playground.train, reference["train_points"]), (playground.test, reference["test_points"])):
        theirs = np.array(rows)
        assert len(ours) == len(theirs)
        assert np.array_equal(ours.label, theirs[:, 2])
        np.testing.assert_allclose(ours.x, theirs[:, 0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours.y, theirs[:, 1], rtol=0, atol=1e-12)


def test_initial_weights_and_biases_are_exact(golden):
    reference, playground = golden
    assert [w.tolist() for w in playground.weights] == reference["initial_weights"]
    assert [b.tolist() for b in playground.biases] == reference["initial_biases"]


def test_losses_for_200_epochs_match(golden):
    reference, _ = golden
    assert_losses_match(reference, Playground.from_url(reference["hash"]))


def assert_losses_match(reference: dict, playground: Playground) -> None:
    playground.step(200)
    ours = np.array([[train, test] for _, train, test in playground.history])
    theirs = np.array([[r["train_loss"], r["test_loss"]] for r in reference["loss_history"]])
    assert [e for e, _, _ in playground.history] == [r["epoch"] for r in reference["loss_history"]]
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=0)
