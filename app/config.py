"""Server settings, read once from ``NNP_*`` environment variables.

A plain frozen dataclass keeps the dependency list short (no pydantic-settings);
:func:`AppSettings.from_env` is the only place that knows the variable names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields


class ConfigError(ValueError):
    """An environment variable holds a value the server cannot use; the message names it."""


@dataclass(frozen=True)
class AppSettings:
    """Everything an operator may tune; defaults suit one machine on loopback."""

    host: str = "127.0.0.1"
    port: int = 8000
    allowed_origins: tuple[str, ...] = ()
    max_sessions: int = 64
    max_message_bytes: int = 1_048_576
    idle_timeout: float = 600.0
    # A socket that never says hello holds a place without being a playground.
    hello_timeout: float = 30.0
    max_fps: int = 30
    thumbnail: int = 25
    # One training thread: NumPy on small arrays holds the GIL, so a second thread only adds
    # contention (measured: more CPU per frame, less even frame rates). Use uvicorn workers
    # (``serve --workers``) for more cores; raise this for very large networks, whose big
    # matrix products do release the GIL.
    train_threads: int = 1
    # permessage-deflate halves the bytes of a frame but costs ~0.8 ms of server CPU per
    # frame; off by default because the default deployment is loopback, where CPU is scarcer.
    ws_compression: bool = False

    def __post_init__(self) -> None:
        _check_range("NNP_PORT", self.port, 0, 65535)
        _check_range("NNP_MAX_SESSIONS", self.max_sessions, 1, 100_000)
        _check_range("NNP_MAX_MESSAGE_BYTES", self.max_message_bytes, 1024, 64 * 1_048_576)
        _check_range("NNP_IDLE_TIMEOUT", self.idle_timeout, 0.05, 7 * 24 * 3600)
        _check_range("NNP_HELLO_TIMEOUT", self.hello_timeout, 0.05, 3600)
        _check_range("NNP_MAX_FPS", self.max_fps, 1, 240)
        _check_range("NNP_THUMBNAIL", self.thumbnail, 4, 100)
        _check_range("NNP_TRAIN_THREADS", self.train_threads, 1, 64)
        for origin in self.allowed_origins:
            if "://" not in origin:
                raise ConfigError(f"NNP_ALLOWED_ORIGINS: {origin!r} is not an origin like https://example.org")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AppSettings:
        """Settings from ``NNP_<FIELD>`` variables; unset or empty ones keep their default."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"NNP_{f.name.upper()}", "").strip()
            if raw:
                values[f.name] = _parse(f"NNP_{f.name.upper()}", raw, str(f.type))
        return cls(**values)  # type: ignore[arg-type]


_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _parse(variable: str, raw: str, kind: str) -> object:
    """``raw`` as the field's declared type (``kind``, e.g. "int"), or ConfigError naming the variable."""
    if kind == "bool":
        if raw.lower() not in _BOOLEANS:
            raise ConfigError(f"{variable}: expected true or false, got {raw!r}")
        return _BOOLEANS[raw.lower()]
    if kind.startswith("tuple"):
        return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    if kind in ("int", "float"):
        try:
            return int(raw) if kind == "int" else float(raw)
        except ValueError:
            raise ConfigError(f"{variable}: expected a number, got {raw!r}") from None
    return raw


def _check_range(variable: str, value: float, lo: float, hi: float) -> None:
    if not lo <= value <= hi:
        raise ConfigError(f"{variable}: {value!r} is outside {lo}..{hi}")
