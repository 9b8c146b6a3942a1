"""Time travel from the page: the scrubber shows a past epoch, "Continue from here" branches
there, and a diverging link offers its two ways back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import epoch_of, open_playground, wait_until

pytestmark = pytest.mark.browser

LINK = "#seed=0.5&dataset=xor&networkShape=3&batchSize=7"
DIVERGING = "#seed=0.5&networkShape=4,2&activation=relu&learningRate=10&problem=regression&regDataset=reg-plane"


def step(page, times: int) -> None:
    for _ in range(times):
        before = epoch_of(page)
        page.click("#next-step-button")
        wait_until(page, lambda before=before: epoch_of(page) > before)


def test_the_scrubber_shows_a_past_epoch_and_continue_branches_there(page, base_url, page_problems):
    open_playground(page, base_url, LINK)
    step(page, 6)
    expect(page.locator("#scrubber")).to_have_attribute("max", "6")
    loss_now = page.locator("#loss-train").text_content()
    slider = page.locator("#scrubber")
    slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowLeft")  # keyboard accessible: each press a `seek`
    wait_until(page, lambda: epoch_of(page) == 2)
    expect(page.locator("#scrubber-epoch")).to_have_text("2")
    expect(page.locator("#continue-here")).to_be_visible()
    assert page.locator("#loss-train").text_content() != loss_now
    page.keyboard.press("End")  # back to the present: nothing was lost
    wait_until(page, lambda: epoch_of(page) == 6)
    expect(page.locator("#loss-train")).to_have_text(loss_now)
    page.keyboard.press("Home")
    wait_until(page, lambda: epoch_of(page) == 0)
    chart = page.locator("#linechart canvas")
    expect(chart).to_have_attribute("data-branches", "0")
    page.click("#continue-here")
    expect(page.locator("#continue-here")).to_be_hidden()
    expect(chart).to_have_attribute("data-branches", "1")  # the first run, faded behind the new one
    step(page, 1)
    expect(page.locator("#scrubber")).to_have_attribute("max", "1")
    page.click("#reset-button")
    expect(chart).to_have_attribute("data-branches", "0")  # until a reset
    assert page_problems == []


def test_a_diverging_link_offers_to_rewind_with_a_tenth_of_the_rate(page, base_url, page_problems):
    open_playground(page, base_url, DIVERGING)
    step(page, 2)
    page.click("#play-pause-button")  # a diverged network answers `diverged`
    expect(page.locator("#messages")).to_contain_text("the output layer's gradients")
    button = page.locator("#recover")
    expect(button).to_have_text("Rewind to epoch 0 with learning rate 1")
    button.click()
    expect(page.locator("#learningRate")).to_have_value("1")
    expect(button).to_be_hidden()
    expect(page.locator("#recover-clip")).to_be_hidden()
    assert epoch_of(page) == 0
    assert page_problems == []


def test_a_diverging_link_offers_to_rewind_with_gradient_clipping(page, base_url, page_problems):
    open_playground(page, base_url, DIVERGING)
    step(page, 2)
    page.click("#play-pause-button")
    button = page.locator("#recover-clip")
    expect(button).to_have_text("Rewind to epoch 0 with gradient clipping at 0.25")
    button.click()
    expect(page.locator("#gradientClip")).to_have_value("0.25")  # the control built from /settings.json
    expect(button).to_be_hidden()
    wait_until(page, lambda: "gradientClip=0.25" in page.evaluate("location.hash"))  # and the link carries it
    expect(page.locator("#learningRate")).to_have_value("10")
    assert epoch_of(page) == 0
    assert page_problems == []
