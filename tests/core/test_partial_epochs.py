"""An epoch cut into pieces (a server's time slices) trains bit for bit like the epoch at once:
its training points, and its end-of-epoch losses (chunks of points, nn_core/training.py)."""

import numpy as np
import pytest

from nn_core import Playground
from nn_core.training import CHUNK_COST

# 250 training points: batch 7 leaves 5 points of every epoch for the next one; batch 1 takes
# the kernel's one-point path; adam has per-step state that must survive the cuts too.
LINKS = [
    "#dataset=xor&batchSize=7&networkShape=3,2&x=true&y=true&xTimesY=true&seed=5",
    "#dataset=spiral&batchSize=1&networkShape=5,3&optimizer=adam&regularization=L1&seed=6",
    "#problem=regression&dataset=reg-gauss&batchSize=30&networkShape=4&seed=7",
]


def assert_identical(cut: Playground, whole: Playground) -> None:
    assert cut.epoch == whole.epoch and cut.position == whole.position
    assert (cut.train_loss, cut.test_loss) == (whole.train_loss, whole.test_loss)
    assert cut.metrics == whole.metrics
    assert np.array_equal(cut.net.params, whole.net.params)
    assert np.array_equal(cut.trainer.carry, whole.trainer.carry)
    assert cut.trainer.carry_count == whole.trainer.carry_count
    assert np.array_equal(cut.optimizer.moments, whole.optimizer.moments)
    assert cut.history == whole.history


@pytest.mark.parametrize("link", LINKS)
def test_an_epoch_cut_at_any_points_is_the_uncut_epoch(link: str) -> None:
    whole, cut = Playground.from_url(link), Playground.from_url(link)
    whole.step(3)
    pieces = np.random.default_rng(0).integers(1, 120, size=200)
    finished = 0
    for piece in pieces:
        left = 3 * cut.epoch_cost - (finished * cut.epoch_cost + cut.progress)
        if left == 0:
            break
        finished += cut.train_examples(int(min(piece, left)))
    assert finished == 3
    assert_identical(cut, whole)


def test_one_call_may_span_several_epochs_and_stop_mid_epoch() -> None:
    whole, cut = Playground.from_url(LINKS[0]), Playground.from_url(LINKS[0])
    assert cut.epoch_cost == 250 + 2 * CHUNK_COST  # 250 training points; their losses and the test's
    assert cut.train_examples(2 * cut.epoch_cost + 100) == 2
    assert cut.position == 100 and cut.epoch == 2
    assert cut.train_loss == pytest.approx(cut.history[-1][1])  # the loss shown is the last whole epoch's
    assert cut.train_examples(150) == 0 and cut.position == 250  # trained, not yet evaluated
    assert cut.train_examples(CHUNK_COST) == 0 and cut.progress == 250 + CHUNK_COST
    assert cut.train_examples(1) == 1  # a piece of the evaluation costs at least one chunk
    whole.step(3)
    assert_identical(cut, whole)


def test_a_change_mid_epoch_applies_after_the_epoch_in_progress() -> None:
    whole, cut = Playground.from_url(LINKS[0]), Playground.from_url(LINKS[0])
    whole.step(1)
    whole.set(learningRate=0.3)
    whole.step(1)
    whole.set_weight(0, 0, 0, 0.5)
    whole.step(1)
    cut.train_examples(60)
    cut.set(learningRate=0.3)  # finishes the epoch at the old rate first
    assert cut.position == 0 and cut.epoch == 1
    cut.train_examples(10)
    cut.set_weight(0, 0, 0, 0.5)  # finishes epoch 2 first
    assert cut.position == 0 and cut.epoch == 2
    cut.step(1)
    assert_identical(cut, whole)
    assert cut.export() == whole.export()


def test_new_points_or_a_reset_start_the_next_epoch_at_the_first_point() -> None:
    playground = Playground.from_url(LINKS[0])
    playground.train_examples(40)
    playground.reset()
    assert playground.position == 0 and playground.epoch == 0
    playground.train_examples(40)
    playground.set_points([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0], [1.0, -1.0, 1.0], [2.0, 2.0, -1.0]])
    assert playground.position == 0 and playground.trainer.examples == 2


def test_with_no_training_points_an_epoch_is_its_test_loss() -> None:
    playground = Playground.from_url(LINKS[0])
    playground.set_points([], test=[[2.0, 2.0, -1.0]])
    assert playground.trainer.examples == 0 and playground.epoch_cost == CHUNK_COST
    assert playground.train_examples(3 * CHUNK_COST) == 3 and playground.epoch == 3


def test_with_no_points_at_all_each_example_is_an_empty_epoch() -> None:
    playground = Playground.from_url(LINKS[0])
    playground.set_points([])
    assert playground.epoch_cost == 1
    assert playground.train_examples(3) == 3 and playground.epoch == 3


# The largest network on 2,000 points: the losses of 1,800 + 200 points take 8 + 1 chunks.
BIG = ("#mode=extended&networkShape=32,32,32,32,32,32,32,32,32,32&batchSize=10&percTrainData=90"
       "&xTimesY=true&xSquared=true&ySquared=true&sinX=true&sinY=true&seed=0.4")


@pytest.mark.parametrize("problem", ["", "&problem=regression&dataset=reg-plane"])
def test_a_big_networks_epoch_in_many_small_pieces_is_one_step(problem: str) -> None:
    rng = np.random.default_rng(3)
    xy = rng.uniform(-6, 6, size=(2000, 2))
    points = [[x, y, 1.0 if x * y > 0 else -1.0] for x, y in xy.tolist()]
    whole, cut = Playground.from_url(BIG + problem), Playground.from_url(BIG + problem)
    for playground in (whole, cut):
        playground.set_points(points)
    assert cut.evaluate.cost == 9 * CHUNK_COST
    whole.step(2)
    cursors = set()
    for piece in rng.integers(1, 2 * CHUNK_COST, size=10_000):
        cut.train_examples(int(piece))
        cursors.add(cut.evaluate.cursor)
        if cut.epoch == 2:
            break
    assert 1800 in cursors and len(cursors) > 5  # the evaluation was cut, at the set's end and between chunks
    assert all(c % 256 == 0 for c in cursors - {1800}), cursors
    assert_identical(cut, whole)
    assert (cut.train_loss, cut.test_loss) == cut.evaluate(cut.net)  # and it is the evaluation at once
    assert cut.history[-1] == (2, cut.train_loss, cut.test_loss)
