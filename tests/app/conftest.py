"""Fixtures for the server's tests: an app per test, a TestClient, and protocol helpers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient, WebSocketTestSession

from app.config import AppSettings
from app.grid_message import decode_header, payload_cells
from app.main import create_app

# Starlette's TestClient names this host; the server refuses hosts it is not told about.
TEST_HOSTS = ("testserver",)


@pytest.fixture
def settings() -> AppSettings:
    return AppSettings(max_sessions=8, idle_timeout=30.0, allowed_hosts=TEST_HOSTS)


@pytest.fixture
def app(settings: AppSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def make_client(**overrides: Any) -> TestClient:
    """A client for an app with non-default settings (use as a context manager)."""
    return TestClient(create_app(dataclasses.replace(AppSettings(allowed_hosts=TEST_HOSTS), **overrides)))


def receive(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next JSON message; a frame comes back with its decoded grid header and bytes."""
    message = ws.receive_json()
    if message["type"] == "frame":
        data = ws.receive_bytes()
        header = decode_header(data)
        assert payload_cells(data) == header.shape.cells
        assert header.epoch == message["epoch"]
        message["_grids"] = header
        message["_bytes"] = data
    return message


def receive_until(ws: WebSocketTestSession, kind: str, limit: int = 500) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Messages up to and including the first of ``kind``: (that one, everything before it)."""
    before = []
    for _ in range(limit):
        message = receive(ws)
        if message["type"] == kind:
            return message, before
        before.append(message)
    raise AssertionError(f"no {kind!r} message in {limit} messages: {[m['type'] for m in before]}")


def hello(ws: WebSocketTestSession, link: str = "", **extra: Any) -> dict[str, dict[str, Any]]:
    """Send hello and return its answers by type (state, data, frame, error…)."""
    ws.send_json({"type": "hello", "hash": link, **extra})
    answers: dict[str, dict[str, Any]] = {}
    while "frame" not in answers:
        message = receive(ws)
        answers[message["type"]] = message
    return answers


def eventually(check: Any, timeout: float = 5.0) -> bool:
    """Poll ``check()`` until it is true or ``timeout`` passes (for effects of a disconnect)."""
    import time

    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
