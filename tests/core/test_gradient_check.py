import itertools

import pytest

from nn_core import Playground
from nn_core.activations import ACTIVATIONS

COMBINATIONS = list(itertools.product(ACTIVATIONS, ("squared", "crossEntropy"), ("none", "L1", "L2")))


@pytest.mark.parametrize(("activation", "loss", "regularization"), COMBINATIONS)
def test_backprop_matches_central_differences(activation, loss, regularization):
    playground = Playground.from_url(
        f"#seed=gc&dataset=spiral&noise=10&activation={activation}&regularization={regularization}"
        "&regularizationRate=0.01&networkShape=4,3&xSquared=true"
    )
    playground.set(loss=loss)
    playground.step(3)
    result = playground.gradient_check()
    assert len(result["max_relative_error"]) == 3
    assert max(result["max_relative_error"]) < 1e-6, result
    assert result["ok"]


@pytest.mark.parametrize(("activation", "loss", "regularization"), COMBINATIONS)
@pytest.mark.parametrize(("classes", "dataset"), [(3, "spiral"), (5, "rings")])
def test_softmax_outputs_match_central_differences(classes, dataset, activation, loss, regularization):
    """K softmax outputs with cross-entropy (or squared error on the one-hot label), every path.

    The seed keeps every training point off relu's and L1's kinks, where a central
    difference straddles two slopes (as the two-class test's seed does).
    """
    playground = Playground.from_url(
        f"#seed=gc2&classes={classes}&dataset={dataset}&noise=10&activation={activation}"
        f"&regularization={regularization}&regularizationRate=0.01&networkShape=4,3&xSquared=true")
    playground.set(loss=loss)
    playground.step(3)
    assert playground.net.sizes[-1] == classes
    result = playground.gradient_check()
    assert max(result["max_relative_error"]) < 1e-6 and result["ok"], result


def test_a_broken_gradient_is_caught(monkeypatch):
    from nn_core import gradient_check

    playground = Playground.from_url("#seed=gc&networkShape=3")
    original = gradient_check.backprop_gradient
    monkeypatch.setattr(gradient_check, "backprop_gradient", lambda *a: original(*a) * 1.01)
    assert not playground.gradient_check()["ok"]


def test_regression_with_linear_output_checks_too():
    playground = Playground.from_url("#seed=r&problem=regression&regDataset=reg-gauss&networkShape=3,2")
    assert playground.gradient_check()["ok"]


def test_a_big_network_is_checked_on_a_sample_per_layer():
    playground = Playground.from_url("#seed=big&mode=extended&networkShape=32,32")
    result = playground.gradient_check()
    assert result["ok"] and result["checked"] == 48 * 3 - (48 - 33)
