"""The page on the notebook widget's transport (app/static/js/host.js), without JupyterLab.

The served page is given the ``nnpHost`` a widget's view would put on its frame's window
(app/static/widget/playground-widget.js); the test is the kernel: it hands what the page sent
to a :class:`~app.widget_session.WidgetSession` and passes back the session's messages, a
frame's grids as a binary buffer, as the view does. Frames after the first grids must still
be drawn (host.js decodes the grids as socket.js does, both sides' when comparing).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from app.config import AppSettings
from app.protocol import parse_client_message
from app.server_messages import Frame, Outgoing
from app.widget_page import widget_page
from app.widget_session import WidgetSession
from nn_core import Playground
from tests.browser.helpers import epoch_of, wait_until

pytestmark = pytest.mark.browser

HOST = """
window.nnpSent = [];
window.nnpListeners = [];
window.nnpHost = {
  resources: %s,
  send: (text) => window.nnpSent.push(text),
  listen: (listener) => window.nnpListeners.push(listener),
};
"""


class Kernel:
    """The widget's side: the session, fed what the page sent, its answers posted to the page."""

    def __init__(self, page, session: WidgetSession) -> None:
        self.page = page
        self.session = session

    def answer(self) -> None:
        """Every message the page sent since the last call, each answered."""
        sent: list[str] = self.page.evaluate("() => window.nnpSent.splice(0)")
        for text in sent:
            self.post(self.session.handle(parse_client_message(text)))

    def post(self, messages: list[Outgoing]) -> None:
        for message in messages:
            for item, _ in message.items() if isinstance(message, Frame) else [(message, False)]:
                if isinstance(item, bytes):
                    self.page.evaluate("(bytes) => { const buffer = new Uint8Array(bytes).buffer;"
                                       " for (const l of window.nnpListeners) l(buffer); }", list(item))
                else:
                    self.page.evaluate("(text) => { for (const l of window.nnpListeners) l(text); }", item)


@pytest.fixture
def kernel(page, page_problems: list[str], base_url: str) -> Iterator[Kernel]:
    thumbnail = AppSettings().thumbnail
    page.add_init_script(HOST % json.dumps(widget_page(thumbnail).resources))
    pg = Playground.from_url("#seed=0.12345&networkShape=4,2&dataset=circle")
    session = WidgetSession(pg, thumbnail)
    page.goto(f"{base_url}/")
    page.wait_for_function("() => window.nnpListeners.length > 0 && window.nnpSent.length > 0")
    made = Kernel(page, session)
    made.answer()  # hello: the state, the points and the first frame, its grids
    yield made
    session.close()
    assert page_problems == []


def test_frames_after_the_first_grids_are_drawn(kernel: Kernel) -> None:
    page = kernel.page
    page.wait_for_selector("#network .node.output-node")
    kernel.session.pg.step(5)  # from a cell
    kernel.post(kernel.session.catch_up())
    wait_until(page, lambda: epoch_of(page) == 5)
    kernel.session.pg.step(2)
    kernel.post(kernel.session.catch_up())
    wait_until(page, lambda: epoch_of(page) == 7)
