"""Security headers on every HTTP response, and the WebSocket Origin check.

The page loads nothing from elsewhere and runs no inline script, so a strict
Content-Security-Policy costs nothing and blunts any injection. Browsers do not
apply the same-origin policy to WebSockets; checking ``Origin`` is what stops a
foreign site from driving a visitor's session (cross-site WebSocket hijacking).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


class SecurityHeadersMiddleware:
    """Pure ASGI middleware (streaming-safe) adding :data:`SECURITY_HEADERS` to HTTP responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def origin_allowed(origin: str | None, host: str | None, allowed: Iterable[str]) -> bool:
    """Whether a WebSocket from ``origin`` may open a session.

    Same host and port as the request's ``Host`` header, or one of ``allowed``.
    No ``Origin`` at all is accepted: browsers always send one, so only
    non-browser clients (scripts, the benchmark) omit it, and they could forge it anyway.

    >>> origin_allowed("http://localhost:8000", "localhost:8000", [])
    True
    >>> origin_allowed("https://evil.example", "localhost:8000", [])
    False
    """
    if origin is None:
        return True
    normalized = _normalize_origin(origin)
    if normalized is None:
        return False
    if normalized in {_normalize_origin(o) for o in allowed}:
        return True
    scheme = normalized.split("://", 1)[0]
    return host is not None and normalized.split("://", 1)[1] == _strip_default_port(host.lower(), scheme)


def _normalize_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` lower-cased without a default port; None if not an http(s) origin."""
    try:
        parts = urlsplit(origin.strip().lower())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        return None
    return f"{parts.scheme}://{_strip_default_port(parts.netloc, parts.scheme)}"


def _strip_default_port(netloc: str, scheme: str) -> str:
    suffix = ":" + DEFAULT_PORTS.get(scheme, "")
    return netloc.removesuffix(suffix)
