"""Many connect/play/disconnect cycles leave nothing behind: threads, tasks, sessions, memory."""

from __future__ import annotations

import asyncio
import gc
import threading
import time

from starlette.testclient import TestClient

from app.config import AppSettings
from app.main import create_app
from app.scheduler import CONTROL_THREADS

from .conftest import TEST_HOSTS, eventually, hello, receive

CYCLES = 1000
WARM_UP = 100
MAX_GROWTH_BYTES = 16 * 2**20


def rss_bytes() -> int:
    """Resident set size from /proc (Linux), without a psutil dependency."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def thread_counts() -> tuple[int, int]:
    """(pool threads, every other thread): the pools may grow to their size, nothing else may."""
    names = [t.name for t in threading.enumerate()]
    pool = sum(name.startswith("nnp-") for name in names)
    return pool, len(names) - pool


def one_cycle(client: TestClient, link: str) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, link)
        ws.send_json({"type": "play"})
        frame = receive(ws)
        assert frame["type"] == "frame" and frame["playing"] is True


def open_tasks(client: TestClient) -> int:
    """How many asyncio tasks the app's event loop holds now."""
    assert client.portal is not None, "the client is not started"
    return client.portal.call(lambda: asyncio.sleep(0, len(asyncio.all_tasks())))


def test_a_thousand_sessions_leave_no_threads_tasks_or_memory_behind() -> None:
    settings = AppSettings(max_sessions=4, max_fps=240, allowed_hosts=TEST_HOSTS)
    app = create_app(settings)
    links = ["#seed=0.1&networkShape=4,2", "#seed=0.2&dataset=spiral&networkShape=6,6,6"]
    with TestClient(app) as client:
        for i in range(WARM_UP):  # thread pools fill, caches warm up
            one_cycle(client, links[i % 2])
        assert eventually(lambda: app.state.registry.open == 0)
        gc.collect()
        (_, other_threads), memory = thread_counts(), rss_bytes()
        tasks = open_tasks(client)
        started = time.monotonic()
        for i in range(CYCLES):
            one_cycle(client, links[i % 2])
        elapsed = time.monotonic() - started
        assert eventually(lambda: app.state.registry.open == 0)
        assert eventually(lambda: app.state.scheduler.playing == 0)
        gc.collect()
        pool_threads, other = thread_counts()
        assert other <= other_threads
        assert pool_threads <= settings.train_threads + CONTROL_THREADS
        assert open_tasks(client) <= tasks
        growth = rss_bytes() - memory
        assert growth < MAX_GROWTH_BYTES, f"RSS grew by {growth / 2**20:.1f} MB over {CYCLES} sessions"
        assert client.get("/healthz").json()["sessions"] == 0
    assert elapsed < 90
