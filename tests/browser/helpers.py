"""Shared steps of the browser tests."""

from __future__ import annotations

# The example link of TensorFlow Playground (tfp-reference.md, section 1).
TFP_LINK = ("#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03"
            "&regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false"
            "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false"
            "&ySquared=false&cosX=false&sinX=true&cosY=false&sinY=true&collectStats=false"
            "&problem=classification&initZero=false&hideText=false")


def open_playground(page, base_url: str, link: str = TFP_LINK) -> None:
    """Open the page at `link` and wait until the server's first frame is drawn."""
    page.goto(f"{base_url}/{link}")
    page.wait_for_selector("#connection-status[data-status='connected']", state="attached")  # hideText hides it
    page.wait_for_selector("#network .node.output-node")
    page.wait_for_function("() => document.querySelector('#loss-train').textContent !== '–'")


def epoch_of(page) -> int:
    return int(page.text_content("#iter-number").replace(",", ""))


def loss_of(page, which: str) -> float:
    return float(page.text_content(f"#loss-{which}"))


def wait_until(page, condition, seconds: float = 5) -> None:
    """Let the page run until `condition()` (a Python check) holds; fail after `seconds`."""
    for _ in range(int(seconds * 10)):
        if condition():
            return
        page.wait_for_timeout(100)
    assert condition(), f"not true within {seconds} s"


DECODE_PNG = """async (b64) => {
  const image = new Image();
  image.src = `data:image/png;base64,${b64}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  return { width: image.width, data: Array.from(context.getImageData(0, 0, image.width, image.height).data) };
}"""


def screenshot_pixels(page, selector: str):
    """What the user sees of `selector` (a screenshot), as a function (x, y) → (r, g, b)."""
    import base64

    png = page.locator(selector).screenshot()
    shot = page.evaluate(DECODE_PNG, base64.b64encode(png).decode())
    width, data = shot["width"], shot["data"]

    def pixel(x: float, y: float) -> tuple[int, int, int]:
        at = (int(y) * width + int(x)) * 4
        return data[at], data[at + 1], data[at + 2]

    return pixel
