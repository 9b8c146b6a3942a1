"""The page's grids after seconds of deltas equal a fresh key frame of the same state."""

from __future__ import annotations

import json

import numpy as np
import pytest
from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.browser.helpers import epoch_of, open_playground
from tests.grid_decoder import GridDecoder, Grids

pytestmark = pytest.mark.browser

# The page's own state object (app/static/js/state.js): the same module instance the page uses.
PAGE_STATE = """async () => {
  const { page } = await import("/static/js/state.js");
  return { hash: location.hash, epoch: page.epoch, weights: page.weights, biases: page.biases,
           output: Array.from(page.grids.output), thumbnails: page.grids.thumbnails.map((t) => Array.from(t)) };
}"""


def key_frame_of(ws_url: str, state: dict) -> Grids:
    """What the server sends a new page that resumes from the page's weights: a key frame."""
    resume = {"epoch": state["epoch"], "weights": state["weights"], "biases": state["biases"]}
    with connect(ws_url) as ws:
        ws.send(json.dumps({"type": "hello", "hash": state["hash"], "resume": resume}))
        while json.loads(ws.recv(timeout=10)).get("type") != "frame":
            pass
        grids = GridDecoder().decode(ws.recv(timeout=10))
    assert grids is not None
    return grids


def test_after_seconds_of_deltas_the_page_draws_what_a_key_frame_holds(page, base_url, page_problems):
    open_playground(page, base_url)
    page.click("#play-pause-button")
    page.wait_for_function("() => parseInt(document.querySelector('#iter-number').textContent.replace(',', '')) >= 150",
                           timeout=20_000)
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    page.wait_for_timeout(500)  # the pause's frame, and any frame on its way, are in
    state = page.evaluate(PAGE_STATE)
    assert state["epoch"] == epoch_of(page) >= 150
    fresh = key_frame_of(base_url.replace("http", "ws") + "/ws", state)
    assert fresh.epoch == state["epoch"]
    assert np.array_equal(np.array(state["output"], dtype=np.uint8), fresh.output.ravel())
    thumbnails = np.array(state["thumbnails"], dtype=np.uint8)
    assert np.array_equal(thumbnails, fresh.thumbnails.reshape(len(thumbnails), -1))
    assert page_problems == []
