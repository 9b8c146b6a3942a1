"""The network diagram: layers and neurons added from the page are drawn."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_playground

pytestmark = pytest.mark.browser


def links_for(inputs: int, hidden: list[int]) -> int:
    sizes = [inputs, *hidden, 1]
    return sum(a * b for a, b in pairwise(sizes))


def test_adding_a_layer_and_a_neuron_redraws_the_diagram(page, base_url, page_problems):
    open_playground(page, base_url)  # inputs x, y, sinX, sinY; hidden 4,2
    expect(page.locator(".node.neuron")).to_have_count(6)
    expect(page.locator("#network path.link")).to_have_count(links_for(4, [4, 2]))

    page.click("#add-layers")
    expect(page).to_have_url(re.compile(r"networkShape=4,2,2&"))
    expect(page.locator("#num-layers")).to_have_text("3")
    expect(page.locator(".node.neuron")).to_have_count(8)
    expect(page.locator("#network path.link")).to_have_count(links_for(4, [4, 2, 2]))

    page.click("#add-neuron-1")
    expect(page).to_have_url(re.compile(r"networkShape=4,3,2&"))
    expect(page.locator(".neuron-count")).to_have_text(["4 neurons", "3 neurons", "2 neurons"])
    expect(page.locator(".node.neuron")).to_have_count(9)
    expect(page.locator("#network path.link")).to_have_count(links_for(4, [4, 3, 2]))
    # Every link gets its weight's colour and width from the next frame.
    expect(page.locator("#network path.link:not([stroke])")).to_have_count(0)

    page.click("#remove-layers")
    expect(page).to_have_url(re.compile(r"networkShape=4,3&"))
    expect(page.locator(".node.neuron")).to_have_count(7)

    # No hidden layer at all: the inputs link straight to the output, as in the original.
    page.click("#remove-layers")
    page.click("#remove-layers")  # straight after: clicks add up even before the server answers
    expect(page).to_have_url(re.compile(r"networkShape=&"))
    expect(page.locator("#remove-layers")).to_be_disabled()
    expect(page.locator(".node.neuron")).to_have_count(0)
    expect(page.locator("#network path.link")).to_have_count(links_for(4, []))
    expect(page.locator("#layers-label")).to_have_text("hidden layers")
    assert page_problems == []


def test_classic_limits_stop_at_six_layers_and_eight_neurons(page, base_url, page_problems):
    open_playground(page, base_url, "#networkShape=8,2,2,2,2,2&seed=0.5")
    expect(page.locator("#add-layers")).to_be_disabled()
    expect(page.locator("#add-neuron-0")).to_be_disabled()
    expect(page.locator("#add-neuron-1")).to_be_enabled()
    page.select_option("#mode", "extended")
    expect(page).to_have_url(re.compile(r"mode=extended"))
    expect(page.locator("#add-layers")).to_be_enabled()
    expect(page.locator("#add-neuron-0")).to_be_enabled()
    assert page_problems == []


def test_feature_click_toggles_the_input(page, base_url, page_problems):
    open_playground(page, base_url)
    page.click(".node.feature[data-setting='xTimesY']")
    expect(page).to_have_url(re.compile(r"xTimesY=true"))
    expect(page.locator(".node.feature.enabled")).to_have_count(5)
    page.click(".node.feature[data-setting='x']")
    expect(page).to_have_url(re.compile(r"&x=false"))
    expect(page.locator(".node.feature.enabled")).to_have_count(4)
    assert page_problems == []


def test_hovering_a_neuron_shows_its_map_in_the_output_square(page, base_url, page_problems):
    open_playground(page, base_url)
    output_map = "() => document.querySelector('#heatmap canvas.grid').toDataURL()"
    network_output = _settled(page, output_map)  # the grids come just after the frame's numbers
    thumbnail_size = page.evaluate("() => document.querySelector('.node.neuron canvas').width")
    assert thumbnail_size < 100
    page.hover(".node.neuron >> nth=0")
    expect(page.locator("#heatmap canvas.grid")).to_have_js_property("width", thumbnail_size)
    neuron_map = page.evaluate(output_map)
    thumbnail = page.evaluate("() => document.querySelector('.node.neuron canvas').toDataURL()")
    assert neuron_map != network_output
    assert neuron_map == thumbnail  # the same grid, drawn the same way
    page.mouse.move(5, 5)
    expect(page.locator("#heatmap canvas.grid")).to_have_js_property("width", 100)
    assert page.evaluate(output_map) == network_output
    assert page_problems == []


def test_features_are_drawn_in_the_input_layers_order(page, base_url, page_problems):
    open_playground(page, base_url)
    names = page.eval_on_selector_all(".node.feature", "nodes => nodes.map((n) => n.dataset.setting)")
    assert names == ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
    assert page_problems == []


def test_features_that_are_not_inputs_still_show_their_map(page, base_url, page_problems):
    open_playground(page, base_url)  # xSquared is not an input of this link
    page.wait_for_function("""() => {
        const canvas = document.querySelector(".node.feature[data-setting='xSquared'] canvas");
        return canvas.width > 1;
    }""")
    corner, centre = page.evaluate("""() => {
        const canvas = document.querySelector(".node.feature[data-setting='xSquared'] canvas");
        const context = canvas.getContext("2d");
        const pick = (x, y) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3));
        return [pick(0, 0), pick(canvas.width >> 1, canvas.height >> 1)];
    }""")
    assert corner != centre  # x² is large at the corner, 0 in the middle
    assert page_problems == []


def _settled(page, script: str, seconds: float = 5) -> str:
    """What ``script`` returns once two reads 200 ms apart agree (the drawing is done)."""
    previous = None
    for _ in range(int(seconds * 5)):
        current = page.evaluate(script)
        if current == previous:
            return current
        previous = current
        page.wait_for_timeout(200)
    raise AssertionError(f"still changing after {seconds} s")
