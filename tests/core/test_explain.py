"""One example through the network: ``Playground.explain``, ``apply_example`` and ``predict``."""

from __future__ import annotations

import numpy as np
import pytest

from nn_core import Playground
from nn_core.activations import ACTIVATIONS
from nn_core.datasets import Dataset
from nn_core.gradient_check import FLOOR, TOLERANCE, backprop_gradient, numeric_gradient
from nn_core.optimizers import Hyper
from nn_core.training import Trainer

# Small networks with every kind of layer: two hidden layers, one output or K.
PROBLEMS = {
    "two classes": ("#dataset=xor&networkShape=3,2", 1.0),
    "three classes": ("#classes=3&dataset=blobs&networkShape=3,2", 2.0),
    "regression": ("#problem=regression&regDataset=reg-plane&networkShape=3,2", 0.7),
}
CASES = [(activation, loss, problem) for activation in ACTIVATIONS for problem in PROBLEMS
         for loss in (("squared",) if problem == "regression" else ("squared", "crossEntropy"))]
POINT = (1.3, -2.1)


def playground(activation: str, loss: str, problem: str, extra: str = "") -> tuple[Playground, float]:
    link, label = PROBLEMS[problem]
    pg = Playground.from_url(f"{link}&activation={activation}&loss={loss}&seed=explain{extra}")
    return pg, label


def flat(pg: Playground, explained: dict, weights: str, biases: str) -> np.ndarray:
    """The explanation's per-layer weight and bias lists in the engine's flat parameter order."""
    blocks = [np.column_stack((np.array(layer[weights]), np.array(layer[biases]))).ravel()
              for layer in explained["layers"]]
    assert sum(block.size for block in blocks) == pg.net.params.size
    return np.concatenate(blocks)


def one_point(pg: Playground, label: float) -> Dataset:
    return Dataset.from_points(np.array([[POINT[0], POINT[1], label]]))


@pytest.mark.parametrize(("activation", "loss", "problem"), CASES)
def test_gradients_are_the_training_rule_and_central_differences(activation, loss, problem):
    pg, label = playground(activation, loss, problem)
    explained = pg.explain(*POINT, label)
    gradient = flat(pg, explained, "weight_grad", "bias_grad")
    no_penalty = Hyper(0.03, "none", 0.0)
    rule = backprop_gradient(pg.net, one_point(pg, label), pg.config.features, pg.loss_name, no_penalty)
    assert np.array_equal(gradient, rule)
    numeric = numeric_gradient(pg.net, one_point(pg, label), pg.config.features, pg.loss_name, no_penalty)
    relative = np.abs(gradient - numeric) / np.maximum(np.maximum(np.abs(gradient), np.abs(numeric)), FLOOR)
    assert relative.max() < TOLERANCE
    assert np.abs(gradient).max() > 1e-3  # the example does teach the network something


@pytest.mark.parametrize(("activation", "loss", "problem"), CASES)
def test_values_are_the_forward_pass_and_delta_gives_the_link_gradients(activation, loss, problem):
    pg, label = playground(activation, loss, problem)
    explained = pg.explain(*POINT, label)
    assert np.allclose(explained["output"], np.atleast_1d(pg.predict([POINT])[0]), rtol=1e-12)
    below = np.array(explained["inputs"])
    for layer, entry in enumerate(explained["layers"]):
        z = pg.weights[layer] @ below + pg.biases[layer]
        assert np.allclose(entry["z"], z, rtol=1e-12, atol=1e-14)
        assert np.array_equal(entry["weight_grad"], np.outer(entry["delta"], below))
        assert entry["bias_grad"] == entry["delta"]
        below = np.array(entry["a"])
    assert explained["layers"][-1]["a"] == explained["output"]
    assert explained["loss"] > 0


@pytest.mark.parametrize("clip", ["0", "0.01"])  # 0.01 clips every one-example gradient here
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize(("regularization", "problem"), [("none", "two classes"), ("L1", "three classes"),
                                                         ("L2", "regression")])
def test_apply_is_one_training_step_of_batch_size_one(optimizer, regularization, problem, clip):
    extra = (f"&optimizer={optimizer}&regularization={regularization}&regularizationRate=0.01&learningRate=0.1"
             f"&gradientClip={clip}")
    pg, label = playground("tanh", "squared", problem, extra)
    pg.step(2)  # momentum and Adam have state by now
    reference = pg.net.copy()
    state = pg.optimizer
    trainer = Trainer(reference, one_point(pg, label), pg.config.features, 1, pg.loss_name, state.__class__(
        state.name, state.size))
    trainer.optimizer.moments[...], trainer.optimizer.steps[...] = state.moments, state.steps
    shown = pg.explain(*POINT, label)
    before, dead = pg.net.params.copy(), pg.net.dead.copy()
    epoch, history = pg.epoch, pg.history
    applied = pg.apply_example(*POINT, label)
    trainer.epoch(pg.hyper)
    assert applied == shown
    assert np.array_equal(pg.net.params, reference.params)
    assert np.array_equal(pg.net.params, flat(pg, shown, "new_weights", "new_biases"))
    assert not np.array_equal(pg.net.params, before)
    assert np.array_equal(pg.optimizer.moments, trainer.optimizer.moments)
    assert (pg.epoch, pg.history) == (epoch, history)  # no epoch: like a weight edited by hand
    assert pg.train_loss == pg.evaluate(pg.net)[0]
    if clip != "0":  # over the links alive before the step (L1-dead ones count for nothing)
        assert np.linalg.norm(pg.optimizer.last_gradient[~dead]) == pytest.approx(0.01, rel=1e-12)


def test_explaining_changes_nothing_and_uses_the_scheduled_rate():
    pg, label = playground("relu", "squared", "two classes", "&lrSchedule=step&lrStepEvery=1&lrStepFactor=0.5")
    pg.step(3)
    before, moments = pg.net.params.copy(), pg.optimizer.moments.copy()
    explained = pg.explain(*POINT, label)
    assert np.array_equal(pg.net.params, before) and np.array_equal(pg.optimizer.moments, moments)
    gradient = flat(pg, explained, "weight_grad", "bias_grad")
    expected = before - pg.learning_rate * gradient  # plain SGD, no penalty: w − lr·dE/dw
    assert pg.learning_rate == pytest.approx(0.03 / 8)
    assert np.allclose(flat(pg, explained, "new_weights", "new_biases"), expected, rtol=1e-15, atol=1e-17)


def test_a_step_finishes_the_epoch_in_progress_and_leaves_the_carried_batch():
    pg, label = playground("tanh", "squared", "two classes", "&batchSize=7")
    pg.train_examples(12)
    assert pg.position == 12
    shown = pg.explain(*POINT, label)
    assert (pg.position, pg.epoch) == (0, 1)
    carry = pg.trainer.carry.copy()
    pg.apply_example(*POINT, label)
    assert np.array_equal(pg.net.params, flat(pg, shown, "new_weights", "new_biases"))
    assert np.array_equal(pg.trainer.carry, carry)


def test_without_a_label_only_the_forward_pass():
    pg, _ = playground("sigmoid", "squared", "three classes")
    explained = pg.explain(0.5, 0.5)
    assert explained["loss"] is None
    assert set(explained["layers"][0]) == {"z", "a"}
    assert len(explained["output"]) == 3 and sum(explained["output"]) == pytest.approx(1.0)


def test_predict_gives_the_outputs_of_points():
    pg, _ = playground("tanh", "squared", "two classes")
    xy = np.column_stack((pg.train.x, pg.train.y))
    assert np.array_equal(pg.predict(xy), pg.outputs("train"))
    k, _ = playground("tanh", "crossEntropy", "three classes")
    assert k.predict([[0.0, 1.0], [2.0, 3.0]]).shape == (2, 3)


@pytest.mark.parametrize(("problem", "label", "message"), [
    ("two classes", 0, "labelled -1 and 1"), ("three classes", 3, "labelled 0 to 2"),
    ("three classes", 1.5, "labelled 0 to 2"), ("regression", float("nan"), "finite"),
    ("two classes", True, "finite number"),
])
def test_bad_labels_are_refused_and_change_nothing(problem, label, message):
    pg, _ = playground("tanh", "squared", problem)
    before = pg.net.params.copy()
    with pytest.raises(ValueError, match=message):
        pg.apply_example(*POINT, label)
    assert np.array_equal(pg.net.params, before)


@pytest.mark.parametrize("points", [[[1.0]], [[1.0, float("inf")]], "xy", [1.0, 2.0]])
def test_bad_points_are_refused(points):
    pg, _ = playground("tanh", "squared", "two classes")
    with pytest.raises(ValueError, match="points"):
        pg.predict(points)
    with pytest.raises(ValueError, match="finite"):
        pg.explain(float("nan"), 0.0)
