"""HTTP routes and the security headers every response carries."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from app import __version__
from app.pages import STATIC_DIR
from app.protocol import MAX_ABS_VALUE
from app.security import CONTENT_SECURITY_POLICY
from nn_core.datasets import MAX_USER_POINTS
from nn_core.features import EXTENT
from nn_core.history import HISTORY_LIMIT
from nn_core.point_codec import MAX_LINK_POINTS
from nn_core.settings import MAX_TEXT_LENGTH, SETTINGS, settings_json
from nn_core.urlstate import MAX_HASH_LENGTH

from .conftest import eventually


def test_healthz_reports_version_and_open_sessions(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "version": __version__, "sessions": 0}
    with client.websocket_connect("/ws"), client.websocket_connect("/ws"):
        assert client.get("/healthz").json()["sessions"] == 2
    assert eventually(lambda: client.get("/healthz").json()["sessions"] == 0)


def test_settings_json_is_the_engine_table(client: TestClient) -> None:
    response = client.get("/settings.json")
    assert response.status_code == 200
    assert response.json()["settings"] == json.loads(json.dumps(settings_json()))
    assert {row["name"] for row in response.json()["settings"]} == set(SETTINGS)


def test_settings_json_carries_the_limits_the_page_checks(client: TestClient) -> None:
    limits = client.get("/settings.json").json()["limits"]
    assert limits == {"extent": EXTENT, "max_points": MAX_USER_POINTS, "max_text_length": MAX_TEXT_LENGTH,
                      "max_hash_length": MAX_HASH_LENGTH, "max_abs_value": MAX_ABS_VALUE,
                      "max_link_points": MAX_LINK_POINTS, "max_history": HISTORY_LIMIT,
                      "custom_datasets": ["custom", "reg-custom"]}


@pytest.mark.parametrize("path", ["/", "/healthz", "/settings.json", "/no-such-page",
                                  "/static/no-such-file.js"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def test_unknown_paths_are_404_and_api_docs_are_off(client: TestClient) -> None:
    for path in ("/no-such-page", "/docs", "/openapi.json"):
        assert client.get(path).status_code == 404


def test_index_renders_the_page_with_the_settings(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    baked = json.loads(_Page(response.text).body["data-settings"])
    assert baked == client.get("/settings.json").json()  # the same table and limits, without a round trip
    rows = baked["settings"]
    assert rows == json.loads(json.dumps(settings_json()))
    defaults = {row["name"]: row["default"] for row in rows}
    assert (defaults["activation"], defaults["learningRate"], defaults["networkShape"]) == ("tanh", 0.03, [4, 2])


class _Page(HTMLParser):
    """The ``<body>`` attributes and the ``/static/`` files a page links."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.body: dict[str, str] = {}
        self.static: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.body = {key: value or "" for key, value in attrs}
        self.static += [v for k, v in attrs if k in ("src", "href") and v and v.startswith("/static/")]


def test_static_files_the_page_links_are_served(client: TestClient) -> None:
    linked = _Page(client.get("/").text).static
    assert len(linked) >= 3, "the page links its script, style sheet and icon"
    for path in linked:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.content == (STATIC_DIR / path.removeprefix("/static/")).read_bytes()


def test_feature_maps_cover_every_feature_at_the_thumbnail_resolution(client: TestClient) -> None:
    body = client.get("/feature-maps.json").json()
    resolution = body["resolution"]
    assert resolution == client.app.state.settings.thumbnail
    assert list(body["maps"]) == ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
    x_map = body["maps"]["x"]
    assert len(x_map) == resolution * resolution and all(0 <= v <= 255 for v in x_map)
    assert x_map[0] < 128 < x_map[resolution - 1]  # left is x = −6, right is x = +6


def test_dataset_previews_are_the_engines_own_points(client: TestClient) -> None:
    from nn_core.datasets import CLASSIFICATION_DATASETS, REGRESSION_DATASETS, is_custom

    body = client.get("/dataset-previews.json").json()
    two = {n for n in CLASSIFICATION_DATASETS + REGRESSION_DATASETS if not is_custom(n)}
    k_classes = {f"{n}/{k}" for n in ("blobs", "spiral", "rings") for k in range(3, 7)}
    assert set(body) == two | k_classes
    assert len(body["spiral"]) == 250 and all(len(row) == 3 for row in body["spiral"])
    assert {row[2] for row in body["xor"]} == {-1.0, 1.0}
    assert len(body["rings/5"]) == 125 and {row[2] for row in body["rings/5"]} == {0, 1, 2, 3, 4}


def test_index_shows_the_engines_extent_on_the_square(client: TestClient) -> None:
    page = client.get("/").text
    extent = f"{EXTENT:g}"
    # The square's ticks are drawn by the page from limits.extent (tests/browser/test_limits.py).
    assert f"x, y in [−{extent}, {extent}]" in page


def test_settings_json_names_the_idle_close_reason(client: TestClient) -> None:
    """The page sleeps on this reason instead of reconnecting: it must be the server's own."""
    from app.protocol import IDLE_CLOSE_REASON

    assert client.get("/settings.json").json()["protocol"] == {"idle_close_reason": IDLE_CLOSE_REASON}
