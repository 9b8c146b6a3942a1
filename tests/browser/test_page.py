"""The page as a whole: tools, keyboard, reconnecting, and no errors or CSP violations."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import epoch_of, open_playground, wait_until
from tests.servers import ServerProcess

pytestmark = pytest.mark.browser


def test_csp_violations_are_caught_by_the_watcher(page, base_url, page_problems):
    """The watcher must be able to fail: an inline style is reported."""
    open_playground(page, base_url)
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    wait_until(page, lambda: any("CSP violation" in problem for problem in page_problems))


def test_every_tool_runs_without_console_errors_or_csp_violations(page, base_url, page_problems, artifacts):
    open_playground(page, base_url)
    page.keyboard.press("ArrowRight")
    expect(page.locator("#iter-number")).to_have_text("000,001")
    page.keyboard.press(" ")
    page.wait_for_function("() => parseInt(document.querySelector('#iter-number').textContent.replace(',', '')) > 20")
    page.hover(".node.neuron >> nth=0")
    page.hover(".node.output-node")
    page.check("#show-test-data")
    page.check("#discretize")
    expect(page).to_have_url(re.compile(r"showTestData=true&discretize=true"))
    page.select_option("#optimizer", "adam")
    page.select_option("#speed", "x10")
    expect(page).to_have_url(re.compile(r"optimizer=adam"))
    page.evaluate("document.activeElement.blur()")  # shortcuts are off while a field has focus
    page.keyboard.press(" ")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")

    page.click("#gradient-check-button")
    expect(page.locator("#tool-feedback")).to_contain_text("Gradients OK")
    with page.expect_download() as model:
        page.click("#export-model-button")
    assert json.loads(Path(model.value.path()).read_text())
    with page.expect_download() as png:
        page.click("#export-png-button")
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page.keyboard.press("r")
    expect(page.locator("#iter-number")).to_have_text("000,000")
    page.click("#data-regen-button")
    page.select_option("#problem", "regression")
    expect(page.locator("#datasets .dataset.selected")).to_have_attribute("data-dataset", "reg-plane")
    page.screenshot(path=str(artifacts / "playground-tools.png"), full_page=True)
    assert page_problems == []


def test_typing_in_a_field_does_not_trigger_shortcuts(page, base_url, page_problems):
    open_playground(page, base_url)
    page.select_option("#optimizer", "momentum")  # momentum's field shows with its optimizer
    page.fill("#momentum", "")
    page.type("#momentum", "0.5 r")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert epoch_of(page) == 0
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    assert page_problems == []


def test_phone_sized_screen_keeps_everything_reachable(page, base_url, page_problems, artifacts):
    page.set_viewport_size({"width": 390, "height": 844})
    open_playground(page, base_url)
    for selector in ("#play-pause-button", "#learningRate", "#heatmap", "#add-layers", "#data-regen-button"):
        page.locator(selector).scroll_into_view_if_needed()
        expect(page.locator(selector)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"
    page.screenshot(path=str(artifacts / "playground-phone.png"), full_page=True)
    assert page_problems == []


@pytest.fixture
def own_server():
    """A server of this test's own, which the test may stop and start again."""
    server = ServerProcess()
    server.start()
    yield server.url, server.start, server.stop
    server.stop()


def test_reconnect_resumes_training_where_it_was(page, own_server):
    url, start, stop = own_server
    open_playground(page, url)
    page.click("#play-pause-button")
    page.wait_for_function("() => parseInt(document.querySelector('#iter-number').textContent.replace(',', '')) > 40")
    stop()
    expect(page.locator("#connection-status")).to_have_attribute("data-status", re.compile("disconnected|reconnecting"))
    before = epoch_of(page)
    start()
    expect(page.locator("#connection-status")).to_have_attribute("data-status", "connected", timeout=20_000)
    # The new session starts from the old weights and epoch, and trains on.
    page.wait_for_function(
        f"() => parseInt(document.querySelector('#iter-number').textContent.replace(',', '')) > {before + 10}")
    assert float(page.text_content("#loss-train")) < 0.4


def slow_server(route):
    """Every server message reaches the page 0.2 s late, in order."""
    server = route.connect_to_server()

    def forward(message):
        time.sleep(0.2)
        route.send(message)

    server.on_message(forward)


SAMPLE_FOR_A_SECOND = """([selector, property]) => new Promise((resolve) => {
    const element = document.querySelector(selector);
    const seen = new Set();
    let samples = 0;
    const timer = setInterval(() => {
        seen.add(String(element[property] ?? element.getAttribute(property)));
        if (++samples === 50) { clearInterval(timer); resolve([...seen]); }
    }, 20);
})"""


def test_quick_changes_are_not_undone_by_an_older_state(page, base_url, page_problems):
    page.route_web_socket(re.compile(r".*/ws$"), slow_server)
    open_playground(page, base_url)
    page.click("#show-test-data")
    page.click("#discretize")  # the `state` answering the first click arrives after this one
    seen = page.evaluate(SAMPLE_FOR_A_SECOND, ["#discretize", "checked"])
    assert seen == ["true"], "an older state undid the click for a moment"
    expect(page.locator("#discretize")).to_be_checked()
    expect(page.locator("#show-test-data")).to_be_checked()
    expect(page).to_have_url(re.compile(r"showTestData=true&discretize=true"))
    assert page_problems == []


def test_an_idle_page_lets_go_of_its_session_and_wakes_on_the_next_action(page, page_problems):
    with ServerProcess(env={"NNP_IDLE_TIMEOUT": "1"}) as server:
        open_playground(page, server.url)
        status = page.locator("#connection-status")
        expect(status).to_have_attribute("data-status", "disconnected", timeout=10_000)
        page.wait_for_timeout(2500)  # no reconnect of its own: the server's place stays free
        expect(status).to_have_attribute("data-status", "disconnected")
        page.click("#next-step-button")
        expect(status).to_have_attribute("data-status", "connected")
        expect(page.locator("#iter-number")).to_have_text("000,001")
    assert page_problems == []


PAUSE_ANSWER_DELAY = 0.8  # seconds: under the page's PLAY_CONFIRM_MS (1 s), over a slow paint


def frame_in_flight_at_pause(route):
    """When the page pauses, a frame the server sent before seeing it arrives after
    it, and the server's answer to the pause comes :data:`PAUSE_ANSWER_DELAY` later."""
    server = route.connect_to_server()
    last_frame, paused = [], []

    def from_server(message):
        if paused and paused.pop():
            time.sleep(PAUSE_ANSWER_DELAY)
        if isinstance(message, str) and json.loads(message)["type"] == "frame":
            last_frame[:] = [message]
        route.send(message)

    def from_page(message):
        server.send(message)
        if json.loads(message)["type"] == "pause" and last_frame:
            route.send(last_frame[0])  # says playing: true
            paused.append(True)

    server.on_message(from_server)
    route.on_message(from_page)


# Records an attribute's values from now on, each with the milliseconds since the next click on
# the element (the values before the click with negative times).
RECORD_FROM_THE_CLICK = """([selector, attribute]) => {
    const element = document.querySelector(selector);
    window.recorded = { clickAt: null, values: [] };
    const now = () => performance.now() - (window.recorded.clickAt ?? Infinity);
    element.addEventListener("click", () => { window.recorded.clickAt = performance.now(); },
                              { capture: true, once: true });
    const note = () => window.recorded.values.push([now(), element.getAttribute(attribute)]);
    new MutationObserver(note).observe(element, { attributes: true, attributeFilter: [attribute] });
    note();
}"""


def test_pause_is_not_undone_by_a_frame_already_on_its_way(page, base_url, page_problems):
    """The frame in flight says playing; the button shows the pause from the first paint after
    the click on, never playing again, long before the server's answer confirms it."""
    page.route_web_socket(re.compile(r".*/ws$"), frame_in_flight_at_pause)
    open_playground(page, base_url)
    page.click("#play-pause-button")
    page.wait_for_function("() => document.querySelector('#iter-number').textContent !== '000,000'")
    page.evaluate(RECORD_FROM_THE_CLICK, ["#play-pause-button", "aria-pressed"])
    page.click("#play-pause-button")
    page.wait_for_timeout(PAUSE_ANSWER_DELAY * 1000 + 700)  # the answer, and frames after it
    values = page.evaluate("() => window.recorded.values")
    after_click = [(ms, value) for ms, value in values if ms >= 0]
    assert after_click and after_click[-1][1] == "false", values
    first_paused = next(ms for ms, value in after_click if value == "false")
    assert first_paused < PAUSE_ANSWER_DELAY * 1000 * 0.75, values  # not only once the server said so
    assert all(value == "false" for ms, value in after_click if ms >= first_paused), values
    assert page_problems == []


def test_after_a_reconnect_the_loss_chart_keeps_its_history(page, own_server):
    url, start, stop = own_server
    open_playground(page, url, "#seed=0.3&networkShape=3")
    for epoch in range(1, 6):
        page.click("#next-step-button")
        page.wait_for_function(f"() => document.querySelector('#iter-number').textContent.endsWith('{epoch:03d}')")
    stop()
    expect(page.locator("#connection-status")).to_have_attribute("data-status", re.compile("disconnected|reconnecting"))
    start()
    expect(page.locator("#connection-status")).to_have_attribute("data-status", "connected", timeout=20_000)
    page.click("#next-step-button")
    page.wait_for_function("() => document.querySelector('#iter-number').textContent.endsWith('006')")
    with page.expect_download() as download:
        page.click("#export-model-button")
    history = json.loads(Path(download.value.path()).read_text())["history"]
    assert [point[0] for point in history] == [0, 1, 2, 3, 4, 5, 6]  # the new session has the old past


def test_a_page_woken_from_idle_does_what_was_clicked_not_what_it_had(page, page_problems):
    """Waking sends hello, the user's points and play first, then the click: the click wins."""
    from tests.browser.test_data import draw

    with ServerProcess(env={"NNP_IDLE_TIMEOUT": "1"}) as server:
        open_playground(page, server.url, "#seed=0.4&dataset=circle")
        draw(page, 3, 3, label=-1)  # your own data now
        expect(page).to_have_url(re.compile(r"dataset=custom"))
        status = page.locator("#connection-status")
        expect(status).to_have_attribute("data-status", "disconnected", timeout=10_000)
        page.click("#datasets .dataset[data-dataset='spiral']")
        expect(status).to_have_attribute("data-status", "connected")
        page.wait_for_timeout(1000)  # every answer in
        expect(page).to_have_url(re.compile(r"dataset=spiral"))
        expect(page.locator("#datasets .dataset.selected")).to_have_attribute("data-dataset", "spiral")
    assert page_problems == []
