"""Metrics in the page: live accuracy and confusion matrix, a cell's points marked, stop conditions
that pause with their message, the effective learning rate, and every new key in the link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import epoch_of, open_playground

pytestmark = pytest.mark.browser

LINK = "#seed=0.12345&dataset=xor&networkShape=4,2&learningRate=0.1"


def confusion_counts(page) -> list[list[int]]:
    return page.evaluate("""() => [...document.querySelectorAll('#confusion tr')].slice(1).map(
        (row) => [...row.querySelectorAll('button.cell')].map((cell) => Number(cell.textContent)))""")


def test_accuracy_and_confusion_matrix_update_and_a_cell_marks_its_points(page, base_url, page_problems, artifacts):
    open_playground(page, base_url, LINK + "&stopAtEpoch=40")
    expect(page.locator("#metric-test_accuracy")).to_have_text(re.compile(r"^\d+\.\d%$"))
    before = confusion_counts(page)
    assert len(before) == 2 and sum(map(sum, before)) == 250  # every test point, once
    page.click("#play-pause-button")
    expect(page.locator("#stop-reason")).to_contain_text("epoch 40")
    assert epoch_of(page) == 40
    after = confusion_counts(page)
    assert after != before and sum(map(sum, after)) == 250
    accuracy = (after[0][0] + after[1][1]) / 250
    expect(page.locator("#metric-test_accuracy")).to_have_text(f"{100 * accuracy:.1f}%")
    # A cell's points are ringed on the output square: as many as it counts.
    cell = page.locator("#confusion button.cell[data-row='1'][data-column='1']")
    cell.click()
    expect(cell).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#heatmap")).to_have_attribute("data-marked", str(after[1][1]))
    page.check("#confusion-train")
    train = confusion_counts(page)
    assert sum(map(sum, train)) == 250
    expect(page.locator("#heatmap")).to_have_attribute("data-marked", "0")  # another set clears the cell
    page.locator("#confusion button.cell[data-row='0'][data-column='1']").click()
    expect(page.locator("#heatmap")).to_have_attribute("data-marked", str(train[0][1]))
    page.screenshot(path=str(artifacts / "confusion-marked.png"), full_page=True)
    page.locator("#confusion button.cell[data-row='0'][data-column='1']").click()  # again: unmarked
    expect(page.locator("#heatmap")).to_have_attribute("data-marked", "0")
    assert page_problems == []


def test_a_stop_condition_pauses_with_its_message_and_play_again_says_so(page, base_url, page_problems):
    open_playground(page, base_url, LINK + "&earlyStopping=5&noise=30&speed=x10")
    page.click("#play-pause-button")
    expect(page.locator("#stop-reason")).to_contain_text("early stopping", timeout=20_000)
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    stopped_at = epoch_of(page)
    assert stopped_at > 5 and f"epoch {stopped_at}" in page.text_content("#stop-reason")
    page.click("#play-pause-button")  # the condition still holds: no epoch, the reason again
    expect(page.locator("#stop-reason")).to_contain_text("early stopping")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    assert epoch_of(page) == stopped_at
    assert page_problems == []


def test_a_schedule_shows_the_effective_rate_beside_the_chosen_one(page, base_url, page_problems):
    open_playground(page, base_url, LINK + "&lrSchedule=step&lrStepEvery=10&lrStepFactor=0.5&stopAtEpoch=25")
    expect(page.locator("#effective-learning-rate")).to_have_text("now 0.1")
    page.click("#play-pause-button")
    expect(page.locator("#stop-reason")).to_contain_text("epoch 25")
    expect(page.locator("#effective-learning-rate")).to_have_text("now 0.025")  # η₀·0.5^⌊25/10⌋
    page.select_option("#lrSchedule", "constant")
    expect(page.locator("#effective-learning-rate")).to_be_hidden()
    assert page_problems == []


NEW_KEYS = {"stopAtEpoch": "500", "stopAtTestLoss": "0.02", "stopAtAccuracy": "0.95", "earlyStopping": "30",
            "lrSchedule": "cosine", "lrCosineEpochs": "400", "lrMin": "0.001", "lrStepEvery": "7",
            "lrStepFactor": "0.2", "lrDecay": "0.95"}


def test_the_url_round_trips_every_new_key(page, base_url, page_problems):
    link = LINK + "".join(f"&{key}={value}" for key, value in NEW_KEYS.items())
    open_playground(page, base_url, link)
    for key, value in NEW_KEYS.items():
        expect(page).to_have_url(re.compile(f"[#&]{key}={re.escape(value)}(&|$)"))
        assert page.input_value(f"#{key}") == value, key
    page.fill("#stopAtEpoch", "321")
    page.press("#stopAtEpoch", "Enter")
    expect(page).to_have_url(re.compile(r"[#&]stopAtEpoch=321(&|$)"))
    page.reload()
    page.wait_for_selector("#network .node.output-node")
    expect(page.locator("#stopAtEpoch")).to_have_value("321")
    expect(page.locator("#lrCosineEpochs")).to_have_value("400")
    assert page_problems == []


def test_regression_shows_r2_and_mean_absolute_error_and_no_confusion_matrix(page, base_url, page_problems):
    open_playground(page, base_url, "#seed=1&problem=regression&regDataset=reg-plane&stopAtEpoch=30")
    expect(page.locator("#metric-test_r2")).to_have_text(re.compile(r"^-?\d+\.\d{3}$"))
    expect(page.locator("#metric-train_mae")).to_have_text(re.compile(r"^\d+\.\d{3}$"))
    expect(page.locator("#confusion-panel")).to_be_hidden()
    expect(page.locator("#metric-test_accuracy")).to_have_count(0)
    page.click("#play-pause-button")
    expect(page.locator("#stop-reason")).to_contain_text("epoch 30")
    assert float(page.text_content("#metric-test_r2")) > 0.5  # the plane is learned quickly
    assert page_problems == []

