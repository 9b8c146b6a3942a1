"""serve's supervisor hands each connection to the ready process with the fewest open ones.

The supervisor's side (app/balancer.py's Balancer) with real sockets in this process: the
processes are stood in for by the other ends of their channels, which read the handed
descriptors and count closed connections as a server process does.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import time
from collections.abc import Iterator

import pytest
import uvicorn

from app import balancer as balancer_module
from app.balancer import HANDED, READY, Balancer, HandedConnectionsServer, new_channel


class StandIn:
    """A server process's end of its channel: says ready, takes handed connections, closes them."""

    def __init__(self, balancer: Balancer) -> None:
        self.channel, self.end, self.closed = new_channel()
        balancer.add(self.channel)
        self.held: list[socket.socket] = []

    def ready(self) -> StandIn:
        self.end.send(READY)
        return self

    def take(self) -> int:
        self.end.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while True:
                message, descriptors, _, _ = socket.recv_fds(self.end, 16, 1)
                assert message == HANDED and len(descriptors) == 1
                self.held.append(socket.socket(fileno=descriptors[0]))
        return len(self.held)

    def close_one(self) -> None:
        self.held.pop().close()
        self.closed.value += 1


CLIENTS: list[socket.socket] = []  # the test's client ends, closed after it


@pytest.fixture
def balancer() -> Iterator[Balancer]:
    listener = socket.create_server(("127.0.0.1", 0))
    balancer = Balancer(listener)
    yield balancer
    balancer.close()
    while CLIENTS:
        CLIENTS.pop().close()


def connect(balancer: Balancer, count: int) -> None:
    """``count`` clients connect, one after another, while the supervisor hands them over."""
    port = balancer.listener.getsockname()[1]
    for _ in range(count):
        CLIENTS.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        balancer.wait(0)
    for _ in range(20):
        balancer.wait(0.01)


def test_a_burst_splits_evenly_over_the_ready_processes(balancer: Balancer) -> None:
    a, b = StandIn(balancer).ready(), StandIn(balancer).ready()
    connect(balancer, 41)
    assert sorted([a.take(), b.take()]) == [20, 21]


def test_connections_go_where_fewest_are_open(balancer: Balancer) -> None:
    a, b = StandIn(balancer).ready(), StandIn(balancer).ready()
    connect(balancer, 10)
    assert (a.take(), b.take()) == (5, 5)
    for _ in range(4):
        a.close_one()  # a's pages left: a has 1 open, b 5
    connect(balancer, 4)  # all four to a
    assert (a.take(), b.take()) == (5, 5)
    assert (a.channel.load, b.channel.load) == (5, 5)


def test_nothing_is_accepted_before_a_process_is_ready(balancer: Balancer) -> None:
    a, b = StandIn(balancer), StandIn(balancer)
    connect(balancer, 3)  # they wait in the backlog
    assert (a.take(), b.take()) == (0, 0)
    b.ready()
    for _ in range(20):
        balancer.wait(0.01)
    assert (a.take(), b.take()) == (0, 3)


@pytest.mark.parametrize("how", ["died", "stopping"])
def test_a_process_that_ended_gets_no_more(balancer: Balancer, how: str) -> None:
    a, b = StandIn(balancer).ready(), StandIn(balancer).ready()
    if how == "died":  # the supervisor reads the end of its channel
        a.end.close()
    else:  # a process's own graceful stop ends its side of the channel
        a.end.shutdown(socket.SHUT_WR)
    connect(balancer, 4)
    assert b.take() == 4 and not a.channel.ready
    if how == "stopping":  # told in turn that nothing more will come: it can stop draining
        a.end.setblocking(False)
        assert a.end.recv(16) == b""  # nothing handed to it, and the end
    balancer.remove(a.channel)
    assert balancer.channels == [b.channel]


def test_a_process_that_stops_reading_does_not_stall_the_others(balancer: Balancer) -> None:
    a, b = StandIn(balancer).ready(), StandIn(balancer).ready()
    a.channel.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    for _ in range(6):  # a never reads: its queue fills, the rest go to b (which reads)
        connect(balancer, 50)
        b.take()
    assert a.take() + b.take() == 300 and b.take() > 150


class OutOfDescriptors(socket.socket):
    """A listening socket whose first accept fails as when the process has no descriptor left."""

    failures = 1

    def accept(self) -> tuple[socket.socket, object]:
        if self.failures:
            self.failures -= 1
            raise OSError(errno.EMFILE, "Too many open files")
        return super().accept()


def test_running_out_of_descriptors_pauses_accepting_then_accepts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(balancer_module, "ACCEPT_PAUSE", 0.3)
    listener = socket.create_server(("127.0.0.1", 0))
    balancer = Balancer(OutOfDescriptors(fileno=listener.detach()))
    try:
        process = StandIn(balancer).ready()  # kept: a stand-in collected would close its end
        port = balancer.listener.getsockname()[1]
        CLIENTS.append(socket.create_connection(("127.0.0.1", port), timeout=5))  # waits in the backlog
        balancer.wait(0.05)  # reads ready: watches the listener
        balancer.wait(0.05)  # fails to accept: pauses
        started = time.monotonic()
        balancer.wait(0.2)  # the listener is still readable, but is not watched while paused
        assert time.monotonic() - started >= 0.15
        deadline = time.monotonic() + 5
        while not process.take() and time.monotonic() < deadline:  # the pause over: accepted
            balancer.wait(0.05)
        assert process.take() == 1
    finally:
        balancer.close()
        while CLIENTS:
            CLIENTS.pop().close()


def test_a_handed_connection_whose_descriptor_was_lost_counts_as_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process out of descriptors gets the message without its descriptor: its load must
    not keep that connection for good."""
    channel, end, closed = new_channel()
    monkeypatch.setattr(balancer_module, "_closed", closed)
    server = HandedConnectionsServer(uvicorn.Config(app=lambda: None), end, closed)
    end.setblocking(False)
    with end, channel.sock:
        channel.sock.send(HANDED)  # no descriptor with it
        channel.handed = 1
        assert server._received() == ([], False)
        assert closed.value == 1 and channel.load == 0
        channel.sock.close()
        assert server._received() == ([], True)  # the supervisor is gone
