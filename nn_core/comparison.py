"""Compare mode: two playgrounds A and B on the same data, trained in lockstep.

A comparison link is A's ordinary link plus ``compare=key:value,key:value``:
B's settings that differ from A's, each value written as the link writes it
(``compare=learningRate:0.3,networkShape:4,2,activation:relu`` — a value's own
commas, as in a layer list, belong to it until the next ``key:``). An empty
``compare=`` compares two identical sides. Opening it gives the two
playgrounds one would get from A's link and from A's link with B's values in
it: trained for the same epochs, they match those two separate runs bit for bit.

The data (dataset, noise, ratio, seed, problem type, classes) and what only the
page shows (speed, test data shown, discretized output, a classroom link's hidden
controls) are shared: both sides
train and are drawn on the same points, so those keys cannot be in ``compare=``.

>>> comparison = Comparison.from_link("#seed=0.5&networkShape=3&compare=learningRate:0.3")
>>> comparison.differences, comparison.b.config.learningRate
({'learningRate': 0.3}, 0.3)
>>> comparison.step(2)
>>> comparison.a.epoch, comparison.b.epoch
(2, 2)
>>> comparison.to_url().endswith("&compare=learningRate:0.3")
True
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import numpy as np

from . import grid
from .playground import Playground
from .settings import SETTINGS, Config, replace
from .urlstate import MAX_HASH_LENGTH, format_value, fragment, parse_hash

KEY = "compare"
# The same on both sides: the points they train on, and what the page shows of them.
SHARED = frozenset({"dataset", "regDataset", "noise", "seed", "percTrainData", "problem", "classes",
                    "showTestData", "discretize", "speed", "collectStats", "tutorial", "hideText", "hidden"})
# What B may change: every other setting, in the link's order.
COMPARED = tuple(name for name in SETTINGS if name not in SHARED)


class ComparisonError(ValueError):
    """A ``compare=`` that cannot be read: the message names the key and what was wrong."""


def compare_text(link: str) -> str | None:
    """The (unescaped) value of the link's ``compare=``, or None when it has none."""
    for pair in fragment(link[:MAX_HASH_LENGTH]).split("&"):
        key, _, value = pair.partition("=")
        if key == KEY and _ == "=":
            return unquote(value)
    return None


def parse_changes(text: str) -> dict[str, str]:
    """``key:value,key:value`` as {key: value text}; ComparisonError for anything else.

    >>> parse_changes("networkShape:4,2,activation:relu")
    {'networkShape': '4,2', 'activation': 'relu'}
    """
    changes: dict[str, str] = {}
    last: str | None = None
    for item in text.split(",") if text else []:
        key, colon, value = item.partition(":")
        if not colon:  # a value's own comma (a list of layers)
            if last is None:
                raise ComparisonError(f"compare: expected key:value, got {item!r}")
            changes[last] += "," + item
            continue
        _check_key(key, changes)
        changes[key] = value
        last = key
    return changes


def _check_key(key: str, seen: dict[str, str]) -> None:
    if key in SHARED:
        raise ComparisonError(f"compare: {key} is shared by both sides (the same data and view); "
                              "set it in the link itself")
    if key not in SETTINGS:
        raise ComparisonError(f"compare: unknown setting {key!r}; expected one of {', '.join(COMPARED)}")
    if key in seen:
        raise ComparisonError(f"compare: {key} is given twice")


def b_config(a: Config, text: str) -> Config:
    """B's configuration: A's with the ``compare=`` values; ComparisonError naming a bad value."""
    config, warnings = replace(a, parse_changes(text))  # values as text, as the link writes them
    if warnings:
        raise ComparisonError(f"compare: {warnings[0]}")
    return config


def differences(a: Config, b: Config) -> dict[str, Any]:
    """B's values of the settings it does not share with A, in the link's order."""
    return {name: getattr(b, name) for name in COMPARED if getattr(a, name) != getattr(b, name)}


def compare_part(a: Config, b: Config) -> str:
    """``&compare=…`` for B's differences from A (empty after ``=`` when there are none)."""
    items = []
    for name, value in differences(a, b).items():
        text = format_value(value)
        items.append(f"{name}:{'' if text is None else text}")
    return f"&{KEY}=" + ",".join(items)


def link_with(link: str, changes: dict[str, str]) -> str:
    """``link`` (its fragment) with ``changes`` written into it and without its ``compare=``:
    the link B alone would have."""
    pairs = [pair for pair in fragment(link).split("&") if pair and not pair.startswith(KEY + "=")]
    kept = [pair for pair in pairs if pair.partition("=")[0] not in changes]
    return "#" + "&".join([*kept, *(f"{key}={value}" for key, value in changes.items())])


class Comparison:
    """A and B: two playgrounds on the same data, stepped together. Build it with
    :meth:`from_link` or :meth:`of` (B a fork of a playground in use)."""

    def __init__(self, a: Playground, b: Playground) -> None:
        self.a = a
        self.b = b

    @classmethod
    def from_link(cls, link: str) -> Comparison:
        """A from the link, B from the link with its ``compare=`` values; ComparisonError when
        the link has no ``compare=`` or a bad one."""
        text = compare_text(link)
        if text is None:
            raise ComparisonError("compare: the link has no compare= (it is not a comparison)")
        a_config, _ = parse_hash(link)
        changes = parse_changes(text)
        b_config(a_config, text)  # a bad value is an error here, not a warning of B's
        return cls(Playground.from_url(link_with(link, {})), Playground.from_url(link_with(link, changes)))

    @classmethod
    def of(cls, pg: Playground, **changes: Any) -> Comparison:
        """``pg`` as A and its fork with ``changes`` as B (same data, same current weights)."""
        shared = sorted(set(changes) & SHARED)
        if shared:
            raise ComparisonError(f"compare: {shared[0]} is shared by both sides; change it on both")
        return cls(pg, pg.fork(**changes))

    @property
    def differences(self) -> dict[str, Any]:
        return differences(self.a.config, self.b.config)

    def to_url(self) -> str:
        """A's link with ``compare=`` for B: :meth:`from_link` reopens this comparison."""
        return self.a.to_url() + compare_part(self.a.config, self.b.config)

    def step(self, epochs: int = 1) -> None:
        """The same epochs for both sides."""
        self.a.step(epochs)
        self.b.step(epochs)

    def difference(self, resolution: int = grid.OUTPUT_RESOLUTION) -> np.ndarray:
        """A's output map minus B's over [−6, 6]² ((N, N), or (K, N, N) class probabilities)."""
        maps = [side.boundaries(output_resolution=resolution).output for side in (self.a, self.b)]
        return np.asarray(maps[0] - maps[1])
