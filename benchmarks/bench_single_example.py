"""Batch size 1: generated scalar program vs the vectorized NumPy path, by network size.

Prints training epochs/s (median of 3) for both paths over growing networks;
where they cross sets ``single_example.MAX_PARAMETERS``.
Run: python benchmarks/bench_single_example.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nn_core import Playground
from nn_core.single_example import SingleExampleTrainer

BASE = "#dataset=xor&batchSize=1&activation=tanh&regularization=L2&regularizationRate=0.001&seed=3"
FEATURES = "&x=true&y=true&xTimesY=true&xSquared=true&ySquared=true&sinX=true&sinY=true"
SHAPES = ["3", "4,2", "8", "6,6", "8,8", "8,8,8", "8,8,8,8", "8,8,8,8,8,8"]


def training_epochs_per_second(playground: Playground, seconds: float = 0.5) -> float:
    trainer, hyper = playground.trainer, playground.hyper
    trainer.epoch(hyper)  # warm up (and compile)
    epochs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.epoch(hyper)
        epochs += 1
    return epochs / (time.perf_counter() - start)


def measure(shape: str, generated: bool) -> float:
    playground = Playground.from_url(f"{BASE}{FEATURES}&networkShape={shape}")
    trainer = playground.trainer
    if generated and trainer.single_example is None:  # force it beyond MAX_PARAMETERS
        examples = list(zip(*trainer.inputs[:-1].tolist(), trainer.labels[0].tolist(), strict=True))
        trainer.single_example = SingleExampleTrainer(playground.net, playground.loss_name, examples)
    if not generated:
        trainer.single_example = None
    return training_epochs_per_second(playground)


def main() -> None:
    print("batch size 1, 7 features, tanh, L2: training epochs/s (median of 3)")
    for shape in SHAPES:
        size = Playground.from_url(f"{BASE}{FEATURES}&networkShape={shape}").net.params.size
        generated = statistics.median(measure(shape, True) for _ in range(3))
        vectorized = statistics.median(measure(shape, False) for _ in range(3))
        print(f"{shape:>12} ({size:>3} parameters): generated {generated:7,.0f}   numpy {vectorized:7,.0f}")


if __name__ == "__main__":
    main()
