"""The notebook widget's model without a browser: messages in, state and frames out, training on its thread.

The widget is made without a kernel (ipywidgets then has no comm to send on): its ``send`` is
replaced by a recorder, so the test reads exactly what a view would receive.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.compare import SideB
from app.widget import PlaygroundWidget
from nn_core import Playground

LINK = "#seed=0.12345&networkShape=4,2&dataset=circle&learningRate=0.03"


class Views:
    """What the views would receive: each custom message's content and buffers, in order."""

    def __init__(self, acknowledge: Callable[[], None]) -> None:
        self.lock = threading.Lock()
        self.sent: list[tuple[dict[str, Any], list[bytes] | None]] = []
        self.acknowledge = acknowledge

    def __call__(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        with self.lock:
            self.sent.append((content, buffers))
        if content.get("grids"):
            self.acknowledge()  # as the view does when a frame's grids arrive

    def messages(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(content["text"]) for content, _ in self.sent if "text" in content]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages() if m["type"] == kind]

    def grids(self) -> list[bytes]:
        with self.lock:
            return [buffers[0] for content, buffers in self.sent if content.get("grids") and buffers]


def wait_until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not true within {seconds} s"
        time.sleep(0.02)


@pytest.fixture
def pg() -> Playground:
    return Playground.from_url(LINK)


@pytest.fixture
def widget(pg: Playground) -> Iterator[tuple[PlaygroundWidget, Views]]:
    made = PlaygroundWidget(pg)
    views = Views(lambda: made._receive(made, {"ack": True}, []))
    made.send = views  # type: ignore[method-assign]
    yield made, views
    made.close()


def say(widget: PlaygroundWidget, message: dict[str, Any]) -> None:
    """A message from the view, as the view's transport sends it."""
    widget._receive(widget, {"text": json.dumps(message)}, [])


def test_the_widget_carries_the_page(widget: tuple[PlaygroundWidget, Views]) -> None:
    made, _ = widget
    assert 'id="play-pause-button"' in made.markup and "data-settings=" in made.markup
    assert {"main.js", "host.js", "socket.js", "state.js"} <= made.modules.keys()
    assert {"/settings.json", "/feature-maps.json", "/dataset-previews.json"} <= made.resources.keys()
    assert ".playground" in made.stylesheet


def test_hello_shows_the_users_playground(widget: tuple[PlaygroundWidget, Views], pg: Playground) -> None:
    made, views = widget
    pg.step(3)
    say(made, {"type": "hello", "hash": "#dataset=xor"})  # the page's own link is not opened
    state = views.of_type("state")[-1]
    assert state["hash"] == pg.to_url() and state["config"]["dataset"] == "circle"
    assert views.of_type("frame")[-1]["epoch"] == 3
    assert views.grids(), "the frame's grids come as a binary buffer"
    assert views.of_type("data"), "and the points"


def test_a_change_in_the_widget_changes_the_users_playground(widget: tuple[PlaygroundWidget, Views],
                                                             pg: Playground) -> None:
    made, views = widget
    say(made, {"type": "hello", "hash": ""})
    say(made, {"type": "set", "changes": {"learningRate": 0.1}})
    assert pg.config.learningRate == 0.1
    assert views.of_type("state")[-1]["config"]["learningRate"] == 0.1
    say(made, {"type": "set", "changes": {"learningRate": "fast"}})  # validated as the server's
    assert views.of_type("error")[-1]["code"] == "invalid" and pg.config.learningRate == 0.1


def test_play_trains_on_the_thread_and_history_is_live(widget: tuple[PlaygroundWidget, Views],
                                                       pg: Playground) -> None:
    made, views = widget
    say(made, {"type": "hello", "hash": ""})
    say(made, {"type": "play"})
    assert made.playing
    wait_until(lambda: pg.epoch >= 20)
    seen = len(pg.history)  # read from this thread while the widget's trains
    wait_until(lambda: len(pg.history) > seen)
    assert max(m["epoch"] for m in views.of_type("frame")) > 0, "frames follow the training"
    say(made, {"type": "pause"})
    assert not made.playing
    epoch = pg.epoch
    time.sleep(0.3)
    assert pg.epoch == epoch and views.of_type("frame")[-1]["epoch"] == epoch


def test_play_from_python_before_any_view(widget: tuple[PlaygroundWidget, Views], pg: Playground) -> None:
    made, views = widget
    made.play()  # no view has said hello yet
    wait_until(lambda: pg.epoch >= 5)
    made.pause()
    say(made, {"type": "hello", "hash": ""})  # a view opening later sees where it is
    assert views.of_type("frame")[-1]["epoch"] == pg.epoch


def test_a_cells_set_reaches_the_widget_while_it_plays(widget: tuple[PlaygroundWidget, Views],
                                                       pg: Playground) -> None:
    made, views = widget
    say(made, {"type": "hello", "hash": ""})
    made.play()
    wait_until(lambda: pg.epoch >= 5)
    assert pg.set(learningRate=0.3) == []  # from a cell, during training
    wait_until(lambda: any(m["config"]["learningRate"] == 0.3 for m in views.of_type("state")), 5)
    assert made.playing, "a new learning rate does not stop training"
    made.pause()


def test_a_cells_step_shows_while_paused(widget: tuple[PlaygroundWidget, Views], pg: Playground) -> None:
    made, views = widget
    say(made, {"type": "hello", "hash": ""})
    pg.step(7)
    wait_until(lambda: any(m["epoch"] == 7 for m in views.of_type("frame")), 5)


def test_a_cells_reset_pauses_the_widget(widget: tuple[PlaygroundWidget, Views], pg: Playground) -> None:
    made, views = widget
    say(made, {"type": "hello", "hash": ""})
    made.play()
    wait_until(lambda: pg.epoch >= 5)
    pg.reset()
    wait_until(lambda: not made.playing, 5)
    assert views.of_type("state")[-1]["playing"] is False and pg.epoch == 0


def test_importing_a_model_file_is_refused(widget: tuple[PlaygroundWidget, Views], pg: Playground) -> None:
    made, views = widget
    say(made, {"type": "hello", "hash": ""})
    say(made, {"type": "load", "model": Playground.from_url("").export()})
    assert "Playground.load" in views.of_type("error")[-1]["message"]


def test_without_anywidget_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch, pg: Playground) -> None:
    monkeypatch.setitem(sys.modules, "anywidget", None)
    monkeypatch.delitem(sys.modules, "app.widget")
    with pytest.raises(ImportError, match=r"neural-playground\[notebook\]"):
        pg.widget()
    monkeypatch.undo()
    importlib.import_module("app.widget")


def test_compare_mode_sends_bs_frames(widget: tuple[PlaygroundWidget, Views], pg: Playground) -> None:
    made, views = widget
    say(made, {"type": "hello", "hash": ""})
    say(made, {"type": "compare", "on": True})
    say(made, {"type": "set", "changes": {"learningRate": 0.3}, "side": "b"})
    sent = len(views.grids())
    say(made, {"type": "step", "n": 2})
    wait_until(lambda: any(m.get("side") == "b" and m["epoch"] == 2 for m in views.of_type("frame")), 5)
    assert len(views.grids()) - sent >= 2, "A's grids and B's"
    assert pg.config.learningRate == 0.03 and views.of_type("state")[-1]["compare"]["config"]["learningRate"] == 0.3


def compare_and_step(made: PlaygroundWidget, pg: Playground, epochs: int) -> SideB:
    """A view's hello, Compare mode with B's learning rate 0.3, then ``epochs`` epochs of both: B."""
    say(made, {"type": "hello", "hash": ""})
    say(made, {"type": "compare", "on": True})
    say(made, {"type": "set", "changes": {"learningRate": 0.3}, "side": "b"})
    say(made, {"type": "step", "n": epochs})
    wait_until(lambda: pg.epoch == epochs and not made.playing, 5)
    b = made._session._b
    assert b is not None
    return b


def test_stop_comparing_keeping_b_keeps_the_users_playground(widget: tuple[PlaygroundWidget, Views],
                                                             pg: Playground) -> None:
    made, views = widget
    b_weights = compare_and_step(made, pg, 2).pg.weights
    say(made, {"type": "compare", "on": False, "keep": "b"})  # the page's default: keep the side changed
    assert pg.config.learningRate == 0.3 and pg.epoch == 2, "the user's playground is now B"
    assert all((w == v).all() for w, v in zip(pg.weights, b_weights, strict=True))
    pg.step(1)  # a cell's step still shows in the widget
    wait_until(lambda: any(m["epoch"] == 3 for m in views.of_type("frame")), 5)
    assert "compare" not in views.of_type("state")[-1]


def test_a_cells_reset_or_new_data_reaches_b_when_comparing(widget: tuple[PlaygroundWidget, Views],
                                                            pg: Playground) -> None:
    made, views = widget
    b = compare_and_step(made, pg, 3)
    states = len(views.of_type("state"))
    pg.reset()  # from a cell: B starts again from A's new weights, as the page's Reset does
    wait_until(lambda: len(views.of_type("state")) > states, 5)
    assert views.of_type("state")[-1]["compare"]["epoch"] == 0
    assert b.pg.config.learningRate == 0.3
    assert all((w == v).all() for w, v in zip(pg.weights, b.pg.weights, strict=True))
    pg.set(noise=30)  # a shared setting, from a cell: both sides train on the same points
    wait_until(lambda: views.of_type("state")[-1]["config"]["noise"] == 30, 5)
    assert b.pg.config.noise == 30 and b.pg.train.rows() == pg.train.rows()
    pg.set_points([[1, 1, 1], [-1, -1, -1], [2, 2, 1], [-2, -2, -1]])
    wait_until(lambda: b.pg.data_version > 1 and b.pg.train.rows() == pg.train.rows(), 5)


def test_a_cells_step_or_rewind_reaches_b_when_comparing(widget: tuple[PlaygroundWidget, Views],
                                                         pg: Playground) -> None:
    made, views = widget
    b = compare_and_step(made, pg, 2)
    pg.step(3)  # from a cell: B trains the same epochs (the two stay in lockstep)
    wait_until(lambda: b.pg.epoch == 5 and any(m.get("side") == "b" and m["epoch"] == 5
                                               for m in views.of_type("frame")), 5)
    pg.rewind(1)
    wait_until(lambda: b.pg.epoch == 1, 5)
    assert b.pg.config.learningRate == 0.3 and pg.config.learningRate == 0.03
