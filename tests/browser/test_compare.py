"""Compare mode in the browser: two runs on one page, a link that carries both."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import TFP_LINK, open_playground

pytestmark = pytest.mark.browser

COMPARE_LINK = f"{TFP_LINK}&compare=learningRate:0.3,networkShape:3"


def b_epoch(page) -> int:
    return int(page.text_content("#b-epoch").replace(",", ""))


def test_a_compare_link_trains_two_runs_and_the_page_changes_b(page, base_url, page_problems, artifacts):
    open_playground(page, base_url, COMPARE_LINK)
    expect(page.locator("#compare-panel")).to_be_visible()
    expect(page.locator("#compare-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#compare-differences")).to_have_text("learningRate:0.3,networkShape:3")
    expect(page.locator("#network-b .node.neuron")).to_have_count(3)  # B's one hidden layer of 3
    expect(page.locator("#network .node.neuron")).to_have_count(6)  # A's 4 + 2
    page.click("#play-pause-button")
    page.wait_for_function("() => parseInt(document.querySelector('#b-epoch').textContent.replace(',', '')) >= 30",
                           timeout=20_000)
    page.click("#play-pause-button")
    expect(page.locator("#linechart canvas")).to_have_attribute("data-runs", "2")
    expect(page.locator("#chart-legend")).to_be_visible()
    expect(page.locator("#compare-difference")).to_have_attribute("data-drawn", re.compile(r"\d+"))
    assert float(page.get_attribute("#compare-difference", "data-largest")) > 0  # the sides differ
    assert page.text_content("#b-loss-test") not in ("–", page.text_content("#loss-test"))
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)
    # B is the side changes go to by default: the learning rate control shows and changes B's.
    expect(page.locator("#learningRate")).to_have_value("0.3")
    page.select_option("#learningRate", "0.1")
    expect(page).to_have_url(re.compile(r"&compare=learningRate:0\.1,networkShape:3$"))
    expect(page).to_have_url(re.compile(r"learningRate=0\.03&"))  # A's is unchanged
    page.check("#compare-side-a")
    expect(page.locator("#learningRate")).to_have_value("0.03")
    page.click("#b-add-layers")  # B's own layer buttons change B whichever side the controls change
    expect(page).to_have_url(re.compile(r"&compare=learningRate:0\.1,networkShape:3,2$"))
    expect(page.locator("#network-b .node.neuron")).to_have_count(5)
    expect(page.locator("#num-layers")).to_have_text("2")  # A's
    assert page_problems == []


def test_compare_forks_the_playground_and_stop_keeps_the_chosen_side(page, base_url, page_problems):
    open_playground(page, base_url)
    expect(page.locator("#compare-panel")).to_be_hidden()
    page.click("#next-step-button")
    page.wait_for_function("() => document.querySelector('#iter-number').textContent === '000,001'")
    page.click("#compare-button")
    expect(page.locator("#compare-panel")).to_be_visible()
    expect(page).to_have_url(re.compile(r"&compare=$"))
    expect(page.locator("#b-epoch")).to_have_text("000,001")  # B starts from A's state
    page.select_option("#activations", "relu")
    expect(page).to_have_url(re.compile(r"&compare=activation:relu$"))
    page.click("#compare-stop")
    expect(page.locator("#compare-panel")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"activation=relu&"))
    assert "compare=" not in page.url
    assert page_problems == []


def test_compare_on_a_phone_stacks_b_and_the_difference(page, base_url, page_problems):
    page.set_viewport_size({"width": 390, "height": 844})
    open_playground(page, base_url, COMPARE_LINK)
    expect(page.locator("#network-b .node.output-node")).to_have_count(1)
    diagram = page.locator("#network-b").bounding_box()
    difference = page.locator("#compare-difference").bounding_box()
    assert diagram and difference and difference["y"] > diagram["y"] + diagram["height"] - 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390 + 1
    assert page_problems == []
