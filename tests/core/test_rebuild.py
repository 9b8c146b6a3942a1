"""What a change of settings makes stale, from the two configs alone."""

import dataclasses

import pytest

from nn_core import Playground
from nn_core.rebuild import Rebuild, plan
from nn_core.settings import DEFAULT
from nn_core.training import LossEvaluator


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, Rebuild()),
    ({"learningRate": 0.1, "showTestData": True}, Rebuild()),
    ({"seed": "2"}, Rebuild(data=True, trainer=True)),
    ({"batchSize": 3}, Rebuild(trainer=True)),
    ({"optimizer": "adam"}, Rebuild(optimizer=True, trainer=True)),
    ({"activation": "relu"}, Rebuild(network=True, trainer=True)),
    ({"networkShape": (3,)}, Rebuild(network=True, optimizer=True, trainer=True)),
    ({"xSquared": True}, Rebuild(network=True, optimizer=True, trainer=True)),
    ({"problem": "regression"}, Rebuild(data=True, network=True, trainer=True)),
    ({"initZero": True}, Rebuild(reset=True)),
    ({"hidden": frozenset({"x"})}, Rebuild(network=True, optimizer=True, trainer=True)),
    ({"hidden": frozenset({"xSquared"})}, Rebuild()),  # not an input: nothing to remove
])
def test_each_change_makes_its_own_parts_stale(changes, expected):
    assert plan(DEFAULT, dataclasses.replace(DEFAULT, **changes)) == expected


def test_cross_entropy_falls_back_only_where_it_does_not_apply():
    classification = dataclasses.replace(DEFAULT, loss="crossEntropy")
    assert not plan(DEFAULT, classification).loss_fallback
    assert plan(classification, dataclasses.replace(classification, problem="regression")).loss_fallback
    regression = dataclasses.replace(DEFAULT, problem="regression")
    assert plan(regression, dataclasses.replace(regression, loss="crossEntropy")).loss_fallback


KEEP_OFF = dataclasses.replace(DEFAULT, keepWeights=False)


@pytest.mark.parametrize("changes", [
    {"activation": "relu"}, {"regularization": "L2"}, {"regularizationRate": 0.1}, {"batchSize": 3},
    {"problem": "regression"}, {"dataset": "xor"}, {"percTrainData": 70}, {"noise": 10},
    {"networkShape": (3,)}, {"xSquared": True}, {"hidden": frozenset({"y"})},
])
def test_with_keep_weights_off_what_resets_in_the_original_resets(changes):
    assert plan(KEEP_OFF, dataclasses.replace(KEEP_OFF, **changes)).reset
    assert not plan(DEFAULT, dataclasses.replace(DEFAULT, **changes)).reset


@pytest.mark.parametrize("changes", [
    {"learningRate": 0.1}, {"showTestData": True}, {"discretize": True}, {"seed": "2"}, {"keepWeights": True},
])
def test_with_keep_weights_off_what_the_original_keeps_stays(changes):
    assert not plan(KEEP_OFF, dataclasses.replace(KEEP_OFF, **changes)).reset


# --- the losses a change leaves -----------------------------------------------------
HYPER_ONLY = [{"learningRate": 0.1}, {"regularization": "L2", "regularizationRate": 0.01}, {"momentum": 0.5},
              {"gradientClip": 1.0}, {"lrSchedule": "step"}, {"showTestData": True}, {"speed": "max"}]
LOSS_DECIDING = [{"loss": "crossEntropy"}, {"noise": 20}, {"networkShape": (3,)}, {"initZero": True},
                 {"batchSize": 3}, {"activation": "relu"}, {"xSquared": True}, {"seed": "7"}]


def _playground_after(history: str) -> Playground:
    pg = Playground.from_url("#networkShape=4,2&batchSize=7")
    if history in ("trained", "rewound", "resumed"):
        pg.step(12)
    if history == "cut":  # an epoch in progress: the change first finishes it
        pg.train_examples(pg.epoch_cost // 3)
    if history == "rewound":
        pg.rewind(5)
    if history == "resumed":
        weights = [w.tolist() for w in pg.net.weights]
        biases = [b.tolist() for b in pg.net.biases]
        pg = Playground.from_url(pg.to_url())
        pg.resume(12, weights, biases)
    return pg


@pytest.mark.parametrize("history", ["fresh", "trained", "cut", "rewound", "resumed"])
@pytest.mark.parametrize("changes", HYPER_ONLY + LOSS_DECIDING)
def test_after_any_change_the_losses_are_the_networks_losses_now(changes, history):
    pg = _playground_after(history)
    pg.update(changes, strict=True)
    assert (pg.train_loss, pg.test_loss) == pg.evaluate(pg.net)


@pytest.mark.parametrize("changes", HYPER_ONLY)
def test_a_change_that_leaves_points_weights_and_loss_alone_evaluates_nothing(changes, monkeypatch):
    pg = _playground_after("trained")
    calls = []
    evaluate = LossEvaluator.__call__
    monkeypatch.setattr(LossEvaluator, "__call__", lambda self, net: calls.append(1) or evaluate(self, net))
    pg.update(changes, strict=True)
    assert calls == []
    pg.update({"noise": 5}, strict=True)
    assert calls == [1]
