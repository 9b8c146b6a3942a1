"""Metrics: how good a network's outputs are, in words a person reads (not the loss it trains on).

Two forms of classification output, both read here:

- K = 2 (one tanh output neuron): outputs of shape ``(n,)`` in [−1, 1] and labels ±1.
  The predicted class is index 1 (label +1) where the output is ≥ 0, else index 0
  (label −1), the side of the boundary the output map draws.
- K ≥ 3 (K output neurons with softmax): outputs of shape ``(n, K)``, each row a
  probability per class, and integer labels 0…K−1. The predicted class is the
  row's argmax (the first on a tie).

The confusion matrix is K×K with rows = the true class and columns = the
predicted class, so its diagonal counts the points classified right.

Regression: R² = 1 − SS_res/SS_tot (SS_res = Σ(target − output)², SS_tot =
Σ(target − mean target)²) and the mean absolute error. A metric with nothing
to measure (no points; R² of targets that are all equal) is NaN, not a number
that would read as a result.
"""

from __future__ import annotations

import math

import numpy as np

from .jit import kernel

Array = np.ndarray
BINARY = 2  # classes of one tanh output neuron


def class_count(outputs: Array) -> int:
    """K: two for one output neuron, else one class per output column."""
    return BINARY if outputs.ndim == 1 else int(outputs.shape[1])


def predicted_classes(outputs: Array) -> Array:
    """Each point's predicted class index (int64)."""
    if outputs.ndim == 1:
        return (outputs >= 0.0).astype(np.int64)
    classes: Array = np.argmax(outputs, axis=1).astype(np.int64)
    return classes


def true_classes(labels: Array, k: int) -> Array:
    """Each point's true class index: ±1 labels become 0/1 when K = 2, K ≥ 3 labels are indices already."""
    if k == BINARY:
        return (labels > 0.0).astype(np.int64)
    return np.asarray(labels).astype(np.int64)


def confusion_matrix(outputs: Array, labels: Array) -> Array:
    """Counts of points by (true class, predicted class): K×K int64, rows true, columns predicted.

    One compiled pass (:func:`_count_confusions`): every frame of a classifier counts both
    sets, and NumPy's comparisons, casts and ``bincount`` were ~15 µs of a frame's ~270.
    The classes are :func:`true_classes` and :func:`predicted_classes`'s, NaN outputs included."""
    one_neuron = outputs.ndim == 1
    columns = outputs.reshape(len(labels), 1) if one_neuron else outputs
    matrix: Array = confusion_matrices(columns, labels, len(labels), one_neuron)[0]
    return matrix


def confusion_matrices(columns: Array, labels: Array, cut: int, one_neuron: bool) -> Array:
    """:func:`confusion_matrix` of the points before ``cut`` and of those from it, ``(2, K, K)``,
    in one pass: ``columns`` is ``(n, 1)`` for one output neuron (``one_neuron``), else
    ``(n, K)`` (a loss evaluation's outputs, train points then test points, read where they are)."""
    k = BINARY if one_neuron else int(columns.shape[1])
    counts = np.zeros((2, k, k), dtype=np.int64)
    strays = _count_confusions(np.ascontiguousarray(columns, dtype=np.float64),
                               np.ascontiguousarray(labels, dtype=np.float64), one_neuron, cut, counts)
    if strays:
        raise ValueError(f"{strays} labels are not class indices 0…{k - 1}")
    return counts


@kernel
def _count_confusions(outputs: Array, labels: Array, one_neuron: bool, cut: int, counts: Array) -> int:
    """Add each point's (true class, predicted class) to ``counts[0]`` (K×K) before ``cut``, to
    ``counts[1]`` from it.

    ``one_neuron``: ``outputs`` is (n, 1), one tanh neuron's, class 1 where it is ≥ 0;
    else (n, K), the first largest (the first NaN, as ``np.argmax``). With K = 2 the
    true class is 1 where the label is > 0 (labels ±1), else the label is the class
    index. Returns how many labels were no class index: those points are not counted
    (the kernel checks the float before it converts it: no write outside ``counts``)."""
    k, strays = counts.shape[1], 0
    for i in range(labels.size):
        label = labels[i]
        if k == BINARY:  # labels ±1
            truth = 1 if label > 0.0 else 0
        elif 0.0 <= label < k and label == math.floor(label):
            truth = int(label)
        else:
            strays += 1
            continue
        predicted = 0
        if one_neuron:
            predicted = 1 if outputs[i, 0] >= 0.0 else 0
        else:
            for j in range(1, outputs.shape[1]):
                if math.isnan(outputs[i, predicted]):
                    break
                if outputs[i, j] > outputs[i, predicted] or math.isnan(outputs[i, j]):
                    predicted = j
        counts[0 if i < cut else 1, truth, predicted] += 1
    return strays


def accuracy(outputs: Array, labels: Array) -> float:
    """The fraction of points whose predicted class is their true class (NaN for no points)."""
    if len(labels) == 0:
        return float("nan")
    right = predicted_classes(outputs) == true_classes(labels, class_count(outputs))
    return float(np.count_nonzero(right)) / len(labels)


def accuracy_of(confusion: Array) -> float:
    """:func:`accuracy` read off a confusion matrix: its diagonal over its total (NaN for no points)."""
    rows = confusion.tolist()  # K×K small counts: plain Python beats NumPy's calls here
    total = sum(map(sum, rows))
    return sum(row[k] for k, row in enumerate(rows)) / total if total else float("nan")


def r_squared(outputs: Array, targets: Array) -> float:
    """1 − SS_res/SS_tot: 1 is a perfect fit, 0 no better than the targets' mean (NaN if SS_tot = 0)."""
    if len(targets) == 0:
        return float("nan")
    total = float(np.sum((targets - np.mean(targets)) ** 2))
    if total == 0.0:
        return float("nan")
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged network's outputs: R² is −inf or NaN
        residual = float(np.sum((targets - outputs) ** 2))
    return 1.0 - residual / total


def mean_absolute_error(outputs: Array, targets: Array) -> float:
    """The mean of |target − output| (NaN for no points)."""
    if len(targets) == 0:
        return float("nan")
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean(np.abs(targets - outputs)))


def regression_metrics(train: tuple[Array, Array], test: tuple[Array, Array]) -> dict[str, float]:
    """R² and mean absolute error of each set's (outputs, targets)."""
    return {"test_r2": r_squared(*test), "train_r2": r_squared(*train),
            "test_mae": mean_absolute_error(*test), "train_mae": mean_absolute_error(*train)}
