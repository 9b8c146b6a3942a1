"""Server settings, read once from ``NNP_*`` environment variables.

A plain frozen dataclass keeps the dependency list short (no pydantic-settings);
:func:`variable` is the only place that knows how a field names its variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


class ConfigError(ValueError):
    """An environment variable holds a value the server cannot use; the message names it."""


@dataclass(frozen=True)
class Bounds:
    """The closed range a number setting accepts (``serve``'s options reuse them)."""

    lo: float
    hi: float

    def __contains__(self, value: float) -> bool:
        return self.lo <= value <= self.hi

    def check(self, name: str, value: float) -> None:
        """ConfigError naming ``name`` unless ``value`` is in range."""
        if value not in self:
            raise ConfigError(f"{name}: {value!r} is outside {self.lo}..{self.hi}")


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")

# uvicorn processes for `serve --workers`: a command-line option, not a server setting.
WORKER_BOUNDS = Bounds(1, 64)


def _bounded(default: Any, lo: float, hi: float) -> Any:
    return field(default=default, metadata={"bounds": Bounds(lo, hi)})


@dataclass(frozen=True)
class AppSettings:
    """Everything an operator may tune; defaults suit one machine on loopback.

    Each field is read from ``NNP_<FIELD>`` (:func:`variable`); a number's
    accepted range is in its field metadata.
    """

    host: str = "127.0.0.1"
    port: int = _bounded(8000, 0, 65535)
    # Host names the server answers to besides its bind address and loopback's names: a
    # request for any other name (DNS rebinding, a spoofed Host) is refused, HTTP and /ws.
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    max_sessions: int = _bounded(64, 1, 100_000)
    # One client address (a browser's tabs, or a classroom behind one NAT) may hold at most
    # this many; the rest of max_sessions stays for everyone else.
    max_sessions_per_client: int = _bounded(32, 1, 100_000)
    # Sockets of one address that have not said hello yet: a bulk opener cannot fill the server.
    max_waiting_per_client: int = _bounded(8, 1, 100_000)
    # A request's head (line and headers) must arrive within this: slow-loris sockets are closed.
    header_timeout: float = _bounded(10.0, 0.05, 600)
    max_message_bytes: int = _bounded(1_048_576, 1024, 64 * 1_048_576)
    idle_timeout: float = _bounded(600.0, 0.05, 7 * 24 * 3600)
    # A socket that never says hello holds a place without being a playground.
    hello_timeout: float = _bounded(30.0, 0.05, 3600)
    max_fps: int = _bounded(60, 1, 240)  # the original draws at the browser's ~60 frames a second
    thumbnail: int = _bounded(25, 4, 100)
    # One training thread: the frames' Python holds the GIL, so a second thread only adds
    # contention (measured: more CPU per frame, less even frame rates). ``serve`` runs one
    # process per core instead (``--workers``); raise this for very large networks, whose big
    # matrix products do release the GIL.
    train_threads: int = _bounded(1, 1, 64)
    # Each process keeps its threads on a core of its own (app/cores.py: measured 1.5x the
    # frames of an unpinned process); only with one training thread.
    pin_core: bool = True
    # permessage-deflate halves the bytes of a frame but costs ~0.8 ms of server CPU per
    # frame; off by default because the default deployment is loopback, where CPU is scarcer.
    ws_compression: bool = False

    def __post_init__(self) -> None:
        for name, bounds in BOUNDS.items():
            bounds.check(variable(name), getattr(self, name))
        for origin in self.allowed_origins:
            if "://" not in origin:
                raise ConfigError(f"{variable('allowed_origins')}: {origin!r} is not an origin like https://example.org")

    @property
    def trusted_hosts(self) -> tuple[str, ...]:
        """Every host name a request may name: the bind address, loopback's names, the configured ones."""
        names = (self.host, *LOOPBACK_HOSTS, *self.allowed_hosts)
        return tuple(dict.fromkeys(_as_host_header(name) for name in names))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AppSettings:
        """Settings from ``NNP_<FIELD>`` variables; unset or empty ones keep their default."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(variable(f.name), "").strip()
            if raw:
                values[f.name] = _parse(variable(f.name), raw, str(f.type))
        return cls(**values)


def variable(name: str) -> str:
    """The environment variable of setting ``name``: ``port`` is read from ``NNP_PORT``."""
    return f"NNP_{name.upper()}"


def _as_host_header(name: str) -> str:
    """A host as a Host header names it: lower case, an IPv6 address in brackets."""
    name = name.strip().lower()
    return f"[{name}]" if ":" in name and not name.startswith("[") else name


# Each number setting's accepted range, by field name.
BOUNDS: dict[str, Bounds] = {f.name: f.metadata["bounds"] for f in fields(AppSettings) if "bounds" in f.metadata}


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

