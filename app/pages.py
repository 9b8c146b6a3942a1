"""HTTP routes: the page, the settings table and a health check."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from nn_core.activations import curves
from nn_core.datasets import CUSTOM_NAMES, MAX_USER_POINTS, previews
from nn_core.features import EXTENT
from nn_core.grid import feature_thumbnails, quantize
from nn_core.history import HISTORY_LIMIT
from nn_core.point_codec import MAX_LINK_POINTS
from nn_core.settings import MAX_TEXT_LENGTH, hideable_json, settings_json
from nn_core.urlstate import MAX_HASH_LENGTH

from . import __version__
from .protocol import IDLE_CLOSE_REASON, MAX_ABS_VALUE

# Package data beside this module, so an installed wheel serves the same page as a checkout.
HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Any:
    """The playground page, with the settings table baked in so controls render before the socket opens."""
    context = {"page_settings": page_settings(), "version": __version__}
    return templates.TemplateResponse(request=request, name="index.html", context=context)


@router.get("/settings.json")
async def settings_table() -> JSONResponse:
    return JSONResponse(page_settings())


@lru_cache(maxsize=1)
def page_settings() -> dict[str, Any]:
    """The settings table, the limits the page checks before it sends, the controls a
    classroom link can hide, the protocol's close reasons and every activation's curve and
    derivative (sampled by the engine, for the plot beside the activation control), each
    defined once in Python: the page's JavaScript repeats none of these values."""
    limits = {
        "extent": EXTENT,
        "max_points": MAX_USER_POINTS,
        "max_link_points": MAX_LINK_POINTS,
        "max_history": HISTORY_LIMIT,
        "max_text_length": MAX_TEXT_LENGTH,
        "max_hash_length": MAX_HASH_LENGTH,
        "max_abs_value": MAX_ABS_VALUE,
        "custom_datasets": sorted(CUSTOM_NAMES.values()),
    }
    protocol = {"idle_close_reason": IDLE_CLOSE_REASON}
    return {"settings": settings_json(), "limits": limits, "hideable": hideable_json(), "protocol": protocol,
            "activations": curves()}


@router.get("/feature-maps.json")
async def feature_maps(request: Request) -> JSONResponse:
    """Every input feature's thumbnail as grid bytes (they never change), so the
    page can show the features that are not inputs right now, as the original does."""
    return JSONResponse(_feature_maps(request.app.state.settings.thumbnail),
                        headers={"Cache-Control": "max-age=86400"})


@lru_cache(maxsize=4)
def _feature_maps(resolution: int) -> dict[str, Any]:
    maps = feature_thumbnails(resolution)
    return {"resolution": resolution, "maps": {name: quantize(m).ravel().tolist() for name, m in maps.items()}}


@router.get("/dataset-previews.json")
async def dataset_previews() -> JSONResponse:
    """Some points of every dataset, drawn in the page's dataset picker."""
    return JSONResponse(_dataset_previews(), headers={"Cache-Control": "max-age=86400"})


@lru_cache(maxsize=1)
def _dataset_previews() -> dict[str, Any]:
    return previews()


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "sessions": request.app.state.registry.open}
