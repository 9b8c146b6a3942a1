"""``nn-playground serve`` on top of the engine's command line."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from app import cli
from app.config import AppSettings
from app.cores import default_processes
from app.transport import POLITE_MARGIN


@pytest.fixture(autouse=True)
def _restore_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` writes NNP_HOST for its app factory; monkeypatch puts it back after each test."""
    monkeypatch.setenv("NNP_HOST", "127.0.0.1")


def test_serve_runs_uvicorn_with_the_app_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda target, **options: calls.append((target, options)))
    assert cli.main(["serve", "--host", "127.0.0.2", "--port", "8123", "--workers", "1"]) == 0
    target, options = calls[0]
    assert target == "app.main:serve_app" and options["factory"] is True
    assert (options["host"], options["port"]) == ("127.0.0.2", 8123)
    assert options["ws_max_size"] == AppSettings().max_message_bytes + POLITE_MARGIN
    assert "127.0.0.2" in AppSettings.from_env().trusted_hosts  # the factory answers to the bind address


def test_serve_with_workers_starts_that_many_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[dict[str, Any], int]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("one process per worker, not uvicorn.run"))
    monkeypatch.setattr("app.workers.serve_processes",
                        lambda options, processes: calls.append((options, processes)) or 0)
    assert cli.main(["serve", "--port", "8124", "--workers", "3"]) == 0
    options, processes = calls[0]
    assert processes == 3 and options["port"] == 8124 and options["factory"] is True


def test_serve_defaults_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNP_PORT", "9001")
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda target, **options: calls.append(options))
    monkeypatch.setattr("app.workers.serve_processes", lambda options, processes: calls.append(options) or 0)
    assert cli.main(["serve"]) == 0
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 9001)


def test_serve_refuses_a_bad_environment(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NNP_MAX_FPS", "lots")
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("must not start"))
    assert cli.main(["serve"]) == 2
    assert "NNP_MAX_FPS" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["serve", "--port", "70000"], ["serve", "--workers", "0"]])
def test_serve_rejects_bad_arguments(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2


def test_the_engines_train_command_is_still_there(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["train", "#seed=0.1&networkShape=2", "--epochs", "3", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and '"epoch": 3' in lines[-1]


def test_register_adds_serve_to_a_parser() -> None:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve"])
    assert args.handler is cli.serve_command and args.workers == default_processes()  # one per core
