"""``explain`` and ``apply_example`` through the session: the engine's numbers, bad input refused."""

from __future__ import annotations

import json

import pytest

from app.protocol import ProtocolError, parse_client_message
from app.server_messages import Frame
from app.session import Phase, Session
from nn_core import Playground

LINK = "#seed=0.5&dataset=xor&networkShape=3&optimizer=adam"


def msg(text: dict) -> object:
    return parse_client_message(json.dumps(text))


def started(link: str = LINK) -> Session:
    session = Session(thumbnail=25)
    session.handle(msg({"type": "hello", "hash": link}))
    return session


def test_explain_answers_the_engines_numbers_and_changes_nothing() -> None:
    session = started()
    before = session.pg.net.params.copy()
    out = session.handle(msg({"type": "explain", "x": 1.5, "y": -2.0, "label": 1}))
    assert len(out) == 1 and isinstance(out[0], str)
    answer = json.loads(out[0])
    assert answer == {"type": "explain", "x": 1.5, "y": -2.0, "label": 1.0, "learning_rate": 0.03,
                      **Playground.from_url(LINK).explain(1.5, -2.0, 1)}
    assert (session.pg.net.params == before).all()
    hover = json.loads(session.handle(msg({"type": "explain", "x": 0, "y": 0}))[0])
    assert hover["label"] is None and hover["loss"] is None and "delta" not in hover["layers"][0]


def test_apply_example_performs_the_shown_step_and_sends_a_frame() -> None:
    session = started()
    shown = json.loads(session.handle(msg({"type": "explain", "x": 1.5, "y": -2.0, "label": -1}))[0])
    out = session.handle(msg({"type": "apply_example", "x": 1.5, "y": -2.0, "label": -1}))
    applied = json.loads(out[0])
    assert applied["type"] == "applied" and applied["layers"] == shown["layers"]
    frame = json.loads(out[1].text) if isinstance(out[1], Frame) else None
    assert frame is not None and frame["epoch"] == 0
    assert frame["weights"] == [layer["new_weights"] for layer in shown["layers"]]
    assert frame["biases"] == [layer["new_biases"] for layer in shown["layers"]]
    assert session.phase is Phase.PAUSED


@pytest.mark.parametrize(("message", "words"), [
    ({"type": "explain", "x": 0, "y": 0, "label": 0}, "labelled -1 and 1"),
    ({"type": "apply_example", "x": 0, "y": 0, "label": 0.5}, "labelled -1 and 1"),
])
def test_a_wrong_label_is_a_clear_error_and_nothing_changes(message: dict, words: str) -> None:
    session = started()
    before = session.pg.net.params.copy()
    with pytest.raises(ProtocolError, match=words) as refused:
        session.handle(msg(message))
    assert refused.value.code == "invalid"
    assert (session.pg.net.params == before).all()


@pytest.mark.parametrize("text", [
    '{"type": "explain", "x": NaN, "y": 0}', '{"type": "explain", "x": 1e9, "y": 0}',
    '{"type": "apply_example", "x": 0, "y": 0}', '{"type": "explain", "x": "1", "y": 0}',
])
def test_malformed_examples_are_refused_at_the_edge(text: str) -> None:
    with pytest.raises(ProtocolError):
        parse_client_message(text)


def test_a_labelled_example_mid_epoch_first_shows_the_finished_epoch() -> None:
    session = started()
    session.pg.train_examples(5)
    out = session.handle(msg({"type": "explain", "x": 1.0, "y": 1.0, "label": 1}))
    assert isinstance(out[0], Frame) and json.loads(out[0].text)["epoch"] == 1
    assert json.loads(out[1])["type"] == "explain" and session.pg.position == 0
