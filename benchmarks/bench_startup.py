"""Start-up cost of a second process: import the engine, then train the first epoch.

Issue 10's target: a process that finds Numba's cache filled (any process after
the first since the engine last changed) imports ``nn_core`` and trains its
first epoch of the default link in ≤ 0.5 s. The first epoch is mostly Numba's
own start-up (its typing and lowering registries), then loading the cached
kernels; nothing is compiled. Also printed: the import of the server's app
(FastAPI, pydantic, the routes), which a server worker pays before it warms up.

Each figure is a fresh interpreter (``--runs`` of them, after one that fills the
caches if needed: Numba's, and Python's bytecode of the engine, which Python
writes on a first import unless ``PYTHONDONTWRITEBYTECODE`` is set, as it is on
some CI machines; without the bytecode every import compiles the engine's
source again, ~0.1 s, which no installed playground pays); wall time and the
process's CPU time are printed, the median and the fastest run: on a machine
shared with other work the wall time grows with the neighbours' load, the CPU
time much less.

    .venv/bin/python benchmarks/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ENGINE = """
import json, time
wall, cpu = time.perf_counter(), time.process_time()
from nn_core import Playground
imported = (time.perf_counter() - wall, time.process_time() - cpu)
playground = Playground.from_url("")
playground.step(1)
print(json.dumps({"import": imported, "total": (time.perf_counter() - wall, time.process_time() - cpu)}))
"""

APP = """
import json, time
wall, cpu = time.perf_counter(), time.process_time()
import app.main
print(json.dumps({"import": (time.perf_counter() - wall, time.process_time() - cpu)}))
"""


def measure(script: str) -> dict[str, list[float]]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's machine caches bytecode (see above)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            cwd=ROOT, env=environment)
    measured: dict[str, list[float]] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def summary(runs: list[dict[str, list[float]]], key: str) -> str:
    wall = [run[key][0] for run in runs]
    cpu = [run[key][1] for run in runs]
    return (f"wall median {statistics.median(wall):.3f} s (fastest {min(wall):.3f}), "
            f"CPU median {statistics.median(cpu):.3f} s (fastest {min(cpu):.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    measure(ENGINE)  # fills Numba's cache if the engine changed since the last process
    engine = [measure(ENGINE) for _ in range(args.runs)]
    application = [measure(APP) for _ in range(args.runs)]
    print(f"second process, {args.runs} runs (target: import + first epoch <= 0.5 s):")
    print(f"  import nn_core:                {summary(engine, 'import')}")
    print(f"  import + first epoch:          {summary(engine, 'total')}")
    print(f"  import app.main (the server):  {summary(application, 'import')}")


if __name__ == "__main__":
    main()
