"""What a change of settings makes stale, from the two configs alone."""

import dataclasses

import pytest

from nn_core.rebuild import Rebuild, plan
from nn_core.settings import DEFAULT


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
