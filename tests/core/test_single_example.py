"""Batch size 1 runs through generated scalar code; it must train exactly like the NumPy path."""

import itertools

import numpy as np
import pytest

from nn_core import Playground
from nn_core import single_example
from nn_core.activations import ACTIVATIONS

CLASSIFY = "#dataset=xor&batchSize=1&networkShape=3,2&x=true&y=true&xTimesY=true&learningRate=0.03&seed=5"
REGRESS = "#problem=regression&dataset=reg-gauss&batchSize=1&networkShape=3,2&x=true&y=true&learningRate=0.01&seed=5"


def twins(link: str, **changes) -> tuple[Playground, Playground]:
    """The same playground twice: one trains through the generated program, one through NumPy."""
    generated, vectorized = Playground.from_url(link), Playground.from_url(link)
    for playground in (generated, vectorized):
        playground.set(**changes)
    assert generated.trainer.single_example is not None
    vectorized.trainer.single_example = None
    return generated, vectorized


def assert_same_training(generated: Playground, vectorized: Playground, epochs: int = 3) -> None:
    for _ in range(epochs):
        generated.step()
        vectorized.step()
        np.testing.assert_allclose(generated.net.params, vectorized.net.params, rtol=1e-9, atol=1e-12)
        assert np.array_equal(generated.net.dead, vectorized.net.dead)
        assert generated.train_loss == pytest.approx(vectorized.train_loss, rel=1e-9)


@pytest.mark.parametrize("activation,loss,regularization", list(itertools.product(
    sorted(ACTIVATIONS), ["squared", "crossEntropy"], ["none", "L1", "L2"])))
def test_generated_program_trains_like_numpy_for_every_activation_loss_and_penalty(activation, loss, regularization):
    generated, vectorized = twins(CLASSIFY, activation=activation, loss=loss,
                                  regularization=regularization, regularizationRate=0.01)
    assert_same_training(generated, vectorized)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_regression_with_a_linear_output_trains_like_numpy(activation):
    assert_same_training(*twins(REGRESS, activation=activation, regularization="L2", regularizationRate=0.003))


def test_links_that_die_mid_epoch_stay_dead_and_untouched():
    generated, vectorized = twins(CLASSIFY, regularization="L1", regularizationRate=0.3)
    generated.step()
    vectorized.step()
    assert generated.net.dead.sum() > 1  # several deaths in one epoch, one program
    assert list(generated.trainer.single_example.programs) == ["L1"]
    assert_same_training(generated, vectorized)
    assert (generated.net.params[generated.net.dead] == 0.0).all()


def test_overflow_in_math_exp_hands_the_rest_of_the_epoch_to_numpy():
    probe, generated, vectorized = Playground.from_url(CLASSIFY), *twins(CLASSIFY)
    for playground in (probe, generated, vectorized):
        playground.set(activation="sigmoid")
        playground.set_weight(0, 0, 0, -400.0)  # z ≈ −2,400 at some point: exp(2,400) overflows
    done, _ = probe.trainer.single_example.epoch(0.03, "none", 0.0)
    assert 0 < done < len(probe.train)  # the examples before the overflow are kept
    assert_same_training(generated, vectorized, epochs=2)


def test_a_carried_partial_batch_is_applied_by_the_numpy_path():
    generated, vectorized = twins(CLASSIFY)
    for playground in (generated, vectorized):
        playground.set(batchSize=7)
        playground.step()  # 250 points: 5 carried
        playground.set(batchSize=1)
    vectorized.trainer.single_example = None
    assert generated.trainer.carry_count == 5
    assert_same_training(generated, vectorized, epochs=2)
    assert generated.trainer.carry_count == 0


@pytest.mark.parametrize("change", [{"batchSize": 10}, {"optimizer": "adam"}, {"networkShape": "8,8,8"}])
def test_only_batch_size_1_with_the_classic_rule_on_small_networks_is_generated(change):
    playground = Playground.from_url(CLASSIFY)
    playground.set(**change)
    assert playground.trainer.single_example is None


def test_a_new_batch_size_drops_the_program_and_batch_size_1_brings_it_back():
    trainer = Playground.from_url(CLASSIFY).trainer
    trainer.set_batch_size(10)
    assert trainer.single_example is None
    trainer.set_batch_size(1)
    assert trainer.single_example is not None


def test_generated_source_follows_the_original_order_of_operations():
    playground = Playground.from_url("#dataset=xor&batchSize=1&networkShape=1&x=true&y=false&regularization=L2")
    text = single_example.source(playground.net, "squared", "L2")
    assert "z1_0 = w1 + w0 * x0" in text  # bias first, then each link
    assert "if live0:\n                w0 = w0 - lr * (d1_0 * x0) - lr_reg * w0" in text  # penalty at the OLD weight
    assert "w1 -= lr * d1_0" in text  # biases are not regularized


@pytest.mark.parametrize("shape", ["networkShape=&x=true&y=true", "networkShape=2&x=false&y=false",
                                   "networkShape=&x=false&y=false", "networkShape=1,1,1&x=true&y=false"])
def test_odd_shapes_no_hidden_layer_no_features_one_neuron_layers(shape):
    assert_same_training(*twins(f"#seed=1&dataset=xor&batchSize=1&{shape}"))
