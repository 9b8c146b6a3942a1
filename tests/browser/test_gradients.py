"""Gradients while training: the toggle redraws the links by gradient, the chart of each layer's
gradient size, and the plot of the chosen activation and its derivative."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import TFP_LINK, epoch_of, open_playground, wait_until

pytestmark = pytest.mark.browser


def watch_frames(page) -> list[dict]:
    """Every JSON frame the page receives, in order (register before the page opens)."""
    frames: list[dict] = []

    def on_text(payload: str | bytes) -> None:
        if isinstance(payload, str) and payload.startswith('{"type":"frame"'):
            frames.append(json.loads(payload))

    page.on("websocket", lambda socket: socket.on("framereceived", on_text))
    return frames


def link_widths(page) -> list[str]:
    return page.eval_on_selector_all("#network path.link", "paths => paths.map(p => p.getAttribute('stroke-width'))")


def widths_of(values: list[list[list[float]]], scale: float) -> list[str]:
    """network.js's widths, in its order of links: |v|·scale in [0, 5] → [1, 10] px, one decimal."""
    return [f"{1 + (min(abs(v * scale), 5) / 5) * 9:.1f}" for layer in values for row in layer for v in row]


def test_the_gradient_toggle_redraws_the_links_by_the_last_updates_gradient(page, base_url, page_problems):
    frames = watch_frames(page)
    open_playground(page, base_url)
    page.click("#next-step-button")
    wait_until(page, lambda: epoch_of(page) == 1)
    weights = frames[-1]["weights"]
    wait_until(page, lambda: link_widths(page) == widths_of(weights, 1))

    page.check("#show-gradients")
    wait_until(page, lambda: "gradients" in frames[-1])
    gradients = frames[-1]["gradients"]
    largest = max(abs(g) for layer in gradients for row in layer for g in row)
    by_gradient = widths_of([[[g / largest for g in row] for row in layer] for layer in gradients], 5)
    assert by_gradient != widths_of(weights, 1) and "10.0" in by_gradient
    wait_until(page, lambda: link_widths(page) == by_gradient)
    expect(page.locator("#network.showing-gradients")).to_have_count(1)

    page.uncheck("#show-gradients")
    wait_until(page, lambda: link_widths(page) == widths_of(frames[-1]["weights"], 1))
    assert "gradients" not in frames[-1]
    assert page_problems == []


def test_the_gradient_chart_appears_with_the_toggle_and_grows_while_training(page, base_url, page_problems):
    open_playground(page, base_url, TFP_LINK.replace("networkShape=4,2", "networkShape=4,4,4"))
    chart = page.locator("#gradient-chart")
    expect(chart).to_be_hidden()
    page.check("#show-gradients")
    expect(chart).to_be_visible()
    for epoch in (1, 2, 3):
        page.click("#next-step-button")
        wait_until(page, lambda: epoch_of(page) == epoch)  # noqa: B023 (waited for at once)
    expect(chart).to_have_attribute("data-points", "4")  # epoch 0 (no update yet) and three epochs
    drawn = chart.evaluate("c => c.toDataURL()")
    page.click("#next-step-button")
    expect(chart).to_have_attribute("data-points", "5")
    assert chart.evaluate("c => c.toDataURL()") != drawn
    page.uncheck("#show-gradients")
    expect(chart).to_be_hidden()
    assert page_problems == []


def test_the_activation_plot_follows_the_chosen_activation(page, base_url, page_problems):
    open_playground(page, base_url)
    plot = page.locator(".ui-activation #activation-plot")
    expect(plot).to_have_attribute("data-activation", "tanh")
    expect(plot).to_be_visible()
    tanh = plot.evaluate("c => c.toDataURL()")
    page.select_option("#activations", "relu")
    expect(plot).to_have_attribute("data-activation", "relu")
    relu = plot.evaluate("c => c.toDataURL()")
    assert relu != tanh
    page.select_option("#activations", "tanh")
    expect(plot).to_have_attribute("data-activation", "tanh")
    assert plot.evaluate("c => c.toDataURL()") == tanh
    assert page_problems == []
