"""The ``/ws`` endpoint: admission (Origin, session limits), then a :class:`Connection`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, WebSocket

from .admission import SessionRegistry
from .config import AppSettings
from .connection import Connection, refuse_busy
from .scheduler import TrainingScheduler
from .security import origin_allowed

log = logging.getLogger("app.websocket")
router = APIRouter()
CLOSE_POLICY_VIOLATION = 1008


@router.websocket("/ws")
async def playground_socket(websocket: WebSocket) -> None:
    state = websocket.app.state
    settings: AppSettings = state.settings
    origin = websocket.headers.get("origin")
    if not origin_allowed(origin, websocket.headers.get("host"), settings.allowed_origins):
        log.warning("refused a WebSocket from origin %r", origin)
        await websocket.close(CLOSE_POLICY_VIOLATION, "origin not allowed")  # before accept: HTTP 403
        return
    registry: SessionRegistry = state.registry
    ticket = registry.admit(websocket.client.host if websocket.client else "")
    if ticket is None:
        await refuse_busy(websocket)
        return
    try:
        await websocket.accept()
        scheduler: TrainingScheduler = state.scheduler
        await Connection(websocket, settings, scheduler, ticket).run()
    finally:
        ticket.close()
