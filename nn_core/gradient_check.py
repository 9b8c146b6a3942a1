"""Gradient checking: does backpropagation compute the gradient it claims?

The objective is what an update descends: the mean loss over the training
set plus ``regularizationRate`` times the penalty of the weights. Backprop's
gradient of it (one full-batch pass of the trainer's own code) is compared
with central differences, parameter by parameter, and the worst relative
error per layer is reported.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from . import optimizers, regularization
from .datasets import Dataset
from .network import Network
from .optimizers import Hyper
from .training import LossEvaluator, Trainer

STEP = 1e-5
TOLERANCE = 1e-6
FLOOR = 1e-4  # below this size a gradient is compared absolutely, not relatively
# Each checked parameter costs two forward passes over the checked points; big networks
# get a fixed sample of parameters per layer and big datasets a fixed sample of points
# (the same for both gradients), so a check stays under about a second whatever the size.
MAX_CHECKED_PER_LAYER = 48
MAX_CHECKED_POINTS = 256


def _objective(net: Network, evaluate: LossEvaluator, hyper: Hyper, mask: np.ndarray) -> float:
    data_loss = evaluate(net)[0]
    if not hyper.regularized:
        return data_loss
    return data_loss + hyper.regularization_rate * regularization.penalty(
        hyper.regularization, net.params[mask > 0])


def backprop_gradient(net: Network, train: Dataset, features: tuple[str, ...], loss: str,
                      hyper: Hyper) -> np.ndarray:
    """The objective's gradient by backpropagation, flat like ``net.params``."""
    trainer = Trainer(net, train, features, max(len(train), 1), loss, optimizers.make("sgd", net.params.size))
    gradient = trainer.full_batch_gradient() / max(len(train), 1)
    if hyper.regularized:
        code = hyper.regularizer
        der = np.array([regularization.derivative(code, weight) for weight in net.params.tolist()])
        gradient += hyper.regularization_rate * der * trainer.weight_mask
    return gradient


def checked_parameters(net: Network) -> np.ndarray:
    """Flat indices to check: all of a small layer, a fixed sample of a big one."""
    chooser = np.random.default_rng(0)
    picks = []
    for start, stop in pairwise(net.offsets):
        size = stop - start
        if size <= MAX_CHECKED_PER_LAYER:
            picks.append(np.arange(start, stop))
        else:
            picks.append(start + np.sort(chooser.choice(size, MAX_CHECKED_PER_LAYER, replace=False)))
    return np.concatenate(picks)


def checked_points(train: Dataset) -> Dataset:
    """All of a small training set, a fixed sample of a big one: backprop is checked, not the data."""
    if len(train) <= MAX_CHECKED_POINTS:
        return train
    chosen = np.zeros(len(train), dtype=bool)
    chosen[np.random.default_rng(0).choice(len(train), MAX_CHECKED_POINTS, replace=False)] = True
    return train.subset(chosen)


def numeric_gradient(net: Network, train: Dataset, features: tuple[str, ...], loss: str,
                     hyper: Hyper, indices: np.ndarray | None = None) -> np.ndarray:
    """Central differences of the objective at ``indices`` (default: every parameter); NaN elsewhere."""
    probe = net.copy()
    evaluate = LossEvaluator(probe, train, Dataset.from_points(np.empty((0, 3))), features, loss)
    mask = net.bias_mask()
    gradient = np.full_like(net.params, np.nan)
    for i in (range(net.params.size) if indices is None else indices):
        original = probe.params[i]
        probe.params[i] = original + STEP
        up = _objective(probe, evaluate, hyper, mask)
        probe.params[i] = original - STEP
        down = _objective(probe, evaluate, hyper, mask)
        probe.params[i] = original
        gradient[i] = (up - down) / (2 * STEP)
    return gradient


def check_gradients(net: Network, train: Dataset, features: tuple[str, ...], loss: str,
                    hyper: Hyper) -> dict[str, Any]:
    """``{"max_relative_error": [per layer], "ok": bool, "checked": n}`` (dead links skipped)."""
    indices = checked_parameters(net)
    train = checked_points(train)
    analytic = backprop_gradient(net, train, features, loss, hyper)
    numeric = numeric_gradient(net, train, features, loss, hyper, indices)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), FLOOR)
    error = np.abs(analytic - numeric) / scale
    error[net.dead | np.isnan(numeric)] = 0.0
    per_layer = [float(block.max()) for block in net._views(error)]
    return {"max_relative_error": per_layer, "ok": max(per_layer, default=0.0) < TOLERANCE,
            "checked": int(indices.size)}
