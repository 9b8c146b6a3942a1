"""Frames of a playing page: small (deltas), and exact: the page's codes are the server's.

The page's side is tests/grid_decoder.py (a mirror of app/static/js/grids.js). The
server's maps of a frame are recomputed here from the weights the frame's JSON
carries (floats round-trip through JSON exactly), so the check needs nothing from
inside the server.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from starlette.testclient import TestClient, WebSocketTestSession

from app.grid_message import grid_codes
from nn_core import Playground

from ..grid_decoder import GridDecoder, Grids

FRAMES = 300
MAX_BYTES_PER_FRAME = 4096


def next_frame(ws: WebSocketTestSession) -> tuple[dict[str, Any], bytes, int]:
    """The next frame's JSON and grids, and how many bytes everything since the last one took."""
    size = 0
    while True:
        text = ws.receive_text()
        size += len(text.encode())
        message = json.loads(text)
        if message["type"] == "frame":
            grids = ws.receive_bytes()
            return message, grids, size + len(grids)


def server_codes(playground: Playground, frame: dict[str, Any]) -> np.ndarray:
    """``quantize()`` of the maps the server computed for this frame."""
    playground.resume(frame["epoch"], frame["weights"], frame["biases"])
    return grid_codes(playground.boundaries())[1]


def page_codes(grids: Grids) -> np.ndarray:
    return np.concatenate((grids.output.ravel(), grids.thumbnails.ravel()))


def test_playing_the_default_link_sends_small_frames_the_page_decodes_exactly(client: TestClient) -> None:
    decoder, sizes = GridDecoder(), []
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "hello", "hash": ""})
        state = ws.receive_json()
        playground = Playground.from_url(state["hash"])
        ws.send_json({"type": "play"})
        for _ in range(FRAMES):
            frame, data, size = next_frame(ws)
            sizes.append(size)
            grids = decoder.decode(data)
            assert grids is not None, f"a delta the page cannot apply at epoch {frame['epoch']}"
            assert np.array_equal(page_codes(grids), server_codes(playground, frame)), frame["epoch"]
        ws.send_json({"type": "pause"})
    assert frame["epoch"] >= FRAMES // 2  # it trained: the frames had something to show
    average = sum(sizes) / len(sizes)
    print(f"{average:.0f} bytes per frame over {len(sizes)} frames (first {sizes[0]})")
    assert average <= MAX_BYTES_PER_FRAME


def test_a_new_shape_and_a_key_frame_request_restart_the_deltas_other_changes_do_not(client: TestClient) -> None:
    decoder = GridDecoder()
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "hello", "hash": ""})
        _, first, _ = next_frame(ws)
        ws.send_json({"type": "step", "n": 1})
        _, delta, _ = next_frame(ws)
        ws.send_json({"type": "set", "changes": {"learningRate": 0.1}})
        _, same_shape, _ = next_frame(ws)
        ws.send_json({"type": "reset"})
        _, after_reset, _ = next_frame(ws)
        ws.send_json({"type": "set", "changes": {"networkShape": [3]}})
        _, new_shape, _ = next_frame(ws)
        ws.send_json({"type": "set", "changes": {"x": False}})  # a feature less: new inputs
        _, new_features, _ = next_frame(ws)
        ws.send_json({"type": "key_frame"})
        _, requested, _ = next_frame(ws)
    messages = (first, delta, same_shape, after_reset, new_shape, new_features, requested)
    assert [data[2] == 0 for data in messages] == [True, False, False, False, True, True, True]  # 0: a key frame
    assert all(decoder.decode(data) is not None for data in messages)  # the page follows every one
    fresh = GridDecoder()  # a page that missed everything before gets going again
    assert fresh.decode(delta) is None and fresh.decode(requested) is not None
