"""Hostile clients against a real ``nn-playground serve``, with a bystander page playing beside them.

For each attack: the server's RSS growth, the bystander's frames per second
during the attack (and its slowest gap between frames), and how the server
answered. Loopback only; every attack is bounded in bytes and time.

    .venv/bin/python benchmarks/bench_attacks.py [--seconds 4]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import ServerProcess, rss_bytes  # noqa: E402 (tests/ is not installed: the path above)

BIG_NETWORK = ("#mode=extended&networkShape=32,32,32,32,32,32,32,32,32,32&xTimesY=true&xSquared=true"
               "&ySquared=true&sinX=true&sinY=true&seed=1")


@dataclass
class Bystander:
    """A page playing the default link on a thread of its own, counting its frames."""

    url: str
    frames: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with connect(self.url, max_size=None) as ws:
            ws.send(json.dumps({"type": "hello", "hash": "#seed=0.5"}))
            ws.send(json.dumps({"type": "play"}))
            while not self.stop.is_set():
                with contextlib.suppress(TimeoutError):
                    if str(ws.recv(timeout=0.5)).startswith('{"type":"frame"'):
                        self.frames.append(time.monotonic())

    def during(self, start: float, end: float) -> tuple[float, float]:
        """Frames per second between ``start`` and ``end``, and the longest gap (s)."""
        times = [t for t in self.frames if start <= t <= end]
        gaps = [b - a for a, b in zip([start, *times], [*times, end], strict=True)]
        return len(times) / (end - start), max(gaps)


def send_until_refused(sock: socket.socket, chunk: bytes, limit: int, seconds: float) -> int:
    """Send ``chunk`` until the server stops reading or closes, ``limit`` bytes or ``seconds``; bytes sent."""
    sock.settimeout(1.0)
    sent, deadline = 0, time.monotonic() + seconds
    with contextlib.suppress(OSError):
        while sent < limit and time.monotonic() < deadline:
            sock.sendall(chunk)
            sent += len(chunk)
    return sent


def header_flood(server: ServerProcess, seconds: float) -> str:
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.create_connection(("127.0.0.1", server.port))) for _ in range(10)]
        sent = 0
        for sock in socks:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: ")
            sent += send_until_refused(sock, b"a" * 65536, 48 * 2**20, seconds / 10)
    return f"10 heads of 48 MB: cut off after {sent / 2**20 / 10:.1f} MB each (kernel buffers included)"


def ping_flood(server: ServerProcess, seconds: float) -> str:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(server.upgrade_request())
        sock.recv(4096)
        ping = (bytes([0x89, 0x80 | 125, 0, 0, 0, 0]) + b"p" * 125) * 512
        sent = send_until_refused(sock, ping, 2**30, seconds)
    return f"{sent / 2**20:.0f} MB of pings taken, then reading stopped"


def big_messages(server: ServerProcess, seconds: float) -> str:
    refused = 0
    url = server.url.replace("http", "ws", 1) + "/ws"
    for _ in range(16):
        with contextlib.suppress(ConnectionClosed, OSError), connect(url, max_size=None) as ws:
            ws.send("x" * (15 * 2**20))
            ws.recv(timeout=5)
        refused += 1
    return f"{refused} messages of 15 MiB: connection closed (1009)"


def slow_loris(server: ServerProcess, seconds: float) -> str:
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.create_connection(("127.0.0.1", server.port))) for _ in range(300)]
        deadline = time.monotonic() + seconds
        alive = len(socks)
        while time.monotonic() < deadline:
            alive = 0
            for sock in socks:
                with contextlib.suppress(OSError):
                    sock.sendall(b"G")
                    alive += 1
            time.sleep(0.5)
    return f"300 sockets, {alive} still writable after {seconds:g} s"


def silent_sockets(server: ServerProcess, seconds: float) -> str:
    with contextlib.ExitStack() as stack:
        for _ in range(64):  # one address that never says hello
            with contextlib.suppress(Exception):
                stack.enter_context(server.websocket_from("127.0.0.2"))
        with server.websocket_from("127.0.0.3") as visitor:
            visitor.send(json.dumps({"type": "hello"}))
            answer = json.loads(visitor.recv(timeout=5))["type"]
        time.sleep(seconds / 2)
    return f"64 silent sockets from one address; a visitor from another got {answer!r}"


def churn(server: ServerProcess, seconds: float) -> str:
    url = server.url.replace("http", "ws", 1) + "/ws"
    answered, cycles, deadline = 0, 0, time.monotonic() + seconds
    while time.monotonic() < deadline and cycles < 1000:
        cycles += 1
        with contextlib.suppress(Exception), connect(url) as ws:
            ws.send(json.dumps({"type": "hello"}))
            ws.send(json.dumps({"type": "play"}))
            ws.send(json.dumps({"type": "reset"}))
            answered += json.loads(ws.recv(timeout=5))["type"] == "state"
    return f"{cycles} connect/play/reset/close cycles, {answered} hellos answered"


def gradient_check(server: ServerProcess, seconds: float) -> str:
    url = server.url.replace("http", "ws", 1) + "/ws"
    with connect(url, max_size=None) as ws:
        ws.send(json.dumps({"type": "hello", "hash": BIG_NETWORK}))
        started = time.monotonic()
        checks = 0
        while time.monotonic() - started < seconds:
            ws.send(json.dumps({"type": "gradient_check"}))
            while not str(ws.recv(timeout=30)).startswith('{"type":"gradient_check"'):
                pass
            checks += 1
    return f"{checks} gradient checks of the largest network"


ATTACKS: dict[str, Callable[[ServerProcess, float], str]] = {
    "unfinished headers": header_flood, "ping flood": ping_flood, "15 MiB messages": big_messages,
    "slow loris": slow_loris, "sockets without hello": silent_sockets, "churn": churn,
    "gradient check, largest network": gradient_check,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args(argv)
    print(f"{'attack':>32} {'RSS +MB':>8} {'bystander f/s':>13} {'max gap':>8}  reply")
    for name, attack in ATTACKS.items():
        with ServerProcess(env={"NNP_HEADER_TIMEOUT": "2"}, log=subprocess.DEVNULL) as server:
            bystander = Bystander(server.url.replace("http", "ws", 1) + "/ws")
            thread = threading.Thread(target=bystander.run, daemon=True)
            thread.start()
            time.sleep(1.5)
            before, start = rss_bytes(server.pid) / 2**20, time.monotonic()
            reply = attack(server, args.seconds)
            time.sleep(max(0.0, start + args.seconds - time.monotonic()))  # the bystander's window
            end, after = time.monotonic(), rss_bytes(server.pid) / 2**20
            bystander.stop.set()
            thread.join(timeout=5)
            fps, gap = bystander.during(start, end)
            print(f"{name:>32} {after - before:>8.1f} {fps:>13.1f} {gap:>7.2f}s  {reply}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
