"""A plain NumPy reference of the training rule, kept in the tests to check the compiled engine.

Written for clarity, not speed: one example at a time, one layer at a time,
with whole-vector NumPy operations, straight from the reference's rule
(section 6 of ``tfp-reference.md``) and the engine's extensions (more
activations, cross-entropy, momentum and Adam, gradient clipping, K softmax
outputs with labels 0…K−1). Each sum is still built in the original's order
(bias first, then each link in order), so the engine and this reference agree
to the last few bits. The benchmark uses it as its
baseline too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nn_core import Playground
from nn_core.features import feature_matrix

Array = np.ndarray
LEAKY_SLOPE = 0.01


def _sigmoid(z: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-z))


ACTIVATIONS = {  # name: (f(z), f'(z) from z and a = f(z))
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "relu": (lambda z: np.where(z > 0.0, z, 0.0), lambda z, a: (z > 0.0) * 1.0),
    "sigmoid": (_sigmoid, lambda z, a: a * (1.0 - a)),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "leakyRelu": (lambda z: np.where(z > 0.0, z, LEAKY_SLOPE * z),
                  lambda z, a: np.where(z > 0.0, 1.0, LEAKY_SLOPE)),
    "elu": (lambda z: np.where(z > 0.0, z, np.expm1(np.minimum(z, 0.0))),
            lambda z, a: np.where(z > 0.0, 1.0, a + 1.0)),
    "softplus": (lambda z: np.logaddexp(0.0, z), lambda z, a: _sigmoid(z)),
    "swish": (lambda z: z * _sigmoid(z), lambda z, a: _sigmoid(z) + a * (1.0 - _sigmoid(z))),
}


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max())
    return e / e.sum()


def one_hot(label: float, classes: int) -> Array:
    return (np.arange(classes) == int(label)) * 1.0


def error(loss: str, output: Array, label: float) -> float:
    """One example's loss; ``output`` is the output layer's values (one, or K probabilities)."""
    if output.size > 1:
        if loss == "squared":
            return float(0.5 * ((output - one_hot(label, output.size)) ** 2).sum())
        return float(-np.log(max(output[int(label)], 1e-12)))
    output = float(output[0])
    if loss == "squared":
        return 0.5 * (output - label) ** 2
    p = min(max((output + 1.0) / 2.0, 1e-12), 1.0 - 1e-12)
    t = (label + 1.0) / 2.0
    return float(-(t * np.log(p) + (1.0 - t) * np.log1p(-p)))


@dataclass
class Layer:
    """Weights ``(n_out, n_in)``, biases, dead links, accumulated gradients, optimizer moments."""

    weights: Array
    biases: Array
    dead: Array
    weight_sum: Array = field(init=False)
    bias_sum: Array = field(init=False)
    moments: dict[str, Array] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.weight_sum = np.zeros_like(self.weights)
        self.bias_sum = np.zeros_like(self.biases)


class ReferenceNetwork:
    """The playground's network and settings, trained by the rule written out plainly."""

    def __init__(self, playground: Playground) -> None:
        config = playground.config
        parameters = zip(playground.weights, playground.biases, playground.dead, strict=False)
        self.layers = [Layer(w, b, d) for w, b, d in parameters]
        self.activations = [config.activation] * (len(self.layers) - 1) + [playground.net.output_activation]
        self.loss, self.config, self.count, self.steps = playground.loss_name, config, 0, 0
        self.train = (feature_matrix(config.features, playground.train.x, playground.train.y), playground.train.label)
        self.test = (feature_matrix(config.features, playground.test.x, playground.test.y), playground.test.label)

    def forward(self, x: Array) -> list[tuple[Array, Array]]:
        """``(z, a)`` per layer, inputs first (z = a = x)."""
        values = [(x, x)]
        for layer, name in zip(self.layers, self.activations, strict=False):
            source = values[-1][1]
            z = layer.biases.copy()
            for i in range(source.size):
                z = z + layer.weights[:, i] * source[i]
            values.append((z, _softmax(z) if name == "softmax" else ACTIVATIONS[name][0](z)))
        return values

    def backward(self, values: list[tuple[Array, Array]], label: float) -> list[Array]:
        """δ = dE/dz per layer (first hidden first)."""
        z, a = values[-1]
        if self.activations[-1] == "softmax":
            difference = a - one_hot(label, a.size)
            delta = difference if self.loss == "crossEntropy" else a * (difference - (difference * a).sum())
        else:
            delta = a - label
        if self.loss == "squared" and self.activations[-1] != "softmax":
            delta = delta * ACTIVATIONS[self.activations[-1]][1](z, a)
        deltas = [delta]
        for index in range(len(self.layers) - 1, 0, -1):
            weights, (z, a) = self.layers[index].weights, values[index]
            output_derivative = np.zeros(weights.shape[1])
            for j in range(weights.shape[0]):
                output_derivative = output_derivative + weights[j] * deltas[0][j]
            deltas.insert(0, output_derivative * ACTIVATIONS[self.activations[index - 1]][1](z, a))
        return deltas

    def epoch(self) -> None:
        """One pass over the training points in order, updating after every batch-size-th point."""
        inputs, labels = self.train
        for p in range(len(labels)):
            values = self.forward(inputs[p])
            for layer, delta, (_, source) in zip(self.layers, self.backward(values, labels[p]), values, strict=False):
                layer.weight_sum += np.outer(delta, source)
                layer.bias_sum += delta
            self.count += 1
            if (p + 1) % self.config.batchSize == 0:
                self.update()

    def update(self) -> None:
        self.steps += 1
        self._clip()
        for layer in self.layers:
            getattr(self, f"_{self.config.optimizer}")(layer)
            layer.weight_sum[:] = 0.0
            layer.bias_sum[:] = 0.0
        self.count = 0

    def _clip(self) -> None:
        """gradientClip > 0: scale every sum so the mean gradient's L2 norm over the live
        parameters (weights of live links, biases), without the penalty, is at most the limit."""
        limit = self.config.gradientClip
        if limit <= 0.0:
            return
        squares = 0.0  # summed in the parameters' order: per neuron its links', then its bias
        for layer in self.layers:
            for j in range(layer.biases.size):
                for i in np.flatnonzero(~layer.dead[j]):
                    squares += layer.weight_sum[j, i] * layer.weight_sum[j, i]
                squares += layer.bias_sum[j] * layer.bias_sum[j]
        norm = np.sqrt(squares) / self.count
        if norm > limit:
            for layer in self.layers:
                layer.weight_sum *= limit / norm
                layer.bias_sum *= limit / norm

    def _penalty_derivative(self, weights: Array) -> Array:
        name, rate = self.config.regularization, self.config.regularizationRate
        if name == "none" or rate == 0.0:
            return np.zeros_like(weights)
        return np.sign(weights) if name == "L1" else weights.copy()

    def _sgd(self, layer: Layer) -> None:
        """The original: bias − lr·Σ/n; w − (lr/n)·Σ − lr·rate·R'(old w); L1 sign flips die."""
        lr, rate = self.config.learningRate, self.config.regularizationRate
        layer.biases[:] = layer.biases - lr * layer.bias_sum / self.count
        der = self._penalty_derivative(layer.weights)
        moved = layer.weights - (lr / self.count) * layer.weight_sum
        penalized = moved - (lr * rate) * der if der.any() else moved
        dies = (moved * penalized < 0.0) & (self.config.regularization == "L1") & ~layer.dead
        layer.weights[:] = np.where(layer.dead, layer.weights, np.where(dies, 0.0, penalized))
        layer.dead |= dies

    def _directions(self, layer: Layer) -> tuple[Array, Array]:
        rate = self.config.regularizationRate
        weight_direction = layer.weight_sum / self.count + rate * self._penalty_derivative(layer.weights)
        return weight_direction, layer.bias_sum / self.count

    def _momentum(self, layer: Layer) -> None:
        m, lr = self.config.momentum, self.config.learningRate
        parameters = (layer.weights, layer.biases)
        for name, direction, values in zip(("w", "b"), self._directions(layer), parameters, strict=False):
            velocity = layer.moments.setdefault(name, np.zeros_like(values))
            velocity[:] = velocity * m - lr * direction
            if name == "w":
                velocity[layer.dead] = 0.0
            values += velocity

    def _adam(self, layer: Layer) -> None:
        b1, b2, lr = self.config.beta1, self.config.beta2, self.config.learningRate
        parameters = (layer.weights, layer.biases)
        for name, direction, values in zip(("w", "b"), self._directions(layer), parameters, strict=False):
            first = layer.moments.setdefault(name + "1", np.zeros_like(values))
            second = layer.moments.setdefault(name + "2", np.zeros_like(values))
            first[:] = first * b1 + (1.0 - b1) * direction
            second[:] = second * b2 + (1.0 - b2) * direction * direction
            step = lr * (first / (1.0 - b1 ** self.steps)) / (np.sqrt(second / (1.0 - b2 ** self.steps)) + 1e-8)
            values -= np.where(layer.dead, 0.0, step) if name == "w" else step

    def mean_loss(self, inputs: Array, labels: Array) -> float:
        total = 0.0
        for x, label in zip(inputs, labels, strict=False):
            total += error(self.loss, self.forward(x)[-1][1], float(label))
        return total / len(labels) if len(labels) else 0.0

    def losses(self) -> tuple[float, float]:
        return self.mean_loss(*self.train), self.mean_loss(*self.test)

    def neuron_maps(self, n: int = 100) -> list[Array]:
        """Every layer's outputs over the n×n grid of [−6, 6]², whole-array NumPy (the grid's baseline)."""
        axis = np.linspace(-6.0, 6.0, n)
        xs, ys = np.meshgrid(axis, axis[::-1])
        values = [feature_matrix(self.config.features, xs.reshape(-1), ys.reshape(-1))]
        for layer, name in zip(self.layers, self.activations, strict=False):
            z = values[-1] @ layer.weights.T + layer.biases
            values.append(np.apply_along_axis(_softmax, 1, z) if name == "softmax" else ACTIVATIONS[name][0](z))
        return values

    def gradient_sum(self) -> list[tuple[Array, Array]]:
        """Σ over the training points of (dE/dW, dE/db) per layer, without updating."""
        sums = [(np.zeros_like(layer.weights), np.zeros_like(layer.biases)) for layer in self.layers]
        inputs, labels = self.train
        for x, label in zip(inputs, labels, strict=False):
            values = self.forward(x)
            for (w, b), delta, (_, source) in zip(sums, self.backward(values, label), values, strict=False):
                w += np.outer(delta, source)
                b += delta
        return sums
