"""What a served process does once at start-up, after warming up: its start-up objects are
frozen out of the garbage collector's sight (a full collection walks them all, ~80 ms with
the GIL held: benchmarks/bench_frames.py); a test's own app leaves the process as it is."""

from __future__ import annotations

import dataclasses
import gc
import weakref
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from app.config import AppSettings
from app.main import create_app

from .conftest import TEST_HOSTS


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Each test starts with nothing frozen and leaves nothing frozen for the others."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def _settings() -> AppSettings:
    # Never pin the test runner's own process to one core.
    return dataclasses.replace(AppSettings(allowed_hosts=TEST_HOSTS), pin_core=False)


@pytest.mark.usefixtures("unfrozen")
def test_a_served_process_freezes_what_start_up_made() -> None:
    gc.collect()
    before = len(gc.get_objects())
    with TestClient(create_app(_settings(), own_process=True)) as client:
        assert gc.get_freeze_count() >= before  # all that lived before the app, and its start-up's
        assert client.get("/healthz").status_code == 200
        # What the process allocates from now on is still collected: a cycle dropped is freed.
        cycle = _Node()
        cycle.next = cycle
        gone = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert gone() is None


class _Node:
    next: object = None


@pytest.mark.usefixtures("unfrozen")
def test_a_tests_app_freezes_nothing() -> None:
    with TestClient(create_app(_settings())) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0
