"""Run the app in a real uvicorn on a free loopback port (in a thread or a child process) and stop it again.

For end-to-end tests and the server benchmark: the real HTTP/WebSocket stack (httptools, websockets)
instead of the in-process TestClient. Binding the socket ourselves first means
the port is known before the server starts and no other process can take it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import uvicorn
from websockets.sync.client import ClientConnection, connect

from app.config import AppSettings
from app.main import create_app
from app.transport import uvicorn_limits

ROOT = Path(__file__).resolve().parent.parent


class LoopbackAddress:
    """The addresses of something listening on ``port`` of 127.0.0.1."""

    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def websocket_from(self, address: str) -> ClientConnection:
        """A WebSocket to ``/ws`` from the loopback address ``address`` (all of 127.0.0.0/8 is loopback),
        to be one of several clients; use it as a context manager."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10, source_address=(address, 0))
        return connect(self.ws_url, sock=sock, open_timeout=10)

    def upgrade_request(self) -> bytes:
        """The raw request that opens ``/ws``, for clients that then write frames by hand."""
        return (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n").encode()


class BackgroundServer(LoopbackAddress):
    """``with BackgroundServer(settings) as server: server.url`` — stops on exit."""

    def __init__(self, settings: AppSettings | None = None) -> None:
        self.settings = settings or AppSettings()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(create_app(self.settings), log_level="warning", lifespan="on",
                                **uvicorn_limits(self.settings))
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="uvicorn-background", daemon=True)

    def _serve(self) -> None:
        self.server.run(sockets=[self._socket])

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + 60  # the app compiles the engine at start-up if nothing is cached
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_child(process: subprocess.Popen[bytes] | None, seconds: float = 10) -> None:
    """SIGTERM (a graceful stop) and wait; SIGKILL if it is not gone within ``seconds``."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class LoopbackChild(LoopbackAddress):
    """A child process serving on a loopback port, and a stop that always ends it.

    Subclasses set ``port`` and ``process`` and define ``start``; ``with`` starts and stops them.
    """

    process: subprocess.Popen[bytes] | None = None

    def start(self, seconds: float = 30) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        stop_child(self.process)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def rss_bytes(pid: int) -> int:
    """The resident memory of process ``pid`` now."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class ServerProcess(LoopbackChild):
    """``nn-playground serve`` in a child process on a loopback port; stopped on exit.

    A process of its own (unlike :class:`BackgroundServer`) when the caller
    must not share the server's GIL or wants to read its memory and CPU, as the
    browser tests and the server benchmark do. ``start``/``stop`` may be called
    again to restart it on the same port.
    """

    # This checkout's code, run by the interpreter running the tests.
    LAUNCHER = (sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())")

    def __init__(self, port: int | None = None, env: dict[str, str] | None = None,
                 log: IO[bytes] | int | None = None, launcher: Sequence[str] = LAUNCHER, cwd: Path = ROOT,
                 workers: int | None = 1) -> None:
        """``launcher``: the command that stands for ``nn-playground`` (an installed one, say),
        run in ``cwd``; ``env`` is added to this process's environment. ``workers``: one server
        process by default, as a test's checks of one process's limits and memory need; None
        leaves it to ``serve`` (one per core), as the benchmark measures it."""
        self.workers = workers
        self.port = port or free_port()
        self.env = {**os.environ, **(env or {})}
        self.log = log
        self.launcher = list(launcher)
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server is not running"
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """The server processes ``serve --workers N`` started (not multiprocessing's resource tracker)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [int(pid) for pid in children if b"spawn_main" in _cmdline(int(pid))]

    def listening(self) -> int:
        """How many sockets listen on the port (``serve --workers N``'s supervisor's only)."""
        return len(tcp_sockets(self.port, TCP_LISTEN))

    def serving(self, seconds: float = 5) -> int:
        """How many of ``serve --workers N``'s processes take connections: those that hold one
        already, and those that take one of some probe connections (each handed to the process
        with the fewest). Returns once the processes have closed the probes again (and counted
        them closed)."""
        workers = self.worker_pids()
        established = tcp_sockets(self.port, TCP_ESTABLISHED)
        already = [bool(socket_inodes(pid) & established) for pid in workers]
        probes = [socket.create_connection(("127.0.0.1", self.port), timeout=5) for _ in range(2 * len(workers) + 2)]
        probe_ports = {probe.getsockname()[1] for probe in probes}
        deadline = time.monotonic() + seconds
        try:
            while True:
                ends = tcp_sockets_to(self.port, probe_ports)
                held = [socket_inodes(pid) & ends for pid in workers]
                if sum(map(len, held)) >= len(probes) or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        finally:
            for probe in probes:
                probe.close()
        taken = set().union(*held)
        # A process closes its socket (its descriptor) only after its protocol counted the close.
        while any(socket_inodes(pid) & taken for pid in workers) and time.monotonic() < deadline + seconds:
            time.sleep(0.05)
        return sum(before or bool(inodes) for before, inodes in zip(already, held, strict=True))

    def start(self, seconds: float = 30) -> ServerProcess:
        command = [*self.launcher, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
                   *([] if self.workers is None else ["--workers", str(self.workers)])]
        self.process = subprocess.Popen(command, cwd=self.cwd, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer at {self.url} within {seconds} s")


TCP_LISTEN, TCP_ESTABLISHED = "0A", "01"  # /proc/net/tcp's socket states


def _tcp_table() -> list[tuple[int, int, str, str]]:
    """/proc/net/tcp's sockets: (local port, peer port, state, inode) each."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        rows.append((int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16), fields[3], fields[9]))
    return rows


def tcp_sockets(port: int, state: str) -> set[str]:
    """The inodes of the TCP sockets in ``state`` whose local port is ``port``."""
    return {inode for local, _, found, inode in _tcp_table() if local == port and found == state}


def tcp_sockets_to(port: int, peer_ports: set[int]) -> set[str]:
    """The inodes of the TCP sockets on local port ``port`` connected to any of ``peer_ports``
    (a server's ends of some clients' connections)."""
    return {inode for local, peer, _, inode in _tcp_table() if local == port and peer in peer_ports}


def tcp_socket_to(port: int, peer_port: int) -> str | None:
    """The inode of the TCP socket on local port ``port`` connected to ``peer_port``, if any."""
    return next(iter(tcp_sockets_to(port, {peer_port})), None)


def socket_inodes(pid: int) -> set[str]:
    """The inodes of the sockets process ``pid`` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def _cmdline(pid: int) -> bytes:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    return b""
