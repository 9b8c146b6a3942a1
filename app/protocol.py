"""The client's messages: one pydantic model per ``type``, validated at the edge.

Everything the session receives has passed :func:`parse_client_message`, so
the code behind it never re-checks shapes, sizes or finiteness. The bounds come
from :mod:`nn_core.settings` (network limits) and docs/protocol.md.

>>> parse_client_message('{"type": "step", "n": 3}')
StepMessage(type='step', n=3)
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, ValidationInfo, field_validator

from nn_core.datasets import MAX_USER_POINTS
from nn_core.divergence import RECOVERIES
from nn_core.history import HISTORY_LIMIT
from nn_core.settings import EXTENDED_MAX_LAYERS, EXTENDED_MAX_NEURONS, MAX_TEXT_LENGTH, SETTINGS
from nn_core.urlstate import MAX_HASH_LENGTH

MAX_EPOCH = 2**31 - 1
# A weight matrix per hidden layer plus the output layer; sources are inputs or neurons.
MAX_WEIGHT_LAYERS = EXTENDED_MAX_LAYERS + 1
MAX_WIDTH = EXTENDED_MAX_NEURONS
# The reason a paused, silent session is closed with: the page then sleeps instead of
# reconnecting, until the user's next action.
IDLE_CLOSE_REASON = "idle timeout"
# The largest weight, bias or coordinate a message may carry (the page checks it before resuming).
MAX_ABS_VALUE = 1e6
SETTING_NAMES = frozenset(SETTINGS) | {"hidden"}

Finite = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_ABS_VALUE, le=MAX_ABS_VALUE)]
Index = Annotated[int, Field(ge=0, le=MAX_WIDTH)]
# A value inside `set.changes`: a JSON scalar or a short list (networkShape, hidden).
SettingValue = (
    bool
    | Finite
    | Annotated[str, Field(max_length=MAX_TEXT_LENGTH)]
    | Annotated[list[Annotated[int, Field(ge=-1000, le=1000)] | Annotated[str, Field(max_length=64)]],
                Field(max_length=64)]
    | None
)


class ProtocolError(Exception):
    """A message the server refuses; ``code`` is one of docs/protocol.md's error codes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Message(BaseModel):
    # strict: JSON true is not the number 1, "3" is not 3; extra: typos are errors, not silence.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Loss = Annotated[float, Field(allow_inf_nan=False, ge=0)]
HistoryPoint = Annotated[list[Loss], Field(min_length=3, max_length=3)]  # [epoch, train, test]


class Resume(_Message):
    """Weights a reconnecting page still shows, to continue where it was."""

    epoch: Annotated[int, Field(ge=0, le=MAX_EPOCH)]
    weights: Annotated[list[Annotated[list[Annotated[list[Finite], Field(max_length=MAX_WIDTH)]],
                                      Field(max_length=MAX_WIDTH)]],
                       Field(max_length=MAX_WEIGHT_LAYERS)]
    biases: Annotated[list[Annotated[list[Finite], Field(max_length=MAX_WIDTH)]],
                      Field(max_length=MAX_WEIGHT_LAYERS)]
    # The loss chart's past, [epoch, train, test] rows (thinned by the page to the engine's limit).
    history: Annotated[list[HistoryPoint], Field(max_length=HISTORY_LIMIT)] = []


class HelloMessage(_Message):
    type: Literal["hello"]
    hash: Annotated[str, Field(max_length=MAX_HASH_LENGTH)] = ""
    resume: Resume | None = None


class SetMessage(_Message):
    type: Literal["set"]
    changes: Annotated[dict[str, SettingValue], Field(max_length=len(SETTING_NAMES))]
    # Compare mode: the side the change goes to (the data and view settings go to both).
    side: Literal["a", "b"] = "a"

    @field_validator("changes")
    @classmethod
    def _known_names(cls, changes: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(changes) - SETTING_NAMES)
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}")
        return changes


class PlayMessage(_Message):
    type: Literal["play"]


class PauseMessage(_Message):
    type: Literal["pause"]


class StepMessage(_Message):
    type: Literal["step"]
    n: Annotated[int, Field(ge=1, le=1000)] = 1


class ResetMessage(_Message):
    type: Literal["reset"]


class RegenerateMessage(_Message):
    type: Literal["regenerate"]


class SetWeightMessage(_Message):
    type: Literal["set_weight"]
    layer: Annotated[int, Field(ge=0, le=MAX_WEIGHT_LAYERS)]
    node: Index
    source: Index
    value: Finite


class SetBiasMessage(_Message):
    type: Literal["set_bias"]
    layer: Annotated[int, Field(ge=0, le=MAX_WEIGHT_LAYERS)]
    node: Index
    value: Finite


Point = Annotated[list[Finite], Field(min_length=3, max_length=3)]  # [x, y, label]


class PointsMessage(_Message):
    """User data: ``add`` puts points in the training set, ``remove`` takes them out, ``replace``
    sets them all (``test`` given: ``points`` train and ``test`` test, as an undo restores them)."""

    type: Literal["points"]
    points: Annotated[list[Point], Field(max_length=MAX_USER_POINTS)]
    mode: Literal["replace", "add", "remove"] = "replace"
    test: Annotated[list[Point], Field(max_length=MAX_USER_POINTS)] | None = None

    @field_validator("test")
    @classmethod
    def _only_on_replace(cls, test: list[list[float]] | None, info: ValidationInfo) -> list[list[float]] | None:
        if test is not None and info.data.get("mode") != "replace":
            raise ValueError("test points come only with mode replace")
        return test


class GradientCheckMessage(_Message):
    type: Literal["gradient_check"]


class ExportMessage(_Message):
    type: Literal["export"]


class SeekMessage(_Message):
    """Look at a past epoch of the branch in use (frames of it); the future stays until a change."""

    type: Literal["seek"]
    epoch: Annotated[int, Field(ge=0, le=MAX_EPOCH)]


class ContinueMessage(_Message):
    """Make the epoch being looked at the present: training goes on from it, a new branch."""

    type: Literal["continue"]


class RecoverMessage(_Message):
    """After a divergence: back to the last good epoch, ``how``: with the learning rate divided by
    10 (``learning_rate``) or with gradient clipping at that epoch's gradient norm (``clip``)."""

    type: Literal["recover"]
    how: str = RECOVERIES[0]

    @field_validator("how")
    @classmethod
    def _a_way_back(cls, how: str) -> str:
        if how not in RECOVERIES:
            raise ValueError(f"expected one of {', '.join(RECOVERIES)}")
        return how


class LoadMessage(_Message):
    """An exported model (the page's "Import model"): the engine's ``Playground.load`` checks it."""

    type: Literal["load"]
    model: dict[str, Any]


class KeyFrameMessage(_Message):
    """The page holds no base for the grid deltas (a message it could not decode)."""

    type: Literal["key_frame"]


class PredictionsMessage(_Message):
    """Whether frames carry each point's predicted class (while the page highlights a confusion cell)."""

    type: Literal["predictions"]
    on: bool


class ExplainMessage(_Message):
    """One example through the network: z and a of every neuron; with a label also δ, the
    gradients and the update one training step on it would give (nothing changes)."""

    type: Literal["explain"]
    x: Finite
    y: Finite
    label: Finite | None = None


class ApplyExampleMessage(_Message):
    """Perform the one-example training step ``explain`` showed for this labelled point."""

    type: Literal["apply_example"]
    x: Finite
    y: Finite
    label: Finite


class GradientsMessage(_Message):
    """Whether frames carry every link's gradient of the last update (while the page's "Show
    gradients" is on; each layer's gradient size comes in every frame anyway)."""

    type: Literal["gradients"]
    on: bool


class CompareMessage(_Message):
    """Compare mode on (B a fork of the playground: same data, weights and training state) or
    off (``keep``: the side that stays the page's playground)."""

    type: Literal["compare"]
    on: bool
    keep: Literal["a", "b"] = "a"


ClientMessage = Annotated[
    HelloMessage | SetMessage | PlayMessage | PauseMessage | StepMessage | ResetMessage | RegenerateMessage
    | SetWeightMessage | SetBiasMessage | PointsMessage | GradientCheckMessage | ExportMessage
    | LoadMessage | KeyFrameMessage | PredictionsMessage | ExplainMessage | ApplyExampleMessage
    | GradientsMessage | SeekMessage | ContinueMessage | RecoverMessage | CompareMessage,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
_MESSAGES: tuple[type[_Message], ...] = get_args(get_args(ClientMessage)[0])
MESSAGE_TYPES: tuple[str, ...] = tuple(get_args(m.model_fields["type"].annotation)[0] for m in _MESSAGES)


def parse_client_message(text: str) -> ClientMessage:
    """Decode and validate one text message, or raise :class:`ProtocolError`.

    JSON's non-standard ``NaN``/``Infinity`` are refused here, before pydantic,
    so no non-finite number ever reaches the engine.
    """
    data = _decode(text)
    if not isinstance(data, dict):
        raise ProtocolError("bad_json", "a message must be a JSON object")
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in MESSAGE_TYPES:
        raise ProtocolError("unknown_type", f"unknown message type {_short(kind)}; "
                                            f"expected one of {', '.join(MESSAGE_TYPES)}")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as error:
        raise ProtocolError("invalid", describe(error)) from None


def _decode(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise ProtocolError("bad_json", f"not valid JSON: {_short(str(error))}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def describe(error: ValidationError) -> str:
    """The first problem in words a person can act on: where, and what was wrong."""
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"][1:]) or "message"
    extra = error.error_count() - 1
    more = f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra else ""
    return f"{where}: {first['msg']}{more}"


SHORT_TEXT = 60  # characters of a bad value quoted back in an error


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHORT_TEXT else text[: SHORT_TEXT - 3] + "..."
