"""``serve``'s own processes (one per core, no nginx): the pages of a process that dies resume on
the others, at the frame they showed, and the dead process is replaced.

The same pages as behind nginx (tests/deploy/pages.py: they reconnect as the real page does);
serve's supervisor, not nginx, hands each new connection to the process with the fewest
(app/balancer.py).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.conftest import BACKEND_ENV
from tests.deploy.pages import PagesInBackground
from tests.deploy.test_nginx import check_nothing_lost, move, playing, wait_until
from tests.servers import TCP_ESTABLISHED, ServerProcess, socket_inodes, tcp_sockets

PAGES = 20


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[ServerProcess]:
    with ServerProcess(env={**BACKEND_ENV, "TMPDIR": str(tmp_path)}, workers=2) as server:
        wait_until(lambda: server.serving() == 2, 30, "both processes taking connections")
        yield server


def pages_of(server: ServerProcess, pid: int) -> int:
    return len(socket_inodes(pid) & tcp_sockets(server.port, TCP_ESTABLISHED))


def test_pages_of_a_dead_process_resume_on_the_others(two_processes: ServerProcess) -> None:
    with PagesInBackground(two_processes.ws_url, origin=two_processes.url) as background:
        pages = background.open(PAGES)
        wait_until(lambda: playing(pages), 30, f"{PAGES} pages playing")
        victim, other = two_processes.worker_pids()
        on_victim = pages_of(two_processes, victim)
        assert abs(on_victim - PAGES / 2) <= 1 and pages_of(two_processes, other) == PAGES - on_victim  # balanced

        result = move(pages, lambda: os.kill(victim, signal.SIGKILL))
        assert len(result["moved"]) == on_victim, "exactly the dead process's pages moved"
        check_nothing_lost(result)
        wait_until(lambda: len(two_processes.worker_pids()) == 2 and victim not in two_processes.worker_pids(),
                   30, "a new process in the dead one's place")
        wait_until(lambda: two_processes.serving() == 2, 30, "the new process taking connections")
