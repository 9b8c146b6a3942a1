"""The look of the original (tfp-reference 7a): pastel maps under visible points,
axis ticks, 2 px neuron borders, dashed links that flow, and the small fixes
(3-decimal editor, Space after a dataset click, the phone header)."""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import expect

from nn_core import Playground
from tests.browser.helpers import TFP_LINK, epoch_of, open_playground, screenshot_pixels, wait_until

pytestmark = pytest.mark.browser

SIDE = 300  # CSS px of the output square at 1366×768
EXTENT = 6


def isolated_points(link: str, label: float, count: int = 6) -> list[tuple[float, float]]:
    """Training points of `label` with no other point within 10 px, away from the edges."""
    train = Playground.from_url(link).train
    points = list(zip(train.x, train.y, train.label, strict=True))
    pixels = [((x + EXTENT) / (2 * EXTENT) * SIDE, (EXTENT - y) / (2 * EXTENT) * SIDE) for x, y, _ in points]
    chosen = []
    for (px, py), (_, _, value) in zip(pixels, points, strict=True):
        crowded = sum(math.dist((px, py), other) < 10 for other in pixels) > 1
        if value == label and not crowded and 10 < px < SIDE - 10 and 10 < py < SIDE - 10:
            chosen.append((px, py))
    assert len(chosen) >= count
    return chosen[:count]


def colour_distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> int:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("discretize", [False, True])
def test_training_points_differ_clearly_from_the_map_next_to_them(page, base_url, page_problems, artifacts,
                                                                   discretize):
    link = TFP_LINK.replace("discretize=false", f"discretize={str(discretize).lower()}")
    open_playground(page, base_url, link)
    page.click("#play-pause-button")  # train until the map takes the classes' colours
    wait_until(page, lambda: epoch_of(page) >= 150, seconds=15)
    page.click("#play-pause-button")
    page.wait_for_timeout(300)
    page.mouse.move(0, 0)
    pixel = screenshot_pixels(page, "#heatmap")
    for label in (1, -1):
        for px, py in isolated_points(link, label):
            centre, beside = pixel(px, py), pixel(px + 6, py)
            assert colour_distance(centre, beside) > 90, (label, px, py, centre, beside)
    name = f"look-1366-discretize-{str(discretize).lower()}"
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    page.locator(".output-column").screenshot(path=str(artifacts / f"{name}-output.png"))
    assert page_problems == []


def test_maps_are_pastel_over_white(page, base_url, page_problems):
    open_playground(page, base_url)
    wait_until(page, lambda: page.evaluate("() => !!document.querySelector('#heatmap canvas.grid').imageCache"))
    alphas = page.evaluate("""() => {
      const canvas = document.querySelector('#heatmap canvas.grid');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      return [...new Set(data.filter((_, i) => i % 4 === 3))];
    }""")
    assert alphas == [160]
    assert page_problems == []


def test_axes_borders_and_flowing_dashed_links(page, base_url, page_problems):
    open_playground(page, base_url)
    expect(page.locator("#heatmap .axis-x .tick")).to_have_count(13)
    expect(page.locator("#heatmap .axis-y .tick")).to_have_count(13)
    ticks_y = page.locator("#heatmap .axis-y .tick")
    top = "t => t.getBoundingClientRect().top"
    assert (ticks_y.first.text_content(), ticks_y.last.text_content()) == ("-6", "6")
    assert ticks_y.last.evaluate(top) < ticks_y.first.evaluate(top), "+6 is at the top"
    assert page.eval_on_selector(".node.neuron", "n => getComputedStyle(n).borderTopWidth") == "2px"
    link = page.locator("#network path.link").first
    assert link.evaluate("l => getComputedStyle(l).strokeDasharray") == "9px, 1px"
    offset = "l => getComputedStyle(l).strokeDashoffset"
    before = link.evaluate(offset)
    page.click("#play-pause-button")
    wait_until(page, lambda: link.evaluate(offset) != before)
    page.emulate_media(reduced_motion="reduce")
    assert link.evaluate(offset) == "0px"
    page.click("#play-pause-button")
    assert page_problems == []


def test_the_weight_editor_shows_three_decimals(page, base_url, page_problems):
    open_playground(page, base_url)
    page.focus("#network path.link-hit")
    page.keyboard.press("Enter")
    expect(page.locator(".hovercard-form input")).to_have_value(re.compile(r"^-?\d+\.\d{3}$"))
    assert page_problems == []


def test_space_plays_after_a_dataset_square_was_clicked(page, base_url, page_problems):
    open_playground(page, base_url)
    page.click("#datasets .dataset[data-dataset='xor']")
    expect(page.locator("#datasets .dataset.selected")).to_have_attribute("data-dataset", "xor")
    page.keyboard.press(" ")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#datasets .dataset.selected")).to_have_attribute("data-dataset", "xor")
    wait_until(page, lambda: epoch_of(page) > 0)
    page.keyboard.press(" ")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    assert page_problems == []


def test_the_phone_header_keeps_its_tagline_short(page, base_url, page_problems, artifacts):
    page.set_viewport_size({"width": 390, "height": 844})
    open_playground(page, base_url)
    tagline = page.locator(".tagline")
    height = tagline.evaluate("t => t.getBoundingClientRect().height")
    line = tagline.evaluate("t => 1.3 * parseFloat(getComputedStyle(t).fontSize)")
    assert height <= 2.2 * line, (height, line)
    page.screenshot(path=str(artifacts / "look-phone-390.png"))
    assert page_problems == []
