"""Checking a ``set`` message's values against the settings table before the engine sees them.

The engine forgives (a bad value becomes a warning), which suits links typed
by people. A message from the page is different: a value the page's own
controls could not produce is a client bug or an attack, so it is refused with
an ``invalid`` error and nothing changes. Bounds and choices come from
:mod:`nn_core.settings`, the single table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from nn_core.settings import HIDEABLE, SETTINGS, Config, SettingError, coerce

from .protocol import ProtocolError


def check_changes(config: Config, changes: Mapping[str, Any]) -> None:
    """Raise :class:`ProtocolError` (``invalid``) naming the first unacceptable value."""
    context = config
    if "mode" in changes:  # a bigger network and extended mode may arrive together
        context = dataclasses.replace(config, mode=_coerced("mode", changes["mode"], config))
    for name, raw in changes.items():
        if name == "hidden":
            _check_hidden(raw)
        elif name != "mode":
            _coerced(name, raw, context)


def _coerced(name: str, raw: Any, config: Config) -> Any:
    try:
        value = coerce(name, raw, config)
    except SettingError as error:
        raise ProtocolError("invalid", str(error)) from None
    setting = SETTINGS[name]
    if setting.kind == "number":
        if isinstance(raw, str) or value != raw:
            raise ProtocolError("invalid", f"{name}: {raw!r} is outside {setting.lo:g}..{setting.hi:g}"
                                + (" or not a whole number" if setting.integer else ""))
    if setting.kind == "bool" and not isinstance(raw, bool):
        raise ProtocolError("invalid", f"{name}: expected true or false")
    return value


def _check_hidden(raw: Any) -> None:
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise ProtocolError("invalid", "hidden: expected a list of control names")
    unknown = sorted(set(raw) - set(HIDEABLE))
    if unknown:
        raise ProtocolError("invalid", f"hidden: unknown control {unknown[0]!r}")
