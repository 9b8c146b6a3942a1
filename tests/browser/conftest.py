"""Browser tests: a real uvicorn serving the app, driven by Debian's Chromium.

One server for the whole session (a subprocess on a free 127.0.0.1 port);
pytest-playwright's `page` fixture opens pages on it. Every page is watched
for console errors, uncaught exceptions and Content-Security-Policy violations.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.servers import ServerProcess

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"

# The page reports CSP violations to the console, where the watcher below sees them.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}}


@pytest.fixture(scope="session")
def server_url() -> str:
    with ServerProcess() as server:
        yield server.url


@pytest.fixture(scope="session")
def base_url(server_url: str) -> str:
    return server_url


@pytest.fixture
def page_problems(page) -> list[str]:
    """Console errors, uncaught exceptions and CSP violations of `page`, as text."""
    problems: list[str] = []
    page.add_init_script(REPORT_CSP_VIOLATIONS)
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    return problems


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

