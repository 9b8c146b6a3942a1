"""``serve`` with several processes: each on a core of its own, pages spread over them, a dead one
replaced, every one stopped with ``serve``. Real processes on loopback; each test's core locks live
in its own temporary directory, so servers of other tests do not hold its cores."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection, connect

from app.cores import usable_cores

from ..servers import ROOT, TCP_ESTABLISHED, ServerProcess, socket_inodes, tcp_socket_to, tcp_sockets


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[ServerProcess]:
    with ServerProcess(workers=2, env={"TMPDIR": str(tmp_path)}) as server:
        # /healthz answered: one process is up; wait for the other to take connections too.
        assert wait_for(lambda: server.serving() == 2), "the second process took no connection"
        yield server


@contextlib.contextmanager
def open_page(server: ServerProcess) -> Iterator[ClientConnection]:
    """A page that said hello and got its playground."""
    with connect(server.ws_url, open_timeout=10) as ws:
        ws.send('{"type": "hello", "hash": "#seed=1"}')
        while '"type":"state"' not in str(ws.recv(timeout=20)):
            pass
        yield ws


def test_pages_spread_over_one_process_per_core(two_processes: ServerProcess) -> None:
    with contextlib.ExitStack() as pages:
        for _ in range(24):
            pages.enter_context(open_page(two_processes))
        established = tcp_sockets(two_processes.port, TCP_ESTABLISHED)
        per_process = [len(socket_inodes(pid) & established) for pid in two_processes.worker_pids()]
    # Each new connection goes to the process with the fewest: 12 on each side (the kernel's
    # hash of their ports put 12 ± 2.4).
    assert sorted(per_process) == [12, 12], per_process
    if len(usable_cores()) >= 2:  # each process on a core of its own, not the same one
        affinities = [os.sched_getaffinity(pid) for pid in two_processes.worker_pids()]
        assert all(len(cores) == 1 for cores in affinities) and affinities[0] != affinities[1], affinities


def test_new_pages_go_where_pages_left(two_processes: ServerProcess) -> None:
    """Each process counts the connections it closed: once one process's pages have left, the
    next pages all go to it (uncounted, they would split evenly again)."""
    with contextlib.ExitStack() as stack:
        pages = [stack.enter_context(open_page(two_processes)) for _ in range(8)]
        emptied = two_processes.worker_pids()[0]
        held = socket_inodes(emptied)
        ends = {ws: tcp_socket_to(two_processes.port, ws.socket.getsockname()[1]) for ws in pages}
        leaving = [ws for ws in pages if ends[ws] in held]
        assert len(leaving) == 4
        for ws in leaving:
            ws.close()
        # Its descriptor goes only after the protocol counted the close.
        assert wait_for(lambda: not socket_inodes(emptied) & {ends[ws] for ws in leaving})
        new = [stack.enter_context(open_page(two_processes)) for _ in range(4)]
        held = socket_inodes(emptied)
        assert all(tcp_socket_to(two_processes.port, ws.socket.getsockname()[1]) in held for ws in new)


def test_a_process_that_dies_is_replaced(two_processes: ServerProcess) -> None:
    dead = two_processes.worker_pids()[0]
    os.kill(dead, signal.SIGKILL)
    assert wait_for(lambda: len(two_processes.worker_pids()) == 2 and dead not in two_processes.worker_pids())
    assert wait_for(lambda: two_processes.serving() == 2)
    for _ in range(6):  # whichever process each lands on, it is a playground
        with open_page(two_processes):
            pass


def test_stopping_serve_stops_every_process(two_processes: ServerProcess) -> None:
    workers = two_processes.worker_pids()
    two_processes.stop()
    assert two_processes.process is not None and two_processes.process.returncode == 0
    assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 15)
    assert two_processes.listening() == 0


def test_a_second_serve_on_the_same_port_is_refused(two_processes: ServerProcess) -> None:
    """Its processes would otherwise wait for connections that the first one's supervisor takes."""
    done = subprocess.run([*ServerProcess.LAUNCHER, "serve", "--port", str(two_processes.port), "--workers", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "cannot listen" in done.stderr
    assert two_processes.serving() == 2


def test_processes_stop_when_serve_is_killed(two_processes: ServerProcess) -> None:
    """SIGKILL leaves serve no time to stop them: each is told by the kernel (PR_SET_PDEATHSIG)."""
    workers = two_processes.worker_pids()
    assert two_processes.process is not None
    two_processes.process.kill()
    two_processes.process.wait()
    assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 15)
    assert wait_for(lambda: two_processes.listening() == 0, 5)


def test_a_taken_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*ServerProcess.LAUNCHER, "serve", "--port", str(port), "--workers", "2"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in done.stderr


PIN = """
import sys, time
from pathlib import Path
from app.cores import pin_to_free_core
print(pin_to_free_core(Path(sys.argv[1])), flush=True)
time.sleep(30)
"""


@pytest.mark.skipif(len(usable_cores()) < 2, reason="needs two cores")
def test_each_process_takes_a_core_nobody_holds(tmp_path: Path) -> None:
    cores = usable_cores()
    processes: list[subprocess.Popen[str]] = []
    try:
        taken = []
        for _ in range(len(cores) + 1):  # one at a time: each answers once it holds its core (or none)
            processes.append(subprocess.Popen([sys.executable, "-c", PIN, str(tmp_path)], cwd=ROOT,
                                              stdout=subprocess.PIPE, text=True))
            assert processes[-1].stdout is not None
            taken.append(processes[-1].stdout.readline().strip())
        assert sorted(taken[:-1]) == sorted(str(core) for core in cores) and taken[-1] == "None", taken
        processes[0].kill()
        processes[0].wait()  # its lock goes with it: the next process takes its core
        again = subprocess.run([sys.executable, "-c", PIN.replace("time.sleep(30)", ""), str(tmp_path)], cwd=ROOT,
                               capture_output=True, text=True, timeout=60, check=True)
        assert again.stdout.strip() == taken[0]
    finally:
        for process in processes:
            process.kill()
            process.wait()
