"""Links: a TensorFlow Playground URL opens the same network, and the page's URL
always equals the running configuration, so a copied link restores it."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_playground

pytestmark = pytest.mark.browser

CUSTOM_LINK = ("#activation=relu&regularization=L2&batchSize=17&dataset=xor&regDataset=reg-plane"
               "&learningRate=0.1&regularizationRate=0.003&noise=15&networkShape=3,5,2&seed=0.777"
               "&showTestData=true&discretize=true&percTrainData=70&x=false&y=true&xTimesY=true"
               "&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false"
               "&collectStats=false&problem=classification&initZero=false&hideText=false"
               "&learningRate_hide=true")


def test_tensorflow_playground_link_shows_every_value(page, base_url, page_problems):
    open_playground(page, base_url, CUSTOM_LINK)
    expect(page.locator("#activations")).to_have_value("relu")
    expect(page.locator("#regularizations")).to_have_value("L2")
    expect(page.locator("#regularRate")).to_have_value("0.003")
    expect(page.locator("#learningRate")).to_have_value("0.1")
    expect(page.locator("#problem")).to_have_value("classification")
    expect(page.locator("#batchSize")).to_have_value("17")
    expect(page.locator("#noise")).to_have_value("15")
    expect(page.locator("#percTrainData")).to_have_value("70")
    expect(page.locator("label[for='percTrainData']")).to_have_text("Ratio of training to test data: 70%")
    expect(page.locator("#show-test-data")).to_be_checked()
    expect(page.locator("#discretize")).to_be_checked()
    expect(page.locator("#seed")).to_have_value("0.777")
    expect(page.locator("#datasets .dataset.selected")).to_have_attribute("data-dataset", "xor")
    expect(page.locator(".node.feature.enabled")).to_have_count(2)
    expect(page.locator(".node.feature.disabled[data-setting='x']")).to_have_count(1)
    expect(page.locator(".node.feature.enabled[data-setting='xTimesY']")).to_have_count(1)
    expect(page.locator("#num-layers")).to_have_text("3")
    expect(page.locator(".node.neuron")).to_have_count(3 + 5 + 2)
    expect(page.locator(".neuron-count")).to_have_text(["3 neurons", "5 neurons", "2 neurons"])
    # `learningRate_hide=true` hides that control, as in the original.
    expect(page.locator("[data-setting='learningRate']")).to_be_hidden()
    expect(page.locator("#activations")).to_be_visible()
    assert "networkShape=3,5,2" in page.url and "learningRate_hide=true" in page.url
    assert page_problems == []


def test_copied_link_restores_the_configuration_in_a_new_page(page, base_url, page_problems):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_playground(page, base_url)
    page.select_option("#activations", "sigmoid")
    expect(page).to_have_url(re.compile(r"activation=sigmoid"))
    page.click(".node.feature[data-setting='xSquared']")
    expect(page).to_have_url(re.compile(r"xSquared=true"))
    page.click("#add-layers")
    expect(page).to_have_url(re.compile(r"networkShape=4,2,2"))
    page.click("#copy-link-button")
    expect(page.locator("#tool-feedback")).to_contain_text("copied")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.url

    second = page.context.new_page()
    second.goto(link)
    second.wait_for_selector("#connection-status[data-status='connected']")
    expect(second.locator("#activations")).to_have_value("sigmoid")
    expect(second.locator(".node.feature.enabled[data-setting='xSquared']")).to_have_count(1)
    expect(second.locator("#num-layers")).to_have_text("3")
    expect(second.locator(".node.neuron")).to_have_count(4 + 2 + 2)
    assert second.url == link
    # Same link (same seed): the same data, point for point.
    data = downloaded_csv(page)
    assert data.count("\n") == 1 + 500  # header and the circle's 500 points
    assert downloaded_csv(second) == data
    assert page_problems == []


def downloaded_csv(page) -> str:
    with page.expect_download() as download:
        page.click("#download-csv-button")
    return Path(download.value.path()).read_text()


def test_link_values_the_server_cannot_take_are_reported(page, base_url, page_problems):
    open_playground(page, base_url, "#learningRate=fast&activation=tanh&seed=0.5")
    expect(page.locator("#messages")).to_contain_text("learningRate")
    expect(page.locator("#learningRate")).to_have_value("0.03")  # the default stays
    assert "learningRate=0.03" in page.url
    assert page_problems == []


def test_controls_offer_exactly_the_settings_table(page, base_url, page_problems):
    with urllib.request.urlopen(f"{base_url}/settings.json") as response:
        table = {row["name"]: row for row in json.load(response)["settings"]}
    open_playground(page, base_url)
    for name, element in (("activation", "#activations"), ("optimizer", "#optimizer"),
                          ("loss", "#loss"), ("init", "#init"), ("speed", "#speed"), ("mode", "#mode")):
        values = page.eval_on_selector_all(f"{element} option", "options => options.map(o => o.value)")
        assert values == table[name]["choices"], name
    learning_rates = page.eval_on_selector_all("#learningRate option", "options => options.map(o => +o.value)")
    assert learning_rates == table["learningRate"]["options"]
    datasets = page.eval_on_selector_all("#datasets .dataset", "buttons => buttons.map(b => b.dataset.dataset)")
    assert datasets == table["dataset"]["choices"]

    page.select_option("#activations", "leakyRelu")
    expect(page).to_have_url(re.compile(r"activation=leakyRelu"))
    page.click("#datasets .dataset[data-dataset='moons']")
    expect(page).to_have_url(re.compile(r"dataset=moons"))
    expect(page.locator("#datasets .dataset.selected")).to_have_attribute("data-dataset", "moons")
    assert page_problems == []


def test_optimizer_settings_show_only_with_their_optimizer(page, base_url, page_problems):
    open_playground(page, base_url)
    momentum = page.locator(".control[data-setting='momentum']")
    beta1 = page.locator(".control[data-setting='beta1']")
    expect(momentum).to_be_hidden()
    expect(beta1).to_be_hidden()
    page.select_option("#optimizer", "momentum")
    expect(momentum).to_be_visible()
    expect(beta1).to_be_hidden()
    page.select_option("#optimizer", "adam")
    expect(beta1).to_be_visible()
    expect(momentum).to_be_hidden()
    assert page_problems == []


def test_every_dataset_square_shows_points_before_it_is_used(page, base_url, page_problems):
    open_playground(page, base_url)
    page.wait_for_function("""() => {
        const canvas = document.querySelector(".dataset[data-dataset='spiral'] canvas");
        const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        const first = pixels.slice(0, 4).join();
        for (let i = 0; i < pixels.length; i += 4) if (pixels.slice(i, i + 4).join() !== first) return true;
        return false;
    }""")
    assert page_problems == []


def test_a_link_too_long_to_open_says_so_at_once_and_opens_the_default(page, base_url, page_problems):
    limit = json.loads(urllib.request.urlopen(f"{base_url}/settings.json").read())["limits"]["max_hash_length"]
    page.goto(f"{base_url}/#seed=1&x=" + "a" * (5 * limit))  # a 100 KB paste
    expect(page.locator("#messages")).to_contain_text("characters long", timeout=2000)
    page.wait_for_selector("#connection-status[data-status='connected']")
    page.wait_for_function("() => document.querySelector('#loss-train').textContent !== '–'", timeout=5000)
    assert len(page.evaluate("location.hash")) <= limit
