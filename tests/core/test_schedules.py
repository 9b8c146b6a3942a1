"""Learning-rate schedules give the documented rate at given epochs, and train with it."""

import math

import pytest

from nn_core import Playground
from nn_core.schedules import SCHEDULES, learning_rate
from nn_core.settings import DEFAULT, SETTINGS, replace


def config(**changes):
    new, warnings = replace(DEFAULT, changes)
    assert warnings == []
    return new


def test_every_schedule_choice_has_a_formula():
    assert set(SETTINGS["lrSchedule"].choices) == set(SCHEDULES)


def test_constant_is_the_learning_rate_itself():
    c = config(learningRate=0.3)
    assert [learning_rate(c, e) for e in (0, 1, 10**6)] == [0.3, 0.3, 0.3]


def test_step_multiplies_by_the_factor_every_n_epochs():
    c = config(learningRate=0.1, lrSchedule="step", lrStepEvery=10, lrStepFactor=0.5)
    rates = {e: learning_rate(c, e) for e in (0, 9, 10, 19, 20, 35)}
    assert rates == pytest.approx({0: 0.1, 9: 0.1, 10: 0.05, 19: 0.05, 20: 0.025, 35: 0.0125})


def test_exponential_multiplies_by_the_decay_every_epoch():
    c = config(learningRate=1, lrSchedule="exponential", lrDecay=0.9)
    assert [learning_rate(c, e) for e in (0, 1, 2, 10)] == pytest.approx([1, 0.9, 0.81, 0.9**10])


def test_cosine_goes_from_the_rate_to_the_minimum_in_t_epochs_then_stays():
    c = config(learningRate=0.5, lrSchedule="cosine", lrCosineEpochs=100, lrMin=0.1)
    assert learning_rate(c, 0) == pytest.approx(0.5)
    assert learning_rate(c, 50) == pytest.approx(0.3)  # halfway: the mean of the two
    assert learning_rate(c, 25) == pytest.approx(0.1 + 0.4 * (1 + math.cos(math.pi / 4)) / 2)
    assert learning_rate(c, 100) == pytest.approx(0.1) and learning_rate(c, 5000) == pytest.approx(0.1)


def test_training_uses_the_scheduled_rate_of_each_epoch():
    """Two epochs under a step schedule equal one epoch at each rate, set by hand."""
    link = "#seed=0.12345&learningRate=0.3&lrSchedule=step&lrStepEvery=1&lrStepFactor=0.1"
    scheduled = Playground.from_url(link)
    scheduled.step(2)
    by_hand = Playground.from_url("#seed=0.12345&learningRate=0.3")
    by_hand.step(1)
    by_hand.set(learningRate=0.03)
    by_hand.step(1)
    assert scheduled.train_loss == by_hand.train_loss
    assert scheduled.learning_rate == pytest.approx(0.003)


def test_a_schedule_is_resumable_from_its_epoch():
    link = "#seed=4&lrSchedule=exponential&lrDecay=0.9&learningRate=0.3"
    straight = Playground.from_url(link)
    straight.step(6)
    halves = Playground.from_url(link)
    halves.step(3)
    resumed = Playground.load(halves.export())
    resumed.step(3)
    assert resumed.learning_rate == straight.learning_rate == pytest.approx(0.3 * 0.9**6)
    assert resumed.train_loss == pytest.approx(straight.train_loss, rel=1e-9)


def test_new_keys_round_trip_through_the_link():
    link = ("#seed=1&lrSchedule=cosine&lrCosineEpochs=300&lrMin=0.001&stopAtEpoch=500&stopAtTestLoss=0.05"
            "&stopAtAccuracy=0.95&earlyStopping=40&lrStepEvery=7&lrStepFactor=0.2&lrDecay=0.95")
    pg = Playground.from_url(link)
    assert pg.warnings == []
    again = Playground.from_url(pg.to_url())
    assert again.config == pg.config
    assert (pg.config.lrCosineEpochs, pg.config.stopAtAccuracy, pg.config.earlyStopping) == (300, 0.95, 40)
    assert "lrSchedule" not in Playground.from_url("#seed=1").to_url()  # defaults stay out of links
