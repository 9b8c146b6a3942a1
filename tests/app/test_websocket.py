"""The protocol end to end in-process: every client message and what it answers."""

from __future__ import annotations

import time
from itertools import pairwise

import pytest
from starlette.testclient import TestClient, WebSocketTestSession

from nn_core import Playground
from nn_core.settings import config_to_json

from .conftest import hello, make_client, receive, receive_until

LINK = "#seed=0.5&dataset=xor&networkShape=3,2&learningRate=0.03"


def send_and_take(ws: WebSocketTestSession, message: dict, kind: str) -> tuple[dict, list[dict]]:
    ws.send_json(message)
    return receive_until(ws, kind)


def test_hello_answers_state_data_and_a_frame(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        answers = hello(ws, LINK)
    state, data, frame = answers["state"], answers["data"], answers["frame"]
    expected = Playground.from_url(LINK)
    assert state["hash"] == expected.to_url() and state["hash"].startswith("#")
    assert state["config"] == config_to_json(expected.config)
    assert state["layer_sizes"] == [2, 3, 2, 1] and state["features"] == ["x", "y"]
    assert state["playing"] is False and state["epoch"] == 0 and state["thumbnail"] == 25
    assert data["train"] == [list(r) for r in expected.train.rows()]
    assert len(data["test"]) == len(expected.test.rows())
    assert frame["epoch"] == 0 and frame["playing"] is False
    assert frame["weights"] == [w.tolist() for w in expected.weights]
    assert frame["biases"] == [b.tolist() for b in expected.biases]
    assert frame["history"] == [[0, expected.train_loss, expected.test_loss]]
    assert frame["history_reset"] is True
    grids = frame["_grids"]
    assert (grids.kind, grids.version, grids.encoding, grids.resolution, grids.thumbnail) == (1, 4, 0, 100, 25)
    assert grids.outputs == 1
    assert grids.count == 2 + 3 + 2 + 1  # inputs, hidden neurons, output


def step_and_take(ws: WebSocketTestSession, n: int) -> dict:
    """Send ``step n`` from a fresh session; the frame that ends it (a long step sends progress frames first)."""
    ws.send_json({"type": "step", "n": n})
    frame, _ = receive_until(ws, "frame")
    while frame["epoch"] < n:
        frame, _ = receive_until(ws, "frame")
    return frame


def test_hello_reports_link_warnings(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        state = hello(ws, "#learningRate=banana&networkShape=2")["state"]
    assert any("learningRate" in w for w in state["warnings"])
    assert state["layer_sizes"] == [2, 2, 1]


def test_messages_before_hello_are_refused_but_hello_still_works(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "play"})
        error = receive(ws)
        assert error == {"type": "error", "code": "invalid", "message": "send hello first"}
        assert hello(ws)["frame"]["epoch"] == 0


def test_play_streams_frames_with_rising_epochs_then_pause_stops(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        ws.send_json({"type": "play"})
        frames = [receive(ws) for _ in range(5)]
        assert all(f["type"] == "frame" and f["playing"] for f in frames)
        epochs = [f["epoch"] for f in frames]
        assert epochs == sorted(epochs) and epochs[-1] >= 5
        history_epochs = [p[0] for f in frames for p in f["history"]]
        assert history_epochs == sorted(set(history_epochs))  # each point sent once
        paused, _ = send_and_take(ws, {"type": "pause"}, "frame")
        while paused["playing"]:  # frames already queued may arrive first
            paused = receive(ws)
        epoch = paused["epoch"]
        time.sleep(0.2)
        ws.send_json({"type": "export"})
        exported = receive(ws)  # nothing else was sent while paused
        assert exported["type"] == "export" and exported["model"]["epoch"] == epoch


def play_for(ws: WebSocketTestSession, seconds: float) -> tuple[list[dict], float]:
    """Press play and collect frames for about ``seconds``; also the time since play was sent."""
    ws.send_json({"type": "play"})
    sent = time.monotonic()
    frames = [receive(ws)]
    while time.monotonic() - sent < seconds:
        frames.append(receive(ws))
    return frames, time.monotonic() - sent


@pytest.mark.parametrize(("speed", "per_second"), [("classic", 60), ("x10", 600)])
def test_a_speed_is_epochs_per_second_whatever_the_frame_rate(client: TestClient, speed: str,
                                                              per_second: int) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        state, _ = send_and_take(ws, {"type": "set", "changes": {"speed": speed}}, "state")
        assert state["config"]["speed"] == speed and (speed == "classic") == ("speed=" not in state["hash"])
        receive_until(ws, "frame")
        frames, seconds = play_for(ws, 0.6)
        epochs = frames[-1]["epoch"]
        assert all(b["epoch"] > a["epoch"] for a, b in pairwise(frames))  # a frame only when it trained
        assert epochs <= per_second * seconds + 1  # never ahead of the pace
        assert epochs >= per_second * seconds * 0.2, (epochs, seconds)  # and not far behind, even on a busy machine


def test_step_trains_n_epochs_while_paused(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        frame = step_and_take(ws, 25)
    expected = Playground.from_url(LINK)
    expected.step(25)
    assert frame["epoch"] == 25 and frame["playing"] is False
    assert frame["train_loss"] == pytest.approx(expected.train_loss, rel=1e-12)
    assert [p[0] for p in frame["history"]][-1] == 25


def test_set_answers_state_then_a_frame_with_the_change(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        ws.send_json({"type": "set", "changes": {"learningRate": 0.1, "networkShape": [4]}})
        state = receive(ws)
        frame = receive(ws)
    assert state["type"] == "state" and frame["type"] == "frame"
    assert state["config"]["learningRate"] == 0.1 and "learningRate=0.1" in state["hash"]
    assert state["layer_sizes"] == [2, 4, 1]
    assert [len(w) for w in frame["weights"]] == [4, 1]


def test_set_that_changes_the_data_also_sends_data(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        ws.send_json({"type": "set", "changes": {"dataset": "circle"}})
        kinds = [receive(ws)["type"] for _ in range(3)]
        ws.send_json({"type": "set", "changes": {"learningRate": 0.3}})
        kinds_same_data = [receive(ws)["type"] for _ in range(2)]
    assert kinds == ["state", "data", "frame"]
    assert kinds_same_data == ["state", "frame"]


@pytest.mark.parametrize("changes", [
    {"learningRate": 11}, {"learningRate": -1}, {"batchSize": 2.5}, {"batchSize": 0},
    {"activation": "gelu"}, {"networkShape": [40]}, {"networkShape": [1] * 7}, {"x": "yes"},
    {"hidden": ["nonsense"]}, {"problem": 1}, {"noise": "5"},
])
def test_set_with_a_bad_value_is_invalid_and_changes_nothing(client: TestClient, changes: dict) -> None:
    with client.websocket_connect("/ws") as ws:
        before = hello(ws, LINK)["state"]
        error, _ = send_and_take(ws, {"type": "set", "changes": {"noise": 10, **changes}}, "error")
        assert error["code"] == "invalid" and next(iter(changes)) in error["message"]
        exported, _ = send_and_take(ws, {"type": "export"}, "export")
    assert exported["model"]["hash"] == before["hash"]


def test_extended_mode_allows_a_bigger_network_in_the_same_change(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        ws.send_json({"type": "set", "changes": {"networkShape": [20, 20], "mode": "extended"}})
        state = receive(ws)
    assert state["layer_sizes"] == [2, 20, 20, 1]


def test_reset_restarts_at_epoch_zero_with_new_weights(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        first = hello(ws, LINK)["frame"]
        send_and_take(ws, {"type": "step", "n": 5}, "frame")
        state, _ = send_and_take(ws, {"type": "reset"}, "state")
        frame = receive(ws)
    assert state["epoch"] == 0 and frame["epoch"] == 0
    assert frame["history_reset"] is True and len(frame["history"]) == 1
    assert frame["weights"] != first["weights"]


def test_regenerate_draws_a_new_seed_and_data(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        first = hello(ws, LINK)
        state, _ = send_and_take(ws, {"type": "regenerate"}, "state")
        data = receive(ws)
        frame = receive(ws)
    assert state["config"]["seed"] != first["state"]["config"]["seed"]
    assert data["type"] == "data" and data["train"] != first["data"]["train"]
    assert frame["weights"] == first["frame"]["weights"]


def test_set_weight_and_set_bias_show_in_the_next_frame(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        frame, _ = send_and_take(ws, {"type": "set_weight", "layer": 1, "node": 0, "source": 2,
                                      "value": 0.75}, "frame")
        assert frame["weights"][1][0][2] == 0.75
        frame, _ = send_and_take(ws, {"type": "set_bias", "layer": 2, "node": 0, "value": -0.5}, "frame")
        assert frame["biases"][2][0] == -0.5
        error, _ = send_and_take(ws, {"type": "set_weight", "layer": 1, "node": 0, "source": 3,
                                      "value": 1}, "error")
        assert error["code"] == "invalid" and "out of range" in error["message"]


def test_points_switch_to_custom_data(client: TestClient) -> None:
    points = [[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0], [2.0, -2.0, 1.0], [-2.0, 2.0, -1.0]]
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        state, _ = send_and_take(ws, {"type": "points", "points": points}, "state")
        data = receive(ws)
        assert state["config"]["dataset"] == "custom"
        assert sorted(data["train"] + data["test"]) == sorted(points)
        receive(ws)  # frame
        error, _ = send_and_take(ws, {"type": "points", "points": [[9.0, 0.0, 1.0]]}, "error")
        assert error["code"] == "bad_points" and "row" in error["message"]


def test_gradient_check_and_export(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        check, _ = send_and_take(ws, {"type": "gradient_check"}, "gradient_check")
        exported, _ = send_and_take(ws, {"type": "export"}, "export")
    assert check["ok"] is True and len(check["max_relative_error"]) == 3
    assert Playground.load(exported["model"]).to_url() == exported["model"]["hash"]


def test_hello_with_resume_continues_from_the_given_weights(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        trained = step_and_take(ws, 30)
    resume = {"epoch": trained["epoch"], "weights": trained["weights"], "biases": trained["biases"]}
    with client.websocket_connect("/ws") as ws:
        frame = hello(ws, LINK, resume=resume)["frame"]
    assert frame["epoch"] == 30 and frame["weights"] == trained["weights"]
    assert frame["train_loss"] == pytest.approx(trained["train_loss"])


def test_hello_with_a_resume_of_the_wrong_shape_is_bad_resume_but_opens(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        answers = hello(ws, LINK, resume={"epoch": 3, "weights": [[[1.0]]], "biases": [[0.0]]})
    assert answers["error"]["code"] == "bad_resume"
    assert answers["frame"]["epoch"] == 0


def test_divergence_pauses_and_reset_recovers(client: TestClient) -> None:
    link = "#problem=regression&regDataset=reg-plane&learningRate=10&activation=relu&networkShape=8,8&seed=0.1"
    with client.websocket_connect("/ws") as ws:
        hello(ws, link)
        ws.send_json({"type": "set", "changes": {"speed": "x100"}})
        receive_until(ws, "frame")
        ws.send_json({"type": "play"})
        diverged, before = receive_until(ws, "diverged")
        assert before[-1]["playing"] is False and before[-1]["train_loss"] is None
        assert diverged["epoch"] == before[-1]["epoch"]
        ws.send_json({"type": "play"})
        assert receive(ws)["type"] == "diverged"  # still diverged: stays paused
        send_and_take(ws, {"type": "reset"}, "state")
        frame = receive(ws)
        assert frame["train_loss"] is not None and frame["epoch"] == 0


DIVERGING = "#problem=regression&regDataset=reg-plane&learningRate=10&activation=relu&networkShape=8,8&seed=0.1"
AFTER_DIVERGENCE = [
    ({"type": "export"}, "export"),
    ({"type": "gradient_check"}, "gradient_check"),
    ({"type": "step", "n": 1}, "frame"),
    ({"type": "pause"}, "frame"),
    ({"type": "set", "changes": {"noise": 10}}, "state"),
    ({"type": "set_weight", "layer": 0, "node": 0, "source": 0, "value": 0.5}, "frame"),
    ({"type": "set_bias", "layer": 0, "node": 0, "value": 0.5}, "frame"),
    ({"type": "points", "points": [[1.0, 1.0, 0.5], [-1.0, 2.0, -0.25]]}, "state"),
    ({"type": "regenerate"}, "state"),
    ({"type": "hello", "hash": DIVERGING}, "state"),
]


@pytest.mark.parametrize(("message", "answer"), AFTER_DIVERGENCE, ids=[m["type"] for m, _ in AFTER_DIVERGENCE])
def test_every_message_still_works_after_divergence(client: TestClient, message: dict, answer: str) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, DIVERGING)
        ws.send_json({"type": "step", "n": 50})
        _, before = receive_until(ws, "diverged")
        assert before[-1]["train_loss"] is None
        ws.send_json(message)
        reply = receive(ws)
        assert reply["type"] == answer, reply  # the answer, not an error


@pytest.mark.parametrize(("text", "code"), [
    ("not json", "bad_json"), ('{"type": "jump"}', "unknown_type"),
    ('{"type": "step", "n": 0}', "invalid"), ('{"type": "pause", "extra": 1}', "invalid"),
])
def test_invalid_messages_get_an_error_and_the_session_keeps_working(client: TestClient, text: str,
                                                                      code: str) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, LINK)
        ws.send_text(text)
        error = receive(ws)
        assert error["type"] == "error" and error["code"] == code and error["message"]
        frame, _ = send_and_take(ws, {"type": "step"}, "frame")
        assert frame["epoch"] == 1


def test_binary_messages_are_refused_politely(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws)
        ws.send_bytes(b"\x01\x02")
        assert receive(ws)["code"] == "bad_json"
        assert send_and_take(ws, {"type": "step"}, "frame")[0]["epoch"] == 1


def test_oversized_message_is_too_large_and_the_session_survives() -> None:
    with make_client(max_message_bytes=4096) as client, client.websocket_connect("/ws") as ws:
        hello(ws)
        ws.send_text('{"type": "hello", "hash": "' + "a" * 5000 + '"}')
        error = receive(ws)
        assert error["code"] == "too_large" and "4096" in error["message"]
        assert send_and_take(ws, {"type": "step"}, "frame")[0]["epoch"] == 1


def test_sessions_beyond_the_limit_are_told_busy_and_closed() -> None:
    with make_client(max_sessions=2) as client, \
            client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        hello(a)
        hello(b)
        with client.websocket_connect("/ws") as c:
            assert c.receive_json() == {"type": "error", "code": "busy",
                                        "message": "the server is busy; try again later"}
            closing = c.receive()
            assert closing["type"] == "websocket.close" and closing["code"] == 1013
        assert client.get("/healthz").json()["sessions"] == 2
        assert send_and_take(a, {"type": "step"}, "frame")[0]["epoch"] == 1


@pytest.mark.parametrize(("timeout", "says_hello", "reason"), [
    ("idle_timeout", True, "idle timeout"),  # a paused session nobody uses
    ("hello_timeout", False, "no hello"),  # a socket that never becomes a playground
])
def test_quiet_sockets_are_closed_after_their_timeout(timeout: str, says_hello: bool, reason: str) -> None:
    with make_client(**{timeout: 0.3}) as client, client.websocket_connect("/ws") as ws:
        started = time.monotonic()  # the clock runs from the socket's last message (hello), not its answer
        if says_hello:
            hello(ws)
        closing = ws.receive()
        assert closing["type"] == "websocket.close" and closing["reason"] == reason
        assert 0.25 <= time.monotonic() - started < 3


def test_playing_sessions_do_not_idle_out() -> None:
    with make_client(idle_timeout=0.3) as client, client.websocket_connect("/ws") as ws:
        hello(ws)
        ws.send_json({"type": "play"})
        deadline = time.monotonic() + 0.8
        while time.monotonic() < deadline:
            assert receive(ws)["type"] == "frame"


def test_frames_never_show_a_network_their_state_does_not_describe(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello(ws, "#networkShape=4&speed=max&seed=0.4")
        ws.send_json({"type": "play"})
        for _ in range(3):
            receive(ws)
        widths = []
        for width in (5, 3, 6):
            ws.send_json({"type": "set", "changes": {"networkShape": [width]}})
            widths.append(width)
        shown = 4
        seen_states = 0
        while seen_states < 3 or shown != 6:
            message = receive(ws)
            if message["type"] == "state":
                shown = message["layer_sizes"][1]
                assert shown == widths[seen_states]
                seen_states += 1
            elif message["type"] == "frame":
                assert len(message["weights"][0]) == shown
        for _ in range(3):
            assert len(receive_until(ws, "frame")[0]["weights"][0]) == 6
        ws.send_json({"type": "pause"})
