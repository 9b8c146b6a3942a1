"""The last update's gradient: what training applied, kept per weight and summed up per layer."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nn_core import Playground
from nn_core.epoch import gradient_sum
from nn_core.optimizers import Hyper, make

LINK = "#seed=0.25&dataset=circle&networkShape=4,3&activation=tanh&learningRate=0.1"


def first_batch_mean_gradient(pg: Playground, count: int) -> list[np.ndarray]:
    """dE/dweight summed over the first ``count`` training points at the current weights, / count."""
    trainer = pg.trainer
    summed = np.zeros_like(pg.net.params)
    gradient_sum(pg.net.params, trainer.layout, trainer.hidden, trainer.output, trainer.loss,
                 trainer.inputs[:count], trainer.labels[:count], trainer.neurons, summed)
    return [w.copy() for w in pg.net.weight_views(summed / count)]


def test_before_any_update_the_gradients_are_zeros_shaped_like_the_weights() -> None:
    pg = Playground.from_url(LINK)
    assert [g.shape for g in pg.gradients] == [w.shape for w in pg.weights]
    assert all(not g.any() for g in pg.gradients) and pg.gradient_sizes == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("batch", [1, 10, 30])
def test_the_kept_gradient_is_the_last_batchs_sum_over_its_count(batch: int, optimizer: str) -> None:
    pg = Playground.from_url(f"{LINK}&batchSize={batch}&optimizer={optimizer}&regularization=L2"
                             "&regularizationRate=0.01")
    expected = first_batch_mean_gradient(pg, batch)
    pg.train_examples(batch)  # exactly one update, at the initial weights
    for kept, reference in zip(pg.gradients, expected, strict=True):
        np.testing.assert_allclose(kept, reference, rtol=1e-12, atol=1e-15)
    assert any(g.any() for g in pg.gradients)


def test_the_layer_sizes_are_each_layers_root_mean_square() -> None:
    pg = Playground.from_url(LINK)
    pg.step(3)
    sizes = pg.gradient_sizes
    assert sizes == pytest.approx([float(np.sqrt(np.mean(g**2))) for g in pg.gradients], rel=1e-12)
    assert len(sizes) == 3 and all(size > 0 for size in sizes)


def test_a_deep_sigmoid_networks_first_layer_gradient_vanishes() -> None:
    pg = Playground.from_url("#seed=0.5&dataset=circle&networkShape=8,8,8,8,8,8&activation=sigmoid")
    pg.step(2)
    sizes = pg.gradient_sizes
    assert sizes[0] < sizes[-1] / 100  # each sigmoid layer multiplies by at most 1/4


def test_the_update_keeps_the_mean_and_still_clears_the_sum() -> None:
    params, summed = np.zeros(3), np.array([3.0, -6.0, 9.0])
    optimizer = make("sgd", 3)
    optimizer.update(params, np.zeros(3, bool), summed, 3, Hyper(0.5, "none", 0.0), np.ones(3))
    np.testing.assert_allclose(optimizer.last_gradient, [1.0, -2.0, 3.0], rtol=1e-15)
    np.testing.assert_array_equal(summed, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(params, [-0.5, 1.0, -1.5])


def test_a_high_learning_rates_gradients_explode_and_their_size_does_not_overflow() -> None:
    pg = Playground.from_url("#seed=0.5&problem=regression&regDataset=reg-plane&networkShape=4,4"
                             "&activation=linear&learningRate=3&batchSize=10")
    sizes = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the RMS of a 1e200 gradient is no overflow
        for _ in range(4):
            pg.train_examples(10)  # one update each
            sizes.append(pg.gradient_sizes[0])
    assert sizes == sorted(sizes) and sizes[-1] > 1e40 * sizes[0]
    assert all(math.isfinite(size) for size in sizes)


@pytest.mark.parametrize("scale", [1.0, 1e-200, 1e200])  # one dot product; underflowing and overflowing squares
def test_a_layer_s_gradient_size_is_its_root_mean_square_at_any_scale(scale: float) -> None:
    from nn_core.playground import _root_mean_square
    layer = np.array([[3.0, -4.0], [0.0, 5.0]]) * scale  # RMS = sqrt(50 / 4)
    with np.errstate(over="ignore"):  # as Playground.gradient_sizes calls it
        assert _root_mean_square(layer) == pytest.approx(math.sqrt(50 / 4) * scale, rel=1e-15)
    assert _root_mean_square(np.zeros((2, 3))) == 0.0 and _root_mean_square(np.zeros((0, 3))) == 0.0
    assert math.isnan(_root_mean_square(np.array([[1.0, np.nan]])))
    assert _root_mean_square(np.array([[1.0, -np.inf]])) == math.inf
