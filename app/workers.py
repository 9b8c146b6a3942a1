"""``serve``'s processes: one per core, each listening on the port through a socket of its own.

uvicorn's own workers share one listening socket, and asyncio accepts every
connection waiting on it at once, so a burst of pages (a class opening a link
together) lands on whichever process woke first: measured, 100 pages split so
unevenly that half of them got 9 frames a second while the rest got 30. With
``SO_REUSEPORT`` every process has its own listening socket and the kernel
spreads new connections over them by a hash of their addresses: about equal
shares. A process's socket starts listening only once its app has started
(uvicorn calls ``listen`` after the lifespan's warm-up), so no page waits on a
process that is still loading. The supervisor holds the port (bound, never
listening: it gets no connections), restarts a process that dies, and stops
them all on SIGINT or SIGTERM (uvicorn's graceful shutdown in each); a process
whose supervisor is gone (SIGKILL) stops too.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

log = logging.getLogger("app.workers")

FACTORY = "app.main:serve_app"
STARTUP_FAILURE = 3  # uvicorn's exit code when a process cannot start (its lifespan failed)
STOP_SECONDS = 10.0  # every stopping process's pages get this long, together, to close
CHECK_SECONDS = 0.2  # how often the supervisor looks for a process that died
QUICK_DEATH = 5.0  # a process that dies sooner than this after its start is restarted after a pause
MAX_PAUSE = 30.0  # the longest such pause (it doubles with each quick death)
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def address(host: str, port: int) -> tuple[socket.AddressFamily, Any]:
    """The socket family and address to bind ``host:port`` (a name, IPv4 or IPv6)."""
    family, _, _, _, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    return family, sockaddr


def port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that shares the port with the other processes' sockets
    (not listening yet: uvicorn listens once its app has started)."""
    family, sockaddr = address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(sockaddr)
    except OSError:
        sock.close()
        raise
    return sock


def claim_port(host: str, port: int) -> socket.socket:
    """The supervisor's hold on the port, after checking that nothing listens there: a socket
    with ``SO_REUSEPORT`` would otherwise join the group of an older server still running and
    share the new pages with it."""
    family, sockaddr = address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # an old connection's TIME_WAIT is no user
        probe.bind(sockaddr)
        port = probe.getsockname()[1]  # port 0: the port the kernel picked
    return port_socket(host, port)


def run_process(options: dict[str, Any], supervisor: int) -> None:
    """One server process (the target of each spawned process: module level, so it pickles)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != supervisor:  # the supervisor died before the line above took effect
        return
    sock = port_socket(options["host"], options["port"])
    uvicorn.Server(uvicorn.Config(FACTORY, **options)).run(sockets=[sock])


@dataclass
class Supervisor:
    """``serve``'s processes, kept running until a signal says stop."""

    options: dict[str, Any]
    count: int
    stopping: bool = False
    status: int = 0
    running: list[BaseProcess] = field(default_factory=list)
    started: list[float] = field(default_factory=list)
    pauses: list[float] = field(default_factory=list)

    def stop(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: only a flag (taking a lock here could deadlock the main thread)."""
        self.stopping = True

    def run(self) -> int:
        context = multiprocessing.get_context("spawn")
        for _ in range(self.count):
            self.running.append(self._start(context))
            self.started.append(time.monotonic())
            self.pauses.append(0.0)
        try:
            while not self.stopping:
                time.sleep(CHECK_SECONDS)
                self._replace_the_dead(context)
        finally:
            _stop(self.running)
        return self.status

    def _replace_the_dead(self, context: Any) -> None:
        for index, process in enumerate(self.running):
            if process.is_alive() or self.stopping:
                continue
            if process.exitcode == STARTUP_FAILURE:
                log.error("a server process could not start: stopping")
                self.stopping, self.status = True, 1
                return
            quick = time.monotonic() - self.started[index] < QUICK_DEATH
            self.pauses[index] = min(MAX_PAUSE, max(1.0, 2 * self.pauses[index])) if quick else 0.0
            if time.monotonic() < self.started[index] + self.pauses[index]:
                continue  # it keeps dying at once: wait before the next try
            log.warning("server process %s ended (exit code %s): starting another", process.pid, process.exitcode)
            self.running[index] = self._start(context)
            self.started[index] = time.monotonic()

    def _start(self, context: Any) -> BaseProcess:
        process: BaseProcess = context.Process(target=run_process, args=(self.options, os.getpid()),
                                               name="nn-playground")
        process.start()
        return process


def serve_processes(options: dict[str, Any], processes: int) -> int:
    """Run ``processes`` server processes on ``options["host"]:options["port"]`` until SIGINT or
    SIGTERM; return the exit status (1 when the port is taken or a process cannot start)."""
    try:
        held = claim_port(options["host"], options["port"])
    except OSError as error:
        print(f"nn-playground serve: cannot listen on {options['host']}:{options['port']}: {error}", file=sys.stderr)
        return 1
    port = held.getsockname()[1]
    print(f"Neural Playground: open http://{options['host']}:{port}/", flush=True)
    supervisor = Supervisor({**options, "port": port}, processes)
    previous = {signum: signal.signal(signum, supervisor.stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        return supervisor.run()
    finally:
        held.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop(running: list[BaseProcess]) -> None:
    """SIGTERM (uvicorn's graceful shutdown) to every process, then SIGKILL to what is left when
    :data:`STOP_SECONDS` are up."""
    for process in running:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in running:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in running:
        if process.is_alive():
            process.kill()
            process.join()
