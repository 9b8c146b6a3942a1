import io
import json
import subprocess
import sys

import pytest

from nn_core import Playground, __version__
from nn_core.cli import main
from nn_core.progress import progress_bar


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


def test_final_losses_without_json_and_no_progress_bar_in_a_pipe(capsys):
    main(["train", "#seed=1", "--epochs", "5"])
    captured = capsys.readouterr()
    assert "epoch 5: train loss" in captured.out and captured.err == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_on_a_terminal_only(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    screen, pipe = Terminal(), io.StringIO()
    for stream in (screen, pipe):
        with progress_bar(5, "epochs", stream) as shown:
            shown(5)
    assert "5/5" in screen.getvalue() and "epochs" in screen.getvalue()
    assert pipe.getvalue() == ""


def test_version_and_help_with_examples(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.split() == ["nn-playground", __version__]
    for command in ([], ["train"], ["export"], ["sweep"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        assert "examples:\n  nn-playground" in capsys.readouterr().out


def test_export_then_train_continues_the_model(tmp_path, capsys):
    model = tmp_path / "model.json"
    assert main(["export", "#seed=0.4&networkShape=3", "--epochs", "30", "-o", str(model)]) == 0
    exported = json.loads(model.read_text())
    assert exported["epoch"] == 30
    assert main(["train", str(model), "--epochs", "20", "--json", "-o", str(model)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [rows[0]["epoch"], rows[-1]["epoch"]] == [30, 50]
    reference = Playground.from_url("#seed=0.4&networkShape=3")
    reference.step(50)
    assert rows[-1]["test_loss"] == reference.test_loss  # continuing is the same as never stopping
    assert Playground.load(json.loads(model.read_text())).epoch == 50


def test_export_prints_the_model_without_a_file(capsys):
    assert main(["export", "#seed=1", "--epochs", "2"]) == 0
    assert Playground.load(json.loads(capsys.readouterr().out)).epoch == 2


@pytest.mark.parametrize(("content", "message"), [(None, "no such model file"), ("{", "not a model"),
                                                  ('{"format": "other"}', "not a model")])
def test_a_bad_model_file_is_a_clear_error(tmp_path, capsys, content, message):
    path = tmp_path / "model.json"
    if content is not None:
        path.write_text(content)
    assert main(["train", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_sweep_prints_the_table_and_writes_csv_and_json(tmp_path, capsys):
    csv_path, json_path = tmp_path / "r.csv", tmp_path / "r.json"
    assert main(["sweep", "#seed=1&networkShape=2", "--set", "learningRate=0.03,0.3", "--set",
                 "networkShape=2/3,3", "--epochs", "10", "-o", str(csv_path), "-o", str(json_path)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split()[:4] == ["learningRate", "networkShape", "train", "loss"] and len(lines) == 5
    assert [line.split()[:2] for line in lines[1:]] == [["0.03", "2"], ["0.03", "3,3"], ["0.3", "2"], ["0.3", "3,3"]]
    assert captured.err == ""
    runs = json.loads(json_path.read_text())["runs"]
    assert len(csv_path.read_text().splitlines()) == 5 and [r["networkShape"] for r in runs] == [[2], [3, 3]] * 2
    assert main(["sweep", "#seed=1", "--set", "noise=0,5", "--epochs", "1", "--json"]) == 0
    assert [r["noise"] for r in json.loads(capsys.readouterr().out)["runs"]] == [0, 5]


@pytest.mark.parametrize("args", [["--set", "learningRate=fast"], ["--set", "speed=warp"],
                                  ["--set", "noise=1", "-o", "r.txt"]])
def test_a_bad_sweep_is_a_clear_error(args, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "#seed=1", "--epochs", "1000000", *args]) == 2
    assert capsys.readouterr().err.startswith("nn-playground sweep: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["train", "#x", "--epochs", "-1"], ["train"], ["fly"],
                                  ["train", "#x", "--epochs", "ten"], ["sweep", "#x"],
                                  ["sweep", "#x", "--set", "noise=1", "--jobs", "0"]])
def test_bad_arguments_exit_2(args):
    result = subprocess.run([sys.executable, "-m", "nn_core", *args], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and result.stderr


def test_a_comparison_link_prints_both_sides_losses(capsys):
    link = "#seed=0.3&dataset=xor&compare=learningRate:0.3"
    assert main(["train", link, "--epochs", "4"]) == 0
    out = capsys.readouterr().out.splitlines()
    a, b = Playground.from_url("#seed=0.3&dataset=xor"), Playground.from_url("#seed=0.3&dataset=xor&learningRate=0.3")
    a.step(4)
    b.step(4)
    assert f"epoch 4: train loss {a.train_loss:.6f}, test loss {a.test_loss:.6f}" in out
    assert f"B: epoch 4: train loss {b.train_loss:.6f}, test loss {b.test_loss:.6f}" in out
    assert out[-1] == f"comparison link: {a.to_url()}&compare=learningRate:0.3"


def test_a_bad_comparison_link_is_an_error(capsys):
    assert main(["train", "#seed=0.3&compare=dataset:xor", "--epochs", "1"]) != 0
    assert "dataset is shared by both sides" in capsys.readouterr().err
