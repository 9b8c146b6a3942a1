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
])
def test_each_change_makes_its_own_parts_stale(changes, expected):
    assert plan(DEFAULT, dataclasses.replace(DEFAULT, **changes)) == expected


def test_cross_entropy_falls_back_only_where_it_does_not_apply():
    classification = dataclasses.replace(DEFAULT, loss="crossEntropy")
    assert not plan(DEFAULT, classification).loss_fallback
    assert plan(classification, dataclasses.replace(classification, problem="regression")).loss_fallback
    regression = dataclasses.replace(DEFAULT, problem="regression")
    assert plan(regression, dataclasses.replace(regression, loss="crossEntropy")).loss_fallback
