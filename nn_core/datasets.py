"""The 2-D datasets, generated exactly as the original playground does.

Each classic generator draws from the seeded stream in the original's order and
evaluates its formulas in the original's operation order, so a link from
TensorFlow Playground gives the same points here (see section 3 of the
reference). Generation is a few thousand scalar draws from a sequential
stream, so it is plain Python; everything downstream works on arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .features import EXTENT
from .rng import SeededRandom

Array = np.ndarray
Points = list[tuple[float, float, float]]
Generator = Callable[[SeededRandom, int, float], Points]

CLASSIFICATION_SAMPLES = 500
REGRESSION_SAMPLES = 1200
MAX_USER_POINTS = 5000
POINT_COLUMNS = ("x", "y", "label")  # a user point's row


@dataclass(frozen=True)
class Dataset:
    """Points as parallel arrays, in stored (shuffled) order."""

    x: Array
    y: Array
    label: Array

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def rows(self) -> list[list[float]]:
        """``[x, y, label]`` rows, the JSON form used by the protocol and export."""
        rows: list[list[float]] = np.column_stack((self.x, self.y, self.label)).tolist()
        return rows

    def slice(self, start: int, stop: int) -> Dataset:
        return Dataset(self.x[start:stop], self.y[start:stop], self.label[start:stop])

    def subset(self, mask: Array) -> Dataset:
        """The points where ``mask`` is true, in order."""
        return Dataset(self.x[mask], self.y[mask], self.label[mask])

    @staticmethod
    def from_points(points: Sequence[Sequence[float]] | Array) -> Dataset:
        array = np.asarray(points, dtype=float).reshape(-1, 3)
        return Dataset(array[:, 0].copy(), array[:, 1].copy(), array[:, 2].copy())


def _circle(rng: SeededRandom, n: int, noise: float) -> Points:
    radius = 5.0
    points: Points = []

    def arm(r_min: float, r_max: float) -> None:
        for _ in range(n // 2):
            r = rng.uniform(r_min, r_max)
            angle = rng.uniform(0, 2 * math.pi)
            x = r * math.sin(angle)
            y = r * math.cos(angle)
            noise_x = rng.uniform(-radius, radius) * noise
            noise_y = rng.uniform(-radius, radius) * noise
            dx, dy = x + noise_x, y + noise_y
            label = 1.0 if math.sqrt(dx * dx + dy * dy) < radius * 0.5 else -1.0
            points.append((x, y, label))

    arm(0, radius * 0.5)
    arm(radius * 0.7, radius)
    return points


def _padded(value: float) -> float:
    return value + 0.3 if value > 0 else value - 0.3


def _xor(rng: SeededRandom, n: int, noise: float) -> Points:
    points: Points = []
    for _ in range(n):
        x = _padded(rng.uniform(-5, 5))
        y = _padded(rng.uniform(-5, 5))
        noise_x = rng.uniform(-5, 5) * noise
        noise_y = rng.uniform(-5, 5) * noise
        label = 1.0 if (x + noise_x) * (y + noise_y) >= 0 else -1.0
        points.append((x, y, label))
    return points


def _normal(rng: SeededRandom, mean: float, variance: float) -> float:
    """The original's polar method (v2 is drawn and discarded)."""
    while True:
        v1 = 2 * rng.random() - 1
        v2 = 2 * rng.random() - 1
        s = v1 * v1 + v2 * v2
        if s <= 1:
            break
    result = math.sqrt(-2 * math.log(s) / s) * v1
    return mean + math.sqrt(variance) * result


def _gauss(rng: SeededRandom, n: int, noise: float) -> Points:
    t = noise / 0.5
    variance = 0.5 * (1 - t) + 4 * t
    points: Points = []
    for cx, cy, label in ((2.0, 2.0, 1.0), (-2.0, -2.0, -1.0)):
        for _ in range(n // 2):
            x = _normal(rng, cx, variance)
            y = _normal(rng, cy, variance)
            points.append((x, y, label))
    return points


def _spiral(rng: SeededRandom, n: int, noise: float) -> Points:
    m = n // 2
    points: Points = []
    for delta, label in ((0.0, 1.0), (math.pi, -1.0)):
        for i in range(m):
            r = i / m * 5
            t = 1.75 * i / m * 2 * math.pi + delta
            x = r * math.sin(t) + rng.uniform(-1, 1) * noise
            y = r * math.cos(t) + rng.uniform(-1, 1) * noise
            points.append((x, y, label))
    return points


def _regression(label_of: Callable[[float, float], float]) -> Generator:
    def generate(rng: SeededRandom, n: int, noise: float) -> Points:
        radius = 6.0
        points: Points = []
        for _ in range(n):
            x = rng.uniform(-radius, radius)
            y = rng.uniform(-radius, radius)
            noise_x = rng.uniform(-radius, radius) * noise
            noise_y = rng.uniform(-radius, radius) * noise
            points.append((x, y, label_of(x + noise_x, y + noise_y)))
        return points

    return generate


def _plane_label(x: float, y: float) -> float:
    t = (x + y + 10) / 20
    return -1 * (1 - t) + 1 * t


_GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def _gauss_label(x: float, y: float) -> float:
    label = 0.0
    for cx, cy, sign in _GAUSSIANS:
        dx, dy = x - cx, y - cy
        t = min(max(math.sqrt(dx * dx + dy * dy) / 2, 0), 1)
        value = sign * (1 * (1 - t) + 0 * t)
        if abs(value) > abs(label):
            label = value
    return label


def _moons(rng: SeededRandom, n: int, noise: float) -> Points:
    """Two interleaving half circles (scikit-learn's make_moons, scaled to the square)."""
    scale = 3.5
    points: Points = []
    for sign, label in ((1.0, 1.0), (-1.0, -1.0)):
        for _ in range(n // 2):
            t = rng.uniform(0, math.pi)
            x = sign * (math.cos(t) - 0.5) * scale + rng.uniform(-1, 1) * noise * 2.5
            y = sign * (math.sin(t) - 0.25) * scale + rng.uniform(-1, 1) * noise * 2.5
            points.append((x, y, label))
    return points


def _square(rule: Callable[[float, float], bool]) -> Generator:
    """Points uniform in the ±5 square, +1 where ``rule`` holds at the noisy position, else −1."""

    def generate(rng: SeededRandom, n: int, noise: float) -> Points:
        points: Points = []
        for _ in range(n):
            x = rng.uniform(-5, 5)
            y = rng.uniform(-5, 5)
            noise_x = rng.uniform(-5, 5) * noise
            noise_y = rng.uniform(-5, 5) * noise
            points.append((x, y, 1.0 if rule(x + noise_x, y + noise_y) else -1.0))
        return points

    return generate


def _on_even_square(x: float, y: float) -> bool:
    """A 4×4 checkerboard of 2.5-wide squares."""
    return (math.floor(x / 2.5) + math.floor(y / 2.5)) % 2 == 0


def _above_sine(x: float, y: float) -> bool:
    """The "function" dataset: above or below the curve y = sin x."""
    return y > math.sin(x)


def _no_points(rng: SeededRandom, n: int, noise: float) -> Points:
    return []


# --- K classes (labels are class indices 0…K−1; for K = 2 they become −1 and +1) -------
ClassGenerator = Callable[[SeededRandom, int, float, int], Points]
BLOB_DISTANCE = 3.5  # from the centre of the square to each cluster's centre


def _blobs(rng: SeededRandom, n: int, noise: float, classes: int) -> Points:
    """K gaussian clusters on a circle, the variance growing with the noise as in ``gauss``."""
    t = noise / 0.5
    variance = 0.5 * (1 - t) + 4 * t
    points: Points = []
    for k in range(classes):
        angle = 2 * math.pi * k / classes
        cx, cy = BLOB_DISTANCE * math.sin(angle), BLOB_DISTANCE * math.cos(angle)
        for _ in range(n // classes):
            points.append((_normal(rng, cx, variance), _normal(rng, cy, variance), float(k)))
    return points


def _spiral_arms(rng: SeededRandom, n: int, noise: float, classes: int) -> Points:
    """K interleaved arms of the original's spiral, each turned by 2π/K from the last."""
    m = n // classes
    points: Points = []
    for k in range(classes):
        delta = 2 * math.pi * k / classes
        for i in range(m):
            r = i / m * 5
            t = 1.75 * i / m * 2 * math.pi + delta
            x = r * math.sin(t) + rng.uniform(-1, 1) * noise
            y = r * math.cos(t) + rng.uniform(-1, 1) * noise
            points.append((x, y, float(k)))
    return points


RING_WIDTH = 0.6  # of each ring's band of radii; the rest is the gap to the next ring


def _rings(rng: SeededRandom, n: int, noise: float, classes: int) -> Points:
    """K concentric rings, the innermost class 0; like ``circle``, a point's class is the
    ring its noisy position falls in, so noise mixes neighbouring rings."""
    radius = 5.0
    band = radius / classes
    points: Points = []
    for k in range(classes):
        for _ in range(n // classes):
            r = rng.uniform(k * band, (k + RING_WIDTH) * band)
            angle = rng.uniform(0, 2 * math.pi)
            x, y = r * math.sin(angle), r * math.cos(angle)
            dx = x + rng.uniform(-radius, radius) * noise
            dy = y + rng.uniform(-radius, radius) * noise
            ring = min(classes - 1, math.floor(math.sqrt(dx * dx + dy * dy) / band))
            points.append((x, y, float(ring)))
    return points


CUSTOM = "custom"
GENERATORS: dict[str, Generator] = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
    "checkerboard": _square(_on_even_square),
    "function": _square(_above_sine),
    CUSTOM: _no_points,
    "reg-plane": _regression(_plane_label),
    "reg-gauss": _regression(_gauss_label),
    "reg-custom": _no_points,
}
# The datasets of K classes; "spiral" is the original's for K = 2, K arms beyond.
CLASS_GENERATORS: dict[str, ClassGenerator] = {"blobs": _blobs, "spiral": _spiral_arms, "rings": _rings}
CLASSIFICATION_DATASETS = ("circle", "xor", "gauss", "spiral", "moons", "checkerboard", "function", "blobs",
                           "rings", CUSTOM)
REGRESSION_DATASETS = ("reg-plane", "reg-gauss", "reg-custom")
MIN_CLASSES, MAX_CLASSES = 2, 6
# The datasets that have K classes for any K; the others are two-class problems only.
MULTICLASS_DATASETS = (*CLASS_GENERATORS, CUSTOM)


def _two_classes(generator: ClassGenerator) -> Generator:
    """``generator`` with two classes, class 0 and 1 as the two-class problem's labels −1 and +1."""

    def generate(rng: SeededRandom, n: int, noise: float) -> Points:
        return [(x, y, 2.0 * label - 1.0) for x, y, label in generator(rng, n, noise, MIN_CLASSES)]

    return generate


GENERATORS.update({name: _two_classes(g) for name, g in CLASS_GENERATORS.items() if name not in GENERATORS})


def allows_classes(name: str, classes: int) -> bool:
    """Whether dataset ``name`` can have ``classes`` classes."""
    return classes == MIN_CLASSES or name in MULTICLASS_DATASETS


CUSTOM_NAMES = {False: CUSTOM, True: "reg-custom"}  # by "is regression"


def is_custom(name: str) -> bool:
    return name in CUSTOM_NAMES.values()


def generate(name: str, rng: SeededRandom, noise_percent: float, regression: bool,
             classes: int = MIN_CLASSES) -> Dataset:
    """Generate dataset ``name`` from ``rng`` and shuffle it, as the original does.

    With ``classes`` ≥ 3 (a dataset of :data:`MULTICLASS_DATASETS`) the labels are class indices.
    """
    n = REGRESSION_SAMPLES if regression else CLASSIFICATION_SAMPLES
    if classes > MIN_CLASSES and not regression:
        points = CLASS_GENERATORS[name](rng, n, noise_percent / 100, classes)
    else:
        points = GENERATORS[name](rng, n, noise_percent / 100)
    return shuffle(Dataset.from_points(points), rng)


PREVIEW_SEED = "preview"


PREVIEW_DECIMALS = 2  # a 38-pixel square shows no finer detail


def previews(points: int = 250) -> dict[str, list[list[float]]]:
    """A few points of every generated dataset, for the page's dataset picker
    (so its little squares show the engine's own shapes, not a copy of them);
    the datasets of K classes also as ``name/K`` for every K ≥ 3, half as many points."""
    result = {}
    for name in CLASSIFICATION_DATASETS + REGRESSION_DATASETS:
        if not is_custom(name):
            data = generate(name, SeededRandom(PREVIEW_SEED), 0, regression=name in REGRESSION_DATASETS)
            result[name] = _rounded(data.slice(0, points))
    for name in CLASS_GENERATORS:
        for classes in range(MIN_CLASSES + 1, MAX_CLASSES + 1):
            data = generate(name, SeededRandom(PREVIEW_SEED), 0, regression=False, classes=classes)
            result[f"{name}/{classes}"] = _rounded(data.slice(0, points // 2))
    return result


def _rounded(data: Dataset) -> list[list[float]]:
    rows: list[list[float]] = np.round(np.column_stack((data.x, data.y, data.label)), PREVIEW_DECIMALS).tolist()
    return rows


def shuffle(data: Dataset, rng: SeededRandom) -> Dataset:
    """Fisher–Yates from the end, consuming one draw per point like the original."""
    order = list(range(len(data)))
    for counter in range(len(order), 0, -1):
        k = math.floor(rng.random() * counter)
        order[counter - 1], order[k] = order[k], order[counter - 1]
    index = np.asarray(order, dtype=np.intp)
    return Dataset(data.x[index], data.y[index], data.label[index])


def split(data: Dataset, percent_train: float) -> tuple[Dataset, Dataset]:
    """The first ``floor(len * percent / 100)`` points train, the rest test."""
    cut = math.floor(len(data) * percent_train / 100)
    return data.slice(0, cut), data.slice(cut, len(data))


def interleaved_split(data: Dataset, percent_train: float) -> tuple[Dataset, Dataset]:
    """User points keep their order; train and test are spread evenly through it,
    so the points a person just drew land in both sets in the right proportion."""
    index = np.arange(len(data))
    is_train = np.floor((index + 1) * percent_train / 100) > np.floor(index * percent_train / 100)
    return data.subset(is_train), data.subset(~is_train)


class PointsError(ValueError):
    """User points that cannot be used; the message names the first bad row."""


def validate_points(rows: object, regression: bool, classes: int = MIN_CLASSES) -> Dataset:
    """Check user-given ``[x, y, label]`` rows and return them as a dataset.

    Coordinates must be finite with |x|, |y| ≤ 6; labels ±1 for two classes,
    a class index 0…K−1 for ``classes`` = K ≥ 3, any finite number (clamped to
    [−1, 1] by the page's scale) for regression.
    """
    if not isinstance(rows, (list, tuple)):
        raise PointsError("points must be a list of [x, y, label] rows")
    if len(rows) > MAX_USER_POINTS:
        raise PointsError(f"at most {MAX_USER_POINTS} points, got {len(rows)}")
    for number, row in enumerate(rows, start=1):
        problem = _row_problem(row, regression, classes)
        if problem:
            raise PointsError(f"row {number}: {problem}")
    return Dataset.from_points(rows) if rows else Dataset.from_points(np.empty((0, 3)))


def _row_problem(row: object, regression: bool, classes: int) -> str | None:
    if not isinstance(row, (list, tuple)) or len(row) != len(POINT_COLUMNS):
        return "expected three values x, y, label"
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row):
        return "x, y and label must be numbers"
    x, y, label = (float(v) for v in row)
    if not all(math.isfinite(v) for v in (x, y, label)):
        return "values must be finite"
    if abs(x) > EXTENT or abs(y) > EXTENT:
        return f"x and y must lie within ±{EXTENT:g}"
    return None if regression else _label_problem(label, classes)


def _label_problem(label: float, classes: int) -> str | None:
    if label in class_labels(classes):
        return None
    if classes == MIN_CLASSES:
        return "label must be 1 or -1 for classification"
    return f"label must be a class 0 to {classes - 1}"


def class_labels(classes: int) -> tuple[float, ...]:
    """The labels of ``classes`` classes: −1 and +1 for two, else 0…K−1."""
    return (-1.0, 1.0) if classes == MIN_CLASSES else tuple(float(k) for k in range(classes))
