"""The session state machine, driven directly (no socket): every phase transition."""

from __future__ import annotations

import json

import pytest

from app.server_messages import Frame, HistoryCursor
from app.protocol import ProtocolError, parse_client_message
from app.session import Phase, Session

LINK = "#seed=0.5&dataset=xor&networkShape=3"


def msg(text: dict) -> object:
    return parse_client_message(json.dumps(text))


def started() -> Session:
    session = Session(thumbnail=10)
    session.handle(msg({"type": "hello", "hash": LINK}))
    return session


def frames_in(out: list) -> list[dict]:
    return [json.loads(item.text) for item in out if isinstance(item, Frame)]


def test_new_session_is_idle_and_only_hello_opens_it() -> None:
    session = Session(thumbnail=10)
    assert session.phase is Phase.IDLE
    with pytest.raises(ProtocolError, match="hello first"):
        session.handle(msg({"type": "play"}))
    assert session.phase is Phase.IDLE
    out = session.handle(msg({"type": "hello", "hash": LINK}))
    assert session.phase is Phase.PAUSED
    assert [json.loads(o)["type"] if isinstance(o, str) else "frame" for o in out] == ["state", "data", "frame"]


def test_play_then_pause() -> None:
    session = started()
    assert session.handle(msg({"type": "play"})) == []
    assert session.phase is Phase.PLAYING and session.playing
    out = session.handle(msg({"type": "pause"}))
    assert session.phase is Phase.PAUSED
    assert frames_in(out)[0]["playing"] is False


def test_step_while_playing_pauses() -> None:
    session = started()
    session.handle(msg({"type": "play"}))
    out = session.handle(msg({"type": "step", "n": 2}))
    assert session.phase is Phase.PAUSED and frames_in(out)[0]["epoch"] == 2


def test_hello_again_pauses_and_rebuilds() -> None:
    session = started()
    session.handle(msg({"type": "play"}))
    out = session.handle(msg({"type": "hello", "hash": "#networkShape=5"}))
    assert session.phase is Phase.PAUSED
    assert frames_in(out)[0]["epoch"] == 0 and len(frames_in(out)[0]["weights"][0]) == 5


def test_closed_session_ignores_everything() -> None:
    session = started()
    session.close()
    assert session.phase is Phase.CLOSED
    assert session.handle(msg({"type": "play"})) == []
    assert session.handle(msg({"type": "hello"})) == []
    assert session.train(0.01, want_frame=True).epochs == 0


def test_train_does_nothing_unless_playing() -> None:
    session = started()
    chunk = session.train(0.05, want_frame=True)
    assert chunk.epochs == 0 and chunk.out == []


def test_classic_speed_trains_one_epoch_and_builds_the_frame() -> None:
    session = started()
    session.handle(msg({"type": "play"}))
    chunk = session.train(0.05, want_frame=True)
    assert chunk.epochs == 1 and chunk.frame_due
    assert frames_in(chunk.out)[0]["epoch"] == 1


def test_no_frame_is_built_while_one_waits_to_be_sent() -> None:
    session = started()
    session.handle(msg({"type": "play"}))
    chunk = session.train(0.05, want_frame=False)
    assert chunk.epochs == 1 and chunk.frame_due and chunk.out == []
    # the next frame still carries the skipped epoch's loss point
    history = frames_in(session.train(0.05, want_frame=True).out)[0]["history"]
    assert [point[0] for point in history] == [1, 2]


def test_x100_spreads_one_frame_over_several_turns_when_the_slice_is_short() -> None:
    session = started()
    session.handle(msg({"type": "set", "changes": {"speed": "x100"}}))
    session.handle(msg({"type": "play"}))
    turns = []
    while True:
        chunk = session.train(0.0005, want_frame=True)
        turns.append(chunk)
        if chunk.frame_due:
            break
    assert sum(c.epochs for c in turns) == 100 and len(turns) > 1
    assert frames_in(turns[-1].out)[0]["epoch"] == 100


def test_max_speed_trains_for_about_the_budget() -> None:
    session = started()
    session.handle(msg({"type": "set", "changes": {"speed": "max"}}))
    session.handle(msg({"type": "play"}))
    session.train(0.02, want_frame=False)  # learn the speed
    chunk = session.train(0.02, want_frame=True)
    assert chunk.epochs > 1 and chunk.frame_due


def test_divergence_while_training_pauses_with_a_diverged_message() -> None:
    session = Session(thumbnail=10)
    session.handle(msg({"type": "hello", "hash": "#problem=regression&learningRate=10&activation=relu"
                                                 "&networkShape=8,8&seed=0.1&speed=x100"}))
    session.handle(msg({"type": "play"}))
    for _ in range(200):
        chunk = session.train(0.05, want_frame=False)
        if session.phase is Phase.PAUSED:
            break
    assert session.phase is Phase.PAUSED
    kinds = [json.loads(o)["type"] if isinstance(o, str) else "frame" for o in chunk.out]
    assert kinds == ["frame", "diverged"]  # sent even though a frame was waiting


def test_history_cursor_sends_each_point_once_and_restarts_when_epochs_go_back() -> None:
    cursor = HistoryCursor()
    assert cursor.take([(0, 1.0, 1.0)]) == ([(0, 1.0, 1.0)], True)
    assert cursor.take([(0, 1.0, 1.0), (1, 0.9, 0.9), (2, 0.8, 0.8)]) == ([(1, 0.9, 0.9), (2, 0.8, 0.8)], False)
    assert cursor.take([(0, 1.0, 1.0), (2, 0.8, 0.8)]) == ([], False)  # thinned, nothing new
    assert cursor.take([(0, 1.0, 1.0)]) == ([(0, 1.0, 1.0)], True)  # reset


def test_closed_is_final_even_for_a_message_already_being_applied() -> None:
    session = started()
    session.close()
    session.phase = Phase.PLAYING  # what a `play` handler running on another thread would do
    assert session.phase is Phase.CLOSED and not session.playing
