"""Time travel: rewind and continue is bit for bit the first run; snapshots stay in budget."""

import math
import sys

import numpy as np
import pytest

from nn_core import Playground
from nn_core.settings import Config
from nn_core.snapshots import SNAPSHOT_BUDGET, Snapshot, SnapshotStore
from tests.core.test_partial_epochs import assert_identical

# 250 training points: batch 7 carries 5 points' gradient into the next epoch; batch 1 takes the
# one-point path; L1 kills links (dead links are state); the step schedule makes the rate a
# function of the epoch.
BATCHES = ["batchSize=7&regularization=L1&regularizationRate=0.003", "batchSize=1",
           "batchSize=30&lrSchedule=step&lrStepEvery=15"]
OPTIMIZERS = ["sgd", "momentum", "adam"]
LARGEST = "#seed=3&networkShape=" + ",".join(["32"] * 10) + "&x=true&y=true&xTimesY=true&xSquared=true" \
          "&ySquared=true&sinX=true&sinY=true&batchSize=7&optimizer=adam&mode=extended"
DIVERGING = "#seed=0.5&networkShape=4,2&activation=relu&learningRate=10&problem=regression&regDataset=reg-plane"


def link(optimizer: str, batch: str) -> str:
    return f"#seed=0.25&dataset=xor&networkShape=4,3&optimizer={optimizer}&{batch}"


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("batch", BATCHES)
def test_rewind_and_continue_repeats_the_run_bit_for_bit(optimizer: str, batch: str) -> None:
    first, again = Playground.from_url(link(optimizer, batch)), Playground.from_url(link(optimizer, batch))
    first.step(100)
    again.step(100)
    again.rewind(40)
    assert again.epoch == 40 and again.history == first.history[:41]
    again.step(60)
    assert_identical(again, first)
    assert again.history == first.history  # epochs 41…100, bit for bit


def test_an_epoch_between_snapshots_is_replayed_from_the_nearest() -> None:
    first, again = Playground.from_url(LARGEST), Playground.from_url(LARGEST)
    assert not first.warnings
    first.step(60)
    again.step(60)
    between = next(e for e in range(59, 0, -1) if e not in again.snapshot_epochs)
    again.rewind(between)
    assert again.history == first.history[:between + 1]
    again.step(60 - between)
    assert_identical(again, first)


def test_the_largest_network_keeps_its_snapshots_within_budget() -> None:
    pg = Playground.from_url(LARGEST)
    pg.step(40)
    parameters = pg.net.params.size
    # What holds the memory: per snapshot the parameters, Adam's two moment rows and the carried
    # batch (8 bytes each; the first epoch carries none), so only four or five fit; dead links only with L1.
    held = 3 * 8 * parameters * len(pg.snapshot_epochs) + 8 * parameters * (len(pg.snapshot_epochs) - 1)
    assert parameters > 9000 and held <= pg.snapshot_bytes <= SNAPSHOT_BUDGET
    assert 4 <= len(pg.snapshot_epochs) <= 5 and pg.snapshot_epochs[0] == 0 and pg.snapshot_epochs[-1] == 40


def test_a_snapshot_counts_every_byte_it_holds() -> None:
    pg = Playground.from_url(link("adam", BATCHES[0]))
    pg.step(30)
    for snapshot in pg._snapshots._snapshots:
        arrays = [a for a in (snapshot.params, snapshot.dead, snapshot.carry, snapshot.moments) if a is not None]
        assert sys.getsizeof(snapshot) + sum(sys.getsizeof(a) for a in arrays) <= snapshot.nbytes


def snapshot(epoch: int, anchor: bool = False) -> Snapshot:
    return Snapshot(epoch, Config(), np.zeros(10), None, None, 0, np.zeros((0, 10)), 0, 0, 1.0, 1.0, 1.0, anchor)


def test_a_long_run_keeps_recent_epochs_dense_and_old_ones_thinned() -> None:
    store = SnapshotStore(budget=40 * snapshot(0).nbytes)
    for epoch in range(3001):
        store.add(snapshot(epoch, anchor=epoch == 1234))
    epochs = store.epochs
    assert 30 <= len(store) <= 40 and store.nbytes <= store.budget and epochs[0] == 0 and epochs[-1] == 3000
    assert 1234 in epochs  # an anchor (a change was made there) is never thinned
    gaps = np.diff([e for e in epochs if e != 1234])
    assert gaps[-5:].max() < gaps[:5].min()


def test_anchors_alone_past_the_budget_drop_the_oldest() -> None:
    store = SnapshotStore(budget=3 * snapshot(0).nbytes)
    for epoch in range(5):
        store.add(snapshot(epoch, anchor=True))
    assert store.epochs == [2, 3, 4] and store.earliest == 2


def changed_run() -> Playground:
    """20 epochs, then a new learning rate and 5 epochs, then a weight edit and 5 epochs."""
    run = Playground.from_url(link("momentum", "batchSize=7"))
    run.step(20)
    for change in (lambda: run.set(learningRate=0.1), lambda: run.set_weight(0, 0, 0, 0.5)):
        change()
        run.step(5)
    return run


def test_going_back_past_a_change_restores_the_settings_of_then() -> None:
    pg, reference = changed_run(), changed_run()
    pg.step(20)
    pg.rewind(27)  # after both changes, replayed through no change
    reference.rewind(27)
    assert pg.config.learningRate == 0.1
    pg.step(3)
    reference.step(3)
    assert_identical(pg, reference)
    pg.rewind(10)
    assert pg.config.learningRate == 0.03


def test_a_change_of_network_starts_a_new_timeline() -> None:
    pg = Playground.from_url(link("sgd", "batchSize=10"))
    pg.step(10)
    pg.set(networkShape=[5, 3])
    assert pg.earliest_epoch == 10
    with pytest.raises(ValueError, match="from 10 to 10"):
        pg.rewind(5)


@pytest.mark.parametrize("epoch", [-1, 11, "3", True, 2.0, None])
def test_a_bad_epoch_is_refused_and_changes_nothing(epoch: object) -> None:
    pg = Playground.from_url(link("adam", "batchSize=7"))
    pg.step(10)
    before = pg.weights, pg.history, pg.snapshot_epochs
    with pytest.raises(ValueError, match="epoch"):
        pg.rewind(epoch)  # type: ignore[arg-type]
    assert all(np.array_equal(a, b) for a, b in zip(pg.weights, before[0], strict=True))
    assert (pg.history, pg.snapshot_epochs, pg.epoch) == (before[1], before[2], 10)


def test_looking_at_the_past_keeps_the_future() -> None:
    pg = Playground.from_url(link("adam", "batchSize=7"))
    pg.step(30)
    weights = pg.weights
    past = pg.at(12)
    assert past.epoch == 12 and past.history == pg.history[:13] and pg.epoch == 30
    assert all(np.array_equal(a, b) for a, b in zip(pg.weights, weights, strict=True))
    pg.rewind(12)
    assert_identical(past, pg)
    reference = Playground.from_url(link("adam", "batchSize=7"))
    reference.step(12)  # what the copy shows is that epoch's network, not the flat array alone
    assert all(np.array_equal(a, b) for a, b in zip(past.weights, reference.weights, strict=True))
    assert past.boundaries(resolution=5).output.tolist() == reference.boundaries(resolution=5).output.tolist()


def test_a_rewind_leaves_a_faded_branch_until_reset() -> None:
    pg = Playground.from_url(link("sgd", "batchSize=10"))
    pg.step(30)
    left = pg.history[20:]
    pg.rewind(20)
    pg.set(learningRate=0.3)
    pg.step(5)
    assert pg.branches == [left] and pg.history[-1][0] == 25
    pg.reset()
    assert pg.branches == []


def test_a_rewind_drops_the_epoch_in_progress() -> None:
    pg, reference = (Playground.from_url(link("sgd", "batchSize=7")) for _ in range(2))
    pg.step(5)
    reference.step(5)
    pg.train_examples(100)
    pg.rewind(5)
    assert pg.position == 0
    assert_identical(pg, reference)


def test_a_fork_trains_on_the_same_data_from_the_same_weights() -> None:
    pg = Playground.from_url(link("adam", "batchSize=7"))
    pg.step(10)
    same, faster = pg.fork(), pg.fork(learningRate=0.3)
    assert faster.config.learningRate == 0.3 and pg.config.learningRate == 0.03
    assert np.array_equal(faster.train.x, pg.train.x) and faster.epoch == 10
    assert all(np.array_equal(a, b) for a, b in zip(faster.weights, pg.weights, strict=True))
    pg.step(10)
    same.step(10)
    faster.step(10)
    assert_identical(same, pg)
    assert all(np.array_equal(a, b) for a, b in zip(same.weights, pg.weights, strict=True))
    assert not np.array_equal(faster.net.params, pg.net.params)
    assert pg.fork(learningRate=-5).warnings  # forgiving, as set


def test_a_diverging_link_is_explained_and_recovered() -> None:
    pg = Playground.from_url(DIVERGING)
    pg.step(10)
    assert pg.diverged
    found = pg.divergence
    assert found is not None and (found.epoch, found.last_good, found.layer) == (1, 0, 2)
    # The replay looks inside epoch 1: the output layer's gradient grew before any weight did.
    assert found.started is found.gradients and found.gradients.batch == 2
    assert found.weights is not None and found.weights.batch == 2 and found.weights.layer == 2
    assert ("It started in the output layer's gradients: their gradient norm grew" in found.message
            and "by batch 2 of epoch 1; then the weights: the output layer's largest weight or bias" in found.message)
    pg.recover()
    assert (pg.epoch, pg.config.learningRate) == (0, 1.0) and pg.branches
    pg.step(10)
    assert not pg.diverged and pg.divergence is None
    with pytest.raises(ValueError, match="not diverged"):
        pg.recover()


@pytest.mark.parametrize("how", ["learning_rate", "clip"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_both_ways_back_train_on_without_diverging(how: str, optimizer: str) -> None:
    pg = Playground.from_url(f"{DIVERGING}&optimizer={optimizer}")
    pg.step(10)
    found = pg.divergence
    assert found is not None and found.suggested_clip is not None
    full = pg.at(found.last_good).trainer.full_batch_gradient() / pg.trainer.examples
    velocity = 1 - 0.9 if optimizer == "momentum" else 1  # momentum's velocity adds up ~10 updates
    assert found.suggested_clip == float(f"{np.linalg.norm(full) * velocity:.3g}")  # that epoch's gradient norm
    pg.recover(how)
    assert pg.epoch == found.last_good
    changed = ({"learningRate": 1.0, "gradientClip": 0.0} if how == "learning_rate"
               else {"learningRate": 10.0, "gradientClip": found.suggested_clip})
    assert {name: getattr(pg.config, name) for name in changed} == changed
    assert ("gradientClip=" in pg.to_url()) == (how == "clip")
    pg.step(RECOVERED_EPOCHS)
    assert not pg.diverged and pg.divergence is None


RECOVERED_EPOCHS = 100


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_snapshots_carry_the_clipping_and_a_clipped_run_repeats_bit_for_bit(optimizer: str) -> None:
    link = f"#seed=0.5&dataset=xor&networkShape=3&batchSize=7&learningRate=0.3&optimizer={optimizer}"
    pg = Playground.from_url(link)
    pg.step(5)
    pg.set(gradientClip=0.05)  # an anchor: epochs 5… clip
    pg.step(25)
    first = pg.history
    kept = max(e for e in pg.snapshot_epochs if 5 < e < 30)
    pg.rewind(kept)
    assert pg.config.gradientClip == 0.05
    pg.step(30 - kept)
    assert pg.history == first  # clipped epochs replayed bit for bit
    unclipped = Playground.from_url(link)
    unclipped.step(30)
    assert unclipped.history[:6] == first[:6] and unclipped.history[6:] != first[6:]  # it clipped
    pg.rewind(3)
    assert pg.config.gradientClip == 0.0  # before the change: no clipping


def test_a_way_back_that_does_not_exist_is_refused() -> None:
    pg = Playground.from_url(DIVERGING)
    pg.step(3)
    with pytest.raises(ValueError, match="how: expected one of learning_rate, clip"):
        pg.recover("momentum")
    assert pg.epoch == 3


def test_a_divergence_of_the_weights_alone_says_so() -> None:
    from nn_core.divergence import Divergence, Growth
    found = Divergence(4, 2, 0.1, "NaN", Growth("weights", 0, 3, math.inf), None, 0.5, 2)
    assert found.started is found.weights and found.to_json()["started_in"] == "weights"
    assert found.message.endswith("It started in hidden layer 1's weights: their largest weight or bias "
                                  "overflowed by epoch 3, before any layer's gradients grew ×10.")
    assert found.suggested_clip == 0.5


def test_a_growth_of_a_hundred_times_is_a_divergence() -> None:
    from nn_core.divergence import onset
    points = [(0, 1.0, 1.0), (1, 0.5, 0.5), (2, 0.4, 0.5), (3, 3.0, 3.0), (4, 50.0, 50.0)]
    assert onset(points) == (4, 2, 0.4, "grew ×125")
    assert onset(points[:4]) is None


def test_a_rewind_shows_no_last_gradient_of_the_abandoned_future() -> None:
    pg = Playground.from_url("#seed=0.5&networkShape=4,2")
    pg.step(100)
    assert any(pg.gradient_sizes)
    kept = max(e for e in pg.snapshot_epochs if 0 < e < 100)
    pg.rewind(kept)
    assert pg.gradient_sizes == [0.0, 0.0, 0.0]  # not kept in snapshots: none until the next update
    pg.step(1)
    assert all(pg.gradient_sizes)
    again = Playground.from_url("#seed=0.5&networkShape=4,2")
    again.step(kept + 1)
    assert pg.gradient_sizes == again.gradient_sizes  # an epoch replayed has its own, exactly
