"""The client message schema: what is accepted, what is refused, with which error code."""

from __future__ import annotations

import json

import pytest

from app.protocol import (
    MESSAGE_TYPES,
    HelloMessage,
    PointsMessage,
    ProtocolError,
    SetMessage,
    StepMessage,
    parse_client_message,
)
from nn_core.datasets import MAX_USER_POINTS
from nn_core.urlstate import MAX_HASH_LENGTH


def refused(text: str) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        parse_client_message(text)
    return caught.value


def test_valid_messages_parse_into_their_models() -> None:
    assert parse_client_message('{"type": "step", "n": 7}') == StepMessage(type="step", n=7)
    assert parse_client_message('{"type": "step"}').n == 1
    hello = parse_client_message('{"type": "hello", "hash": "#seed=1"}')
    assert isinstance(hello, HelloMessage) and hello.resume is None
    points = parse_client_message('{"type": "points", "points": [[1, -2.5, 1]], "mode": "add"}')
    assert isinstance(points, PointsMessage) and points.points == [[1.0, -2.5, 1.0]]
    change = parse_client_message('{"type": "set", "changes": {"networkShape": [3, 2], "x": false}}')
    assert isinstance(change, SetMessage) and change.changes == {"networkShape": [3, 2], "x": False}


def test_every_documented_type_is_known() -> None:
    for kind in ("hello", "set", "play", "pause", "step", "reset", "regenerate", "set_weight",
                 "set_bias", "points", "gradient_check", "export", "load", "explain", "apply_example"):
        assert kind in MESSAGE_TYPES


@pytest.mark.parametrize("text", ["", "{", "nan", '{"type": "step", "n": NaN}',
                                  '{"type": "set_bias", "layer": 0, "node": 0, "value": Infinity}',
                                  "[" * 100_000, "[]", '"hello"', "3"])
def test_malformed_json_is_bad_json(text: str) -> None:
    assert refused(text).code == "bad_json"


@pytest.mark.parametrize("text", ['{}', '{"type": "launch"}', '{"type": 3}', '{"type": null}',
                                  '{"type": "HELLO"}',
                                  '{"type": "speed", "value": "x10"}'])  # a setting: set {speed: …}
def test_unknown_or_missing_type_is_unknown_type(text: str) -> None:
    assert refused(text).code == "unknown_type"


@pytest.mark.parametrize("message", [
    {"type": "step", "n": 0},
    {"type": "step", "n": 1001},
    {"type": "step", "n": 2.5},
    {"type": "step", "n": "3"},
    {"type": "step", "n": True},
    {"type": "play", "now": True},
    {"type": "set", "changes": {"learningRat": 0.1}},
    {"type": "set", "changes": {"learningRate": 1e300}},
    {"type": "set", "changes": "learningRate=1"},
    {"type": "set_weight", "layer": 0, "node": 0, "source": 0},
    {"type": "set_weight", "layer": 0, "node": -1, "source": 0, "value": 1},
    {"type": "set_bias", "layer": 99, "node": 0, "value": 1},
    {"type": "points", "points": [[0, 0]]},
    {"type": "points", "points": [[0, 0, 1, 2]]},
    {"type": "points", "points": [[0, 0, 1]] * (MAX_USER_POINTS + 1)},
    {"type": "points", "points": [], "mode": "merge"},
    {"type": "points", "points": [[0, 0, 1]], "mode": "add", "test": [[1, 1, 1]]},
    {"type": "hello", "hash": "#" + "a" * MAX_HASH_LENGTH},
    {"type": "hello", "resume": {"epoch": -1, "weights": [], "biases": []}},
    {"type": "hello", "resume": {"epoch": 1, "weights": [[[0.0] * 33]], "biases": [[0.0]]}},
    {"type": "hello", "resume": {"epoch": 1, "weights": [[[0.0]]] * 12, "biases": [[0.0]] * 12}},
])
def test_schema_violations_are_invalid_and_say_where(message: dict) -> None:
    error = refused(json.dumps(message))
    assert error.code == "invalid"
    assert error.message and ":" in error.message


def test_error_message_names_the_field() -> None:
    assert refused('{"type": "step", "n": 0}').message.startswith("n:")
    assert "unknown setting 'bogus'" in refused('{"type": "set", "changes": {"bogus": 1}}').message
