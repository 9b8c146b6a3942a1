"""The user's own data: points drawn on the output square, CSV upload and download."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import epoch_of, loss_of, open_playground

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
        click_output(page, 3, y)
        click_output(page, -3, y, shift=True)
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
    expect(page.locator("#point-value")).to_be_visible()
    page.click("#clear-points-button")
    expect(page).to_have_url(re.compile(r"regDataset=reg-custom"))
    page.fill("#point-value", "-0.4")
    click_output(page, 1, 1)
    page.wait_for_timeout(300)
    rows = download_text(page).strip().splitlines()[1:]
    assert [float(row.split(",")[2]) for row in rows] == [-0.4]
    assert loss_of(page, "train") >= 0
    assert page_problems == []


def test_server_refusal_of_points_is_shown(page, base_url, page_problems):
    open_playground(page, base_url)
    full = "".join(f"{(i % 100) / 10 - 5},{(i // 100) / 10 - 2.5},{1 if i % 2 else -1}\n" for i in range(5000))
    page.set_input_files("#upload-csv", files=[
        {"name": "full.csv", "mimeType": "text/csv", "buffer": full.encode()}])
    expect(page.locator("#tool-feedback")).to_contain_text("5000 points uploaded")
    expect(page).to_have_url(re.compile(r"dataset=custom"))
    click_output(page, 0, 0)  # the 5001st point: the server says no
    expect(page.locator("#messages")).to_contain_text("Error (bad_points)")
    expect(page.locator("#messages")).to_contain_text("5000")
    assert page_problems == []
