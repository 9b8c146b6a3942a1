"""The user's own data: points drawn on the output square, CSV upload and download."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import epoch_of, loss_of, open_playground, wait_until

pytestmark = pytest.mark.browser

# Two classes split by the line x = 0: blue (+1) on the right, orange (−1) on the left.
SEPARABLE_CSV = "x,y,label\n" + "".join(
    f"{side * (1 + (i % 4))},{(i % 9) - 4},{side}\n" for i in range(20) for side in (1, -1))


def click_output(page, x: float, y: float, shift: bool = False) -> None:
    """Click the output square at data coordinates (x, y) ∈ [−6, 6]²."""
    square = page.locator("#heatmap")
    box = square.bounding_box()
    position = {"x": (x + 6) / 12 * box["width"], "y": (6 - y) / 12 * box["height"]}
    square.click(position=position, modifiers=["Shift"] if shift else [])


def open_without_points(page, base_url: str, link: str) -> None:
    """Open a link to empty data of your own (no loss ever shows: open_playground waits for one)."""
    page.goto(f"{base_url}/{link}")
    page.wait_for_selector("#connection-status[data-status='connected']", state="attached")
    page.wait_for_selector("#network .node.output-node")


def draw(page, x: float, y: float, label: int = 1) -> None:
    """Add a point of class `label` in edit mode (turned on if off)."""
    if page.get_attribute("#edit-points-button", "aria-pressed") != "true":
        page.click("#edit-points-button")
    page.check("#point-class-positive" if label > 0 else "#point-class-negative")
    click_output(page, x, y)


def csv_rows(page) -> list[list[float]]:
    """The points of the CSV download: training points first, then test points."""
    return [[float(v) for v in row.split(",")] for row in download_text(page).strip().splitlines()[1:]]


def download_text(page) -> str:
    with page.expect_download() as download:
        page.click("#download-csv-button")
    return Path(download.value.path()).read_text()


def train_until_low_loss(page) -> None:
    page.click("#play-pause-button")
    page.wait_for_function("() => parseFloat(document.querySelector('#loss-train').textContent) < 0.05",
                           timeout=15_000)
    page.click("#play-pause-button")


def test_points_drawn_on_the_output_square_are_trained_on(page, base_url, page_problems):
    # Batch size 1: the original updates only after a full batch, and 3 training points never fill 10.
    open_playground(page, base_url, "#batchSize=1&networkShape=4,2&seed=0.2")
    page.click("#clear-points-button")
    expect(page).to_have_url(re.compile(r"dataset=custom"))
    for y in (-3, 0, 3):
        draw(page, 3, y)
        draw(page, -3, y, label=-1)
    page.wait_for_timeout(300)
    rows = download_text(page).strip().splitlines()[1:]
    labels = sorted(float(row.split(",")[2]) for row in rows)
    assert labels == [-1.0, -1.0, -1.0, 1.0, 1.0, 1.0]
    assert all(abs(abs(float(row.split(",")[0])) - 3) < 0.1 for row in rows)
    train_until_low_loss(page)
    assert epoch_of(page) > 0
    assert page_problems == []


def test_uploaded_csv_is_trained_on(page, base_url, page_problems):
    open_playground(page, base_url)
    page.set_input_files("#upload-csv", files=[
        {"name": "two-sides.csv", "mimeType": "text/csv", "buffer": SEPARABLE_CSV.encode()}])
    expect(page.locator("#tool-feedback")).to_contain_text("40 points uploaded")
    expect(page).to_have_url(re.compile(r"dataset=custom"))
    expect(page.locator("#datasets .dataset.selected")).to_have_attribute("data-dataset", "custom")
    assert len(download_text(page).strip().splitlines()) == 1 + 40
    train_until_low_loss(page)
    assert page_problems == []


def test_bad_csv_names_the_row_and_sends_nothing(page, base_url, page_problems):
    open_playground(page, base_url)
    bad = "x,y,label\n1,2,1\n3,4,-1\n5,1,2\n"
    page.set_input_files("#upload-csv", files=[
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    expect(page.locator("#messages")).to_have_text("bad.csv: row 4: label must be 1 or -1 for classification")
    far = "1,2,1\n9,0,1\n"
    page.set_input_files("#upload-csv", files=[
        {"name": "far.csv", "mimeType": "text/csv", "buffer": far.encode()}])
    expect(page.locator("#messages")).to_contain_text("far.csv: row 2: x and y must lie within ±6")
    assert "dataset=circle" in page.url
    assert page_problems == []


def test_regression_point_takes_the_typed_value(page, base_url, page_problems):
    open_playground(page, base_url, "#problem=regression&regDataset=reg-plane&seed=0.3")
    page.click("#clear-points-button")
    expect(page).to_have_url(re.compile(r"regDataset=reg-custom"))
    page.click("#edit-points-button")
    expect(page.locator("#point-value")).to_be_visible()
    expect(page.locator("#point-class-control")).to_be_hidden()
    page.fill("#point-value", "-0.4")
    click_output(page, 1, 1)
    page.wait_for_timeout(300)
    rows = download_text(page).strip().splitlines()[1:]
    assert [float(row.split(",")[2]) for row in rows] == [pytest.approx(-0.4, abs=1e-4)]  # on the link's grid
    assert loss_of(page, "train") >= 0
    assert page_problems == []


def test_server_refusal_of_points_is_shown(page, base_url, page_problems):
    open_playground(page, base_url)
    full = "".join(f"{(i % 100) / 10 - 5},{(i // 100) / 10 - 2.5},{1 if i % 2 else -1}\n" for i in range(5000))
    page.set_input_files("#upload-csv", files=[
        {"name": "full.csv", "mimeType": "text/csv", "buffer": full.encode()}])
    expect(page.locator("#tool-feedback")).to_contain_text("5000 points uploaded")
    expect(page).to_have_url(re.compile(r"dataset=custom"))
    draw(page, 0, 0)  # the 5001st point: the server says no
    expect(page.locator("#messages")).to_contain_text("Error (bad_points)")
    expect(page.locator("#messages")).to_contain_text("5000")
    assert page_problems == []


def test_a_click_outside_edit_mode_changes_nothing(page, base_url, page_problems):
    open_playground(page, base_url, "#seed=0.4&dataset=circle")
    click_output(page, 1, 1)
    page.wait_for_timeout(300)
    assert "dataset=circle" in page.url and len(csv_rows(page)) == 500
    assert page_problems == []


def test_the_first_edit_keeps_the_generated_points_and_adds_to_the_training_set(page, base_url, page_problems):
    open_playground(page, base_url, "#seed=0.4&dataset=circle&percTrainData=50")
    before = csv_rows(page)
    draw(page, 3, 3, label=-1)
    expect(page).to_have_url(re.compile(r"dataset=custom"))
    after = csv_rows(page)
    assert len(after) == 501
    added = after[250]  # the end of the training set (250 of the 500 generated points train)
    assert abs(added[0] - 3) < 0.1 and abs(added[1] - 3) < 0.1 and added[2] == -1
    kept = after[:250] + after[251:]  # the same points in the same sets, snapped to the link's grid
    assert np.allclose(kept, before, atol=1e-3)
    assert page_problems == []


def test_undo_redo_and_shift_click_removal(page, base_url, page_problems):
    open_playground(page, base_url, "#seed=0.4&dataset=circle")
    draw(page, 5, 5)
    expect(page).to_have_url(re.compile(r"dataset=custom"))
    draw(page, -5, 5)
    wait_until(page, lambda: len(csv_rows(page)) == 502)
    click_output(page, 5.2, 4.9, shift=True)  # removes the nearest: the point at (5, 5)
    wait_until(page, lambda: len(csv_rows(page)) == 501)
    assert not any(abs(x - 5) < 0.1 and abs(y - 5) < 0.1 for x, y, _ in csv_rows(page))
    page.click("#undo-points-button")
    wait_until(page, lambda: len(csv_rows(page)) == 502)
    page.focus("#point-class-positive")  # a focused radio button has no undo of its own
    page.keyboard.press("Control+z")
    wait_until(page, lambda: len(csv_rows(page)) == 501)
    page.keyboard.press("Control+z")  # back to the generated dataset
    expect(page).to_have_url(re.compile(r"dataset=circle"))
    expect(page.locator("#undo-points-button")).to_be_disabled()
    page.keyboard.press("Control+Shift+z")
    expect(page).to_have_url(re.compile(r"dataset=custom"))
    wait_until(page, lambda: len(csv_rows(page)) == 501)
    page.click("#redo-points-button")
    wait_until(page, lambda: len(csv_rows(page)) == 502)
    assert page_problems == []


def test_remove_tool_works_without_a_keyboard(page, base_url, page_problems):
    open_without_points(page, base_url, "#seed=0.4&dataset=custom")
    draw(page, 2, 2)
    draw(page, -2, -2, label=-1)
    wait_until(page, lambda: len(csv_rows(page)) == 2)
    page.check("#point-tool-remove")
    click_output(page, -1.5, -2)
    wait_until(page, lambda: len(csv_rows(page)) == 1)
    assert csv_rows(page)[0][2] == 1
    assert page_problems == []


SQUARE_INK = """() => {
  const canvas = document.querySelector("#datasets [data-dataset='custom'] canvas");
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - data[i + 2]) > 60) ink++;
  return ink;
}"""


def test_an_empty_dataset_says_why_it_cannot_train_and_your_square_shows_your_points(page, base_url, page_problems):
    open_without_points(page, base_url, "#seed=0.4&dataset=custom")
    expect(page.locator("#datasets [data-dataset='custom'] .dataset-caption")).to_have_text("Your data")
    expect(page.locator("#loss-train")).to_have_text("–")
    page.click("#play-pause-button")
    expect(page.locator("#messages")).to_contain_text("no training points")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert epoch_of(page) == 0 and page.get_attribute("#play-pause-button", "aria-pressed") == "false"
    assert page.evaluate(SQUARE_INK) == 0
    draw(page, 3, 3)
    draw(page, -3, -3, label=-1)
    wait_until(page, lambda: page.evaluate(SQUARE_INK) > 0)
    expect(page.locator("#loss-train")).not_to_have_text("–")
    page.click("#next-step-button")
    wait_until(page, lambda: epoch_of(page) == 1)
    assert page_problems == []


def test_regression_points_never_show_as_class_labels(page, base_url, page_problems):
    open_playground(page, base_url, "#problem=regression&regDataset=reg-plane&dataset=custom&seed=0.3")
    values = "x,y,label\n1,1,0.183\n-2,2,-0.5\n3,-1,0.75\n"
    page.set_input_files("#upload-csv", files=[
        {"name": "values.csv", "mimeType": "text/csv", "buffer": values.encode()}])
    expect(page).to_have_url(re.compile(r"regDataset=reg-custom"))
    wait_until(page, lambda: len(csv_rows(page)) == 3)
    page.select_option("#problem", "classification")
    expect(page).to_have_url(re.compile(r"problem=classification"))
    page.wait_for_timeout(300)
    assert csv_rows(page) == []  # your classification data: none yet, not the values
    draw(page, 2, 2, label=-1)
    wait_until(page, lambda: len(csv_rows(page)) == 1)
    assert csv_rows(page)[0][2] == -1
    page.select_option("#problem", "regression")
    wait_until(page, lambda: len(csv_rows(page)) == 3)
    assert sorted(row[2] for row in csv_rows(page)) == pytest.approx([-0.5, 0.183, 0.75], abs=1e-4)  # on the grid
    assert page_problems == []


def test_a_copied_link_with_300_drawn_points_reopens_with_them_and_the_same_first_epoch_loss(
        page, base_url, page_problems):
    open_without_points(page, base_url, "#seed=0.6&dataset=custom&networkShape=3&batchSize=1")
    page.click("#edit-points-button")
    for i in range(300):  # by the page's own edits, as a user would click them (far faster)
        x, y = (i % 20) * 0.55 - 5.2, (i // 20) * 0.7 - 5.1
        page.evaluate("([x, y]) => document.getElementById('heatmap').dispatchEvent(new MouseEvent('click', "
                      "{clientX: x, clientY: y, bubbles: true}))", screen_position(page, x, y))
    wait_until(page, lambda: len(csv_rows(page)) == 300, seconds=15)
    drawn = csv_rows(page)
    link = page.evaluate("location.hash")
    assert "&points=" in link
    page.click("#next-step-button")
    wait_until(page, lambda: epoch_of(page) == 1)
    loss = page.text_content("#loss-train")
    page.goto("about:blank")
    open_playground(page, base_url, link)
    assert csv_rows(page) == drawn
    page.click("#next-step-button")
    wait_until(page, lambda: epoch_of(page) == 1)
    assert page.text_content("#loss-train") == loss
    assert page_problems == []


def screen_position(page, x: float, y: float) -> list[float]:
    """The viewport position of data coordinates (x, y) on the output square."""
    box = page.locator("#heatmap").bounding_box()
    return [box["x"] + (x + 6) / 12 * box["width"], box["y"] + (6 - y) / 12 * box["height"]]


def test_more_points_than_a_link_holds_are_offered_as_csv(page, base_url, page_problems):
    open_playground(page, base_url)
    limit = page.evaluate("fetch('/settings.json').then((r) => r.json()).then((s) => s.limits.max_link_points)")
    many = "".join(f"{(i % 100) / 10 - 5},{(i // 100) / 10 - 5},{1 if i % 2 else -1}\n" for i in range(limit + 1))
    page.set_input_files("#upload-csv", files=[
        {"name": "many.csv", "mimeType": "text/csv", "buffer": many.encode()}])
    expect(page.locator("#link-points-note")).to_be_visible()
    expect(page.locator("#link-points-text")).to_contain_text(f"at most {limit:,}")
    assert "points=" not in page.evaluate("location.hash")
    with page.expect_download() as download:
        page.click("#link-points-csv-button")
    assert len(Path(download.value.path()).read_text().strip().splitlines()) == 1 + limit + 1
    page.click("#edit-points-button")
    page.click("#undo-points-button")  # back to the generated dataset: nothing is left out
    expect(page.locator("#link-points-note")).to_be_hidden()
    assert page_problems == []


def test_a_csv_error_disappears_on_the_next_successful_upload(page, base_url, page_problems):
    open_playground(page, base_url)
    page.set_input_files("#upload-csv", files=[
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": b"x,y,label\n1,2,7\n"}])
    expect(page.locator("#messages")).to_contain_text("bad.csv: row 2")
    page.set_input_files("#upload-csv", files=[
        {"name": "good.csv", "mimeType": "text/csv", "buffer": SEPARABLE_CSV.encode()}])
    expect(page.locator("#tool-feedback")).to_contain_text("40 points uploaded")
    expect(page.locator("#messages")).to_have_text("")
    assert page_problems == []


def export_model(page) -> dict:
    with page.expect_download() as download:
        page.click("#export-model-button")
    return json.loads(Path(download.value.path()).read_text())


def test_importing_an_exported_model_restores_configuration_weights_and_history(page, base_url, page_problems):
    open_playground(page, base_url, "#seed=0.8&dataset=xor&networkShape=3,2&learningRate=0.1&activation=relu")
    draw(page, 4, 4, label=-1)  # your points travel too
    for epoch in range(1, 4):
        page.click("#next-step-button")
        wait_until(page, lambda epoch=epoch: epoch_of(page) == epoch)
    exported = export_model(page)
    loss = page.text_content("#loss-train")
    open_playground(page, base_url, "#seed=0.1&dataset=circle&networkShape=2")
    page.set_input_files("#import-model", files=[
        {"name": "model.json", "mimeType": "application/json", "buffer": json.dumps(exported).encode()}])
    wait_until(page, lambda: epoch_of(page) == 3)
    expect(page).to_have_url(re.compile(re.escape(exported["hash"]) + "$"))
    assert page.text_content("#loss-train") == loss
    again = export_model(page)
    assert again["weights"] == exported["weights"] and again["history"] == exported["history"]
    assert again["points"] == exported["points"]
    page.set_input_files("#import-model", files=[
        {"name": "notes.json", "mimeType": "application/json", "buffer": b'{"format": "other"}'}])
    expect(page.locator("#messages")).to_contain_text("bad_model")
    assert page_problems == []
