"""The page takes its limits and colours from one definition each: the limits of
/settings.json (nn_core's constants) and the colour stops of playground.css."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_playground

pytestmark = pytest.mark.browser

# TensorFlow Playground's scale: orange −1, grey 0, blue +1.
ORIGINAL_STOPS = ["rgb(245, 147, 34)", "rgb(232, 234, 235)", "rgb(8, 119, 189)"]

COLOURS_OF_THE_SCALE = """async () => {
  const { colorOf } = await import("/static/js/heatmap.js");
  const css = getComputedStyle(document.documentElement);
  const probe = document.createElement("canvas").getContext("2d");
  const spelled = (name) => { probe.fillStyle = css.getPropertyValue(name).trim(); return probe.fillStyle; };
  return { drawn: [colorOf(-1), colorOf(0), colorOf(1)],
           css: ["--negative", "--neutral", "--positive"].map(spelled) };
}"""


def upload(page, name: str, text: str) -> None:
    page.set_input_files("#upload-csv", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}])


# Rewrites the limits baked into <body data-settings> as the parser inserts the
# body, before main.js reads them. (Fulfilling "/" from a route instead would make
# Chromium treat the page as public and block its WebSocket to 127.0.0.1.)
CHANGE_LIMITS = """(changes) => {
  new MutationObserver((records, observer) => {
    if (!document.body) return;
    observer.disconnect();
    const body = JSON.parse(document.body.dataset.settings);
    Object.assign(body.limits, changes);
    document.body.dataset.settings = JSON.stringify(body);
  }).observe(document, { childList: true, subtree: true });
}"""


def with_limits(page, **changes) -> None:
    """Open pages with their limits changed (the server keeps its own)."""
    page.add_init_script(f"({CHANGE_LIMITS})({json.dumps(changes)})")


def test_the_page_uses_the_servers_limits(page, base_url, page_problems):
    limits = page.request.get(f"{base_url}/settings.json").json()["limits"]
    open_playground(page, base_url)
    assert page.get_attribute("#seed", "maxlength") == str(limits["max_text_length"])
    extent = f"{limits['extent']:g}"
    expect(page.locator("#heatmap .axis-x span").first).to_have_text(f"-{extent}")
    assert page_problems == []


def test_the_page_checks_whatever_limits_it_is_given(page, base_url, page_problems):
    with_limits(page, extent=2, max_points=3, max_text_length=7)
    open_playground(page, base_url)
    assert page.get_attribute("#seed", "maxlength") == "7"
    upload(page, "far.csv", "1,1,1\n3,0,1\n")
    expect(page.locator("#messages")).to_have_text("far.csv: row 2: x and y must lie within ±2")
    upload(page, "many.csv", "".join(f"0,{i / 10},1\n" for i in range(4)))
    expect(page.locator("#messages")).to_have_text("many.csv: at most 3 points, the file has 4")
    assert "dataset=circle" in page.url  # neither file was sent
    assert page_problems == []


def test_colours_are_the_stylesheets_stops(page, base_url, page_problems):
    open_playground(page, base_url)
    colours = page.evaluate(COLOURS_OF_THE_SCALE)
    assert colours["drawn"] == ORIGINAL_STOPS
    assert [re.sub(r"\s", "", c) for c in colours["drawn"]] == [
        "rgb({},{},{})".format(*(int(h[i:i + 2], 16) for i in (1, 3, 5))) for h in colours["css"]]
    assert page_problems == []
