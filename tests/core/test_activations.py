"""Each activation and its derivative: known values, and the derivative against central differences."""

import math

import numpy as np
import pytest

from nn_core.activations import ACTIVATIONS, LEAKY_SLOPE, curves

H = 1e-6  # central-difference step: error ~H² from curvature, ~1e-16/H from rounding
# Where a derivative jumps; elsewhere every activation is smooth.
KINKS = {"relu": 0.0, "leakyRelu": 0.0}
# 0.01 apart over [−6, 6] (big enough for tanh's exp form), plus points H-close to 0 on both sides.
Z = np.union1d(np.linspace(-6.0, 6.0, 1201), [-10 * H, -3 * H, 3 * H, 10 * H])


def forward(name: str, z: np.ndarray) -> np.ndarray:
    return ACTIVATIONS[name].forward(z, np.empty_like(z))


def derivative(name: str, z: np.ndarray) -> np.ndarray:
    activation = ACTIVATIONS[name]
    return activation.derivative(z, forward(name, z), np.empty_like(z))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_central_differences_away_from_kinks(name):
    z = Z[np.abs(Z - KINKS.get(name, math.inf)) > 2 * H]  # a step across a kink measures neither side
    numeric = (forward(name, z + H) - forward(name, z - H)) / (2 * H)
    np.testing.assert_allclose(derivative(name, z), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(KINKS))
def test_at_a_kink_the_derivative_is_the_left_one(name):
    """The original's convention: ReLU's derivative is 0 at z = 0, so a dead neuron stays dead."""
    kink = np.array([KINKS[name]])
    left = (forward(name, kink) - forward(name, kink - H)) / H
    right = (forward(name, kink + H) - forward(name, kink)) / H
    assert not np.allclose(left, right)
    np.testing.assert_allclose(derivative(name, kink), left, rtol=1e-6)


SIGMOID_1 = 1 / (1 + math.exp(-1))


@pytest.mark.parametrize(("name", "z", "value", "slope"), [
    ("relu", -2.0, 0.0, 0.0), ("relu", 3.0, 3.0, 1.0),
    ("tanh", 0.0, 0.0, 1.0), ("tanh", 1.0, math.tanh(1.0), 1 - math.tanh(1.0) ** 2),
    ("sigmoid", 0.0, 0.5, 0.25), ("sigmoid", 1.0, SIGMOID_1, SIGMOID_1 * (1 - SIGMOID_1)),
    ("linear", -1.5, -1.5, 1.0),
    ("leakyRelu", -2.0, -2 * LEAKY_SLOPE, LEAKY_SLOPE), ("leakyRelu", 2.0, 2.0, 1.0),
    ("elu", -1.0, math.exp(-1) - 1, math.exp(-1)), ("elu", 2.0, 2.0, 1.0),
    ("softplus", 0.0, math.log(2), 0.5), ("softplus", 800.0, 800.0, 1.0),
    ("swish", 0.0, 0.0, 0.5), ("swish", 1.0, SIGMOID_1, SIGMOID_1 * (2 - SIGMOID_1)),
])
def test_known_values(name, z, value, slope):
    point = np.array([z])
    assert forward(name, point)[0] == pytest.approx(value, rel=1e-12, abs=1e-15)
    assert derivative(name, point)[0] == pytest.approx(slope, rel=1e-12, abs=1e-15)


def test_both_forms_of_tanh_agree():
    small, big = Z[:500], Z  # below and above the size where tanh switches to its exp form
    np.testing.assert_allclose(forward("tanh", big)[:500], forward("tanh", small), rtol=0, atol=1e-15)
    np.testing.assert_allclose(forward("tanh", big), np.tanh(big), rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_pages_curves_are_the_training_functions_samples(name: str) -> None:
    table = curves(-2.0, 2.0, 9)
    z = np.linspace(-2.0, 2.0, 9)
    value = ACTIVATIONS[name].forward(z, np.empty_like(z))
    derivative = ACTIVATIONS[name].derivative(z, value, np.empty_like(z))
    assert table["z"] == pytest.approx(z.tolist())
    np.testing.assert_allclose(table["curves"][name]["value"], value, atol=1e-4)
    np.testing.assert_allclose(table["curves"][name]["derivative"], derivative, atol=1e-4)
