"""Every playground setting, defined once.

``Config`` is the single table: each field carries its name (the URL key, the
protocol key and the page's control name are all the field name), its type,
its default and, in the field metadata, a :class:`Setting` with allowed values,
bounds, the original's UI option list and a label. The URL codec, the server's
validation, the page's controls and the engine all read this table; nothing
repeats it.

Field names use TensorFlow Playground's camelCase keys on purpose: a link from
the original must mean the same thing here, and one name per setting beats a
translation table.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .activations import ACTIVATIONS
from .datasets import (
    CLASSIFICATION_DATASETS,
    MAX_CLASSES,
    MIN_CLASSES,
    MULTICLASS_DATASETS,
    REGRESSION_DATASETS,
    allows_classes,
)
from .features import FEATURE_NAMES

Kind = Literal["choice", "number", "bool", "shape", "text"]

CLASSIC_MAX_LAYERS = 6
CLASSIC_MAX_NEURONS = 8
EXTENDED_MAX_LAYERS = 10
EXTENDED_MAX_NEURONS = 32
NEW_LAYER_NEURONS = 2
# The longest text a setting takes (the seed): a link stays a link.
MAX_TEXT_LENGTH = 200
# Epochs per second at each speed: classic is the original's one epoch per animation
# frame (~60 a second); None = as many as the server's time allows.
SPEEDS: dict[str, int | None] = {"classic": 60, "x10": 600, "x100": 6000, "max": None}


@dataclass(frozen=True)
class Setting:
    """What one setting accepts and how the page shows it."""

    name: str
    kind: Kind
    default: Any
    label: str
    group: str
    classic: bool = True
    choices: tuple[str, ...] = ()
    # The original's own subset of ``choices`` (shown when the page mimics it); empty = all.
    classic_choices: tuple[str, ...] = ()
    options: tuple[float, ...] = ()
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    integer: bool = False
    nullable: bool = False
    # Shown only while another setting has one of these values, e.g. momentum
    # only with the momentum optimizer: {"optimizer": ("momentum",)}.
    depends: dict[str, tuple[str, ...]] | None = None

    def to_json(self) -> dict[str, Any]:
        """The setting as the page and ``/settings`` see it."""
        data = dataclasses.asdict(self)
        if isinstance(self.default, tuple):
            data["default"] = list(self.default)
        if self.depends:
            data["depends"] = {name: list(values) for name, values in self.depends.items()}
        return data


def _setting(default: Any, kind: Kind, label: str, group: str, **meta: Any) -> Any:
    spec = {"default": default, "kind": kind, "label": label, "group": group, **meta}
    if isinstance(default, (list, tuple)):
        return field(default=tuple(default), metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


def _choice(default: str | None, choices: tuple[str, ...], label: str, group: str, **meta: Any) -> Any:
    return _setting(default, "choice", label, group, choices=choices, **meta)


def _number(default: float, label: str, group: str, **meta: Any) -> Any:
    return _setting(default, "number", label, group, **meta)


def _flag(default: bool, label: str, group: str, **meta: Any) -> Any:
    return _setting(default, "bool", label, group, **meta)


# The largest epoch count a stop condition or a schedule takes.
MAX_STOP_EPOCH = 10_000_000
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
MAX_GRADIENT_CLIP = 1000.0  # the largest clipping norm: beyond it clipping would hardly ever act
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)


@dataclass(frozen=True)
class Config:
    """One complete playground configuration (immutable; use :func:`replace`).

    The field order is the original's URL serialization order, followed by
    Neural Playground's own settings.
    """

    # --- TensorFlow Playground's keys, in its serialization order ---------
    activation: str = _choice("tanh", tuple(ACTIVATIONS), "Activation", "top",
                              classic_choices=tuple(a for a in ACTIVATIONS if ACTIVATIONS[a].classic))
    regularization: str = _choice("none", ("none", "L1", "L2"), "Regularization", "top")
    batchSize: int = _number(10, "Batch size", "data", lo=1, hi=30, step=1, integer=True)
    dataset: str = _choice("circle", CLASSIFICATION_DATASETS, "Dataset", "data",
                           classic_choices=CLASSIFICATION_DATASETS[:4])
    regDataset: str = _choice("reg-plane", REGRESSION_DATASETS, "Regression dataset", "data",
                              classic_choices=REGRESSION_DATASETS[:2])
    learningRate: float = _number(0.03, "Learning rate", "top", lo=0.0, hi=10.0,
                                  options=LEARNING_RATES)
    regularizationRate: float = _number(0.0, "Regularization rate", "top", lo=0.0, hi=10.0,
                                        options=REGULARIZATION_RATES)
    noise: int = _number(0, "Noise", "data", lo=0, hi=50, step=5, integer=True)
    networkShape: tuple[int, ...] = _setting((4, 2), "shape", "Hidden layers", "network",
                                             lo=1, hi=CLASSIC_MAX_NEURONS, integer=True)
    seed: str = _setting("", "text", "Seed", "data")
    showTestData: bool = _flag(False, "Show test data", "output")
    discretize: bool = _flag(False, "Discretize output", "output")
    percTrainData: int = _number(50, "Ratio of training to test data", "data", lo=10, hi=90,
                                 step=10, integer=True)
    x: bool = _flag(True, "X₁", "features")
    y: bool = _flag(True, "X₂", "features")
    xTimesY: bool = _flag(False, "X₁X₂", "features")
    xSquared: bool = _flag(False, "X₁²", "features")
    ySquared: bool = _flag(False, "X₂²", "features")
    cosX: bool = _flag(False, "cos(X₁) (ignored, as in the original)", "hidden")
    sinX: bool = _flag(False, "sin(X₁)", "features")
    cosY: bool = _flag(False, "cos(X₂) (ignored, as in the original)", "hidden")
    sinY: bool = _flag(False, "sin(X₂)", "features")
    collectStats: bool = _flag(False, "Collect statistics", "hidden")
    tutorial: str | None = _setting(None, "text", "Tutorial", "hidden", nullable=True)
    problem: str = _choice("classification", ("classification", "regression"), "Problem type", "top")
    initZero: bool = _flag(False, "Start all weights at zero", "network")
    hideText: bool = _flag(False, "Hide text", "hidden")
    # --- Neural Playground's additions (written only when not default) ----
    optimizer: str = _choice("sgd", ("sgd", "momentum", "adam"), "Optimizer", "engine", classic=False)
    momentum: float = _number(0.9, "Momentum", "engine", lo=0.0, hi=0.999, classic=False,
                              depends={"optimizer": ("momentum",)})
    beta1: float = _number(0.9, "Adam β₁", "engine", lo=0.0, hi=0.999, classic=False,
                           depends={"optimizer": ("adam",)})
    beta2: float = _number(0.999, "Adam β₂", "engine", lo=0.0, hi=0.99999, classic=False,
                           depends={"optimizer": ("adam",)})
    # K = 2 is the original's problem (one tanh output, labels ±1); K ≥ 3 has K softmax outputs.
    classes: int = _number(MIN_CLASSES, "Classes", "data", lo=MIN_CLASSES, hi=MAX_CLASSES, step=1, integer=True,
                           classic=False, depends={"problem": ("classification",)})
    loss: str = _choice("squared", ("squared", "crossEntropy"), "Loss", "engine", classic=False,
                        depends={"problem": ("classification",)})
    init: str = _choice("classic", ("classic", "xavier", "he"), "Initialization", "engine",
                        classic=False)
    speed: str = _choice("classic", tuple(SPEEDS), "Speed", "engine",
                         classic=False)
    mode: str = _choice("classic", ("classic", "extended"), "Network limits", "engine", classic=False)
    # Off: every change that resets the network in the original resets it here too (section 8).
    keepWeights: bool = _flag(True, "Keep learned weights when settings change", "engine", classic=False)
    # --- Stop conditions (0 = off), checked after every epoch (nn_core/stopping.py) ---
    stopAtEpoch: int = _number(0, "Stop at epoch (0 = never)", "training", lo=0, hi=MAX_STOP_EPOCH,
                               integer=True, classic=False)
    stopAtTestLoss: float = _number(0.0, "Stop when the test loss is ≤ (0 = never)", "training", lo=0.0,
                                    hi=10.0, classic=False)
    stopAtAccuracy: float = _number(0.0, "Stop when the test accuracy is ≥ (0…1, 0 = never)", "training",
                                    lo=0.0, hi=1.0, classic=False, depends={"problem": ("classification",)})
    earlyStopping: int = _number(0, "Stop when the test loss has not improved for epochs (0 = never)",
                                 "training", lo=0, hi=MAX_STOP_EPOCH, integer=True, classic=False)
    # --- Learning-rate schedules: the rate as a pure function of the epoch (nn_core/schedules.py) ---
    lrSchedule: str = _choice("constant", ("constant", "step", "exponential", "cosine"),
                              "Learning-rate schedule", "training", classic=False)
    lrStepEvery: int = _number(100, "Step: epochs between drops", "training", lo=1, hi=MAX_STOP_EPOCH,
                               integer=True, classic=False, depends={"lrSchedule": ("step",)})
    lrStepFactor: float = _number(0.5, "Step: factor at each drop", "training", lo=0.0, hi=1.0,
                                  classic=False, depends={"lrSchedule": ("step",)})
    lrDecay: float = _number(0.999, "Exponential: factor per epoch", "training", lo=0.0, hi=1.0,
                             classic=False, depends={"lrSchedule": ("exponential",)})
    lrCosineEpochs: int = _number(1000, "Cosine: epochs to the lowest rate", "training", lo=1,
                                  hi=MAX_STOP_EPOCH, integer=True, classic=False,
                                  depends={"lrSchedule": ("cosine",)})
    lrMin: float = _number(0.0, "Cosine: lowest rate", "training", lo=0.0, hi=10.0, classic=False,
                           depends={"lrSchedule": ("cosine",)})
    # --- Gradient clipping: each update's mean gradient scaled to this global L2 norm at most
    # (nn_core/optimizers.py); 0 = off, the original's rule ---
    gradientClip: float = _number(0.0, "Clip the gradient's norm at (0 = never)", "training", lo=0.0,
                                  hi=MAX_GRADIENT_CLIP, classic=False)
    # Controls hidden with `<control>_hide=true`; serialized as those keys.
    hidden: frozenset[str] = field(default=frozenset(), metadata={"spec": None})

    @functools.cached_property
    def features(self) -> tuple[str, ...]:
        """The enabled input features, in the input layer's order; a hidden one
        (``x_hide=true``) is no input at all, as if it did not exist. (Worked out once per
        config: a frame asks several times, and a config never changes.)"""
        return tuple(name for name in FEATURE_NAMES if getattr(self, name) and name not in self.hidden)

    @property
    def dataset_key(self) -> str:
        """The setting that picks the dataset for the current problem type."""
        return "dataset" if self.problem == "classification" else "regDataset"

    @property
    def data_source(self) -> str:
        """The dataset actually used for the current problem type."""
        return str(getattr(self, self.dataset_key))

    @property
    def multiclass(self) -> bool:
        """A classification of K ≥ 3 classes: K softmax outputs, labels 0…K−1."""
        return self.problem == "classification" and self.classes > MIN_CLASSES

    @property
    def outputs(self) -> int:
        """Output neurons: one (two classes, or regression), or one per class."""
        return self.classes if self.multiclass else 1

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Input, hidden and output layer sizes."""
        return (len(self.features), *self.networkShape, self.outputs)

    @property
    def max_layers(self) -> int:
        return CLASSIC_MAX_LAYERS if self.mode == "classic" else EXTENDED_MAX_LAYERS

    @property
    def max_neurons(self) -> int:
        return CLASSIC_MAX_NEURONS if self.mode == "classic" else EXTENDED_MAX_NEURONS


def _build_table() -> dict[str, Setting]:
    table: dict[str, Setting] = {}
    for f in dataclasses.fields(Config):
        spec = f.metadata.get("spec")
        if spec is None:
            continue
        table[f.name] = Setting(name=f.name, **spec)
    return table


SETTINGS: dict[str, Setting] = _build_table()
DEFAULT = Config()

# The controls a classroom link can hide with `<name>_hide=true`, name → label of its
# checkbox in "Use it in a classroom" (checked = visible). First the original's 15
# (tfp-reference 7b), in its order and words; then the input features; then every other
# setting with a control; then parts of our page the original does not have.
ORIGINAL_HIDEABLE = {
    "showTestData": "Show test data", "discretize": "Discretize output", "playButton": "Play button",
    "stepButton": "Step button", "resetButton": "Reset button", "learningRate": "Learning rate",
    "activation": "Activation", "regularization": "Regularization",
    "regularizationRate": "Regularization rate", "problem": "Problem type", "dataset": "Which dataset",
    "percTrainData": "Ratio train data", "noise": "Noise level", "batchSize": "Batch size",
    "numHiddenLayers": "# of hidden layers",
}
PAGE_PARTS_HIDEABLE = {
    "regenerateButton": "Regenerate button", "enginePanel": "More: Engine panel",
    "trainingPanel": "More: Stop & learning rate panel", "confusionMatrix": "Confusion matrix",
    "yourDataPanel": "More: Your data panel", "sharePanel": "More: Share & export panel",
}


def _hideable() -> dict[str, str]:
    features = {name: f"Input {SETTINGS[name].label}" for name in FEATURE_NAMES if SETTINGS[name].group == "features"}
    others = {name: s.label for name, s in SETTINGS.items()
              if s.group not in ("hidden", "features") and name not in ORIGINAL_HIDEABLE}
    return {**ORIGINAL_HIDEABLE, **features, **others, **PAGE_PARTS_HIDEABLE}


HIDEABLE_LABELS: dict[str, str] = _hideable()
HIDEABLE = tuple(HIDEABLE_LABELS)


class SettingError(ValueError):
    """A value a setting cannot take; the message names the setting."""


def coerce(name: str, raw: Any, config: Config = DEFAULT) -> Any:
    """Turn a raw value (URL text or JSON value) into a valid value of setting ``name``.

    Raises :class:`SettingError` naming the setting for anything it cannot
    accept; numbers out of bounds are clamped, which callers report as warnings
    by comparing. ``config`` supplies context (the network limits of its mode).
    """
    setting = SETTINGS.get(name)
    if setting is None:
        raise SettingError(f"unknown setting {name!r}")
    handler = _COERCERS[setting.kind]
    return handler(setting, raw, config)


def _coerce_choice(setting: Setting, raw: Any, config: Config) -> Any:
    if raw is None and setting.nullable:
        return None
    if setting.name == "regularization" and raw in (None, "null"):
        return "none"
    if not isinstance(raw, str) or raw not in setting.choices:
        allowed = ", ".join(setting.choices)
        raise SettingError(f"{setting.name}: {raw!r} is not one of {allowed}")
    return raw


def _coerce_number(setting: Setting, raw: Any, config: Config) -> float | int:
    value = _to_float(setting.name, raw)
    if setting.lo is not None:
        value = max(value, setting.lo)
    if setting.hi is not None:
        value = min(value, setting.hi)
    if setting.integer:
        return round(value)
    return value


def _to_float(name: str, raw: Any) -> float:
    if isinstance(raw, bool):
        raise SettingError(f"{name}: expected a number, got {raw!r}")
    try:
        value = float(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        raise SettingError(f"{name}: expected a number, got {_short(raw)}") from None
    if not math.isfinite(value):
        raise SettingError(f"{name}: expected a finite number, got {_short(raw)}")
    return value


def _coerce_bool(setting: Setting, raw: Any, config: Config) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip():
        return raw != "false"  # the original: false only for the exact text "false"
    raise SettingError(f"{setting.name}: expected true or false, got {_short(raw)}")


def _coerce_shape(setting: Setting, raw: Any, config: Config) -> tuple[int, ...]:
    if isinstance(raw, str):
        parts = raw.split(",") if raw.strip() else []
    elif isinstance(raw, (list, tuple)):
        parts = list(raw)
    else:
        raise SettingError(f"networkShape: expected layer sizes, got {_short(raw)}")
    sizes = []
    for part in parts:
        value = _to_float("networkShape", part)
        if value != int(value) or value < 1:
            raise SettingError(f"networkShape: {_short(part)} is not a positive whole number")
        sizes.append(int(value))
    if len(sizes) > config.max_layers:
        raise SettingError(f"networkShape: at most {config.max_layers} hidden layers")
    if any(size > config.max_neurons for size in sizes):
        raise SettingError(f"networkShape: at most {config.max_neurons} neurons per layer")
    return tuple(sizes)


def _coerce_text(setting: Setting, raw: Any, config: Config) -> str | None:
    if raw is None and setting.nullable:
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or len(raw) > MAX_TEXT_LENGTH:
        raise SettingError(f"{setting.name}: expected a short text, got {_short(raw)}")
    if not raw.isprintable():  # no control codes or lone surrogates: a link must carry it as it is
        raise SettingError(f"{setting.name}: expected printable text, got {_short(raw)}")
    return raw


_COERCERS = {
    "choice": _coerce_choice,
    "number": _coerce_number,
    "bool": _coerce_bool,
    "shape": _coerce_shape,
    "text": _coerce_text,
}


_SHORT = 40  # characters of a bad value an error message quotes


def _short(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."


def replace(config: Config, changes: Mapping[str, Any], strict: bool = False) -> tuple[Config, list[str]]:
    """Apply raw ``changes`` to ``config``; return the new config and warnings.

    Forgiving (for links people type): a value that cannot be accepted leaves
    the setting as it was and adds a warning naming it; a clamped number is kept
    clamped with a warning. ``strict`` (for messages from the page, whose own
    controls cannot produce such values) raises :class:`SettingError` for the
    first of them instead, before anything changes. The ``mode`` is applied
    first so a bigger network in the same change fits.
    """
    warnings: list[str] = []
    accepted: dict[str, Any] = {}
    ordered = sorted(changes.items(), key=lambda kv: kv[0] != "mode")
    for name, raw in ordered:
        try:
            if name == "hidden":
                accepted["hidden"] = _coerce_hidden(raw, warnings, strict)
                continue
            value = coerce(name, raw, dataclasses.replace(config, **accepted))
            problem = _inexact(SETTINGS[name], raw, value, strict)
            if problem and strict:
                raise SettingError(problem)
        except SettingError as error:
            if strict:
                raise
            warnings.append(str(error))
            continue
        if problem:
            warnings.append(problem)
        accepted[name] = value
    new = dataclasses.replace(config, **accepted)
    if new.mode != config.mode and "networkShape" not in accepted:
        new = _fit_shape(new, warnings)
    return _fit_dataset(new, "dataset" in accepted, warnings, strict), warnings


MULTICLASS_FALLBACK = "blobs"


def _fit_dataset(config: Config, chosen: bool, warnings: list[str], strict: bool) -> Config:
    """A two-class dataset cannot have K ≥ 3 classes: a change of ``classes`` alone takes
    the dataset along to ``blobs``; a dataset chosen with it is a warning (``strict``: an error)."""
    if allows_classes(config.dataset, config.classes):
        return config
    if chosen:
        problem = (f"dataset: {config.dataset} has two classes, not {config.classes}; "
                   f"{config.classes} classes need one of {', '.join(MULTICLASS_DATASETS)}")
        if strict:
            raise SettingError(problem)
        warnings.append(f"{problem}; using {MULTICLASS_FALLBACK}")
    return dataclasses.replace(config, dataset=MULTICLASS_FALLBACK)


def _inexact(setting: Setting, raw: Any, value: Any, strict: bool) -> str | None:
    """What was changed on the way in: a number clamped or rounded; in strict
    mode also a number or a bool given as text (JSON has real ones)."""
    if strict and setting.kind in ("number", "bool") and isinstance(raw, str):
        return f"{setting.name}: expected {'a number' if setting.kind == 'number' else 'true or false'}, not text"
    if setting.kind == "number" and _to_float(setting.name, raw) != value:
        if strict:
            whole = " or not a whole number" if setting.integer else ""
            return f"{setting.name}: {_short(raw)} is outside {setting.lo:g}..{setting.hi:g}{whole}"
        return f"{setting.name}: {_short(raw)} is out of range, using {value}"
    return None


def _fit_shape(config: Config, warnings: list[str]) -> Config:
    shape = tuple(min(n, config.max_neurons) for n in config.networkShape[: config.max_layers])
    if shape != config.networkShape:
        warnings.append(f"networkShape: trimmed to the {config.mode} limits")
        return dataclasses.replace(config, networkShape=shape)
    return config


def _coerce_hidden(raw: Any, warnings: list[str], strict: bool) -> frozenset[str]:
    if not isinstance(raw, (list, tuple, set, frozenset)) or not all(isinstance(n, str) for n in raw):
        raise SettingError("hidden: expected a list of control names")
    unknown = sorted(set(raw) - set(HIDEABLE))
    if unknown:
        if strict:
            raise SettingError(f"hidden: unknown control {unknown[0]!r}")
        warnings.append(f"hidden: unknown controls {', '.join(unknown)}")
    return frozenset(raw) & frozenset(HIDEABLE)


# How the page words a choice (the original's wording where it has one); a
# choice not listed here is shown capitalised.
CHOICE_LABELS = {
    "relu": "ReLU", "leakyRelu": "Leaky ReLU", "elu": "ELU", "none": "None", "sgd": "SGD",
    "crossEntropy": "Cross-entropy", "x10": "×10", "x100": "×100", "xor": "Exclusive or",
    "gauss": "Gaussian", "reg-plane": "Plane", "reg-gauss": "Multi Gaussian", "custom": "Your data",
    "reg-custom": "Your data",
}


def choice_labels(setting: Setting) -> dict[str, str]:
    return {choice: CHOICE_LABELS.get(choice, choice[:1].upper() + choice[1:]) for choice in setting.choices}


NETWORK_LIMITS = {
    "classic": {"layers": CLASSIC_MAX_LAYERS, "neurons": CLASSIC_MAX_NEURONS},
    "extended": {"layers": EXTENDED_MAX_LAYERS, "neurons": EXTENDED_MAX_NEURONS},
}


def settings_json() -> list[dict[str, Any]]:
    """The table as JSON, for the page (which builds its controls from it).

    Adds what the page needs beyond a row's own fields: the original's subset
    of each choice list, the network limits of each mode, and each input
    feature's place in the input layer (the order the page draws them in).
    """
    rows = []
    for setting in SETTINGS.values():
        row = setting.to_json()
        row["classic_choices"] = list(setting.classic_choices or setting.choices)
        row["choice_labels"] = choice_labels(setting)
        if setting.name == "networkShape":
            row["limits"] = NETWORK_LIMITS
            row["new_layer"] = NEW_LAYER_NEURONS
        if setting.name == "dataset":
            row["multiclass"] = list(MULTICLASS_DATASETS)  # the others have two classes only
        if setting.name in FEATURE_NAMES:
            row["feature_index"] = FEATURE_NAMES.index(setting.name)
        rows.append(row)
    return rows


def hideable_json() -> list[dict[str, str]]:
    """The hidable controls as the page's classroom section lists them, in link order."""
    return [{"name": name, "label": label} for name, label in HIDEABLE_LABELS.items()]


def config_to_json(config: Config) -> dict[str, Any]:
    """A config as plain JSON values (lists for tuples, sorted hidden list)."""
    data: dict[str, Any] = {}
    for f in dataclasses.fields(Config):
        value = getattr(config, f.name)
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, frozenset):
            value = sorted(value)
        data[f.name] = value
    return data
