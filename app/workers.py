"""``serve``'s processes: one per core, each listening on the port through a socket of its own.

uvicorn's own workers share one listening socket, and asyncio accepts every
connection waiting on it at once, so a burst of pages (a class opening a link
together) lands on whichever process woke first: measured, 100 pages split so
unevenly that half of them got 9 frames a second while the rest got 30. With
``SO_REUSEPORT`` every process has its own listening socket and the kernel
spreads new connections over them by a hash of their addresses: about equal
shares. The supervisor holds the port (bound, never listening, so no
connection waits on it), restarts a process that dies, and stops them all on
SIGINT or SIGTERM (uvicorn's graceful shutdown in each).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

log = logging.getLogger("app.workers")

FACTORY = "app.main:serve_app"
BACKLOG = 2048  # uvicorn's default: connections the kernel queues for a busy process
STARTUP_FAILURE = 3  # uvicorn's exit code when a process cannot start (its lifespan failed)
STOP_SECONDS = 10.0  # a stopping process's open pages get this long to close
CHECK_SECONDS = 0.5  # how often the supervisor looks for a process that died


def port_socket(host: str, port: int, listen: bool) -> socket.socket:
    """A socket bound to ``host:port`` that shares the port with the other processes' sockets."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        if listen:
            sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def run_process(options: dict[str, Any]) -> None:
    """One server process (the target of each spawned process: module level, so it pickles)."""
    sock = port_socket(options["host"], options["port"], listen=True)
    uvicorn.Server(uvicorn.Config(FACTORY, **options)).run(sockets=[sock])


def serve_processes(options: dict[str, Any], processes: int) -> int:
    """Run ``processes`` server processes on ``options["host"]:options["port"]`` until SIGINT or
    SIGTERM; return the exit status (1 when the port is taken or a process cannot start)."""
    try:
        held = port_socket(options["host"], options["port"], listen=False)
    except OSError as error:
        print(f"nn-playground serve: cannot listen on {options['host']}:{options['port']}: {error}", file=sys.stderr)
        return 1
    options = {**options, "port": held.getsockname()[1]}
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    context = multiprocessing.get_context("spawn")
    running = [_start(context, options) for _ in range(processes)]
    status = 0
    try:
        while not stopping.wait(CHECK_SECONDS):
            for index, process in enumerate(running):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("a server process could not start: stopping")
                    stopping.set()
                    status = 1
                    break
                log.warning("server process %s ended (exit code %s): starting another", process.pid, process.exitcode)
                running[index] = _start(context, options)
    finally:
        _stop(running)
        held.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status


def _start(context: Any, options: dict[str, Any]) -> BaseProcess:
    process: BaseProcess = context.Process(target=run_process, args=(options,), name="nn-playground")
    process.start()
    return process


def _stop(running: list[BaseProcess]) -> None:
    """SIGTERM (uvicorn's graceful shutdown) to every process, then SIGKILL to what is left."""
    for process in running:
        if process.is_alive():
            process.terminate()
    for process in running:
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
