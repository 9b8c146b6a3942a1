"""The page, as a notebook widget carries it: markup, stylesheet, ES modules and JSON documents.

The widget shows the very page the server serves (app/templates, app/static): the
template is rendered here with the same settings table baked in, and the modules go
to the view as their sources, which it loads as blob: URLs inside an iframe
(app/static/widget/playground-widget.js). Nothing is fetched from a server, so the
widget works wherever the notebook's front end runs (JupyterLab, Notebook, VS Code,
behind JupyterHub's proxy).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import __version__
from .pages import STATIC_DIR, _dataset_previews, _feature_maps, page_settings, templates

JS_DIR = STATIC_DIR / "js"
STYLESHEET = STATIC_DIR / "css" / "playground.css"
VIEW = STATIC_DIR / "widget" / "playground-widget.js"


@dataclass(frozen=True)
class WidgetPage:
    """What one widget's view needs to draw the page (its traitlets)."""

    markup: str
    stylesheet: str
    modules: dict[str, str]  # file name (main.js…) → source
    resources: dict[str, Any]  # path the page would GET → its JSON


@lru_cache(maxsize=4)
def widget_page(thumbnail: int) -> WidgetPage:
    """The page for widgets whose frames have ``thumbnail``-cell maps (read once per kernel)."""
    context = {"page_settings": page_settings(), "version": __version__}
    return WidgetPage(
        markup=templates.get_template("index.html").render(context),
        stylesheet=STYLESHEET.read_text(encoding="utf-8"),
        modules={path.name: path.read_text(encoding="utf-8") for path in sorted(JS_DIR.glob("*.js"))},
        resources={"/settings.json": page_settings(), "/feature-maps.json": _feature_maps(thumbnail),
                   "/dataset-previews.json": _dataset_previews()},
    )
