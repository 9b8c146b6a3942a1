"""The session state machine, driven directly (no socket): every phase transition."""

from __future__ import annotations

import json

import pytest

from app.protocol import ProtocolError, parse_client_message
from app.server_messages import Frame, HistoryCursor
from app.session import MAX_FRAME_SECONDS, Phase, Session

LINK = "#seed=0.5&dataset=xor&networkShape=3"


def msg(text: dict) -> object:
    return parse_client_message(json.dumps(text))


class Clock:
    """A clock the test moves by hand, so the pace (epochs per second) is exact."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def started(link: str = LINK) -> tuple[Session, Clock]:
    clock = Clock()
    session = Session(thumbnail=10, clock=clock)
    session.handle(msg({"type": "hello", "hash": link}))
    return session, clock


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
    session, _ = started()
    assert session.handle(msg({"type": "play"})) == []
    assert session.phase is Phase.PLAYING and session.playing
    out = session.handle(msg({"type": "pause"}))
    assert session.phase is Phase.PAUSED
    assert frames_in(out)[0]["playing"] is False


def test_step_trains_in_turns_then_pauses_with_a_frame() -> None:
    session, _ = started()
    session.handle(msg({"type": "play"}))
    assert session.handle(msg({"type": "step", "n": 2})) == []  # the training threads do it
    assert session.phase is Phase.STEPPING and session.training and not session.playing
    chunk = session.train(0.05, want_frame=False)  # the step's answer goes out even so
    assert session.phase is Phase.PAUSED and chunk.epochs == 2
    assert frames_in(chunk.out)[0]["epoch"] == 2 and frames_in(chunk.out)[0]["playing"] is False


def test_a_step_long_after_opening_sends_no_frame_before_its_epochs_or_the_frame_time() -> None:
    session, clock = started()
    clock.advance(60)  # the page sat paused for a minute
    session.handle(msg({"type": "step", "n": 5}))
    first = session.train(1e-9, want_frame=True)  # a turn too short for 5 epochs
    assert first.epochs < 5 and frames_in(first.out) == []  # no half-done step shown as its answer
    rest = session.train(1.0, want_frame=True)
    assert [frame["epoch"] for frame in frames_in(rest.out)] == [5]


def test_a_long_step_spreads_over_turns_and_shows_progress() -> None:
    session, clock = started()
    session.handle(msg({"type": "step", "n": 50}))
    turns, moved = [], []
    while session.phase is Phase.STEPPING:
        clock.advance(2 * MAX_FRAME_SECONDS)  # each turn counts as slow: its frame is due
        before = (session.pg.epoch, session.pg.position)
        turns.append(session.train(0.0001, want_frame=True))
        moved.append((session.pg.epoch, session.pg.position) != before)
    assert sum(c.epochs for c in turns) == 50 and len(turns) > 1
    assert frames_in(turns[-1].out)[0]["epoch"] == 50
    # Progress on the way: a frame after every turn that trained points. A turn that only
    # computed some of an epoch's losses (a slow machine's small turns) changed nothing to show.
    assert sum(moved) > 1
    assert all(bool(frames_in(c.out)) == m for c, m in zip(turns[:-1], moved[:-1], strict=True))


def test_hello_again_pauses_and_rebuilds() -> None:
    session, _ = started()
    session.handle(msg({"type": "play"}))
    out = session.handle(msg({"type": "hello", "hash": "#networkShape=5"}))
    assert session.phase is Phase.PAUSED
    assert frames_in(out)[0]["epoch"] == 0 and len(frames_in(out)[0]["weights"][0]) == 5


def test_closed_session_ignores_everything() -> None:
    session, _ = started()
    session.close()
    assert session.phase is Phase.CLOSED
    assert session.handle(msg({"type": "play"})) == []
    assert session.handle(msg({"type": "hello"})) == []
    assert session.train(0.01, want_frame=True).epochs == 0


def test_train_does_nothing_unless_playing() -> None:
    session, _ = started()
    chunk = session.train(0.05, want_frame=True)
    assert chunk.epochs == 0 and chunk.out == []


def test_classic_speed_is_sixty_epochs_a_second_whatever_the_frame_rate() -> None:
    session, clock = started()
    session.handle(msg({"type": "play"}))
    clock.advance(0.02)  # a turn 1/50 s after play: one epoch owed
    chunk = session.train(0.05, want_frame=True)
    assert chunk.epochs == 1 and chunk.frame_due
    assert frames_in(chunk.out)[0]["epoch"] == 1
    clock.advance(0.1)  # a slow server's turn, 1/10 s later: six epochs in one frame
    chunk = session.train(0.05, want_frame=True)
    assert chunk.epochs == 6 and frames_in(chunk.out)[0]["epoch"] == 7


def test_no_epoch_owed_means_no_frame() -> None:
    session, _ = started()
    session.handle(msg({"type": "play"}))
    chunk = session.train(0.05, want_frame=True)
    assert chunk.epochs == 0 and chunk.frame_due and chunk.out == []


def test_a_page_that_falls_behind_catches_up_a_quarter_second_at_most() -> None:
    session, clock = started()
    session.handle(msg({"type": "play"}))
    clock.advance(10.0)  # the server was too busy for this page for ten seconds
    assert session.train(0.5, want_frame=True).epochs == 15  # 60/s × 0.25 s


def test_no_frame_is_built_while_one_waits_to_be_sent() -> None:
    session, clock = started()
    session.handle(msg({"type": "play"}))
    clock.advance(0.02)
    chunk = session.train(0.05, want_frame=False)
    assert chunk.epochs == 1 and chunk.frame_due and chunk.out == []
    # the next frame still carries the skipped epoch's loss point
    clock.advance(0.02)
    history = frames_in(session.train(0.05, want_frame=True).out)[0]["history"]
    assert [point[0] for point in history] == [1, 2]


def test_x100_spreads_one_frame_over_several_turns_when_the_slice_is_short() -> None:
    session, clock = started()
    session.handle(msg({"type": "set", "changes": {"speed": "x100"}}))
    session.handle(msg({"type": "play"}))
    clock.advance(0.02)  # x100: 6,000 epochs a second, 120 owed
    turns = []
    while True:
        chunk = session.train(0.0005, want_frame=True)
        turns.append(chunk)
        if chunk.frame_due:
            break
    assert sum(c.epochs for c in turns) == 120 and len(turns) > 1
    assert frames_in(turns[-1].out)[0]["epoch"] == 120


def test_max_speed_trains_for_about_the_budget() -> None:
    session, _ = started()
    session.handle(msg({"type": "set", "changes": {"speed": "max"}}))
    session.handle(msg({"type": "play"}))
    session.train(0.02, want_frame=False)  # learn the speed
    chunk = session.train(0.02, want_frame=True)
    assert chunk.epochs > 1 and chunk.frame_due


def test_divergence_while_training_pauses_with_a_diverged_message() -> None:
    session, clock = started("#problem=regression&learningRate=10&activation=relu"
                             "&networkShape=8,8&seed=0.1&speed=x100")
    session.handle(msg({"type": "play"}))
    for _ in range(200):
        clock.advance(0.02)
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
    session, _ = started()
    session.close()
    session.phase = Phase.PLAYING  # what a `play` handler running on another thread would do
    assert session.phase is Phase.CLOSED and not session.playing


def test_reset_pauses_as_in_the_original() -> None:
    session, _ = started()
    session.handle(msg({"type": "play"}))
    session.handle(msg({"type": "reset"}))
    assert session.phase is Phase.PAUSED and session.pg.epoch == 0


@pytest.mark.parametrize(("link", "paused"), [(LINK + "&keepWeights=false", True), (LINK, False)])
def test_a_change_pauses_only_when_it_resets_the_network(link: str, paused: bool) -> None:
    session, _ = started(link)
    session.handle(msg({"type": "play"}))
    session.handle(msg({"type": "set", "changes": {"activation": "relu"}}))
    assert (session.phase is Phase.PAUSED) is paused
    session.handle(msg({"type": "set", "changes": {"learningRate": 0.1}}))
    assert (session.phase is Phase.PAUSED) is paused


@pytest.mark.parametrize("command", [{"type": "play"}, {"type": "step", "n": 3}])
def test_no_training_points_cannot_start_training_and_says_why(command: dict) -> None:
    session, _ = started("#seed=0.5&dataset=custom&networkShape=3")
    out = session.handle(msg(command))
    errors = [json.loads(o) for o in out if isinstance(o, str)]
    assert [e["code"] for e in errors] == ["no_points"] and "no training points" in errors[0]["message"]
    assert session.phase is Phase.PAUSED and len(frames_in(out)) == 1
    session.handle(msg({"type": "points", "points": [[1, 1, 1]], "mode": "add"}))
    assert session.handle(msg({"type": "play"})) == [] and session.phase is Phase.PLAYING


def test_load_restores_an_exported_model_paused_with_its_history() -> None:
    session, _ = started("#seed=0.5&dataset=xor&networkShape=3&learningRate=0.1")
    session.handle(msg({"type": "step", "n": 4}))
    while session.training:
        session.train(1.0, want_frame=True)
    model = session.pg.export()
    other, _ = started("#seed=0.9&dataset=circle&networkShape=2,2")
    out = other.handle(msg({"type": "load", "model": json.loads(json.dumps(model))}))
    assert other.phase is Phase.PAUSED and other.pg.to_url() == session.pg.to_url() and other.pg.epoch == 4
    assert [w.tolist() for w in other.pg.weights] == [w.tolist() for w in session.pg.weights]
    frame = frames_in(out)[-1]
    assert frame["history_reset"] and [point[0] for point in frame["history"]] == [0, 1, 2, 3, 4]
    with pytest.raises(ProtocolError, match="could not import") as refused:
        other.handle(msg({"type": "load", "model": {"format": "something else"}}))
    assert refused.value.code == "bad_model" and other.pg.epoch == 4


def test_a_resumed_session_keeps_the_loss_history_the_page_hands_back() -> None:
    session, _ = started()
    session.handle(msg({"type": "step", "n": 5}))
    while session.training:
        session.train(1.0, want_frame=True)
    history = [list(point) for point in session.pg.history]
    resume = {"epoch": 5, "weights": [w.tolist() for w in session.pg.weights],
              "biases": [b.tolist() for b in session.pg.biases], "history": history}
    fresh = Session(thumbnail=10)
    out = fresh.handle(msg({"type": "hello", "hash": LINK, "resume": resume}))
    assert [point[0] for point in fresh.pg.history] == [0, 1, 2, 3, 4, 5]
    assert fresh.pg.history[-1][1] == pytest.approx(session.pg.history[-1][1])
    assert [point[0] for point in frames_in(out)[-1]["history"]] == [0, 1, 2, 3, 4, 5]


def test_training_stops_with_a_reason_when_the_points_go_while_playing() -> None:
    session, clock = started("#seed=0.5&dataset=custom")
    session.handle(msg({"type": "points", "points": [[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0], [1.0, -1.0, 1.0]]}))
    session.handle(msg({"type": "play"}))
    session.handle(msg({"type": "points", "points": [], "mode": "replace"}))
    clock.advance(0.1)
    chunk = session.train(0.05, want_frame=True)
    assert session.phase is Phase.PAUSED and chunk.epochs == 0
    assert json.loads(chunk.out[0])["code"] == "no_points"


def test_k_classes_state_points_and_frames() -> None:
    """classes=3: three output neurons in the state, class points 0..2, three output maps a frame."""
    from app.grid_message import decode_header

    session, _ = started("#seed=1&classes=3&dataset=spiral&networkShape=4")
    session.handle(msg({"type": "set", "changes": {"classes": 4}}))
    out = session.handle(msg({"type": "points", "points": [[1, 1, 3], [-2, 2, 0]], "mode": "replace"}))
    states = [json.loads(o) for o in out if isinstance(o, str) and json.loads(o)["type"] == "state"]
    assert states[-1]["layer_sizes"] == [2, 4, 4] and states[-1]["config"]["dataset"] == "custom"
    frame = [o for o in out if isinstance(o, Frame)][-1]
    assert decode_header(frame.grids).outputs == 4
    with pytest.raises(ProtocolError, match="label must be a class 0 to 3"):
        session.handle(msg({"type": "points", "points": [[1, 1, 4]], "mode": "add"}))
    with pytest.raises(ProtocolError, match="dataset: xor has two classes, not 4"):
        session.handle(msg({"type": "set", "changes": {"dataset": "xor"}}))
    assert session.pg.config.dataset == "custom" and len(session.pg.train) + len(session.pg.test) == 2
