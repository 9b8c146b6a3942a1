"""The app behind a real uvicorn on a loopback port, talked to with the websockets library."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from app.config import AppSettings
from app.grid_message import decode_header, payload_cells

from ..servers import BackgroundServer
from .conftest import eventually

TIMEOUT = 10


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(AppSettings(max_sessions=3, max_message_bytes=65_536)) as running:
        yield running


def next_message(ws: ClientConnection) -> dict[str, Any]:
    message = json.loads(ws.recv(timeout=TIMEOUT))
    if message["type"] == "frame":
        grids = ws.recv(timeout=TIMEOUT)
        assert isinstance(grids, bytes)
        header = decode_header(grids)
        assert payload_cells(grids) == header.shape.cells and header.epoch == message["epoch"]
    return message


def until(ws: ClientConnection, kind: str) -> dict[str, Any]:
    for _ in range(1000):
        message = next_message(ws)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind}")


def test_a_session_plays_over_a_real_socket(server: BackgroundServer) -> None:
    with connect(server.ws_url, origin=Origin(server.url)) as ws:
        ws.send(json.dumps({"type": "hello", "hash": "#seed=0.2&networkShape=4,2"}))
        state = until(ws, "state")
        assert state["hash"].startswith("#") and "seed=0.2" in state["hash"]
        assert until(ws, "frame")["epoch"] == 0
        ws.send(json.dumps({"type": "play"}))
        epochs = [until(ws, "frame")["epoch"] for _ in range(10)]
        assert epochs == sorted(epochs) and epochs[-1] >= 10
        ws.send(json.dumps({"type": "set", "changes": {"learningRate": 0.1}}))
        state = until(ws, "state")
        assert state["config"]["learningRate"] == 0.1 and state["playing"] is True


def test_http_over_a_real_socket_carries_security_headers(server: BackgroundServer) -> None:
    response = httpx.get(f"{server.url}/healthz", timeout=TIMEOUT)
    assert response.json()["status"] == "ok"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_a_cross_site_origin_gets_403(server: BackgroundServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(server.ws_url, origin=Origin("https://evil.example"))
    assert refused.value.response.status_code == 403


def test_too_large_messages_are_answered_not_fatal(server: BackgroundServer) -> None:
    with connect(server.ws_url, max_size=None) as ws:
        ws.send(json.dumps({"type": "hello", "hash": ""}))
        until(ws, "frame")
        ws.send(json.dumps({"type": "points", "points": [[0.5, 0.5, 1]] * 7000}))
        error = until(ws, "error")
        assert error["code"] == "too_large"
        ws.send(json.dumps({"type": "step", "n": 3}))
        assert until(ws, "frame")["epoch"] == 3


def test_the_server_says_busy_when_full(server: BackgroundServer) -> None:
    assert eventually(lambda: httpx.get(f"{server.url}/healthz").json()["sessions"] == 0)
    with contextlib.ExitStack() as stack:
        for _ in range(3):
            stack.enter_context(connect(server.ws_url))
        with connect(server.ws_url) as extra:
            assert json.loads(extra.recv(timeout=TIMEOUT))["code"] == "busy"
            with pytest.raises(ConnectionClosed) as closed:
                extra.recv(timeout=TIMEOUT)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
            assert closed.value.rcvd.reason == "server busy"
