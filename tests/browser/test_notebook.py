"""The notebook widget in a real JupyterLab (from PyPI, started here on loopback), in Chromium.

The example notebook makes a widget; the test presses the widget's play, sees the epoch climb,
runs the notebook's ``pg.set(learningRate=0.1)`` cell and sees the widget's learning-rate
control follow: the page's modules running in the widget's frame, the engine in the kernel.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.helpers import wait_until

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "playground.ipynb"
START_SECONDS = 120  # JupyterLab's first start on a busy machine
LOAD_MS = 120_000  # the notebook, its kernel and the widget's first frame (numba's cache may be cold)


@dataclass
class JupyterLab:
    url: str
    token: str

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_server(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"jupyter lab exited at start-up:\n{log.read_text()[-3000:]}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"jupyter lab did not answer within {START_SECONDS} s")


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterLab]:
    """``jupyter lab`` on a free loopback port, its root a temporary folder holding a copy of the example."""
    home = tmp_path_factory.mktemp("jupyter")
    root = home / "notebooks"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    token, port = secrets.token_hex(16), free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython")}
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--IdentityProvider.token={token}",
               f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.root_dir={root}",
               "--allow-root",  # containers run the tests as root; it listens on loopback only
               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log_path = home / "jupyter.log"
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_server(f"{url}/api/status?token={token}", process, log_path)
        yield JupyterLab(url, token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def run_cell(page, index: int, attempts: int = 3) -> None:
    """Run the notebook's code cell ``index`` (from 0), as a user does: click in it, Shift+Enter.

    A cell run while the kernel is still starting can be dropped (its prompt stays "[ ]"), or
    JupyterLab asks which kernel to start ("Select Kernel", when the first start was slow): the
    test accepts the proposed Python 3, as a user would, and runs the cell again, a bounded
    number of times.
    """
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(index)
    prompt = cell.locator(".jp-InputPrompt")
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    for _ in range(attempts):
        if accept.count():
            accept.first.click()
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        for _ in range(200):  # 20 s
            if re.search(r"[0-9*]", prompt.text_content() or ""):
                return
            if accept.count():
                break
            page.wait_for_timeout(100)
    raise AssertionError(f"cell {index} did not run: its prompt is {prompt.text_content()!r}")


@pytest.fixture
def notebook_page(page, artifacts: Path) -> Iterator:
    """The page; at the end, a screenshot in test-results/ of what JupyterLab showed (to see a failure)."""
    yield page
    page.screenshot(path=str(artifacts / "notebook-widget.png"))


def test_the_widget_plays_and_follows_a_cell(notebook_page, jupyterlab: JupyterLab) -> None:
    page = notebook_page
    page.set_default_timeout(LOAD_MS)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(jupyterlab.notebook_url(NOTEBOOK.name))
    page.wait_for_selector(".jp-Notebook .jp-CodeCell")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")
    run_cell(page, 0)  # pg = Playground.from_url(...); widget = pg.widget(); widget
    widget = page.frame_locator("iframe[title='Neural Playground']")
    widget.locator("#connection-status[data-status='connected']").wait_for(state="attached")
    widget.locator("#network .node.output-node").first.wait_for()
    assert widget.locator("#learningRate").input_value() == "0.03"

    def epoch() -> int:
        return int(widget.locator("#iter-number").text_content().replace(",", ""))

    assert epoch() == 0
    widget.locator("#play-pause-button").click()
    wait_until(page, lambda: epoch() > 30, seconds=60)
    first = epoch()
    wait_until(page, lambda: epoch() > first, seconds=30)  # it keeps climbing

    run_cell(page, 1)  # pg.set(learningRate=0.1), while the widget plays
    wait_until(page, lambda: widget.locator("#learningRate").input_value() == "0.1", seconds=30)
    playing = epoch()
    wait_until(page, lambda: epoch() > playing, seconds=30)  # a new rate does not stop training
    assert widget.locator("#play-pause-button").get_attribute("aria-pressed") == "true"
