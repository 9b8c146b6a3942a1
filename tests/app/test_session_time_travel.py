"""The session's time travel: `seek` shows a past epoch and keeps the future, `continue` (or any
change while looking) branches there, `recover` goes back after a divergence."""

from __future__ import annotations

import json

import pytest

from app.protocol import ProtocolError
from app.session import Phase, Session
from tests.app.test_session import frames_in, msg, started

LINK = "#seed=0.5&dataset=xor&networkShape=3&batchSize=7"
DIVERGING = "#seed=0.5&networkShape=4,2&activation=relu&learningRate=10&problem=regression&regDataset=reg-plane"


def trained(epochs: int, link: str = LINK) -> Session:
    session, _ = started(link)
    session.pg.step(epochs)
    return session


def kinds(out: list) -> list[str]:
    return [json.loads(o)["type"] if isinstance(o, str) else "frame" for o in out]


def test_seek_shows_the_past_and_keeps_the_future() -> None:
    session = trained(30)
    future = session.pg.history
    (frame,) = frames_in(session.handle(msg({"type": "seek", "epoch": 12})))
    assert frame["epoch"] == 12 and frame["history_reset"] and frame["history"][-1][0] == 12
    assert session.pg.epoch == 30 and session.pg.history == future
    (frame,) = frames_in(session.handle(msg({"type": "pause"})))  # only looks: still the past, future kept
    assert frame["epoch"] == 12 and session.pg.epoch == 30
    (frame,) = frames_in(session.handle(msg({"type": "seek", "epoch": 30})))  # back to the present
    assert frame["epoch"] == 30 and frame["history"][-1][0] == 30


def test_continue_branches_at_the_epoch_looked_at() -> None:
    session = trained(30)
    session.handle(msg({"type": "seek", "epoch": 12}))
    out = session.handle(msg({"type": "continue"}))
    assert kinds(out) == ["state", "frame"] and session.pg.epoch == 12
    assert session.pg.branches and session.pg.branches[0][-1][0] == 30


def test_the_abandoned_branch_rides_with_the_restarted_history_until_a_reset() -> None:
    session = trained(30)
    session.handle(msg({"type": "seek", "epoch": 12}))
    (frame,) = frames_in(session.handle(msg({"type": "continue"})))
    assert frame["history_reset"] and frame["history"][-1][0] == 12
    (branch,) = frame["branches"]  # epochs 12…30 of the first run, for the faded line
    assert branch[0][0] == 12 and branch[-1][0] == 30
    assert branch == [[e, tr, te] for e, tr, te in session.pg.branches[0]]
    (frame,) = frames_in(session.handle(msg({"type": "reset"})))
    assert frame["history_reset"] and frame["branches"] == []


def test_a_long_abandoned_branch_is_thinned_for_the_chart() -> None:
    session = trained(1000)
    session.handle(msg({"type": "seek", "epoch": 0}))
    (frame,) = frames_in(session.handle(msg({"type": "continue"})))
    (branch,) = frame["branches"]
    assert 250 <= len(branch) <= 310 and branch[-1][0] == 1000


def test_a_change_while_looking_at_the_past_branches_there() -> None:
    session = trained(30)
    session.handle(msg({"type": "seek", "epoch": 12}))
    session.handle(msg({"type": "set", "changes": {"learningRate": 0.1}}))
    assert session.pg.epoch == 12 and session.pg.config.learningRate == 0.1
    session.handle(msg({"type": "play"}))
    assert session.phase is Phase.PLAYING


def test_a_seek_outside_the_run_is_refused_and_changes_nothing() -> None:
    session = trained(10)
    session.handle(msg({"type": "set", "changes": {"networkShape": [4]}}))  # a new timeline from 10
    with pytest.raises(ProtocolError, match="seek: epoch"):
        session.handle(msg({"type": "seek", "epoch": 3}))
    assert session.pg.epoch == 10
    with pytest.raises(ProtocolError, match="epoch"):
        session.handle(msg({"type": "seek", "epoch": -1}))


def test_a_divergence_is_explained_and_recover_goes_back_with_a_tenth_of_the_rate() -> None:
    session = trained(5, DIVERGING)
    out = session.handle(msg({"type": "play"}))
    (diverged,) = [json.loads(o) for o in out]
    assert diverged["type"] == "diverged" and diverged["explained"]["layer"] == 2
    assert diverged["explained"]["started_in"] == "gradients" and "the output layer's gradients" in diverged["message"]
    assert diverged["recover"] == {"epoch": 0, "learningRate": 1.0, "gradientClip": 0.25}
    assert "or with the gradient's norm clipped at 0.25" in diverged["message"]
    out = session.handle(msg({"type": "recover"}))
    assert kinds(out) == ["state", "frame"] and session.pg.epoch == 0 and session.pg.config.learningRate == 1.0
    with pytest.raises(ProtocolError, match="recover: the loss has not diverged"):
        session.handle(msg({"type": "recover"}))


def test_recover_with_clipping_goes_back_and_sets_the_clip_the_message_offered() -> None:
    session = trained(5, DIVERGING)
    (diverged,) = [json.loads(o) for o in session.handle(msg({"type": "play"}))]
    out = session.handle(msg({"type": "recover", "how": "clip"}))
    (state,) = [json.loads(o) for o in out if isinstance(o, str)]
    assert state["type"] == "state" and state["config"]["gradientClip"] == diverged["recover"]["gradientClip"]
    assert session.pg.epoch == 0 and session.pg.config.learningRate == 10
    with pytest.raises(ProtocolError):
        session.handle(msg({"type": "recover", "how": "faster"}))


@pytest.mark.parametrize("looking", [{"type": "explain", "x": 0.5, "y": 0.5}, {"type": "gradients", "on": True}])
def test_a_hover_or_the_gradient_toggle_only_looks_at_the_past(looking: dict) -> None:
    session = trained(20)
    past = json.loads(json.dumps(session.pg.at(5).explain(0.5, 0.5)))
    session.handle(msg({"type": "seek", "epoch": 5}))
    out = session.handle(msg(looking))
    assert session.pg.epoch == 20 and session.pg.branches == []  # the future is kept
    if looking["type"] == "explain":  # and the hover shows the epoch looked at
        (answer,) = [json.loads(o) for o in out]
        assert answer["layers"] == past["layers"]
    else:
        (frame,) = frames_in(out)
        assert frame["epoch"] == 5 and "gradients" in frame


def test_a_change_while_looking_tells_the_page_it_is_back_in_the_present() -> None:
    session = trained(20)
    session.handle(msg({"type": "seek", "epoch": 5}))
    out = session.handle(msg({"type": "set_bias", "layer": 0, "node": 0, "value": 0.5}))
    assert kinds(out) == ["state", "frame"] and session.pg.epoch == 5 and len(session.pg.branches) == 1
    session.handle(msg({"type": "seek", "epoch": 2}))
    assert kinds(session.handle(msg({"type": "continue"}))) == ["state", "frame"]  # one state, not two


def test_recover_while_looking_at_the_past_goes_back_from_the_divergence() -> None:
    session = trained(8, DIVERGING)
    last_good = session.pg.divergence.last_good
    session.handle(msg({"type": "seek", "epoch": last_good}))
    out = session.handle(msg({"type": "recover"}))
    assert kinds(out) == ["state", "frame"] and session.pg.epoch == last_good
    assert session.pg.config.learningRate == 1.0 and not session.pg.diverged


def test_a_divergence_the_run_can_no_longer_go_back_past_offers_no_way_back() -> None:
    session = trained(8, DIVERGING)
    session.handle(msg({"type": "set", "changes": {"batchSize": 5}}))  # snapshots start again at 8
    out = session.handle(msg({"type": "play"}))
    (diverged,) = [json.loads(o) for o in out]
    assert diverged["type"] == "diverged" and "recover" not in diverged
    with pytest.raises(ProtocolError, match="can no longer be gone back to"):
        session.handle(msg({"type": "recover"}))
    assert session.pg.config.learningRate == 10
