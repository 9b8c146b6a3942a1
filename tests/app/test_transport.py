"""Hostile clients against a real `nn-playground serve`: each costs the server a bounded amount of memory.

Loopback only, bounded loops. The server runs in a process of its own so its
memory can be read from /proc.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.transport import MAX_HEADER_BYTES, POLITE_MARGIN

from ..servers import ServerProcess, rss_bytes

MAX_GROWTH = 24 * 2**20  # what one hostile client may make the server hold, at most
MESSAGE_LIMIT = 1_048_576  # the default NNP_MAX_MESSAGE_BYTES


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess() as running:
        yield running


def still_serves(server: ServerProcess) -> bool:
    with connect(server.url.replace("http", "ws", 1) + "/ws", open_timeout=10) as ws:
        ws.send('{"type": "hello", "hash": "#seed=1"}')
        return '"type":"state"' in str(ws.recv(timeout=10))


def test_an_endless_header_is_cut_off(server: ServerProcess) -> None:
    before = rss_bytes(server.pid)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: ")
        sent = 0
        try:
            while sent < 64 * 2**20:  # the server must give up long before this
                client.sendall(b"a" * 65536)
                sent += 65536
        except OSError:  # reset or broken pipe: the server closed on us
            pass
        else:
            pytest.fail("the server read 64 MB of one header")
    assert sent < 8 * 2**20 and sent >= MAX_HEADER_BYTES - 65536
    assert rss_bytes(server.pid) - before < MAX_GROWTH
    assert still_serves(server)


def test_a_ping_flood_that_never_reads_its_pongs_stops_being_read(server: ServerProcess) -> None:
    before = rss_bytes(server.pid)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as client:
        client.sendall(server.upgrade_request())
        assert b" 101 " in client.recv(4096)
        ping = bytes([0x89, 0x80 | 125, 0, 0, 0, 0]) + b"p" * 125  # masked with a zero key
        burst = ping * 512
        client.settimeout(2.0)
        sent = 0
        try:
            while sent < 256 * 2**20:
                client.sendall(burst)
                sent += len(burst)
        except TimeoutError:  # the server stopped reading: our sends pile up in the kernel
            pass
        else:
            pytest.fail("the server kept reading 256 MB of pings that were never answered")
        assert rss_bytes(server.pid) - before < MAX_GROWTH, f"sent {sent / 2**20:.0f} MB of pings"
    assert still_serves(server)


def closed_after(ws: ClientConnection, text: str) -> ConnectionClosed:
    """Send ``text``; the server must close the connection instead of answering."""
    try:
        ws.send(text)
        ws.recv(timeout=10)
    except ConnectionClosed as closed:
        return closed
    raise AssertionError("the server answered instead of closing")


def test_a_message_far_over_the_limit_is_refused_before_it_is_buffered(server: ServerProcess) -> None:
    before = rss_bytes(server.pid)
    url = server.url.replace("http", "ws", 1) + "/ws"
    with connect(url, max_size=None, open_timeout=10) as ws:
        closed = closed_after(ws, "x" * (16 * 2**20))
        # Closed with 1009 (message too big), or cut off while the rest was still being sent.
        assert closed.rcvd is None or closed.rcvd.code == 1009
    time.sleep(0.2)
    assert rss_bytes(server.pid) - before < MAX_GROWTH
    assert still_serves(server)


def test_a_message_a_little_over_the_limit_gets_the_polite_answer(server: ServerProcess) -> None:
    url = server.url.replace("http", "ws", 1) + "/ws"
    with connect(url, max_size=None, open_timeout=10) as ws:
        ws.send("x" * (MESSAGE_LIMIT + POLITE_MARGIN // 2))
        assert '"code":"too_large"' in str(ws.recv(timeout=10))


HEADER_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def strict_server() -> Iterator[ServerProcess]:
    """A server with a short head timeout and small per-address limits, to see them act."""
    env = {"NNP_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "NNP_MAX_SESSIONS": "12",
           "NNP_MAX_SESSIONS_PER_CLIENT": "6", "NNP_MAX_WAITING_PER_CLIENT": "3"}
    with ServerProcess(env=env) as running:
        yield running


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed ``sock`` (without waiting)."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_slow_loris_sockets_are_closed_after_the_head_timeout(strict_server: ServerProcess) -> None:
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.create_connection(("127.0.0.1", strict_server.port), timeout=5))
                   for _ in range(50)]
        opened = time.monotonic()
        open_ones = list(sockets)
        while open_ones and time.monotonic() < opened + HEADER_TIMEOUT + 3:
            for sock in open_ones:  # one header byte each, every 0.2 s: never a whole head
                with contextlib.suppress(OSError):
                    sock.setblocking(True)
                    sock.sendall(b"G")
            time.sleep(0.2)
            open_ones = [sock for sock in open_ones if not closed_by_server(sock)]
            if time.monotonic() < opened + HEADER_TIMEOUT * 0.5:
                assert len(open_ones) == len(sockets), "closed before the timeout"
        assert open_ones == [], f"{len(open_ones)} slow sockets still open after {HEADER_TIMEOUT + 3} s"
    assert still_serves(strict_server)


def busy(ws: ClientConnection) -> bool:
    try:
        return '"code":"busy"' in str(ws.recv(timeout=5))
    except TimeoutError:
        return False


def test_one_address_cannot_keep_other_visitors_out(strict_server: ServerProcess) -> None:
    with contextlib.ExitStack() as stack:
        def open_from(address: str) -> ClientConnection:
            return stack.enter_context(strict_server.websocket_from(address))

        hog = [open_from("127.0.0.2") for _ in range(3)]  # never say hello
        assert busy(open_from("127.0.0.2"))  # a 4th silent socket of that address
        for ws in hog:
            ws.send('{"type": "hello"}')
            ws.recv(timeout=10)
        hog += [open_from("127.0.0.2") for _ in range(3)]  # 6 sessions: its share
        assert busy(open_from("127.0.0.2"))
        visitor = open_from("127.0.0.3")  # someone else still gets in
        visitor.send('{"type": "hello", "hash": "#seed=1"}')
        assert '"type":"state"' in str(visitor.recv(timeout=10))
