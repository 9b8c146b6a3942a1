"""One example through the network and backpropagation step by step, in the browser."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from nn_core import Playground
from tests.browser.helpers import open_playground, wait_until

pytestmark = pytest.mark.browser

LINK = "#seed=explain&dataset=xor&networkShape=3,2&activation=relu&optimizer=momentum&learningRate=0.1"
SHOWN = """async () => {
  const { shown } = await import("/static/js/explain.js");
  return shown.explained;
}"""
FRAME = """async () => {
  const { page } = await import("/static/js/state.js");
  return { weights: page.weights, biases: page.biases };
}"""


def shown(page) -> dict:
    return page.evaluate(SHOWN)


def hover_square(page, fx: float, fy: float) -> None:
    box = page.locator("#heatmap").bounding_box()
    page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])


def test_hovering_the_output_square_shows_the_engines_values_and_leaving_restores(page, base_url,
                                                                                   page_problems):
    open_playground(page, base_url, LINK)
    hover_square(page, 0.3, 0.6)
    wait_until(page, lambda: (shown(page) or {}).get("x") is not None)
    hover_square(page, 0.7, 0.2)  # one request in flight: the newest position follows
    wait_until(page, lambda: shown(page)["x"] > 0)
    explained = shown(page)
    expected = Playground.from_url(LINK).explain(explained["x"], explained["y"])
    assert explained["layers"] == expected["layers"] and explained["output"] == expected["output"]
    values = page.locator("#network .explain-value")
    expect(values).to_have_count(3 + 2 + 1)
    first = expected["layers"][0]
    expect(values.first).to_have_text(f"z {first['z'][0]:.3f} a {first['a'][0]:.3f}")
    expect(page.locator("#network .explain-marker")).to_have_count(2 + 3 + 2 + 1)  # every map
    page.mouse.move(5, 5)
    expect(values).to_have_count(0)
    expect(page.locator("#network .explain-marker")).to_have_count(0)
    assert page_problems == []


def test_each_of_k_output_neurons_shows_its_own_weighted_sum_and_probability(page, base_url, page_problems):
    link = "#seed=explain&classes=3&dataset=blobs&networkShape=4&loss=crossEntropy"
    open_playground(page, base_url, link)
    hover_square(page, 0.4, 0.3)
    wait_until(page, lambda: (shown(page) or {}).get("x") is not None)
    explained = shown(page)
    output = Playground.from_url(link).explain(explained["x"], explained["y"])["layers"][-1]
    values = page.locator("#network .output-node .explain-value")
    expect(values).to_have_count(3)
    for j in range(3):
        expect(values.nth(j)).to_have_text(f"z {output['z'][j]:.3f} a {output['a'][j]:.3f}")
    assert abs(sum(output["a"]) - 1) < 1e-12  # softmax: the three are class probabilities
    assert page_problems == []


def test_enter_on_the_square_explains_a_training_point_with_its_label_and_loss(page, base_url, page_problems):
    open_playground(page, base_url, LINK)
    page.focus("#heatmap")
    page.keyboard.press("Enter")
    wait_until(page, lambda: (shown(page) or {}).get("label") is not None)
    explained = shown(page)
    expected = Playground.from_url(LINK).explain(explained["x"], explained["y"], explained["label"])
    assert explained["loss"] == expected["loss"]
    expect(page.locator("#explain-text")).to_contain_text(f"loss {expected['loss']:.3f}")
    assert page_problems == []


def stage_text(page) -> str:
    return page.text_content("#backprop-stage")


def test_stepping_through_backprop_and_applying_changes_exactly_the_shown_weights(page, base_url,
                                                                                   page_problems):
    open_playground(page, base_url, LINK)
    before = page.evaluate(FRAME)
    page.click("#backprop-start-button")
    expect(page.locator("#backprop-stage")).to_have_text("Stage 1 of 8")  # 3 forward, loss, 3 backward, update
    explained = shown(page)
    expected = Playground.from_url(LINK).explain(explained["x"], explained["y"], explained["label"])
    assert explained["layers"] == expected["layers"]
    expect(page.locator("#explain-text")).to_contain_text("Forward propagation, hidden layer 1")
    expect(page.locator("#backprop-apply-button")).to_be_disabled()
    page.keyboard.press("ArrowRight")
    page.click("#backprop-next-button")
    page.keyboard.press("n")
    expect(page.locator("#explain-text")).to_contain_text("The error")
    expect(page.locator("#network .explain-value", has_text="δ")).to_have_count(1)
    page.keyboard.press("ArrowRight")  # backward, output layer: the links into the output
    expect(page.locator("#network path.link.explained")).to_have_count(2)
    titles = page.locator("#network path.link-hit title").all_text_contents()
    assert [float(title.removeprefix("dE/dw = ")) for title in titles] == expected["layers"][2]["weight_grad"][0]
    for _ in range(2):
        page.keyboard.press("n")
    expect(page.locator("#network path.link.explained")).to_have_count(2 * 3 + 3 * 2 + 2)
    expect(page.locator("#network .explain-value", has_text="δ")).to_have_count(6)
    page.keyboard.press("p")
    expect(page.locator("#backprop-stage")).to_have_text("Stage 6 of 8")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#backprop-stage")).to_have_text("Stage 8 of 8")
    expect(page.locator("#explain-text")).to_contain_text("The update at learning rate 0.1")
    assert page.evaluate(FRAME) == before  # walking changed nothing (no epoch was trained by →)
    page.click("#backprop-apply-button")
    expect(page.locator("#backprop-controls")).to_be_hidden()
    expect(page.locator("#explain-text")).to_contain_text("Applied one training step")
    wait_until(page, lambda: page.evaluate(FRAME) != before)
    after = page.evaluate(FRAME)
    assert after["weights"] == [layer["new_weights"] for layer in explained["layers"]]
    assert after["biases"] == [layer["new_biases"] for layer in explained["layers"]]
    assert page.locator("#iter-number").text_content() == "000,000"
    assert page_problems == []


def test_leaving_the_steps_changes_nothing(page, base_url, page_problems):
    open_playground(page, base_url, LINK)
    before = page.evaluate(FRAME)
    page.click("#backprop-start-button")
    expect(page.locator("#backprop-stage")).to_have_text("Stage 1 of 8")
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    expect(page.locator("#network path.link.explained")).to_have_count(14)
    page.keyboard.press("Escape")
    expect(page.locator("#backprop-controls")).to_be_hidden()
    expect(page.locator("#network path.link.explained")).to_have_count(0)
    page.click("#next-step-button")  # a real epoch: the weights the server has were untouched before it
    wait_until(page, lambda: page.evaluate(FRAME) != before)
    pg = Playground.from_url(LINK)
    pg.step(1)
    assert np.allclose(np.concatenate([np.ravel(w) for w in page.evaluate(FRAME)["weights"]]),
                       np.concatenate([w.ravel() for w in pg.weights]), rtol=0, atol=0)
    assert page_problems == []


def test_biases_show_their_gradient_and_update_and_a_refused_explain_frees_the_hover(page, base_url,
                                                                                    page_problems):
    open_playground(page, base_url, LINK)
    page.click("#backprop-start-button")
    expect(page.locator("#backprop-stage")).to_have_text("Stage 1 of 8")
    explained = shown(page)
    for _ in range(7):
        page.keyboard.press("n")
    output_bias = page.locator("#network .output-node .bias")
    old, new = page.evaluate(FRAME)["biases"][2][0], explained["layers"][2]["new_biases"][0]
    expect(output_bias).to_have_attribute("title", re.compile("^bias .* → "))
    shown_old, shown_new = output_bias.get_attribute("title").removeprefix("bias ").split(" → ")
    assert (float(shown_old), float(shown_new)) == (old, new) and old != new
    page.keyboard.press("Escape")
    expect(output_bias).not_to_have_attribute("title", re.compile("."))
    # A point the server refuses (a label two classes cannot have) is an error; hovering still works.
    page.evaluate("""async () => {
      const { page } = await import("/static/js/state.js");
      page.data.train.unshift([0, 0, 0.5]);
    }""")
    page.click("#backprop-start-button")
    expect(page.locator("#messages")).to_contain_text("labelled -1 and 1")
    expect(page.locator("#backprop-controls")).to_be_hidden()
    hover_square(page, 0.8, 0.8)
    wait_until(page, lambda: (shown(page) or {}).get("x", 0) > 1)
    assert page_problems == []
