"""The URL codec: a playground as the text after ``#``, in the original's format.

``parse_hash`` accepts any TensorFlow Playground link (whole URL or hash) and
never raises: unknown keys are ignored, a bad value keeps the default and adds
a warning naming the key. ``to_hash`` writes the original's keys in the
original's order (so a classic configuration gives the original's own link)
and then our own keys, only where they differ from their defaults.
"""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from .rng import new_seed
from .settings import DEFAULT, HIDEABLE, SETTINGS, Config, replace

HIDE_SUFFIX = "_hide"
# Text values (a seed) are percent-escaped except for these, so that no text can
# add a key of its own (``seed=x&learningRate=10``); the original's seeds need none.
TEXT_SAFE = "-._~!$'()*+,;:@/?"
# The longest link read (and the longest `hello` hash the server accepts).
MAX_HASH_LENGTH = 20_000


def fragment(text: str) -> str:
    """The part after ``#`` (the whole text when it has none)."""
    return text.split("#", 1)[1] if "#" in text else text


def parse_hash(text: str) -> tuple[Config, list[str]]:
    """A configuration from a link, with warnings for what could not be used.

    >>> config, warnings = parse_hash("#activation=relu&networkShape=3&bogus=1")
    >>> config.activation, config.networkShape, warnings
    ('relu', (3,), [])
    """
    if not isinstance(text, str):
        return _with_seed(DEFAULT, ["link: expected text"])
    warnings: list[str] = []
    if len(text) > MAX_HASH_LENGTH:
        warnings.append(f"link: longer than {MAX_HASH_LENGTH} characters, only the start was read")
        text = text[:MAX_HASH_LENGTH]
    changes: dict[str, Any] = {}
    hidden: set[str] = set()
    for pair in fragment(text).split("&"):
        if "=" not in pair:
            continue
        key, escaped = pair.split("=", 1)
        value = unquote(escaped)
        if key.endswith(HIDE_SUFFIX) and key[: -len(HIDE_SUFFIX)] in HIDEABLE:
            if value.strip() and value != "false":
                hidden.add(key[: -len(HIDE_SUFFIX)])
        elif key in SETTINGS and (value.strip() or key in ("networkShape", "seed")):
            changes[key] = value
    if hidden:
        changes["hidden"] = sorted(hidden)
    config, problems = replace(DEFAULT, changes)
    return _with_seed(config, warnings + problems)


def _with_seed(config: Config, warnings: list[str]) -> tuple[Config, list[str]]:
    """A link without a seed gets a fresh one, so the URL always pins the data."""
    if not config.seed:
        config = dataclasses.replace(config, seed=new_seed())
    return config, warnings


# JavaScript writes a number in plain digits from 1e-6 up to (not including) 1e21.
_JS_FIXED_FROM = 1e-6
_JS_EXPONENT_FROM = 1e21


def js_number(value: float) -> str:
    """A number as JavaScript's ``String(number)`` writes it (0.00001, not 1e-05)."""
    if isinstance(value, bool) or not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < _JS_EXPONENT_FROM:
        return str(int(value))
    text = repr(float(value))
    if "e" in text and _JS_FIXED_FROM <= abs(value) < _JS_EXPONENT_FROM:
        return format(Decimal(text), "f")
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent):+d}"
    return text


def format_value(value: Any) -> str | None:
    """A setting's value as a link writes it (None: the key is left out)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, (int, float)):
        return js_number(value)
    return quote(str(value), safe=TEXT_SAFE)


def to_hash(config: Config) -> str:
    """The canonical link of ``config`` (starts with ``#``).

    >>> to_hash(parse_hash("#seed=1&learningRate=0.1")[0]).split("&")[4]
    'learningRate=0.1'
    """
    parts = []
    for name, setting in SETTINGS.items():
        value = getattr(config, name)
        if name == "regularization" and value == "none":
            continue  # the original writes null, i.e. leaves the key out
        if not setting.classic and value == setting.default:
            continue
        text = format_value(value)
        if text is not None:
            parts.append(f"{name}={text}")
    parts += [f"{name}{HIDE_SUFFIX}=true" for name in HIDEABLE if name in config.hidden]
    return "#" + "&".join(parts)
