"""Engine speed: epochs/s (one training pass + train and test loss, as the
original counts an epoch) and the time to compute every neuron's 100×100 grid.

Cases: (a) the default link, (b) spiral-deep, (c) xor-l1-batch1, (d) four
classes (softmax outputs, cross-entropy), and the grid of (b). Each figure is
the median of several runs, and each case is divided by a baseline measured
in the same run, interleaved with it: the plain NumPy reference of the
training rule kept in the tests (tests/core/reference_training.py;
for the grid, its whole-array forward pass over the 100×100 grid). Times are
the benchmark thread's CPU time, so the neighbours' load on a shared machine
counts less; still, absolute figures drift, and only ratios measured in one run count.

For comparison, measured elsewhere (issue 10, TensorFlow Playground's own
engine under Node.js 20 on this machine kind): (a) 3,764, (b) 386, (c) 4,869
epochs/s; every neuron's grid of (b) 26.1 ms. Never divided into here.

Run: python benchmarks/bench_core.py [runs]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nn_core import Playground  # noqa: E402 (after the path above)
from tests.core.reference_training import ReferenceNetwork  # noqa: E402 (tests/ is not installed)

GOLDEN = ROOT / "tests" / "data" / "golden"
DEFAULT_LINK = "#seed=0.12345&dataset=circle&networkShape=4,2&activation=tanh&batchSize=10"
FOUR_CLASSES = "#seed=1&classes=4&dataset=blobs&networkShape=8&batchSize=10&loss=crossEntropy"
RUNS = 5
MEASURED_ELSEWHERE = {"a": 3764, "b": 386, "c": 4869, "grid_ms": 26.1}  # the original; quoted only


def golden_link(name: str) -> str:
    return json.loads((GOLDEN / f"{name}.json").read_text())["hash"]


def rate(epoch: Callable[[], object], seconds: float) -> float:
    """Epochs per second of ``epoch`` over about ``seconds`` (after one warm-up epoch)."""
    epoch()
    epochs, start = 0, time.thread_time()
    while time.thread_time() - start < seconds:
        epoch()
        epochs += 1
    return epochs / (time.thread_time() - start)


def engine_rate(link: str) -> float:
    playground = Playground.from_url(link)
    return rate(lambda: playground.step(10), 0.5) * 10


def reference_rate(link: str) -> float:
    """The reference's epoch: its training pass, then both losses."""
    reference = ReferenceNetwork(Playground.from_url(link))
    return rate(lambda: (reference.epoch(), reference.losses()), 0.5)


def milliseconds(work: Callable[[], object], repeats: int) -> float:
    work()
    start = time.thread_time()
    for _ in range(repeats):
        work()
    return (time.thread_time() - start) / repeats * 1000


def grid_milliseconds(link: str) -> float:
    """Every neuron's 100×100 map and 25×25 thumbnails."""
    playground = Playground.from_url(link)
    return milliseconds(lambda: playground.boundaries(resolution=25), 200)


def reference_grid_milliseconds(link: str) -> float:
    reference = ReferenceNetwork(Playground.from_url(link))
    return milliseconds(reference.neuron_maps, 20)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    cases = {
        "a": ("default link (circle, 4,2 tanh, batch 10)", DEFAULT_LINK),
        "b": ("spiral-deep (7 features, 6x8 relu, batch 30, L2)", golden_link("spiral-deep")),
        "c": ("xor-l1-batch1 (batch 1, L1)", golden_link("xor-l1-batch1")),
        "d": ("4-class blobs (8 tanh, 4 softmax outputs, cross-entropy, batch 10)", FOUR_CLASSES),
    }
    print(f"median of {runs} runs, each engine run next to a run of the NumPy reference (CPU time)")
    for key, (label, link) in cases.items():
        engine, reference = [], []
        for _ in range(runs):
            engine.append(engine_rate(link))
            reference.append(reference_rate(link))
        ours, base = statistics.median(engine), statistics.median(reference)
        elsewhere = MEASURED_ELSEWHERE.get(key)
        original = f" (the original, measured elsewhere: {elsewhere:,})" if elsewhere else ""
        print(f"({key}) {label}: {ours:,.0f} epochs/s; reference {base:,.1f} epochs/s, x{ours / base:,.0f}{original}")
    grids, reference_grids = [], []
    for _ in range(runs):
        grids.append(grid_milliseconds(golden_link("spiral-deep")))
        reference_grids.append(reference_grid_milliseconds(golden_link("spiral-deep")))
    grid, base = statistics.median(grids), statistics.median(reference_grids)
    print(f"grids of every neuron, spiral-deep, 100x100 + 25x25 thumbnails: {grid:.2f} ms;"
          f" reference {base:.2f} ms, x{base / grid:.1f}"
          f" (the original, measured elsewhere: {MEASURED_ELSEWHERE['grid_ms']} ms)")


if __name__ == "__main__":
    main()
