"""Training from the page: play, live changes without reset, weight edits."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import epoch_of, open_playground, wait_until

pytestmark = pytest.mark.browser


def test_play_trains_the_default_link_below_005_test_loss(page, base_url, page_problems, artifacts):
    open_playground(page, base_url)
    assert epoch_of(page) == 0
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => parseFloat(document.querySelector('#loss-test').textContent) < 0.05",
                           timeout=20_000)
    assert epoch_of(page) > 10
    page.screenshot(path=str(artifacts / "playground-trained.png"), full_page=True)
    assert (artifacts / "playground-trained.png").stat().st_size > 20_000
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    assert page_problems == []


def test_learning_rate_change_while_playing_keeps_training(page, base_url, page_problems):
    open_playground(page, base_url)
    page.click("#play-pause-button")
    page.wait_for_function("() => parseInt(document.querySelector('#iter-number').textContent.replace(',', '')) >= 20")
    before = epoch_of(page)
    page.select_option("#learningRate", "0.1")
    expect(page).to_have_url(re.compile(r"learningRate=0\.1&"))
    assert epoch_of(page) >= before  # no reset to epoch 0
    page.wait_for_function(
        f"() => parseInt(document.querySelector('#iter-number').textContent.replace(',', '')) > {before + 20}")
    expect(page.locator("#learningRate")).to_have_value("0.1")
    assert page_problems == []


def frames_of(page) -> list[dict]:
    """Every `frame` message the page receives from now on."""
    frames: list[dict] = []

    def watch(socket):
        def on_frame(payload):
            if isinstance(payload, str) and '"type":"frame"' in payload.replace(" ", ""):
                frames.append(json.loads(payload))
        socket.on("framereceived", on_frame)

    page.on("websocket", watch)
    return frames


def test_edited_weight_reaches_the_server(page, base_url, page_problems):
    frames = frames_of(page)
    open_playground(page, base_url)
    # The link from X₁ to the first neuron is straight (same row), so its middle is on it.
    x, y = page.evaluate("""() => {
        const path = document.querySelector('#network .link-hit');
        const point = path.getPointAtLength(path.getTotalLength() / 2);
        const box = path.ownerSVGElement.getBoundingClientRect();
        return [box.left + point.x, box.top + point.y];
    }""")
    page.mouse.move(x, y)
    expect(page.locator("#hovercard")).to_be_visible()
    expect(page.locator("#hovercard .hovercard-text")).to_contain_text("Weight is")
    page.mouse.click(x, y)
    field = page.locator("#hovercard input")
    expect(field).to_be_focused()
    field.fill("2.5")
    field.press("Enter")
    # Shown at once, then confirmed by the server's next frame.
    expect(page.locator("#network path.link").first).to_have_attribute("stroke-width", "5.5")
    wait_until(page, lambda: any(frame["weights"][0][0][0] == 2.5 for frame in frames))
    page.mouse.move(x, y - 40)
    page.mouse.move(x, y)
    expect(page.locator("#hovercard .hovercard-text")).to_have_text("Weight is 2.500")
    assert page_problems == []


def test_divergence_pauses_and_says_what_to_do(page, base_url, page_problems):
    open_playground(page, base_url, "#problem=regression&activation=linear&learningRate=10"
                                    "&networkShape=8,8,8&batchSize=1&seed=0.4")
    page.click("#play-pause-button")
    expect(page.locator("#messages")).to_contain_text("learning rate")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#loss-train")).to_have_text("–")  # NaN is not shown as a number
    page.select_option("#learningRate", "0.001")
    page.click("#reset-button")
    expect(page.locator("#loss-train")).not_to_have_text("–")
    assert page_problems == []


@pytest.mark.parametrize(("target", "value", "on_server"), [
    ("#network .node.neuron .bias", -1.25, lambda frame: frame["biases"][0][0]),
    ("#network .link-hit", -3.0, lambda frame: frame["weights"][0][0][0]),
], ids=["bias", "weight"])
def test_value_edited_from_the_keyboard_reaches_the_server(page, base_url, page_problems, target, value,
                                                           on_server):
    frames = frames_of(page)
    open_playground(page, base_url)
    element = page.locator(target).first
    element.focus()
    expect(page.locator("#hovercard .hovercard-text")).to_contain_text(" is ")
    element.press("Enter")
    field = page.locator("#hovercard input")
    expect(field).to_be_focused()
    field.fill(str(value))
    field.press("Enter")
    expect(page.locator("#hovercard")).to_be_hidden()
    wait_until(page, lambda: any(on_server(frame) == value for frame in frames))
    assert page_problems == []


def test_classic_speed_keeps_the_originals_pace(page, base_url, page_problems):
    """One epoch per animation frame, as TensorFlow Playground: ~300 epochs after 5 s of play."""
    open_playground(page, base_url, "#seed=0.25")
    started = page.evaluate("performance.now()")
    page.click("#play-pause-button")
    page.wait_for_timeout(5000)
    page.click("#play-pause-button")
    seconds = (page.evaluate("performance.now()") - started) / 1000
    page.wait_for_timeout(300)  # the pause's frame
    epochs = epoch_of(page)
    assert 0.85 * 60 * 5 <= epochs <= 60 * seconds + 1, (epochs, seconds)
