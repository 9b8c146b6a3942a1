"""Learning-rate schedules: the rate of an epoch as a pure function of the epoch and the settings.

Nothing here keeps state, so a schedule is deterministic and survives a
reset, a resumed session or an imported model: epoch ``e`` (the number of
epochs trained before it, so the first epoch is e = 0) always trains with the
same rate. With η₀ = ``learningRate``:

- ``constant``: η(e) = η₀ (the original's; the default);
- ``step``: η(e) = η₀ · ``lrStepFactor`` ^ ⌊e / ``lrStepEvery``⌋;
- ``exponential``: η(e) = η₀ · ``lrDecay`` ^ e;
- ``cosine``: η(e) = η_min + (η₀ − η_min) · (1 + cos(π · min(e, T) / T)) / 2, with
  T = ``lrCosineEpochs`` and η_min = ``lrMin``: from η₀ down to η_min at epoch T, then η_min.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .settings import Config


def _constant(config: Config, epoch: int) -> float:
    return config.learningRate


def _step(config: Config, epoch: int) -> float:
    return config.learningRate * config.lrStepFactor ** (epoch // config.lrStepEvery)


def _exponential(config: Config, epoch: int) -> float:
    return config.learningRate * config.lrDecay ** epoch


def _cosine(config: Config, epoch: int) -> float:
    period = config.lrCosineEpochs
    progress = min(epoch, period) / period
    return config.lrMin + (config.learningRate - config.lrMin) * (1.0 + math.cos(math.pi * progress)) / 2.0


SCHEDULES: dict[str, Callable[[Config, int], float]] = {
    "constant": _constant, "step": _step, "exponential": _exponential, "cosine": _cosine,
}


def learning_rate(config: Config, epoch: int) -> float:
    """The rate epoch ``epoch`` (counted from 0) trains with under ``config``'s schedule."""
    return float(SCHEDULES[config.lrSchedule](config, epoch))


def scheduled(config: Config) -> bool:
    """Whether the rate changes from epoch to epoch (anything but ``constant``)."""
    return config.lrSchedule != "constant"
