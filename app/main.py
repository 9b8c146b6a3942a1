"""The application factory: assembles routes, middleware, settings and the training scheduler.

``nn-playground serve`` runs :func:`serve_app` in each of its processes
(``uvicorn --factory app.main:create_app`` works too, unpinned and unfrozen), so settings
come from the environment.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from nn_core import Playground

from . import __version__, pages, websocket
from .admission import SessionRegistry
from .config import AppSettings
from .cores import pin_to_free_core
from .grid_message import GridStream
from .scheduler import TrainingScheduler
from .security import SecurityHeadersMiddleware
from .server_messages import HistoryCursor, build_frame


def warm_up(thumbnail: int) -> None:
    """Pay the one-time costs (lazy imports, loading or compiling the engine's kernels, the
    grid's cached inputs) at start-up instead of on the first page opened. The kernels take
    the activation, loss, regularizer and optimizer as arguments, so one epoch and one
    gradient check load every kernel every link needs."""
    playground = Playground.from_url("")
    playground.step(2)
    playground.gradient_check()
    build_frame(playground, HistoryCursor(), GridStream(), False, thumbnail)


def freeze_start_up_objects() -> None:
    """Take what start-up made out of the garbage collector's sight, once warmed up.

    The modules, Numba's typing registries and the loaded kernels are ~140,000
    objects that live as long as the process. Each full collection walks them
    all: 58–80 ms holding the GIL, a stall of every page of the process, which
    under load came about every ten seconds (benchmarks/bench_frames.py prints it).
    Frozen, they are never walked; what is allocated later is collected as usual.
    """
    gc.collect()
    gc.freeze()


def serve_app() -> FastAPI:
    """The app as ``nn-playground serve`` runs it in each of its processes: settings from the
    environment, the process its own (on a core of its own, app/cores.py; its start-up objects
    frozen): never a test's own process."""
    return create_app(own_process=True)


def create_app(settings: AppSettings | None = None, own_process: bool = False) -> FastAPI:
    settings = settings or AppSettings.from_env()
    scheduler = TrainingScheduler(settings.train_threads, settings.max_fps)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if own_process and settings.pin_core and settings.train_threads == 1:
            pin_to_free_core()
        await scheduler.control(lambda: warm_up(settings.thumbnail))
        if own_process:
            freeze_start_up_objects()
        try:
            yield
        finally:
            scheduler.shutdown()

    app = FastAPI(title="Neural Playground", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.scheduler = scheduler
    app.state.registry = SessionRegistry(settings.max_sessions, settings.max_sessions_per_client,
                                         settings.max_waiting_per_client)
    app.include_router(pages.router)
    app.include_router(websocket.router)
    app.mount("/static", StaticFiles(directory=str(pages.STATIC_DIR), check_dir=False), name="static")
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.trusted_hosts), www_redirect=False)
    app.add_middleware(SecurityHeadersMiddleware)  # added last: outermost, so refusals carry the headers too
    return app
