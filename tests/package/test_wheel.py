"""The project as a user installs it: a wheel built from this checkout, installed (not editable)
into a fresh venv, run as ``nn-playground serve`` from a directory outside the checkout.

The editable install every other test runs against finds ``app/static`` and ``app/templates``
in the checkout whatever the wheel holds; this test is the one that sees a wheel without them.

Speed: the temporary venv reaches the development venv's dependencies (NumPy, Numba,
FastAPI…) through a ``.pth`` line instead of downloading them, while the project itself
comes only from the wheel — the test proves where ``nn_core`` and ``app`` are imported from.
The installed server runs with ``NUMBA_DISABLE_JIT=1``: a fresh install compiles the
engine's kernels from cold (30 s to 2 min on a loaded two-core machine), the very same
source every other test compiles; here the kernels run as plain Python, enough for a few
epochs over ``/ws``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from nn_core import __version__

from ..servers import ROOT, ServerProcess

TIMEOUT = 30
# What a wheel is built from; the rest of the checkout (tests, benchmarks, caches,
# an old build/ folder whose stale files would slip into the wheel) stays behind.
SOURCES = ("pyproject.toml", "README.md", "nn_core", "app")
CACHES = shutil.ignore_patterns("__pycache__", "*.egg-info")


@dataclass(frozen=True)
class Install:
    venv: Path
    outside: Path  # a directory outside the checkout to run commands in

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def command(self) -> Path:
        return self.venv / "bin" / "nn-playground"

    @staticmethod
    def env() -> dict[str, str]:
        """This environment without PYTHONPATH (it would put the checkout's packages before the wheel's)."""
        kept = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return {**kept, "NUMBA_DISABLE_JIT": "1"}

    def run(self, *args: str | Path) -> str:
        result = subprocess.run([str(a) for a in args], cwd=self.outside, env=self.env(),
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout


def _run(*args: str | Path, cwd: Path) -> None:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=Install.env(), capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, f"{args[:4]} failed:\n{result.stdout}\n{result.stderr}"


def build_wheel(into: Path) -> Path:
    """``pip wheel`` of a clean copy of the sources (no build isolation: the build backend is
    the development venv's setuptools, so the test needs no package registry)."""
    source = into / "source"
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=CACHES)
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", into / "dist", source, cwd=into)
    (wheel,) = (into / "dist").glob("neural_playground-*.whl")
    return wheel


def install(wheel: Path, into: Path) -> Install:
    """A fresh venv holding the wheel; its dependencies are the development venv's."""
    venv = into / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=into)
    purelib = subprocess.run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # A plain path line: the development venv's own .pth files (its editable install of
    # this checkout among them) are not processed, so only its dependencies show through.
    (Path(purelib) / "development-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    # --ignore-installed: the development venv's own install of the project shows through the
    # .pth and must neither count as installed nor be uninstalled.
    _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet",
         "--no-deps", "--no-index", "--ignore-installed", wheel, cwd=into)
    outside = into / "elsewhere"
    outside.mkdir()
    return Install(venv, outside)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Install:
    work = tmp_path_factory.mktemp("wheel")
    return install(build_wheel(work), work)


@pytest.fixture(scope="module")
def server(installed: Install) -> Iterator[ServerProcess]:
    process = ServerProcess(launcher=[str(installed.command)], cwd=installed.outside, log=subprocess.DEVNULL)
    process.env = installed.env()
    with process as running:
        yield running


def test_the_wheel_is_what_python_imports(installed: Install) -> None:
    code = "import app, nn_core; print(app.__file__); print(nn_core.__file__)"
    for module_file in installed.run(installed.python, "-c", code).split():
        assert Path(module_file).is_relative_to(installed.venv), module_file


def test_the_installed_command_says_its_version_and_trains(installed: Install) -> None:
    assert installed.run(installed.command, "--version").split() == ["nn-playground", __version__]
    lines = installed.run(installed.command, "train", "#seed=1&networkShape=2", "--epochs", "3", "--json")
    assert [json.loads(line)["epoch"] for line in lines.splitlines()] == [0, 1, 2, 3]


def test_the_installed_server_serves_the_page_and_every_asset(server: ServerProcess) -> None:
    page = httpx.get(server.url + "/", timeout=TIMEOUT)
    assert page.status_code == 200 and "data-settings" in page.text
    assert re.search(r'src="/static/[^"]+[.]js"', page.text) and re.search(r'href="/static/[^"]+[.]css"', page.text)
    static = ROOT / "app" / "static"
    for path in sorted(path for path in static.rglob("*") if path.is_file()):
        name = path.relative_to(static).as_posix()
        response = httpx.get(f"{server.url}/static/{name}", timeout=TIMEOUT)
        assert response.status_code == 200 and response.content == path.read_bytes(), name


def _frame(ws: ClientConnection) -> dict[str, object]:
    while True:
        message = json.loads(ws.recv(timeout=TIMEOUT))
        assert message["type"] != "error", message
        if message["type"] == "frame":
            assert isinstance(ws.recv(timeout=TIMEOUT), bytes)  # its grids
            return dict(message)


def test_the_installed_server_trains_over_the_socket(server: ServerProcess) -> None:
    with connect(server.ws_url, origin=Origin(server.url), open_timeout=TIMEOUT) as ws:
        ws.send(json.dumps({"type": "hello", "hash": "#networkShape=2&seed=0.5"}))
        first = _frame(ws)
        ws.send(json.dumps({"type": "step", "n": 5}))
        frames = [_frame(ws)]  # a long step shows its progress in frames on the way
        while frames[-1]["epoch"] != 5 and len(frames) < 50:
            frames.append(_frame(ws))
    assert first["epoch"] == 0 and frames[-1]["epoch"] == 5
    assert frames[-1]["train_loss"] != first["train_loss"]
