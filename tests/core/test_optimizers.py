import numpy as np

from nn_core.optimizers import Hyper, make


def test_first_adam_step_moves_each_weight_by_about_the_learning_rate():
    params = np.array([1.0, -2.0, 0.5])
    grad = np.array([0.3, -40.0, 1e-3])
    make("adam", 3).update(params, np.zeros(3, bool), grad.copy(), 1, Hyper(0.01, "none", 0.0), np.ones(3))
    np.testing.assert_allclose(params, [1.0 - 0.01, -2.0 + 0.01, 0.5 - 0.01], rtol=0, atol=1e-6)


def test_momentum_accumulates_velocity():
    params = np.zeros(1)
    optimizer = make("momentum", 1)
    hyper = Hyper(0.1, "none", 0.0, momentum=0.5)
    for _ in range(2):
        optimizer.update(params, np.zeros(1, bool), np.ones(1), 1, hyper, np.ones(1))
    np.testing.assert_allclose(params, [-0.1 - 0.15])


def test_classic_l1_kills_a_weight_whose_sign_flips_and_never_touches_biases():
    params = np.array([0.001, 0.5, 0.2])  # the last one is a bias
    dead = np.zeros(3, bool)
    make("sgd", 3).update(params, dead, np.zeros(3), 1, Hyper(1.0, "L1", 0.01), np.array([1.0, 1.0, 0.0]))
    assert params[0] == 0.0 and dead[0]
    np.testing.assert_allclose(params[1:], [0.49, 0.2])
    assert not dead[1:].any()
