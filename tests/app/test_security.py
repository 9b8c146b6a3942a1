"""The WebSocket Origin check: same host or configured origins only."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.security import origin_allowed

from .conftest import eventually, hello, make_client


@pytest.mark.parametrize(("origin", "host", "allowed", "expected"), [
    (None, "localhost:8000", (), True),
    ("http://localhost:8000", "localhost:8000", (), True),
    ("http://LOCALHOST:8000/", "localhost:8000", (), True),
    ("https://example.org", "example.org", (), True),
    ("https://example.org:443", "example.org", (), True),
    ("http://localhost:8001", "localhost:8000", (), False),
    ("https://evil.example", "localhost:8000", (), False),
    ("http://localhost:8000.evil.example", "localhost:8000", (), False),
    ("null", "localhost:8000", (), False),
    ("file://", "localhost:8000", (), False),
    ("https://app.example", "internal:8000", ("https://app.example",), True),
    ("https://app.example", "internal:8000", ("https://other.example",), False),
    ("http://localhost:8000", None, (), False),
])
def test_origin_allowed(origin: str | None, host: str | None, allowed: tuple[str, ...], expected: bool) -> None:
    assert origin_allowed(origin, host, allowed) is expected


def test_cross_site_websocket_is_refused(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as refused, \
            client.websocket_connect("/ws", headers={"origin": "https://evil.example"}):
        pass
    assert refused.value.code == 1008
    assert eventually(lambda: client.get("/healthz").json()["sessions"] == 0)


def test_same_origin_websocket_is_accepted(client: TestClient) -> None:
    # TestClient sends Host: testserver
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        assert hello(ws)["state"]["type"] == "state"


def test_configured_origin_is_accepted() -> None:
    with make_client(allowed_origins=("https://playground.example",)) as client, \
            client.websocket_connect("/ws", headers={"origin": "https://playground.example"}) as ws:
        assert hello(ws)["frame"]["epoch"] == 0
