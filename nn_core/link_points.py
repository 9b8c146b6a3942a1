"""Which of the user's points a link carries, and under which key.

A problem type's own points travel when its dataset setting picks them
(``dataset=custom`` → ``points=…``, ``regDataset=reg-custom`` → ``regPoints=…``)
and there are at most :data:`~nn_core.point_codec.MAX_LINK_POINTS` of them;
otherwise the link holds none of them (the page offers the CSV instead).
Class points are kept per number of classes (``points=`` carries those of the
link's ``classes``): class 2 of three is no label of a two-class problem.
"""

from __future__ import annotations

from . import datasets, point_codec
from .settings import Config
from .urlstate import MAX_HASH_LENGTH, fragment
from .user_points import UserPoints

LINK_KEYS = {False: "points", True: "regPoints"}  # by "is regression"
DATASET_KEYS = {False: "dataset", True: "regDataset"}
# Which of the user's point sets: ("is regression", classes), regression points counted as two classes.
PointsKey = tuple[bool, int]


def points_key(config: Config, regression: bool) -> PointsKey:
    """The key of ``config``'s point set of that problem type."""
    return (regression, datasets.MIN_CLASSES if regression else config.classes)


def _carried(config: Config, regression: bool) -> bool:
    return bool(getattr(config, DATASET_KEYS[regression]) == datasets.CUSTOM_NAMES[regression])


def link_part(config: Config, own: dict[PointsKey, UserPoints]) -> str:
    """``&points=…&regPoints=…`` for the points this link carries (may be empty)."""
    parts = []
    for regression, key in LINK_KEYS.items():
        points = own.get(points_key(config, regression))
        if points and _carried(config, regression) and point_codec.fits(points.train, points.test):
            text = point_codec.encode(points.train, points.test, regression, points_key(config, regression)[1])
            parts.append(f"&{key}={text}")
    return "".join(parts)


def left_out(config: Config, own: dict[PointsKey, UserPoints]) -> bool:
    """Whether the points in use are too many for a link (so it opens without them)."""
    regression = config.problem == "regression"
    points = own.get(points_key(config, regression))
    return points is not None and _carried(config, regression) and not point_codec.fits(points.train, points.test)


def from_link(text: str, config: Config) -> tuple[dict[PointsKey, UserPoints], list[str]]:
    """The points a link carries, by :func:`points_key`, and warnings for keys that could not be read."""
    own: dict[PointsKey, UserPoints] = {}
    warnings: list[str] = []
    values = dict(pair.split("=", 1) for pair in fragment(text[:MAX_HASH_LENGTH]).split("&") if "=" in pair)
    for regression, key in LINK_KEYS.items():
        if key not in values:
            continue
        try:
            train, test = point_codec.decode(values[key], regression, points_key(config, regression)[1])
        except point_codec.LinkPointsError as error:
            warnings.append(f"{key}: could not be read ({error}); the link opened without them")
            continue
        own[points_key(config, regression)] = UserPoints(train, test, config.percTrainData)
    return own, warnings
