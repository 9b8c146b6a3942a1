"""What a change of settings makes stale: worked out from the two configs alone.

:meth:`Playground.update <nn_core.playground.Playground.update>` first asks
:func:`plan` what the change invalidates and only then rebuilds, so the rules
("a new seed means new data but the same weights") live in one pure function
that a test can read without training anything.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .settings import Config

# Settings that decide the points (the problem type picks the dataset in use).
DATA_KEYS = frozenset({"dataset", "regDataset", "noise", "seed", "percTrainData", "problem", "classes"})
# Settings that decide the layer sizes: the hidden layers and the input features.
SHAPE_KEYS = frozenset({"networkShape", "x", "y", "xTimesY", "xSquared", "ySquared", "sinX", "sinY"})
# The activations: the hidden one, and the output's (tanh, linear or softmax, by problem and classes).
ACTIVATION_KEYS = frozenset({"activation", "problem", "classes"})
TRAINER_KEYS = frozenset({"batchSize", "loss", "optimizer"})
INIT_KEYS = frozenset({"init", "initZero"})
# The changes after which the original draws a new network, epoch 0 (tfp-reference 8);
# here only with "keep learned weights" off. The input features count too (see plan).
ORIGINAL_RESET_KEYS = frozenset({"activation", "regularization", "regularizationRate", "batchSize", "problem",
                                 "dataset", "regDataset", "percTrainData", "noise", "networkShape"})


@dataclass(frozen=True)
class Rebuild:
    """The parts of a playground a change makes stale, in the order they are rebuilt."""

    data: bool = False  # new points; the weights stay
    network: bool = False  # new sizes or activations; every weight that still has a place stays
    optimizer: bool = False  # fresh optimizer state (its size or kind changed)
    trainer: bool = False  # new trainer and loss evaluator (new data, net, batch, loss or optimizer)
    reset: bool = False  # fresh weights and epoch 0 (an initialisation scheme only means something for
    # those; with "keep learned weights" off, whatever resets in the original); replaces network/optimizer
    loss_fallback: bool = False  # cross-entropy asked for where only squared error applies

    @property
    def losses(self) -> bool:
        """Whether the losses are evaluated again: new points, weights, network or loss function
        (each rebuilds the trainer or resets; so do a new optimizer or batch size, which cannot
        change the losses but start a fresh evaluator). A learning rate, a regularization or a
        momentum only changes what the next update does."""
        return self.data or self.network or self.trainer or self.reset


_NAMES = tuple(f.name for f in dataclasses.fields(Config))


def changed_settings(old: Config, new: Config) -> frozenset[str]:
    """The names of the settings whose values differ."""
    return frozenset(name for name in _NAMES if getattr(old, name) != getattr(new, name))


def plan(old: Config, new: Config) -> Rebuild:
    """What going from ``old`` to ``new`` makes stale."""
    changed = changed_settings(old, new)
    # a hidden feature is no input; the number of classes is the number of outputs
    shape = "networkShape" in changed or old.features != new.features or old.outputs != new.outputs
    network = shape or bool(changed & ACTIVATION_KEYS)
    optimizer = shape or "optimizer" in changed
    return Rebuild(
        data=bool(changed & DATA_KEYS),
        network=network,
        optimizer=optimizer,
        trainer=network or optimizer or bool(changed & (DATA_KEYS | TRAINER_KEYS)),
        reset=bool(changed & INIT_KEYS) or (not new.keepWeights and resets_in_original(old, new, changed)),
        loss_fallback=bool(changed & {"loss", "problem"}) and loss_in_force(new) != new.loss,
    )


def resets_in_original(old: Config, new: Config, changed: frozenset[str]) -> bool:
    """Whether TensorFlow Playground would draw a new network for this change."""
    return bool(changed & ORIGINAL_RESET_KEYS) or old.features != new.features or old.outputs != new.outputs


def loss_in_force(config: Config) -> str:
    """The loss actually trained on: cross-entropy applies to classification only."""
    return config.loss if config.problem == "classification" else "squared"
