"""Metrics, stop conditions and schedules in a session: frames carry them, training pauses exactly."""

from __future__ import annotations

import json

import pytest

from app.server_messages import frame_message
from app.session import Phase
from nn_core import Playground

from .test_session import frames_in, msg, started

LINK = "#seed=0.5&dataset=xor&networkShape=3&speed=max"


def stopped_in(out: list) -> list[dict]:
    return [json.loads(item) for item in out if isinstance(item, str) and json.loads(item)["type"] == "stopped"]


def play_until_paused(session, clock, budget: float = 0.05, turns: int = 200) -> list:
    """Play with the clock moving a tenth of a second per turn (x100 owes 600 epochs a turn)."""
    out: list = []
    session.handle(msg({"type": "play"}))
    for _ in range(turns):
        clock.advance(0.1)
        out += session.train(budget, want_frame=True).out
        if not session.training:
            break
    return out


@pytest.mark.parametrize("speed", ["max", "x100"])
def test_a_stop_at_epoch_pauses_at_that_epoch_inside_a_many_epoch_turn(speed: str) -> None:
    session, clock = started(f"#seed=0.5&dataset=xor&networkShape=3&speed={speed}&stopAtEpoch=137")
    out = play_until_paused(session, clock)
    assert session.phase is Phase.PAUSED and session.pg.epoch == 137
    assert frames_in(out)[-1]["epoch"] == 137 and frames_in(out)[-1]["playing"] is False
    stopped = stopped_in(out)
    assert [(s["reason"], s["epoch"]) for s in stopped] == [("stopAtEpoch", 137)]
    assert "137" in stopped[0]["message"]


def test_play_while_a_condition_holds_answers_stopped_and_stays_paused() -> None:
    session, clock = started(f"{LINK}&stopAtEpoch=5")
    play_until_paused(session, clock)
    for command in ({"type": "play"}, {"type": "step", "n": 3}):
        out = session.handle(msg(command))
        assert session.phase is Phase.PAUSED and session.pg.epoch == 5
        assert stopped_in(out)[0]["reason"] == "stopAtEpoch"
    session.handle(msg({"type": "set", "changes": {"stopAtEpoch": 8}}))
    play_until_paused(session, clock)
    assert session.pg.epoch == 8


def test_early_stopping_in_a_session_stops_where_the_engine_does() -> None:
    link = "#seed=0.12345&dataset=xor&learningRate=0.1&noise=30&speed=max&earlyStopping=5"
    session, clock = started(link)
    out = play_until_paused(session, clock)

    alone = Playground.from_url(link)
    alone.step(10_000)
    assert session.pg.epoch == alone.epoch and stopped_in(out)[0]["reason"] == "earlyStopping"


def test_frames_carry_metrics_confusion_and_learning_rate() -> None:
    session, _ = started(f"{LINK}&lrSchedule=step&lrStepEvery=2&lrStepFactor=0.5&learningRate=0.1")
    session.handle(msg({"type": "step", "n": 5}))
    frame = frames_in(session.train(0.05, want_frame=True).out)[-1]
    pg = session.pg
    assert frame["metrics"] == pg.metrics
    assert frame["confusion"] == {"train": pg.confusion("train").tolist(), "test": pg.confusion("test").tolist()}
    assert sum(map(sum, frame["confusion"]["test"])) == len(pg.test)
    assert frame["learning_rate"] == pytest.approx(0.1 * 0.5**2)  # epoch 5 trains with η₀·γ^⌊5/2⌋
    assert len(frame["rates"]) == len(frame["history"])
    rates = dict(zip([point[0] for point in frame["history"]], frame["rates"], strict=True))
    assert rates[1] == pytest.approx(0.1) and rates[4] == pytest.approx(0.025)
    assert "predicted" not in frame


def test_predictions_come_only_while_asked_for_one_digit_per_point() -> None:
    session, _ = started(LINK)
    frame = frames_in(session.handle(msg({"type": "predictions", "on": True})))[0]
    pg = session.pg
    assert frame["predicted"]["test"] == "".join(str(c) for c in pg.predicted_classes("test"))
    assert len(frame["predicted"]["train"]) == len(pg.train)
    assert "predicted" not in frames_in(session.handle(msg({"type": "predictions", "on": False})))[0]


def test_a_regression_frame_has_r2_and_no_confusion_matrix() -> None:
    session, _ = started("#seed=1&problem=regression")
    frame = frames_in(session.handle(msg({"type": "predictions", "on": True})))[0]
    assert set(frame["metrics"]) == {"train_r2", "test_r2", "train_mae", "test_mae"}
    assert "confusion" not in frame and "predicted" not in frame and "rates" not in frame


def test_a_three_class_frame_message_carries_a_three_by_three_matrix_and_class_digits() -> None:
    pg = Playground.from_url("#seed=1&classes=3&dataset=blobs")
    pg.step(3)
    message = frame_message(pg, pg.history, True, False, predictions=True)
    assert [len(row) for row in message["confusion"]["test"]] == [3, 3, 3]
    assert sum(map(sum, message["confusion"]["test"])) == len(pg.test)
    assert set(message["predicted"]["test"]) <= {"0", "1", "2"}
    assert message["predicted"]["train"] == "".join(str(c) for c in pg.predicted_classes("train"))
    assert set(message["metrics"]) == {"test_accuracy", "train_accuracy"}
