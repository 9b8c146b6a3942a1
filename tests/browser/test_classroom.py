"""Classroom links (tfp-reference 7b) and what a change does (section 8): every
`NAME_hide=true` hides exactly its control, hideText the text parts, a hidden
feature leaves the network, the classroom checkboxes rewrite the link, the
"keep learned weights" checkbox both ways, and Reset pauses."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from nn_core.settings import FEATURE_NAMES, HIDEABLE, SETTINGS
from tests.browser.helpers import TFP_LINK, epoch_of, open_playground, wait_until

pytestmark = pytest.mark.browser

FEATURES = {name for name in FEATURE_NAMES if SETTINGS[name].group == "features"}
CONTROLS = [name for name in HIDEABLE if name not in FEATURES]
ALL_HIDDEN = TFP_LINK + "".join(f"&{name}_hide=true" for name in CONTROLS)
HIDDEN_STATE = "els => els.map(e => e.hidden)"


def test_each_hide_key_hides_its_control_and_only_with_the_key(page, base_url, page_problems):
    open_playground(page, base_url)
    for name in CONTROLS:
        assert page.locator(f".ui-{name}").count() >= 1, f"nothing on the page is ui-{name}"
        assert not any(page.eval_on_selector_all(f".ui-{name}", HIDDEN_STATE)), name
    expect(page.locator("#play-pause-button")).to_be_visible()
    page.goto("about:blank")  # a new page load, not just a new hash
    open_playground(page, base_url, ALL_HIDDEN)
    for name in CONTROLS:
        assert all(page.eval_on_selector_all(f".ui-{name}", HIDDEN_STATE)), name
    for element in ("#play-pause-button", "#next-step-button", "#reset-button", "#add-layers",
                    "#learningRate", "#datasets", "#data-regen-button", "#slot-engine"):
        expect(page.locator(element)).to_be_hidden()
    expect(page.locator("#heatmap")).to_be_visible()  # the network and the output stay
    assert all(f"{name}_hide=true" in page.url for name in CONTROLS)
    assert page_problems == []


def test_hide_text_hides_the_header_the_article_and_more(page, base_url, page_problems):
    open_playground(page, base_url, TFP_LINK.replace("hideText=false", "hideText=true"))
    for part in (".site-header", ".article", ".more"):
        expect(page.locator(part)).to_be_hidden()
    expect(page.locator(".playground")).to_be_visible()
    page.goto("about:blank")
    open_playground(page, base_url)
    for part in (".site-header", ".article", ".more"):
        expect(page.locator(part)).to_be_visible()
    assert page_problems == []


def test_a_hidden_feature_leaves_the_network_with_its_links(page, base_url, page_problems):
    open_playground(page, base_url, TFP_LINK + "&x_hide=true")
    expect(page.locator(".node.feature[data-setting='x']")).to_have_count(0)
    expect(page.locator(".node.feature")).to_have_count(len(FEATURES) - 1)
    # y, sin(X₁), sin(X₂) in; 4 and 2 hidden neurons; one output.
    expect(page.locator("#network path.link")).to_have_count(3 * 4 + 4 * 2 + 2)
    assert "x_hide=true" in page.url
    assert page_problems == []


def test_classroom_checkboxes_rewrite_the_link_that_then_hides(page, base_url, page_problems):
    open_playground(page, base_url)
    expect(page.locator("#classroom-choices input")).to_have_count(len(HIDEABLE) + 1)
    page.uncheck("#show-playButton")
    expect(page).to_have_url(re.compile(r"&playButton_hide=true$"))
    expect(page.locator("#classroom-link")).to_have_attribute("href", re.compile(r"playButton_hide=true"))
    page.uncheck("#show-text")
    expect(page).to_have_url(re.compile(r"hideText=true"))
    expect(page.locator("#play-pause-button")).to_be_visible()  # hidden for whoever opens the link
    page.check("#show-playButton")
    expect(page).not_to_have_url(re.compile(r"playButton_hide"))
    page.uncheck("#show-noise")
    expect(page.locator("#classroom-link")).to_have_attribute("href", re.compile(r"noise_hide=true"))
    link = page.get_attribute("#classroom-link", "href")
    page.goto("about:blank")
    page.goto(link)
    page.wait_for_selector("#connection-status[data-status='connected']", state="attached")
    expect(page.locator(".ui-noise")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#play-pause-button")).to_be_visible()
    assert page_problems == []


def play_until_epoch(page, epoch: int) -> None:
    page.click("#play-pause-button")
    wait_until(page, lambda: epoch_of(page) >= epoch, seconds=10)


def test_keep_learned_weights_on_keeps_the_epoch_across_a_change(page, base_url, page_problems):
    open_playground(page, base_url)
    expect(page.locator("#keepWeights")).to_be_checked()
    play_until_epoch(page, 30)
    page.select_option("#activations", "relu")
    expect(page).to_have_url(re.compile(r"activation=relu"))
    page.wait_for_timeout(500)
    assert epoch_of(page) > 30
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "true")
    page.click("#play-pause-button")
    assert page_problems == []


def test_keep_learned_weights_off_resets_and_pauses_as_the_original(page, base_url, page_problems):
    open_playground(page, base_url)
    page.uncheck("#keepWeights")
    expect(page).to_have_url(re.compile(r"keepWeights=false"))
    play_until_epoch(page, 30)
    page.select_option("#activations", "relu")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    wait_until(page, lambda: epoch_of(page) == 0)
    page.wait_for_timeout(500)
    assert epoch_of(page) == 0
    play_until_epoch(page, 10)
    page.select_option("#learningRate", "0.1")  # the original changes nothing else here
    page.wait_for_timeout(500)
    assert epoch_of(page) > 10
    page.click("#play-pause-button")
    assert page_problems == []


def test_reset_pauses_at_epoch_zero(page, base_url, page_problems):
    open_playground(page, base_url)
    play_until_epoch(page, 20)
    page.click("#reset-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    wait_until(page, lambda: epoch_of(page) == 0)
    page.wait_for_timeout(500)
    assert epoch_of(page) == 0
    assert page_problems == []
