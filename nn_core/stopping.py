"""Stop conditions: when training pauses by itself, and which condition said so.

Each is a setting, 0 = off, checked on the state after every epoch (and
before the first: training never starts while one holds):

- ``stopAtEpoch`` N: the epoch is ≥ N;
- ``stopAtTestLoss`` x: the test loss is ≤ x;
- ``stopAtAccuracy`` a: the test accuracy (classification) is ≥ a;
- ``earlyStopping`` P: the test loss has not improved (gone below its best) for
  P epochs, counted from the last change (a new network, new settings or data).

The conditions on the test set only apply when there are test points: with
none, the test loss is 0 and the accuracy undefined, which would read as a goal
reached.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .settings import Config


@dataclass(frozen=True)
class Stop:
    """A condition that holds: its setting's name, and a sentence for the person."""

    reason: str
    message: str


class BestTestLoss:
    """The lowest test loss so far and its epoch, for early stopping's patience."""

    def __init__(self, epoch: int, test_loss: float) -> None:
        self.epoch = epoch
        self.loss = test_loss

    def observe(self, epoch: int, test_loss: float) -> None:
        """Record an epoch's test loss; only a strictly lower one is an improvement."""
        if test_loss < self.loss or not math.isfinite(self.loss):
            self.epoch, self.loss = epoch, test_loss

    def epochs_since(self, epoch: int) -> int:
        return epoch - self.epoch


def any_condition(config: Config) -> bool:
    """Whether any stop condition is on (the training loop's one check when none is)."""
    return bool(config.stopAtEpoch or config.stopAtTestLoss or config.earlyStopping
                or (config.stopAtAccuracy and config.problem == "classification"))


def check(config: Config, epoch: int, test_loss: float, test_points: int,
          test_accuracy: Callable[[], float], best: BestTestLoss) -> Stop | None:
    """The first condition (in the order above) that holds now, or None.

    ``test_accuracy`` is called only when that condition is on: it costs a look at every test point.
    """
    if config.stopAtEpoch and epoch >= config.stopAtEpoch:
        return Stop("stopAtEpoch", f"Stopped at epoch {epoch}: the stop-at-epoch setting is {config.stopAtEpoch}.")
    if not test_points:
        return None
    if config.stopAtTestLoss and test_loss <= config.stopAtTestLoss:
        return Stop("stopAtTestLoss", f"Stopped at epoch {epoch}: the test loss {test_loss:.4f} is at most "
                                      f"{config.stopAtTestLoss:g}.")
    if config.stopAtAccuracy and config.problem == "classification":
        accuracy = test_accuracy()
        if accuracy >= config.stopAtAccuracy:
            return Stop("stopAtAccuracy", f"Stopped at epoch {epoch}: the test accuracy {accuracy:.1%} is at "
                                          f"least {config.stopAtAccuracy:.1%}.")
    if config.earlyStopping and best.epochs_since(epoch) >= config.earlyStopping:
        return Stop("earlyStopping", f"Stopped at epoch {epoch} (early stopping): the test loss has not improved "
                                     f"for {config.earlyStopping} epochs; its best, {best.loss:.4f}, "
                                     f"was at epoch {best.epoch}.")
    return None
