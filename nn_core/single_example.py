"""Batch size 1: the network's update as straight-line Python, generated per shape.

With one example per update an epoch is a few hundred strictly sequential
updates of a network of a few dozen numbers, and nothing can be batched: the
next example's forward pass needs the weights this one just changed. NumPy
then spends its time in call overhead (about half a microsecond a call, and a
minimal forward-backward-update is ~20 calls), while plain Python floats in
local variables cost a few nanoseconds a bytecode. So for small networks the
fastest exact code is the original's own scalar program, unrolled: one line
per neuron and per parameter, generated once per (shape, activations, loss,
regularizer, dead links) and compiled with ``exec``, as the standard library's
``dataclasses`` builds its ``__init__``. Only integers (indices) and the fixed
templates below go into the source: no text from a user or a URL.

The generated code follows the original's order of operations (bias first,
then each link in order; ``w − lr·(δ·a)``, then the regularizer's step at the
OLD weight; an L1 weight that crosses zero dies, and a ``live`` flag per link
keeps it out of every later update without recompiling). ``math.exp`` raises
where NumPy gives ``inf``: always before the example's first update, so the
program returns the weights so far and the caller finishes the epoch the NumPy
way from that example.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .activations import LEAKY_SLOPE
from .network import Network

Array = np.ndarray
Lines = list[str]
# Above this many parameters NumPy's per-call cost is amortized and the
# vectorized path wins (measured in benchmarks/bench_single_example.py).
MAX_PARAMETERS = 128


# --- each activation as scalar source: (z, a) -> statements -------------------
# Written to give the same values as the NumPy versions in activations.py for
# every finite input; the forward pass also keeps a NaN as NaN, as np.maximum
# does (``not z <= 0.0``), so a diverged network still shows as diverged.
_FORWARD: dict[str, Callable[[str, str], str]] = {
    "tanh": lambda z, a: f"{a} = tanh({z})",
    "sigmoid": lambda z, a: f"{a} = 1.0 / (1.0 + exp(-{z}))",
    "relu": lambda z, a: f"{a} = {z} if not {z} <= 0.0 else 0.0",
    "linear": lambda z, a: f"{a} = {z}",
    "leakyRelu": lambda z, a: f"{a} = {z} if not {z} <= 0.0 else {z} * LEAKY_SLOPE",
    "elu": lambda z, a: f"{a} = {z} if {z} > 0.0 else expm1({z})",
    "softplus": lambda z, a: f"{a} = {z} + log1p(exp(-{z})) if {z} > 0.0 else log1p(exp({z}))",
    "swish": lambda z, a: f"s{z} = 1.0 / (1.0 + exp(-{z})); {a} = s{z} * {z}",
}
_DERIVATIVE: dict[str, Callable[[str, str], str]] = {  # each one term: parenthesized
    "tanh": lambda z, a: f"(1.0 - {a} * {a})",
    "sigmoid": lambda z, a: f"((1.0 - {a}) * {a})",
    "relu": lambda z, a: f"(1.0 if {z} > 0.0 else 0.0)",
    "linear": lambda z, a: "1.0",
    "leakyRelu": lambda z, a: f"(LEAKY_HIGH if {z} > 0.0 else LEAKY_SLOPE)",
    "elu": lambda z, a: f"(1.0 if {a} >= 0.0 else {a} + 1.0)",
    "softplus": lambda z, a: f"(1.0 / (1.0 + exp(-{z})))",
    "swish": lambda z, a: f"(s{z} + {a} - s{z} * {a})",  # s{z}: σ(z), kept by the forward pass
}
_NAMESPACE = {
    "tanh": math.tanh, "exp": math.exp, "expm1": math.expm1, "log1p": math.log1p,
    "LEAKY_SLOPE": LEAKY_SLOPE, "LEAKY_HIGH": (1.0 - LEAKY_SLOPE) + LEAKY_SLOPE,
}


def supports(net: Network) -> bool:
    """Whether the generated program is the faster way to train ``net`` one example at a time."""
    return net.params.size <= MAX_PARAMETERS


@dataclass(frozen=True)
class _Layout:
    """Names in the generated source: ``x{i}`` inputs, ``z/a/d{l}_{j}`` neuron j of layer l, ``w{k}`` params[k]."""

    net: Network

    def value(self, layer: int, node: int) -> str:
        return f"x{node}" if layer == 0 else f"a{layer}_{node}"

    def param(self, layer: int, node: int, source: int) -> int:
        """Flat index of the link source → node of weight layer ``layer`` (1-based); source n_in = bias."""
        return self.net.offsets[layer - 1] + node * (self.net.sizes[layer - 1] + 1) + source

    def weight_indices(self) -> list[int]:
        """Flat indices of every link weight (not the biases), in parameter order."""
        sizes = self.net.sizes
        return [self.param(layer, j, i) for layer in range(1, len(sizes))
                for j in range(sizes[layer]) for i in range(sizes[layer - 1])]


def source(net: Network, loss: str, regularization: str) -> str:
    """The program ``run(examples, params, live, lr, lr_reg) -> (examples done, params, died)``."""
    layout, sizes = _Layout(net), net.sizes
    names = ", ".join(f"w{k}" for k in range(net.params.size))
    flags = "".join(f"live{k}, " for k in layout.weight_indices())
    row = ", ".join([*(f"x{i}" for i in range(sizes[0])), "y"]) + ","  # "(y,)" with no features
    body = _forward(net, layout) + _backward(net, layout, loss) + _update(net, layout, regularization)
    return "\n".join([
        "def run(examples, params, live, lr, lr_reg):",
        f"    {names}, = params",
        f"    {flags}= live" if flags else "    # (no links)",
        "    died = []",
        "    k = 0",
        "    try:",
        f"        for k, ({row}) in enumerate(examples):",
        *(f"            {line}" for line in body),
        "    except OverflowError:  # raised before example k changed anything",
        f"        return k, [{names}], died",
        f"    return len(examples), [{names}], died",
    ])


def _forward(net: Network, layout: _Layout) -> Lines:
    lines = []
    for layer in range(1, len(net.sizes)):
        activation = _FORWARD[net.activation(layer - 1).name]
        n_in = net.sizes[layer - 1]
        for j in range(net.sizes[layer]):
            terms = [f"w{layout.param(layer, j, n_in)}"]
            terms += [f"w{layout.param(layer, j, i)} * {layout.value(layer - 1, i)}" for i in range(n_in)]
            lines.append(f"z{layer}_{j} = {' + '.join(terms)}")
            lines.append(activation(f"z{layer}_{j}", f"a{layer}_{j}"))
    return lines


def _backward(net: Network, layout: _Layout, loss: str) -> Lines:
    """δ = dE/dz for every neuron, computed before any weight changes (as the original)."""
    last = len(net.sizes) - 1
    error = f"(a{last}_0 - y)"
    output_der = _DERIVATIVE[net.output_activation](f"z{last}_0", f"a{last}_0")
    lines = [f"d{last}_0 = {error} * {output_der}" if loss == "squared" else f"d{last}_0 = {error}"]
    for layer in range(last - 1, 0, -1):
        derivative = _DERIVATIVE[net.hidden_activation]
        for i in range(net.sizes[layer]):
            terms = [f"w{layout.param(layer + 1, j, i)} * d{layer + 1}_{j}" for j in range(net.sizes[layer + 1])]
            lines.append(f"d{layer}_{i} = ({' + '.join(terms)}) * {derivative(f'z{layer}_{i}', f'a{layer}_{i}')}")
    return lines


def _update(net: Network, layout: _Layout, regularization: str) -> Lines:
    lines = []
    for layer in range(1, len(net.sizes)):
        n_in = net.sizes[layer - 1]
        for j in range(net.sizes[layer]):
            delta = f"d{layer}_{j}"
            for i in range(n_in):
                k = layout.param(layer, j, i)
                step = _weight_step(k, f"lr * ({delta} * {layout.value(layer - 1, i)})", regularization)
                lines += [f"if live{k}:", *(f"    {line}" for line in step)]  # dead links never move
            lines.append(f"w{layout.param(layer, j, n_in)} -= lr * {delta}")  # biases: no penalty
    return lines


def _weight_step(k: int, step: str, regularization: str) -> Lines:
    w = f"w{k}"
    if regularization == "L2":
        return [f"{w} = {w} - {step} - lr_reg * {w}"]
    if regularization != "L1":
        return [f"{w} -= {step}"]
    return [
        f"moved = {w} - {step}",
        f"penalized = moved - (lr_reg if {w} > 0.0 else -lr_reg if {w} < 0.0 else 0.0)",
        "if moved * penalized < 0.0:",
        f"    {w} = 0.0",
        f"    live{k} = False",
        f"    died.append({k})",
        "else:",
        f"    {w} = penalized",
    ]


def compile_program(net: Network, loss: str, regularization: str) -> Callable:
    namespace = dict(_NAMESPACE)
    exec(compile(source(net, loss, regularization), "<single-example program>", "exec"), namespace)
    return namespace["run"]


@dataclass
class SingleExampleTrainer:
    """Runs epochs of batch size 1 through generated programs, one per regularizer."""

    net: Network
    loss: str
    examples: list[tuple[float, ...]]  # (features..., label) per training point, in stored order
    programs: dict[str, Callable] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.weights = np.array(_Layout(self.net).weight_indices(), dtype=np.intp)

    def epoch(self, learning_rate: float, regularization: str, regularization_rate: float) -> tuple[int, bool]:
        """Train on the examples in order; returns ``(examples done, whether a link died)``.

        Fewer than all are done when ``math`` overflowed at the next one; the
        weights are then those after the last example done, ready for the
        NumPy path to go on from there.
        """
        net = self.net
        if regularization not in self.programs:
            self.programs[regularization] = compile_program(net, self.loss, regularization)
        live = np.logical_not(net.dead[self.weights]).tolist()
        lr_reg = learning_rate * regularization_rate
        done, params, died = self.programs[regularization](
            self.examples, net.params.tolist(), live, learning_rate, lr_reg)
        net.params[:] = params
        if died:
            net.dead[died] = True
        return done, bool(died)
