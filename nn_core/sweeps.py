"""Sweeps: train every combination of a few settings from one link and compare the results.

Every run starts from its own link: the sweep's link (its seed, data and points fixed
once, so only the swept settings differ) with that combination applied. A run is then a
pure function of its link and the epochs, which is what lets local processes or a Dask
cluster train the runs and give the same table as one process, result by result, and
lets a person open a result's link and watch the very same run.

>>> from nn_core import sweep
>>> table = sweep("#seed=1&networkShape=2", {"learningRate": [0.03, 0.3]}, epochs=5)
>>> [row["learningRate"] for row in table.rows()]
[0.03, 0.3]
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .playground import Playground
from .settings import SETTINGS, SettingError

Grid = Mapping[str, Sequence[Any]]
MAX_RUNS = 10_000  # a typo in a grid should not queue a week of training
SCORES = ("train_loss", "test_loss", "accuracy", "best_epoch", "best_test_loss")


class SweepError(ValueError):
    """A grid the sweep cannot run (the message says which setting and why); nothing was trained."""


@dataclass(frozen=True)
class RunResult:
    """One combination's outcome after training."""

    settings: dict[str, Any]  # the swept settings' values, as the engine took them
    link: str  # opens exactly this run, before training
    train_loss: float
    test_loss: float
    accuracy: float | None  # share of test points classified right; None for regression
    best_epoch: int  # the epoch of the lowest test loss
    best_test_loss: float

    def row(self) -> dict[str, Any]:
        return {**self.settings, **{name: getattr(self, name) for name in SCORES}, "link": self.link}


@dataclass(frozen=True)
class SweepTable:
    """Every run of a sweep, in the grid's order (the last setting varies fastest)."""

    names: tuple[str, ...]  # the swept settings
    epochs: int
    results: tuple[RunResult, ...]

    def rows(self) -> list[dict[str, Any]]:
        return [result.row() for result in self.results]

    def to_json(self) -> str:
        return json.dumps({"epochs": self.epochs, "settings": list(self.names), "runs": self.rows()}, indent=1)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[*self.names, *SCORES, "link"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({name: _cell(value) for name, value in row.items()} for row in self.rows())
        return out.getvalue()

    def write(self, path: str | Path) -> None:
        """Save as CSV or JSON, chosen by the file's suffix."""
        path = Path(path)
        check_results_path(path)
        path.write_text(self.to_csv() if path.suffix == ".csv" else self.to_json())

    def text(self) -> str:
        """The table for a terminal: one line per run, columns aligned."""
        header = [*self.names, "train loss", "test loss", "accuracy", "best epoch"]
        lines = [[*(str(_cell(value)) for value in result.settings.values()), f"{result.train_loss:.6f}",
                  f"{result.test_loss:.6f}", _percent(result.accuracy), str(result.best_epoch)]
                 for result in self.results]
        widths = [max(len(line[column]) for line in [header, *lines]) for column in range(len(header))]
        return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
                         for line in [header, *lines])


def check_results_path(path: Path) -> None:
    """A results file is CSV or JSON; say so before a sweep trains, not after."""
    if path.suffix not in (".csv", ".json"):
        raise SweepError(f"{path}: the results file must end in .csv or .json")


def _cell(value: Any) -> Any:
    """Layer sizes as the link writes them (``4,2``); anything else as it is."""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return value


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def classification_accuracy(playground: Playground) -> float | None:
    """The share of test points classified right (nn_core/metrics.py, K classes too); None for
    regression or when there are no test points."""
    value = playground.metrics.get("test_accuracy")
    return None if value is None or not math.isfinite(value) else value


def combinations(grid: Grid) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the last setting varying fastest."""
    for name, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise SweepError(f"{name}: expected a list of values to try")
    count = math.prod(len(values) for values in grid.values())
    if count > MAX_RUNS:
        raise SweepError(f"the grid makes {count} runs; at most {MAX_RUNS}")
    return [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]


def run_links(link: str, grid: Grid) -> list[tuple[dict[str, Any], str]]:
    """Each combination with its own link; a value a setting cannot take raises :class:`SweepError`
    before anything trains."""
    if not grid:
        raise SweepError("nothing to sweep: give at least one setting and its values")
    base = Playground.from_url(link)
    runs = []
    for changes in combinations(grid):
        try:
            base.update(changes, strict=True)
        except SettingError as error:
            raise SweepError(str(error)) from None
        runs.append(({name: _plain(getattr(base.config, name)) for name in changes}, base.to_url()))
    return runs


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def train_run(settings: dict[str, Any], link: str, epochs: int) -> RunResult:
    """Train one run from its link (a top-level function, so a process or a Dask worker can run it)."""
    playground = Playground.from_url(link)
    best_epoch, best = playground.epoch, playground.test_loss
    for _ in range(epochs):
        if playground.stop is not None:  # a stop condition of the link ends the run, as in the page
            break
        playground.step()
        if playground.test_loss < best:
            best_epoch, best = playground.epoch, playground.test_loss
    return RunResult(settings, link, playground.train_loss, playground.test_loss, classification_accuracy(playground),
                     best_epoch, best)


Runner = Callable[[list[tuple[dict[str, Any], str]], int], Iterable[RunResult]]


def in_this_process(runs: list[tuple[dict[str, Any], str]], epochs: int) -> Iterable[RunResult]:
    return (train_run(settings, link, epochs) for settings, link in runs)


def in_processes(jobs: int) -> Runner:
    """Runs spread over ``jobs`` local processes (each loads the compiled engine from Numba's cache)."""
    def run(runs: list[tuple[dict[str, Any], str]], epochs: int) -> Iterable[RunResult]:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(train_run, settings, link, epochs) for settings, link in runs]
            return [future.result() for future in futures]
    return run


def on_dask(address: Any) -> Runner:
    """Runs on a Dask cluster: ``address`` is a scheduler address or a ``distributed.Client``."""
    def run(runs: list[tuple[dict[str, Any], str]], epochs: int) -> Iterable[RunResult]:
        try:
            from distributed import Client
        except ImportError:
            raise SweepError("--dask needs dask.distributed: pip install 'neural-playground[dask]'") from None
        # distributed's Client has no type hints: Any, on purpose, in this one place.
        connect: Any = Client
        client: Any = address if isinstance(address, Client) else connect(address)
        try:
            futures = [client.submit(train_run, settings, link, epochs, pure=False) for settings, link in runs]
            return list(client.gather(futures))
        finally:
            if client is not address:
                client.close()
    return run


def sweep(link: str, grid: Grid, epochs: int, jobs: int = 1, dask: Any = None,
          progress: Callable[[int, int], None] | None = None) -> SweepTable:
    """Train every combination of ``grid`` (``{setting: [values]}``) from ``link`` for ``epochs``.

    ``jobs`` > 1 uses local processes; ``dask`` (a scheduler address or a ``Client``) a Dask
    cluster. ``progress(done, total)`` is called as runs finish.
    """
    runs = run_links(link, grid)
    runner = on_dask(dask) if dask is not None else in_processes(jobs) if jobs > 1 else in_this_process
    results = []
    for result in runner(runs, epochs):
        results.append(result)
        if progress:
            progress(len(results), len(runs))
    return SweepTable(tuple(grid), epochs, tuple(results))


def grid_value(name: str, text: str) -> Any:
    """One value of ``--set name=a,b,c`` as the engine expects it: numbers and booleans as such."""
    setting = SETTINGS.get(name)
    if setting is None:
        raise SweepError(f"unknown setting {name!r}")
    if setting.kind == "number":
        try:
            return float(text)
        except ValueError:
            raise SweepError(f"{name}: expected a number, got {text!r}") from None
    if setting.kind == "bool":
        if text not in ("true", "false"):
            raise SweepError(f"{name}: expected true or false, got {text!r}")
        return text == "true"
    return text


def parse_grid(assignments: Sequence[str]) -> dict[str, list[Any]]:
    """``["learningRate=0.03,0.3", "networkShape=4,2/3"]`` → a grid. Values are split on commas,
    except layer sizes (which hold commas): those on slashes."""
    grid: dict[str, list[Any]] = {}
    for assignment in assignments:
        name, sep, values = assignment.partition("=")
        if not sep or not name or not values:
            raise SweepError(f"--set {assignment!r}: expected NAME=VALUE,VALUE,...")
        if name in grid:
            raise SweepError(f"--set {name}: given twice; list all its values in one --set")
        separator = "/" if name in SETTINGS and SETTINGS[name].kind == "shape" else ","
        grid[name] = [grid_value(name, text.strip()) for text in values.split(separator)]
    return grid


__all__ = ["RunResult", "SweepError", "SweepTable", "parse_grid", "sweep"]
