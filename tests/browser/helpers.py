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
    page.wait_for_selector("#connection-status[data-status='connected']")
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
