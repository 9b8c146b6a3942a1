"""Compare mode over /ws: two playgrounds in lockstep, each side's losses those of separate runs."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient, WebSocketTestSession

from nn_core import Playground

from .conftest import hello, receive, receive_until

LINK = "#seed=0.77&dataset=xor&networkShape=4,2&learningRate=0.03"
B_LINK = "#seed=0.77&dataset=xor&networkShape=3&learningRate=0.3&activation=relu"


def frames_of_both(ws: WebSocketTestSession, epoch: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A's and B's frames of ``epoch`` (B's comes right after A's, marked side b)."""
    for _ in range(500):
        a, _ = receive_until(ws, "frame")
        assert "side" not in a
        b = receive(ws)
        assert b["type"] == "frame" and b["side"] == "b"
        if a["epoch"] == epoch:
            return a, b
    raise AssertionError(f"no frames of epoch {epoch}")


def open_and_step(ws: WebSocketTestSession, compare: str, epochs: int) -> None:
    """Open LINK with ``compare=`` and train ``epochs`` epochs (both sides' frames read)."""
    hello(ws, f"{LINK}&compare={compare}")
    receive(ws)  # B's first frame
    ws.send_json({"type": "step", "n": epochs})
    frames_of_both(ws, epochs)


def assert_losses(frame: dict[str, Any], pg: Playground) -> None:
    assert frame["epoch"] == pg.epoch
    assert (frame["train_loss"], frame["test_loss"]) == (pg.train_loss, pg.test_loss)
    assert frame["weights"] == [w.tolist() for w in pg.weights]


def test_a_comparison_link_trains_both_sides_as_two_separate_runs(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        answers = hello(ws, f"{LINK}&compare=networkShape:3,activation:relu,learningRate:0.3")
        assert answers["state"]["hash"].endswith("&compare=activation:relu,learningRate:0.3,networkShape:3")
        assert answers["state"]["compare"]["layer_sizes"] == [2, 3, 1]
        assert receive(ws)["side"] == "b"  # B's first frame follows A's
        ws.send_json({"type": "step", "n": 7})
        a, b = frames_of_both(ws, 7)
    alone_a, alone_b = Playground.from_url(LINK), Playground.from_url(B_LINK)
    alone_a.step(7)
    alone_b.step(7)
    assert_losses(a, alone_a)
    assert_losses(b, alone_b)
    assert a["train_loss"] != b["train_loss"]


def test_compare_forks_b_and_a_change_on_b_is_b_alone(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        ws.send_json({"type": "step", "n": 3})
        receive_until(ws, "frame")
        ws.send_json({"type": "compare", "on": True})
        state, _ = receive_until(ws, "state")
        assert state["hash"].endswith("&compare=")
        ws.send_json({"type": "set", "changes": {"learningRate": 0.3}, "side": "b"})
        state, _ = receive_until(ws, "state")
        assert state["config"]["learningRate"] == 0.03  # A's
        assert state["compare"]["config"]["learningRate"] == 0.3
        assert state["hash"].endswith("&compare=learningRate:0.3")
        ws.send_json({"type": "set", "changes": {"noise": 10}, "side": "b"})  # the data: both sides
        state, _ = receive_until(ws, "state")
        assert state["config"]["noise"] == state["compare"]["config"]["noise"] == 10
        ws.send_json({"type": "step", "n": 4})
        a, b = frames_of_both(ws, 7)
        ws.send_json({"type": "compare", "on": False, "keep": "b"})
        kept, _ = receive_until(ws, "state")
    alone = Playground.from_url(LINK)
    alone.step(3)
    fork = alone.fork(learningRate=0.3)
    for side in (alone, fork):
        side.set(noise=10)
        side.step(4)
    assert_losses(a, alone)
    assert_losses(b, fork)
    assert "compare" not in kept and "compare=" not in kept["hash"] and "learningRate=0.3" in kept["hash"]


def test_reset_gives_both_sides_the_same_new_weights(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        open_and_step(ws, "learningRate:1", 2)
        ws.send_json({"type": "reset"})
        a, b = frames_of_both(ws, 0)
    assert a["weights"] == b["weights"] and a["train_loss"] == b["train_loss"]


def test_a_bad_compare_opens_a_alone_and_says_why(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        answers = hello(ws, f"{LINK}&compare=seed:1")
        assert "compare" not in answers["state"]
        assert any("seed is shared by both sides" in w for w in answers["state"]["warnings"])
        ws.send_json({"type": "set", "changes": {"learningRate": 0.3}, "side": "b"})
        error, _ = receive_until(ws, "error")
        assert error["code"] == "invalid" and "compare mode" in error["message"]


def test_time_travel_shows_and_continues_both_sides(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        open_and_step(ws, "learningRate:0.3", 8)
        ws.send_json({"type": "seek", "epoch": 3})
        a, b = frames_of_both(ws, 3)
        assert b["epoch"] == 3 and b["history"][-1][0] == 3
        ws.send_json({"type": "continue"})
        ws.send_json({"type": "step", "n": 2})
        a, b = frames_of_both(ws, 5)
    alone_a, alone_b = Playground.from_url(LINK), Playground.from_url(f"{LINK}&learningRate=0.3")
    alone_a.step(5)
    alone_b.step(5)
    assert_losses(a, alone_a)
    assert_losses(b, alone_b)


DIVERGING = "#seed=0.5&networkShape=4,2&activation=relu&learningRate=10&problem=regression&regDataset=reg-plane"


def test_recover_after_a_divergence_takes_both_sides_back_to_the_same_epoch(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, f"{DIVERGING}&compare=learningRate:0.01")
        receive(ws)  # B's first frame
        ws.send_json({"type": "step", "n": 20})
        diverged, before = receive_until(ws, "diverged")
        assert [m["epoch"] for m in before if m["type"] == "frame"][-2:] == [diverged["epoch"]] * 2  # A's and B's
        ws.send_json({"type": "recover"})
        state, _ = receive_until(ws, "state")
        a, b = receive(ws), receive(ws)
    good = diverged["recover"]["epoch"]
    assert state["config"]["learningRate"] == 1.0 and state["compare"]["config"]["learningRate"] == 0.01
    assert a["epoch"] == b["epoch"] == good and b["side"] == "b"
    alone_b = Playground.from_url(f"{DIVERGING}&learningRate=0.01")
    alone_b.step(good)
    assert_losses(b, alone_b)


def test_a_change_mid_epoch_keeps_both_sides_at_the_same_point() -> None:
    """Training turns end mid-epoch; a change (A's or B's), a seek or an export finishes the
    epoch in progress: on both sides, the same points (B lagged a part of an epoch each time)."""
    from app.compare import train_examples
    from app.protocol import parse_client_message
    from app.session import Session

    session = Session(thumbnail=8)
    session.handle(parse_client_message(f'{{"type": "hello", "hash": "{LINK}&compare=learningRate:0.3"}}'))
    for message in ('{"type": "set", "changes": {"learningRate": 0.1}, "side": "a"}',
                    '{"type": "set", "changes": {"learningRate": 0.2}, "side": "b"}',
                    '{"type": "seek", "epoch": 0}', '{"type": "export"}'):
        assert session._b is not None
        train_examples(session.pg, session._b, 7)  # a training turn's share, mid-epoch
        session.handle(parse_client_message(message))
        a, b = session.pg, session._b.pg
        assert (b.epoch, b.progress) == (a.epoch, a.progress), message
