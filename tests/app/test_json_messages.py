"""The server's JSON text (``app.server_messages.encode``): what ``json.dumps`` would mean, read
back the same by any JSON parser, and never a token a browser's ``JSON.parse`` refuses."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from app.server_messages import encode

values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=6), values, max_size=6))
def test_every_message_reads_back_as_it_was_sent(message: dict[str, Any]) -> None:
    text = encode(message)
    assert json.loads(text) == message
    assert json.loads(text) == json.loads(json.dumps(message))


def test_the_text_is_compact_and_keeps_the_order_of_fields() -> None:
    text = encode({"type": "frame", "epoch": 3, "loss": [0.1, 1e-07, 2.5e22], "playing": True})
    assert text == '{"type":"frame","epoch":3,"loss":[0.1,1e-7,2.5e+22],"playing":true}'


def test_a_number_that_is_not_finite_is_sent_as_null() -> None:
    message = {"loss": math.nan, "weights": [math.inf, -math.inf, np.float64("nan")]}
    assert json.loads(encode(message)) == {"loss": None, "weights": [None, None, None]}


def test_numpy_numbers_and_keys_that_are_not_strings_are_written_as_json_dumps_would() -> None:
    message = {"epoch": np.int64(7), "rate": np.float64(0.25), 2: [np.bool_(True)]}
    assert json.loads(encode(message)) == {"epoch": 7, "rate": 0.25, "2": [True]}


def test_a_frame_of_weights_not_finite_or_huge_sends_null_for_what_is_not_finite_and_warns_of_nothing() -> None:
    import warnings

    from app.server_messages import frame_message
    from nn_core import Playground

    pg = Playground.from_url("#networkShape=2")
    for values in ([math.inf, -math.inf], [1e200, -1e200], [math.nan, 1.0]):
        pg.net.weights[0][0, :2] = values
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            message = frame_message(pg, [], False, False)
        sent = [None if not math.isfinite(v) else v for v in values]
        assert message["weights"][0][0][:2] == sent
