"""The compiled engine trains exactly like the plain NumPy reference (reference_training.py)."""

import itertools

import numpy as np
import pytest

from nn_core import Playground
from nn_core.activations import ACTIVATIONS

from .reference_training import ReferenceNetwork

# 250 training points at batch size 7: every epoch carries 5 points into the next one.
CLASSIFY = "#dataset=xor&batchSize=7&networkShape=3,2&x=true&y=true&xTimesY=true&learningRate=0.03&seed=5"
REGRESS = "#problem=regression&dataset=reg-gauss&batchSize=7&networkShape=3,2&learningRate=0.01&seed=5"


def twins(link: str, **changes) -> tuple[Playground, ReferenceNetwork]:
    playground = Playground.from_url(link)
    assert playground.set(**changes) == []
    return playground, ReferenceNetwork(playground)


def assert_same_training(playground: Playground, reference: ReferenceNetwork, epochs: int = 2) -> None:
    for _ in range(epochs):
        playground.step()
        reference.epoch()
        for ours, theirs in zip(playground.weights, reference.layers, strict=True):
            np.testing.assert_allclose(ours, theirs.weights, rtol=1e-10, atol=1e-13)
        for ours, theirs in zip(playground.biases, reference.layers, strict=True):
            np.testing.assert_allclose(ours, theirs.biases, rtol=1e-10, atol=1e-13)
        for ours, theirs in zip(playground.dead, reference.layers, strict=True):
            assert np.array_equal(ours, theirs.dead)
        assert playground.trainer.carry_count == reference.count
        np.testing.assert_allclose((playground.train_loss, playground.test_loss), reference.losses(), rtol=1e-10)


def assert_same_gradient(playground: Playground, reference: ReferenceNetwork) -> None:
    """The summed gradient over the whole training set, block by block, as the reference's."""
    gradient = playground.net._views(playground.trainer.full_batch_gradient())
    for block, (weights, biases) in zip(gradient, reference.gradient_sum(), strict=True):
        np.testing.assert_allclose(block[:, :-1], weights, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(block[:, -1], biases, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("regularization", ["none", "L1", "L2"])
@pytest.mark.parametrize(("activation", "loss"),
                         list(itertools.product(sorted(ACTIVATIONS), ["squared", "crossEntropy"])))
def test_every_activation_loss_regularizer_and_optimizer_trains_like_the_reference(
        activation, loss, regularization, optimizer):
    assert_same_training(*twins(CLASSIFY, activation=activation, loss=loss, regularization=regularization,
                                regularizationRate=0.01, optimizer=optimizer))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize(("link", "regularization"), [(CLASSIFY, "L2"), (CLASSIFY, "L1"), (REGRESS, "none")])
def test_gradient_clipping_trains_like_the_reference_for_every_optimizer(link, regularization, optimizer):
    playground, reference = twins(link, regularization=regularization, regularizationRate=0.01,
                                  optimizer=optimizer, gradientClip=0.05)
    assert_same_training(playground, reference, epochs=3)
    live = playground.optimizer.last_gradient[~playground.net.dead]  # dead links count for nothing
    assert 0.0 < np.linalg.norm(live) <= 0.05 * (1 + 1e-12)
    unclipped = twins(link, regularization=regularization, regularizationRate=0.01, optimizer=optimizer)[0]
    unclipped.step(3)
    assert not np.array_equal(unclipped.net.params, playground.net.params)  # the clipping acted


def test_an_overflowing_gradient_norm_still_clips_to_the_limit():
    from nn_core.optimizers import Hyper, make
    params, gradient = np.zeros(3), np.array([1e200, -1e200, 0.0])
    make("sgd", 3).update(params, np.zeros(3, bool), gradient, 1, Hyper(1.0, "none", 0.0, gradient_clip=2.0),
                          np.ones(3))
    np.testing.assert_allclose(params, [-np.sqrt(2.0), np.sqrt(2.0), 0.0], rtol=1e-12)


# Three classes (a spiral of three arms) and six (blobs): K softmax outputs, labels 0…K−1.
MULTICLASS = "#classes=3&dataset=spiral&batchSize=7&networkShape=3,2&learningRate=0.03&seed=5"


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("regularization", ["none", "L1", "L2"])
@pytest.mark.parametrize(("activation", "loss"),
                         list(itertools.product(sorted(ACTIVATIONS), ["squared", "crossEntropy"])))
def test_k_classes_with_softmax_train_like_the_reference(activation, loss, regularization, optimizer):
    playground, reference = twins(MULTICLASS, activation=activation, loss=loss, regularization=regularization,
                                  regularizationRate=0.01, optimizer=optimizer)
    assert playground.net.output_activation == "softmax" and playground.weights[-1].shape == (3, 2)
    assert_same_training(playground, reference)


@pytest.mark.parametrize("loss", ["squared", "crossEntropy"])
@pytest.mark.parametrize("batch_size", [1, 9])
def test_six_classes_and_batch_sizes_train_like_the_reference(loss, batch_size):
    playground, reference = twins("#classes=6&dataset=blobs&networkShape=5&seed=2", loss=loss, batchSize=batch_size)
    assert set(playground.train.label) == {0.0, 1.0, 2.0, 3.0, 4.0, 5.0}
    assert_same_training(playground, reference, epochs=3)


def test_the_k_class_gradient_over_the_training_set_matches_the_reference():
    assert_same_gradient(*twins(MULTICLASS, activation="relu", networkShape="4,3", loss="crossEntropy"))


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_regression_with_a_linear_output_trains_like_the_reference(activation):
    assert_same_training(*twins(REGRESS, activation=activation, regularization="L2", regularizationRate=0.003))


@pytest.mark.parametrize("batch_size", [1, 10, 25, 29, 30])
def test_batch_sizes_that_divide_the_training_set_or_not(batch_size):
    assert_same_training(*twins(CLASSIFY, batchSize=batch_size), epochs=3)


def test_l1_kills_links_for_good_and_they_stay_at_zero():
    playground, reference = twins(CLASSIFY, regularization="L1", regularizationRate=0.3, batchSize=1)
    assert_same_training(playground, reference)
    dead = playground.net.dead
    assert dead.sum() > 1
    assert (playground.net.params[dead] == 0.0).all()


def test_a_carried_partial_batch_joins_the_first_update_after_a_batch_size_change():
    playground, reference = twins(CLASSIFY)
    assert_same_training(playground, reference, epochs=1)
    assert playground.trainer.carry_count == 5
    playground.set(batchSize=1)
    reference.config = playground.config
    assert_same_training(playground, reference, epochs=2)
    assert playground.trainer.carry_count == 0


@pytest.mark.parametrize("shape", ["networkShape=&x=true&y=true", "networkShape=2&x=false&y=false",
                                   "networkShape=&x=false&y=false", "networkShape=1,1,1&x=true&y=false",
                                   "networkShape=8,8,8,8,8,8&xSquared=true&ySquared=true&sinX=true"])
def test_odd_shapes_no_hidden_layer_no_features_one_neuron_layers(shape):
    assert_same_training(*twins(f"#seed=1&dataset=xor&batchSize=3&{shape}"))


def test_the_gradient_over_the_training_set_matches_the_reference():
    assert_same_gradient(*twins(CLASSIFY, activation="swish", networkShape="4,3"))


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_overflow_diverges_without_raising(activation):
    playground = Playground.from_url(f"#seed=d&learningRate=10&activation={activation}&problem=regression"
                                     "&networkShape=8,8,8&batchSize=1")
    playground.step(3)
    assert playground.diverged and not np.isfinite(playground.train_loss)
    assert playground.epoch == 3


def test_huge_weights_saturate_without_raising():
    """exp(±1e300) overflows inside sigmoid and tanh: the values saturate, nothing raises."""
    playground = Playground.from_url(f"{CLASSIFY}&activation=sigmoid")
    playground.set_weight(0, 0, 0, 1e300)
    playground.set_weight(0, 1, 1, -1e300)
    playground.step(2)
    assert np.isfinite(playground.train_loss)
