"""Who may reach the playground: the Host check (HTTP and /ws) and the WebSocket Origin check."""

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
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        assert hello(ws)["state"]["type"] == "state"


def test_configured_origin_is_accepted() -> None:
    with make_client(allowed_origins=("https://playground.example",)) as client, \
            client.websocket_connect("/ws", headers={"origin": "https://playground.example"}) as ws:
        assert hello(ws)["frame"]["epoch"] == 0


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example", ""])
def test_a_request_for_another_host_is_refused(client: TestClient, host: str) -> None:
    """DNS rebinding: a foreign name pointed at this machine must not reach the playground."""
    for path in ("/", "/settings.json", "/healthz"):
        assert client.get(path, headers={"host": host}).status_code == 400


def test_a_websocket_for_another_host_is_refused_even_with_a_matching_origin(client: TestClient) -> None:
    headers = {"host": "evil.example:8000", "origin": "http://evil.example:8000"}
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws", headers=headers):
        pass
    assert eventually(lambda: client.get("/healthz").json()["sessions"] == 0)


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LocalHost"])
def test_loopback_names_are_served(client: TestClient, host: str) -> None:
    assert client.get("/healthz", headers={"host": host}).status_code == 200


def test_configured_hosts_and_the_bind_address_are_served() -> None:
    with make_client(host="192.0.2.7", allowed_hosts=("playground.example",)) as client:
        for host in ("playground.example", "192.0.2.7:8000"):
            assert client.get("/healthz", headers={"host": host}).status_code == 200
        with client.websocket_connect("/ws", headers={"host": "playground.example",
                                                      "origin": "https://playground.example"}) as ws:
            assert hello(ws)["frame"]["epoch"] == 0
