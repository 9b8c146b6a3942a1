"""Hypothesis fuzzing: whatever a client sends, the session answers and keeps working.

Each example sends one generated message — near-valid fields mixed with junk —
then an ``export`` as a sentinel. Everything up to the export must be a
documented server message, no error may be ``internal``, and the export must
arrive: the session survived.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from app.config import AppSettings
from app.main import create_app
from app.protocol import MESSAGE_TYPES
from nn_core.settings import SETTINGS

from .conftest import TEST_HOSTS, hello, receive_until

SERVER_TYPES = {"state", "data", "frame", "error", "diverged", "stopped", "gradient_check", "export",
                "explain", "applied"}
ERROR_CODES = {"bad_json", "unknown_type", "invalid", "too_large", "bad_points", "bad_resume", "bad_model",
               "no_points"}

scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
anything = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
small_floats = st.floats(-8, 8, allow_nan=False)
indices = st.integers(-2, 40)


def shaped(width: int) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.lists(st.lists(small_floats, max_size=width), max_size=width), max_size=4)


def setting_value(name: str) -> st.SearchStrategy[Any]:
    spec = SETTINGS.get(name)
    if spec is None:
        return anything
    if spec.kind == "choice":
        return st.sampled_from(list(spec.choices)) | anything
    if spec.kind == "number":
        lo, hi = spec.lo or 0.0, spec.hi or 1.0
        return st.floats(lo - 1, hi + 1, allow_nan=False) | st.integers(int(lo) - 1, int(hi) + 1)
    if spec.kind == "bool":
        return st.booleans() | anything
    if spec.kind == "shape":
        return st.lists(st.integers(-1, 40), max_size=12) | anything
    return st.text(max_size=30) | anything


setting_names = st.sampled_from([*sorted(SETTINGS), "hidden", "bogus"])
changes = st.dictionaries(setting_names, st.none(), max_size=4).flatmap(
    lambda keys: st.fixed_dictionaries({name: setting_value(name) for name in keys}))
points = st.lists(st.tuples(small_floats, small_floats, st.sampled_from([1, -1, 0.5, 2])).map(list),
                  max_size=40)
resume = st.fixed_dictionaries({"epoch": st.integers(-1, 10**6) | anything,
                                "weights": shaped(4) | anything, "biases": st.lists(st.lists(small_floats))},
                               optional={"history": st.lists(st.lists(small_floats, max_size=4), max_size=5)
                                         | anything})
# Near an export (Playground.export()'s keys), or junk.
model = st.fixed_dictionaries({"format": st.sampled_from(["neural-playground/1", "other"]),
                               "hash": st.sampled_from(["#seed=1&networkShape=2", "#dataset=custom"]) | anything},
                              optional={"epoch": st.integers(-1, 100) | anything, "weights": shaped(3) | anything,
                                        "biases": st.lists(st.lists(small_floats)) | anything,
                                        "history": anything, "points": points | anything,
                                        "test_points": points | anything}) | anything

FIELDS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "hello": {"hash": st.sampled_from(["", "#networkShape=8,8&activation=relu", "#problem=regression",
                                       "#dataset=spiral&noise=50"]) | st.text(max_size=60),
              "resume": resume | st.none()},
    "set": {"changes": changes | anything, "side": st.sampled_from(["a", "b", "c"]) | anything},
    "play": {}, "pause": {}, "reset": {}, "regenerate": {}, "gradient_check": {}, "export": {}, "key_frame": {},
    "step": {"n": st.integers(-5, 1005) | anything},
    "set_weight": {"layer": indices, "node": indices, "source": indices, "value": small_floats | anything},
    "set_bias": {"layer": indices, "node": indices, "value": small_floats | anything},
    "points": {"points": points | anything, "mode": st.sampled_from(["replace", "add", "remove", "merge"]),
               "test": points | st.none() | anything},
    "load": {"model": model},
    "predictions": {"on": st.booleans() | anything},
    "explain": {"x": small_floats | anything, "y": small_floats | anything,
                "label": st.sampled_from([1, -1, 0, 0.5, 2, None]) | anything},
    "apply_example": {"x": small_floats | anything, "y": small_floats | anything,
                      "label": st.sampled_from([1, -1, 0, 0.5, 2]) | anything},
    "gradients": {"on": st.booleans() | anything},
    "seek": {"epoch": st.integers(-5, 30) | anything}, "continue": {},
    "recover": {"how": st.sampled_from(["learning_rate", "clip", "Clip", ""]) | anything},
    "compare": {"on": st.booleans() | anything, "keep": st.sampled_from(["a", "b", "c"]) | anything},
}


def message_for(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the type's fields (each near-valid or junk), sometimes an unknown extra field."""
    fields = FIELDS[kind]
    optional = st.fixed_dictionaries({}, optional={**fields, "extra": anything})
    return optional.map(lambda body: {"type": kind, **body})


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(AppSettings(max_sessions=4, allowed_hosts=TEST_HOSTS))) as test_client:
        yield test_client


def assert_survives(client: TestClient, payloads: list[str]) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, "#seed=0.3&networkShape=3")
        for payload in payloads:
            ws.send_text(payload)
            ws.send_json({"type": "export"})
            exported, before = receive_until(ws, "export", limit=2000)
            assert exported["model"]["format"] == "neural-playground/1"
            for answer in before:
                assert answer["type"] in SERVER_TYPES
                if answer["type"] == "error":
                    assert answer["code"] in ERROR_CODES, answer
                    assert answer["message"]
            ws.send_json({"type": "pause"})
        receive_until(ws, "frame", limit=2000)


FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("kind", MESSAGE_TYPES)
def test_any_message_of_each_type_is_answered_and_the_session_survives(client: TestClient, kind: str) -> None:
    @FUZZ
    @given(st.lists(message_for(kind), min_size=1, max_size=3))
    def run(messages: list[dict[str, Any]]) -> None:
        assert_survives(client, [json.dumps(m) for m in messages])

    run()


@FUZZ
@given(st.lists(anything.map(json.dumps) | st.text(max_size=40)
                | st.sampled_from(MESSAGE_TYPES).map(lambda t: json.dumps({"type": t, "n": []})),
                min_size=1, max_size=4))
def test_arbitrary_text_never_breaks_a_session(client: TestClient, texts: list[str]) -> None:
    assert_survives(client, texts)
