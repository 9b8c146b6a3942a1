import json
import subprocess
import sys

import pytest

from nn_core.cli import main


def test_json_lines_start_at_epoch_zero_with_full_precision(capsys):
    assert main(["train", "#seed=0.12345", "--epochs", "3", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["epoch"] for r in rows] == [0, 1, 2, 3]
    assert set(rows[0]) == {"epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "learning_rate"}
    assert repr(rows[1]["train_loss"]) in lines[1]


def test_bad_link_warns_on_stderr_only(capsys):
    main(["train", "seed=1&activation=nope", "--epochs", "1", "--json"])
    captured = capsys.readouterr()
    assert "activation" in captured.err
    assert all(json.loads(line) for line in captured.out.splitlines())


def test_progress_and_final_losses_without_json(capsys):
    main(["train", "#seed=1", "--epochs", "5"])
    captured = capsys.readouterr()
    assert "epoch 5: train loss" in captured.out and "5/5" in captured.err


@pytest.mark.parametrize("args", [["train", "#x", "--epochs", "-1"], ["train"], ["fly"],
                                  ["train", "#x", "--epochs", "ten"]])
def test_bad_arguments_exit_2(args):
    result = subprocess.run([sys.executable, "-m", "nn_core", *args], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and result.stderr
