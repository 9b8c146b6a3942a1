"""Compare mode in the engine: a comparison link opens the two separate runs it names."""

from __future__ import annotations

import numpy as np
import pytest

from nn_core import Playground
from nn_core.comparison import Comparison, ComparisonError

LINK = "#seed=0.421&dataset=xor&networkShape=4,2&learningRate=0.03&activation=tanh"
B_CHANGES = "learningRate:0.3,networkShape:3,activation:relu,optimizer:adam"
# A's link with B's values written in by hand: what B alone would be opened from.
B_LINK = "#seed=0.421&dataset=xor&networkShape=3&learningRate=0.3&activation=relu&optimizer=adam"


def assert_same_run(one: Playground, other: Playground) -> None:
    assert one.epoch == other.epoch
    assert one.history == other.history
    for mine, theirs in zip(one.weights + one.biases, other.weights + other.biases, strict=True):
        assert np.array_equal(mine, theirs)


def test_a_and_b_train_as_the_two_separate_links() -> None:
    comparison = Comparison.from_link(f"{LINK}&compare={B_CHANGES}")
    alone_a, alone_b = Playground.from_url(LINK), Playground.from_url(B_LINK)
    comparison.step(25)
    alone_a.step(25)
    alone_b.step(25)
    assert_same_run(comparison.a, alone_a)
    assert_same_run(comparison.b, alone_b)
    assert comparison.a.train_loss != comparison.b.train_loss  # the sides really differ


def test_the_link_round_trips() -> None:
    comparison = Comparison.from_link(f"{LINK}&compare={B_CHANGES}")
    url = comparison.to_url()
    assert "&compare=" in url
    again = Comparison.from_link(url)
    assert again.differences == comparison.differences
    assert again.differences == {"activation": "relu", "learningRate": 0.3, "networkShape": (3,), "optimizer": "adam"}
    comparison.step(5)
    again.step(5)
    assert_same_run(comparison.b, again.b)


def test_no_differences_is_still_a_comparison() -> None:
    comparison = Comparison.from_link(f"{LINK}&compare=")
    comparison.step(3)
    assert comparison.differences == {}
    assert comparison.to_url().endswith("&compare=")
    assert np.array_equal(comparison.difference(), np.zeros_like(comparison.difference()))


def test_a_fork_starts_from_the_current_weights() -> None:
    pg = Playground.from_url(LINK)
    pg.step(10)
    comparison = Comparison.of(pg, learningRate=0.3)
    assert comparison.b.epoch == 10
    assert all(np.array_equal(a, b) for a, b in zip(pg.weights, comparison.b.weights, strict=True))
    comparison.step(2)
    assert comparison.difference().shape == pg.boundaries().output.shape
    assert np.abs(comparison.difference()).max() > 0


@pytest.mark.parametrize(("compare", "words"), [
    ("bogus:1", "unknown setting 'bogus'"),
    ("seed:3", "seed is shared by both sides"),
    ("dataset:circle", "dataset is shared"),
    ("learningRate:abc", "learningRate: expected a number"),
    ("learningRate:99", "learningRate: '99' is out of range"),
    ("activation:nope", "activation: 'nope' is not one of"),
    ("4,2", "expected key:value, got '4'"),
    ("learningRate:0.1,learningRate:0.3", "learningRate is given twice"),
])
def test_bad_compare_values_say_what_is_wrong(compare: str, words: str) -> None:
    with pytest.raises(ComparisonError, match=words):
        Comparison.from_link(f"{LINK}&compare={compare}")


def test_a_link_without_compare_is_no_comparison() -> None:
    with pytest.raises(ComparisonError, match="no compare="):
        Comparison.from_link(LINK)


def test_a_shared_change_cannot_make_b() -> None:
    with pytest.raises(ComparisonError, match="noise is shared"):
        Comparison.of(Playground.from_url(LINK), noise=10)
