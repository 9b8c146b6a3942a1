"""Sweeps: every combination trains from its own link, in the grid's order, the same wherever it runs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nn_core import Playground
from nn_core.sweeps import SweepError, SweepTable, classification_accuracy, parse_grid, sweep

LINK = "#seed=0.7&networkShape=3&dataset=xor"
GRID = {"learningRate": [0.03, 0.3], "activation": ["tanh", "relu"]}
EPOCHS = 40


@pytest.fixture(scope="module")
def table() -> SweepTable:
    return sweep(LINK, GRID, EPOCHS)


def test_every_combination_runs_in_the_grid_order(table: SweepTable) -> None:
    assert [(r["learningRate"], r["activation"]) for r in table.rows()] == [
        (0.03, "tanh"), (0.03, "relu"), (0.3, "tanh"), (0.3, "relu")]


def test_a_result_is_its_link_trained_and_the_best_epoch_is_the_lowest_test_loss(table: SweepTable) -> None:
    for result in table.results:
        playground = Playground.from_url(result.link)
        assert playground.config.learningRate == result.settings["learningRate"]
        assert "seed=0.7" in result.link and "dataset=xor" in result.link  # the sweep's link, kept
        playground.step(EPOCHS)
        assert (result.train_loss, result.test_loss) == (playground.train_loss, playground.test_loss)
        assert result.accuracy == classification_accuracy(playground)
        epochs, tests = zip(*[(epoch, test) for epoch, _, test in playground.history], strict=True)
        assert result.best_test_loss == min(tests) and result.best_epoch == epochs[tests.index(min(tests))]


def test_accuracy_counts_test_points_classified_right() -> None:
    playground = Playground.from_url("#seed=1&dataset=xor&networkShape=3")
    playground.step(30)
    right = np.where(playground.outputs("test") >= 0, 1.0, -1.0) == playground.labels("test")
    assert classification_accuracy(playground) == float(right.mean())
    many = sweep("#seed=1&classes=3&dataset=blobs&networkShape=4", {"learningRate": [0.1]}, 20).results[0]
    playground = Playground.from_url(many.link)
    playground.step(20)
    right = playground.outputs("test").argmax(axis=1) == playground.labels("test")
    assert many.accuracy == float(right.mean()) and many.accuracy is not None
    assert sweep("#problem=regression", {"noise": [0]}, 1).results[0].accuracy is None


def test_a_stop_condition_of_the_link_ends_each_run() -> None:
    (result,) = sweep("#seed=1&stopAtEpoch=7", {"noise": [0]}, 50).results
    playground = Playground.from_url(result.link)
    playground.step(50)
    assert playground.epoch == 7 and result.test_loss == playground.test_loss and result.best_epoch <= 7


def test_local_processes_give_the_same_table(table: SweepTable) -> None:
    assert sweep(LINK, GRID, EPOCHS, jobs=2) == table


def test_a_link_without_a_seed_gets_one_seed_for_every_run() -> None:
    shown: list[tuple[int, int]] = []
    table = sweep("#networkShape=1", {"learningRate": [0.1, 0.3]}, 0, progress=lambda *done: shown.append(done))
    assert shown == [(1, 2), (2, 2)]
    links = {r.link for r in table.results}
    seeds = {link.split("seed=")[1].split("&")[0] for link in links}
    assert len(links) == 2 and len(seeds) == 1


def test_the_table_as_csv_and_json(table: SweepTable, tmp_path: Path) -> None:
    table.write(tmp_path / "r.csv")
    table.write(tmp_path / "r.json")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    runs = json.loads((tmp_path / "r.json").read_text())["runs"]
    assert [float(row["test_loss"]) for row in rows] == [run["test_loss"] for run in runs] == [
        r.test_loss for r in table.results]
    assert rows[0]["activation"] == "tanh" and runs[0]["link"] == table.results[0].link
    lines = table.text().splitlines()
    assert lines[0].split()[:2] == ["learningRate", "activation"] and len(lines) == 5
    with pytest.raises(SweepError, match=r"\.csv or \.json"):
        table.write(tmp_path / "r.txt")


@pytest.mark.parametrize(("grid", "message"), [
    ({"learningRate": ["fast"]}, "learningRate"),
    ({"learningRate": [99.0]}, "learningRate"),
    ({"nope": [1]}, "nope"),
    ({"activation": []}, "activation"),
    ({"activation": "tanh"}, "activation"),
    ({}, "nothing to sweep"),
    ({"noise": list(range(101)), "learningRate": list(range(101))}, "at most"),
])
def test_a_bad_grid_is_refused_before_anything_trains(grid: dict[str, Any], message: str) -> None:
    with pytest.raises(SweepError, match=message):
        sweep(LINK, grid, 10**6)  # would take hours if it trained


def test_grid_text_of_the_command_line() -> None:
    assert parse_grid(["learningRate=0.003, 0.3", "networkShape=4,2/3", "x=true,false", "activation=relu"]) == {
        "learningRate": [0.003, 0.3], "networkShape": ["4,2", "3"], "x": [True, False], "activation": ["relu"]}
    for bad in (["learningRate"], ["=1"], ["learningRate=fast"], ["x=yes"], ["a=1", "a=2"], ["nope=1"],
                ["learningRate=1", "learningRate=2"]):
        with pytest.raises(SweepError):
            parse_grid(bad)
