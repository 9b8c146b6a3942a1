"""K classes in the browser: a 3-class spiral trains and is drawn in the three class colours."""

from __future__ import annotations

from .helpers import open_playground, wait_until

SPIRAL = ("#classes=3&dataset=spiral&networkShape=8,8&seed=mc&learningRate=0.03&activation=tanh"
          "&xSquared=true&ySquared=true&sinX=true&sinY=true&loss=crossEntropy")

# The RGB of every pixel of a canvas, and how many pixels have each (translucent pixels come back
# through premultiplied alpha, a few units off: see nearest_class).
CANVAS_COLOURS = """(selector) => {
  const canvas = document.querySelector(selector);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const counts = {};
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) continue;
    const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
    counts[key] = (counts[key] || 0) + 1;
  }
  return counts;
}"""

# The class colours as the stylesheet defines them (--class-k), as "r,g,b".
CLASS_COLOURS = """(k) => {
  const probe = document.createElement("canvas").getContext("2d");
  probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue(`--class-${k}`).trim();
  const hex = probe.fillStyle;
  return [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)).join(",");
}"""

# The colour at each training point's centre on the points canvas, with its label.
POINT_COLOURS = """() => {
  const canvas = document.querySelector("#heatmap canvas.points");
  const context = canvas.getContext("2d");
  const ratio = canvas.width / canvas.clientWidth, extent = 6;
  return window.__page.data.train.map(([x, y, label]) => {
    const px = Math.round(((x + extent) / (2 * extent)) * canvas.clientWidth * ratio);
    const py = Math.round(((extent - y) / (2 * extent)) * canvas.clientWidth * ratio);
    const [r, g, b] = context.getImageData(px, py, 1, 1).data;
    return [label, `${r},${g},${b}`];
  });
}"""


def expose_state(page) -> None:
    """Let the test read the page's state object (the module's export) as window.__page."""
    page.add_init_script("""
      window.addEventListener("DOMContentLoaded", async () => {
        window.__page = (await import("/static/js/state.js")).page;
      });""")


TOLERANCE = 12  # per channel: a translucent pixel's RGB after premultiplied alpha


def nearest_class(colour: str, colours: list[str]) -> int | None:
    """The class whose colour ``colour`` is (within TOLERANCE), or None."""
    rgb = [int(v) for v in colour.split(",")]
    for k, candidate in enumerate(colours):
        if max(abs(a - int(b)) for a, b in zip(rgb, candidate.split(","), strict=True)) <= TOLERANCE:
            return k
    return None


def class_shares(counts: dict[str, int], colours: list[str]) -> dict[int | None, float]:
    """The share of the pixels drawn in each class's colour (None: in no class's colour)."""
    total = sum(counts.values())
    shares: dict[int | None, float] = {}
    for colour, count in counts.items():
        k = nearest_class(colour, colours)
        shares[k] = shares.get(k, 0.0) + count / total
    return shares


def test_a_three_class_spiral_trains_in_the_three_class_colours(page, base_url, page_problems):
    expose_state(page)
    open_playground(page, base_url, SPIRAL)
    colours = [page.evaluate(CLASS_COLOURS, k) for k in range(3)]
    assert len(set(colours)) == 3
    assert page.locator("#network .node.output-node").count() == 3
    assert page.text_content("#class-legend") == "Class 0Class 1Class 2"
    first_loss = float(page.text_content("#loss-train"))
    page.click("#play-pause-button")
    wait_until(page, lambda: float(page.text_content("#loss-train")) < first_loss * 0.5, seconds=40)
    page.click("#play-pause-button")
    page.wait_for_timeout(300)
    # The output map: at every pixel the most likely class's colour (its lightness is the alpha),
    # and each of the three classes wins a good part of the square.
    shares = class_shares(page.evaluate(CANVAS_COLOURS, "#heatmap canvas.grid"), colours)
    assert set(shares) == {0, 1, 2} and min(shares.values()) > 0.15, shares
    points = page.evaluate(POINT_COLOURS)
    # Each point in its class's colour; overlapping points and their white rings blend some centres.
    drawn = [nearest_class(colour, colours) for _, colour in points]
    right = sum(k == int(label) for k, (label, _) in zip(drawn, points, strict=True))
    wrong = sum(k is not None and k != int(label) for k, (label, _) in zip(drawn, points, strict=True))
    assert right >= 0.65 * len(points) and wrong <= 0.1 * len(points), (right, wrong, len(points))
    # Discretize: the argmax alone, at one lightness per class.
    page.check("input[name='discretize']")
    page.wait_for_timeout(500)
    discrete = page.evaluate("""() => {
      const c = document.querySelector("#heatmap canvas.grid");
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const alphas = new Set();
      for (let i = 3; i < d.length; i += 4) alphas.add(d[i]);
      return [...alphas];
    }""")
    assert len(discrete) == 1
    assert page_problems == []


def test_hovering_an_output_neuron_shows_its_class_probability(page, base_url, page_problems):
    open_playground(page, base_url, SPIRAL)
    colours = [page.evaluate(CLASS_COLOURS, k) for k in range(3)]
    page.hover("#network .node.output-node >> nth=2")
    page.wait_for_timeout(300)
    assert set(class_shares(page.evaluate(CANVAS_COLOURS, "#heatmap canvas.grid"), colours)) == {2}
    thumbnail = page.evaluate(CANVAS_COLOURS, "#network .node.output-node canvas")
    assert set(class_shares(thumbnail, colours)) == {0}  # the first output neuron: class 0
    assert page_problems == []


def test_the_link_round_trips_classes_and_the_k_class_datasets(page, base_url, page_problems):
    open_playground(page, base_url, "#classes=4&dataset=rings&seed=r1&noise=10")
    hash_ = page.evaluate("location.hash")
    assert "classes=4" in hash_ and "dataset=rings" in hash_
    assert page.locator("#network .node.output-node").count() == 4
    assert page.locator("button.dataset[data-dataset='xor']").is_disabled()
    page.click("button.dataset[data-dataset='blobs']")
    wait_until(page, lambda: "dataset=blobs" in page.evaluate("location.hash"))
    slider = page.locator("input[name='classes']")
    slider.fill("5")
    wait_until(page, lambda: "classes=5" in page.evaluate("location.hash"))
    wait_until(page, lambda: page.locator("#network .node.output-node").count() == 5)
    saved = page.evaluate("location.hash")
    page.goto("about:blank")
    open_playground(page, base_url, saved)
    assert page.evaluate("location.hash") == saved
    assert page.locator("#network .node.output-node").count() == 5
    assert page.text_content("#class-legend").count("Class") == 5
    assert page_problems == []


def test_your_points_of_k_classes_with_keys_and_their_csv(page, base_url, page_problems):
    expose_state(page)
    page.goto(f"{base_url}/#classes=3&dataset=custom&seed=p1")  # no points yet: no loss to wait for
    page.wait_for_selector("#network .node.output-node >> nth=2")
    page.click("#edit-points-button")
    assert page.locator("#point-classes input").count() == 3 and page.locator("#point-class-control").is_hidden()
    page.keyboard.press("3")
    assert page.is_checked("#point-class-2")
    box = page.locator("#heatmap").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)
    page.keyboard.press("1")
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    wait_until(page, lambda: len(page.evaluate("window.__page.data.train")) == 2)
    labels = sorted(row[2] for row in page.evaluate("window.__page.data.train"))
    assert labels == [0, 2]
    assert "points=" in page.evaluate("location.hash")
    # A CSV with a class beyond K − 1 is refused with the row named; 0…K−1 is taken.
    page.set_input_files("#upload-csv", files=[{"name": "bad.csv", "mimeType": "text/csv",
                                                      "buffer": b"x,y,label\n1,1,0\n2,2,3\n"}])
    page.wait_for_function("() => document.querySelector('#messages').textContent.includes('row 3')")
    assert "label must be a class 0 to 2" in page.text_content("#messages")
    page.set_input_files("#upload-csv", files=[{"name": "ok.csv", "mimeType": "text/csv",
                                                     "buffer": b"x,y,label\n1,1,0\n2,2,2\n-3,1,1\n4,-4,1\n"}])
    wait_until(page, lambda: len(page.evaluate("window.__page.data.train"))
               + len(page.evaluate("window.__page.data.test")) == 4)
    assert page_problems == []
