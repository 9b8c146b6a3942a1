"""Engine speed: epochs/s (one training pass + train and test loss, as the
original counts an epoch) and the time to compute every neuron's 100×100 grid.

Prints the median of 5 runs for: (a) the default link, (b) spiral-deep,
(c) xor-l1-batch1, and the grid time for (b). Run: python benchmarks/bench_core.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nn_core import Playground  # noqa: E402

GOLDEN = ROOT / "tests" / "data" / "golden"
DEFAULT_LINK = "#seed=0.12345&dataset=circle&networkShape=4,2&activation=tanh&batchSize=10"
RUNS = 5
# The original's engine under Node.js 20 on this kind of machine (issue 4).
ORIGINAL = {"a": 3350, "b": 346, "c": 4630, "grid_ms": 30.0}
TARGET = {"a": 2500, "b": 2000, "c": 600, "grid_ms": 2.5}


def golden_link(name: str) -> str:
    return json.loads((GOLDEN / f"{name}.json").read_text())["hash"]


def epochs_per_second(link: str, seconds: float = 1.0) -> float:
    playground = Playground.from_url(link)
    playground.step(20)  # warm up
    epochs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        playground.step(10)
        epochs += 10
    return epochs / (time.perf_counter() - start)


def grid_milliseconds(link: str, repeats: int = 200) -> float:
    playground = Playground.from_url(link)
    playground.boundaries(resolution=25)
    start = time.perf_counter()
    for _ in range(repeats):
        playground.boundaries(resolution=25)
    return (time.perf_counter() - start) / repeats * 1000


def median_of_runs(measure, *args) -> float:
    return statistics.median(measure(*args) for _ in range(RUNS))


def main() -> None:
    cases = {
        "a": ("default link (circle, 4,2 tanh, batch 10)", DEFAULT_LINK),
        "b": ("spiral-deep (7 features, 6x8 relu, batch 30, L2)", golden_link("spiral-deep")),
        "c": ("xor-l1-batch1 (batch 1, L1)", golden_link("xor-l1-batch1")),
    }
    print(f"median of {RUNS} runs")
    for key, (label, link) in cases.items():
        value = median_of_runs(epochs_per_second, link)
        print(f"({key}) {label}: {value:,.0f} epochs/s "
              f"(target {TARGET[key]:,}, original {ORIGINAL[key]:,}, x{value / ORIGINAL[key]:.2f})")
    grid = median_of_runs(grid_milliseconds, golden_link("spiral-deep"))
    print(f"grids of every neuron, spiral-deep, 100x100 + 25x25 thumbnails: {grid:.2f} ms "
          f"(target {TARGET['grid_ms']}, original {ORIGINAL['grid_ms']})")


if __name__ == "__main__":
    main()
