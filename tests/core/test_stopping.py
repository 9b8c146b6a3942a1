"""Each stop condition fires at the right epoch: the first one, in an unconditioned run, where it holds."""

import json

import pytest

from nn_core import Playground
from nn_core.cli import main

LINK = "#seed=0.12345&dataset=xor&learningRate=0.1&noise=30"  # its test loss plateaus after ~45 epochs
EPOCHS = 300


def unconditioned_run(link: str = LINK) -> list[dict]:
    """Per epoch (0 first): its test loss and test accuracy, without any stop condition."""
    pg = Playground.from_url(link)
    rows = [{"test_loss": pg.test_loss, **pg.metrics}]
    for _ in range(EPOCHS):
        pg.step()
        rows.append({"test_loss": pg.test_loss, **pg.metrics})
    return rows


@pytest.fixture(scope="module")
def run() -> list[dict]:
    return unconditioned_run()


def stopped_epoch(setting: str) -> tuple[int, str | None]:
    pg = Playground.from_url(f"{LINK}&{setting}")
    pg.step(EPOCHS)
    return pg.epoch, None if pg.stop is None else pg.stop.reason


def test_stop_at_epoch():
    assert stopped_epoch("stopAtEpoch=37") == (37, "stopAtEpoch")


def test_stop_at_test_loss(run):
    target = (run[0]["test_loss"] + run[-1]["test_loss"]) / 2
    expected = next(e for e, row in enumerate(run) if row["test_loss"] <= target)
    assert 0 < expected < EPOCHS
    assert stopped_epoch(f"stopAtTestLoss={target!r}") == (expected, "stopAtTestLoss")


def test_stop_at_accuracy(run):
    target = max(row["test_accuracy"] for row in run)
    expected = next(e for e, row in enumerate(run) if row["test_accuracy"] >= target)
    assert 0 < expected < EPOCHS
    assert stopped_epoch(f"stopAtAccuracy={target!r}") == (expected, "stopAtAccuracy")


def test_early_stopping(run):
    patience = 5
    best, best_epoch, expected = run[0]["test_loss"], 0, None
    for epoch, row in enumerate(run[1:], start=1):
        if row["test_loss"] < best:
            best, best_epoch = row["test_loss"], epoch
        if epoch - best_epoch >= patience:
            expected = epoch
            break
    assert expected is not None, "the test loss improved all the way: pick a run that plateaus"
    assert stopped_epoch(f"earlyStopping={patience}") == (expected, "earlyStopping")


def test_no_epoch_is_trained_while_a_condition_holds_until_it_changes():
    pg = Playground.from_url(f"{LINK}&stopAtEpoch=10")
    pg.step(50)
    pg.step(5)
    assert pg.epoch == 10 and "epoch 10" in pg.stop.message
    pg.set(stopAtEpoch=12)
    pg.step(50)
    assert pg.epoch == 12
    pg.set(stopAtEpoch=0)  # off
    pg.step(3)
    assert pg.epoch == 15 and pg.stop is None


def test_test_conditions_need_test_points():
    """With no test points the test loss is 0, which must not read as the goal reached."""
    pg = Playground.from_url("#seed=1&stopAtTestLoss=0.1&earlyStopping=1")
    pg.set_points([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]], test=[])
    assert len(pg.test) == 0
    pg.step(5)
    assert pg.epoch == 5 and pg.stop is None


def test_accuracy_condition_is_for_classification_only():
    pg = Playground.from_url("#seed=1&problem=regression&stopAtAccuracy=0.5")
    pg.step(5)
    assert pg.epoch == 5 and pg.stop is None


def test_the_cli_stops_there_too_and_says_why(capsys):
    assert main(["train", f"{LINK}&stopAtEpoch=4", "--epochs", "20", "--json"]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [row["epoch"] for row in rows] == [0, 1, 2, 3, 4]
    assert "stopAtEpoch" in captured.err and "epoch 4" in captured.err
    main(["train", f"{LINK}&stopAtEpoch=4", "--epochs", "20"])
    assert "stopped (stopAtEpoch)" in capsys.readouterr().out


def test_the_cli_lines_carry_the_regression_metrics(capsys):
    main(["train", "#seed=1&problem=regression", "--epochs", "2", "--json"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"train_r2", "test_r2", "train_mae", "test_mae"} <= set(rows[-1])
    pg = Playground.from_url("#seed=1&problem=regression")
    pg.step(2)
    assert rows[-1]["test_r2"] == pg.metrics["test_r2"]
