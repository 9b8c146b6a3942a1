"""Run the app in a real uvicorn on a free loopback port, in a thread, and stop it again.

For end-to-end tests: the real HTTP/WebSocket stack (httptools, websockets)
instead of the in-process TestClient. Binding the socket ourselves first means
the port is known before the server starts and no other process can take it.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from .cli import MIN_WS_MAX_SIZE
from .config import AppSettings
from .main import create_app


class BackgroundServer:
    """``with BackgroundServer(settings) as server: server.url`` — stops on exit."""

    def __init__(self, settings: AppSettings | None = None) -> None:
        self.settings = settings or AppSettings()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(create_app(self.settings), log_level="warning", lifespan="on",
                                ws_max_size=max(MIN_WS_MAX_SIZE, 4 * self.settings.max_message_bytes),
                                ws_per_message_deflate=self.settings.ws_compression)
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="uvicorn-background", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def _serve(self) -> None:
        self.server.run(sockets=[self._socket])

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()
