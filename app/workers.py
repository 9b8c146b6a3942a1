"""``serve``'s processes: one per core, and a supervisor that hands each of them its connections.

The supervisor alone listens on the port and gives every new connection to the
process holding the fewest (app/balancer.py: the kernel's ``SO_REUSEPORT`` hash
split 150 pages 80 / 70, and uvicorn's shared socket let one process take a
whole burst). A process gets connections only once its app has started (after
the lifespan's warm-up): until one has, new connections wait in the backlog.
The supervisor restarts a process that dies, and stops them all on SIGINT or
SIGTERM (uvicorn's graceful shutdown in each); a process whose supervisor is
gone (SIGKILL) stops too.
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

from .balancer import Balancer, Channel, HandedConnectionsServer, new_channel

log = logging.getLogger("app.workers")

FACTORY = "app.main:serve_app"
STARTUP_FAILURE = 3  # uvicorn's exit code when a process cannot start (its lifespan failed)
STOP_SECONDS = 10.0  # every stopping process's pages get this long, together, to close
CHECK_SECONDS = 0.2  # how often the supervisor looks for a process that died
QUICK_DEATH = 5.0  # a process that dies sooner than this after its start is restarted after a pause
MAX_PAUSE = 30.0  # the longest such pause (it doubles with each quick death)
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
BACKLOG = 2048  # connections waiting to be accepted (uvicorn's default)


def address(host: str, port: int) -> tuple[socket.AddressFamily, Any]:
    """The socket family and address to bind ``host:port`` (a name, IPv4 or IPv6)."""
    family, _, _, _, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    return family, sockaddr


def claim_port(host: str, port: int, backlog: int = BACKLOG) -> socket.socket:
    """The supervisor's listening socket on ``host:port`` (port 0: one the kernel picks); OSError
    when another server listens there."""
    family, sockaddr = address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # an old connection's TIME_WAIT is no user
        sock.bind(sockaddr)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def run_process(options: dict[str, Any], supervisor: int, channel: socket.socket,
                closed: ctypes.c_longlong) -> None:
    """One server process (the target of each spawned process: module level, so it pickles)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != supervisor:  # the supervisor died before the line above took effect
        return
    HandedConnectionsServer(uvicorn.Config(FACTORY, **options), channel, closed).run()


@dataclass
class Supervisor:
    """``serve``'s processes, kept running (and handed their connections) until a signal says stop."""

    options: dict[str, Any]
    count: int
    balancer: Balancer
    stopping: bool = False
    status: int = 0
    running: list[BaseProcess] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    started: list[float] = field(default_factory=list)
    pauses: list[float] = field(default_factory=list)

    def stop(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: only a flag (taking a lock here could deadlock the main thread)."""
        self.stopping = True

    def run(self) -> int:
        context = multiprocessing.get_context("spawn")
        for _ in range(self.count):
            process, channel = self._start(context)
            self.running.append(process)
            self.channels.append(channel)
            self.started.append(time.monotonic())
            self.pauses.append(0.0)
        try:
            while not self.stopping:
                self.balancer.wait(CHECK_SECONDS)
                self._replace_the_dead(context)
        finally:
            self.balancer.close()  # no new connections while the processes stop
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
            self.balancer.remove(self.channels[index])  # no more connections there (a no-op once done)
            quick = time.monotonic() - self.started[index] < QUICK_DEATH
            self.pauses[index] = min(MAX_PAUSE, max(1.0, 2 * self.pauses[index])) if quick else 0.0
            if time.monotonic() < self.started[index] + self.pauses[index]:
                continue  # it keeps dying at once: wait before the next try
            log.warning("server process %s ended (exit code %s): starting another", process.pid, process.exitcode)
            self.running[index], self.channels[index] = self._start(context)
            self.started[index] = time.monotonic()

    def _start(self, context: Any) -> tuple[BaseProcess, Channel]:
        channel, theirs, closed = new_channel()
        process: BaseProcess = context.Process(target=run_process, args=(self.options, os.getpid(), theirs, closed),
                                               name="nn-playground")
        try:
            process.start()
        except BaseException:
            channel.sock.close()
            raise
        finally:
            theirs.close()  # the process has its own copy
        self.balancer.add(channel)
        return process, channel


def serve_processes(options: dict[str, Any], processes: int) -> int:
    """Run ``processes`` server processes on ``options["host"]:options["port"]`` until SIGINT or
    SIGTERM; return the exit status (1 when the port is taken or a process cannot start)."""
    try:
        listener = claim_port(options["host"], options["port"])
    except OSError as error:
        print(f"nn-playground serve: cannot listen on {options['host']}:{options['port']}: {error}", file=sys.stderr)
        return 1
    port = listener.getsockname()[1]
    print(f"Neural Playground: open http://{options['host']}:{port}/", flush=True)
    supervisor = Supervisor({**options, "port": port}, processes, Balancer(listener))
    previous = {signum: signal.signal(signum, supervisor.stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        return supervisor.run()
    finally:
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
