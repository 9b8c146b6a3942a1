"""Gradients in a session: every frame has each layer's gradient size, the links' only on request."""

from __future__ import annotations

import json

import numpy as np
import pytest
from starlette.testclient import TestClient

from app.protocol import ProtocolError, parse_client_message
from nn_core.activations import ACTIVATIONS, CURVE_RANGE

from .test_session import frames_in, msg, started

LINK = "#seed=0.5&dataset=xor&networkShape=3,2&speed=max"


def stepped(link: str = LINK):
    session, _ = started(link)
    session.handle(msg({"type": "step", "n": 3}))
    session.train(0.05, want_frame=True)
    return session


def test_every_frame_carries_each_layers_gradient_size_and_no_link_gradients() -> None:
    session = stepped()
    frame = frames_in(session.handle(msg({"type": "pause"})))[0]
    assert frame["gradient_sizes"] == pytest.approx(session.pg.gradient_sizes, rel=1e-15)
    assert len(frame["gradient_sizes"]) == 3 and all(size > 0 for size in frame["gradient_sizes"])
    assert "gradients" not in frame


def test_the_toggle_adds_the_links_gradients_in_the_weights_shape_until_turned_off() -> None:
    session = stepped()
    frame = frames_in(session.handle(msg({"type": "gradients", "on": True})))[0]
    assert frame["gradients"] == [g.tolist() for g in session.pg.gradients]
    assert [len(layer) for layer in frame["gradients"]] == [len(layer) for layer in frame["weights"]]
    session.handle(msg({"type": "step", "n": 2}))
    later = frames_in(session.train(0.05, want_frame=True).out)[-1]
    assert later["gradients"] == [g.tolist() for g in session.pg.gradients] != frame["gradients"]
    assert "gradients" not in frames_in(session.handle(msg({"type": "gradients", "on": False})))[0]


def test_the_toggle_outlives_a_new_link() -> None:
    session = stepped()
    session.handle(msg({"type": "gradients", "on": True}))
    out = session.handle(msg({"type": "hello", "hash": "#seed=1&networkShape=2"}))
    assert [len(layer) for layer in frames_in(out)[0]["gradients"]] == [2, 1]


@pytest.mark.parametrize("body", [{}, {"on": 1}, {"on": "yes"}, {"on": True, "layer": 0}])
def test_a_malformed_toggle_is_refused(body: dict) -> None:
    with pytest.raises(ProtocolError) as refused:
        parse_client_message(json.dumps({"type": "gradients", **body}))
    assert refused.value.code == "invalid"


def test_settings_json_carries_every_activation_sampled_by_the_engine(client: TestClient) -> None:
    table = client.get("/settings.json").json()["activations"]
    assert set(table["curves"]) == set(ACTIVATIONS)
    z = np.array(table["z"])
    assert z[0] == CURVE_RANGE[0] and z[-1] == CURVE_RANGE[1]
    sigmoid = table["curves"]["sigmoid"]
    np.testing.assert_allclose(sigmoid["value"], 1 / (1 + np.exp(-z)), atol=1e-4)
    np.testing.assert_allclose(sigmoid["derivative"], np.exp(-z) / (1 + np.exp(-z)) ** 2, atol=1e-4)
    assert max(sigmoid["derivative"]) == 0.25
