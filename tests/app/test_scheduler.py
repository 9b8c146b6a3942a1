"""The training scheduler: time slices, and fairness between sessions side by side."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence

import pytest

from app.protocol import parse_client_message
from app.scheduler import MIN_SLICE, TrainingScheduler
from app.server_messages import Frame, Outgoing
from app.session import Runner, Session
from nn_core.training import CHUNK_COST


def test_time_slices_shrink_as_more_sessions_play() -> None:
    scheduler = TrainingScheduler(threads=1, max_fps=30)
    alone = scheduler.slice_seconds()
    scheduler._used.update(dict.fromkeys(range(10), 0.0))  # as if ten sessions were playing
    shared = scheduler.slice_seconds()
    scheduler._used.update(dict.fromkeys(range(10000), 0.0))
    assert 0.02 < alone <= 1 / 30
    assert shared * 10 == pytest.approx(alone)
    assert scheduler.slice_seconds() == MIN_SLICE
    scheduler.shutdown()


class CountingSink:
    """Receives a runner's output like the outbox would, counting frames per session."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, int]] = []  # (when, epoch)
        self.frame_waiting = False

    def post(self, messages: Sequence[Outgoing], reply: bool = False) -> None:
        for message in messages:
            if isinstance(message, Frame):
                self.frames.append((time.monotonic(), json.loads(message.text)["epoch"]))

    def rate(self, since: float) -> float:
        times = [t for t, _ in self.frames if t >= since]
        return len(times) / (time.monotonic() - since)


def playing_runner(scheduler: TrainingScheduler, link: str,
                   points: list[list[float]] | None = None) -> tuple[Runner, CountingSink]:
    sink = CountingSink()
    runner = Runner(Session(thumbnail=25), sink, scheduler.frame_interval)
    runner.control(parse_client_message(json.dumps({"type": "hello", "hash": link})))
    if points is not None:
        runner.control(parse_client_message(json.dumps({"type": "points", "points": points})))
    runner.control(parse_client_message('{"type": "play"}'))
    scheduler.start(runner)
    return runner, sink


def test_a_big_max_speed_session_does_not_starve_small_ones() -> None:
    big = "#mode=extended&networkShape=32,32,32,32,32,32&speed=max&xTimesY=true&xSquared=true&ySquared=true"
    scheduler = TrainingScheduler(threads=1, max_fps=30)
    try:
        small = [playing_runner(scheduler, "#networkShape=2&seed=0.1") for _ in range(3)]
        time.sleep(0.3)
        started = time.monotonic()
        time.sleep(1.0)
        alone = [sink.rate(started) for _, sink in small]
        big_runner, big_sink = playing_runner(scheduler, big)
        time.sleep(0.3)
        started = time.monotonic()
        time.sleep(1.5)
        shared = [sink.rate(started) for _, sink in small]
        big_rate = big_sink.rate(started)
        epochs = big_sink.frames[-1][1] - big_sink.frames[0][1]
    finally:
        for runner, _ in [*small, (big_runner, big_sink)]:
            runner.session.close()
        scheduler.shutdown()
    assert min(alone) > 25, alone  # three small sessions fit at full frame rate
    assert min(shared) > 10, (alone, shared)  # a big max-speed neighbour slows them, fairly
    assert max(shared) - min(shared) < 5, shared  # and evenly
    assert big_rate > 5 and epochs > 10, (big_rate, epochs)  # while the big one still trains


def test_sessions_that_cannot_all_get_full_frame_rate_share_it_evenly() -> None:
    scheduler = TrainingScheduler(threads=1, max_fps=60)
    try:
        runners = [playing_runner(scheduler, "#speed=max&seed=0.2") for _ in range(30)]
        time.sleep(0.5)
        started = time.monotonic()
        used = dict(scheduler._used)
        time.sleep(2.0)
        rates = sorted(sink.rate(started) for _, sink in runners)
        compute = sorted(scheduler._used[key] - used[key] for key in used)
    finally:
        for runner, _ in runners:
            runner.session.close()
        scheduler.shutdown()
    assert rates[-1] < 55, rates  # thirty max-speed sessions are more than one thread serves at 60 fps
    assert rates[0] > 0.35 * rates[len(rates) // 2], rates  # and none of them starves (bound: a loaded CI)
    assert compute[0] > 0.6 * compute[len(compute) // 2], compute  # each gets about the same compute


def five_thousand_points() -> list[list[float]]:
    rng = random.Random(3)
    return [[x, y, 1.0 if x * y > 0 else -1.0]
            for x, y in ((rng.uniform(-6, 6), rng.uniform(-6, 6)) for _ in range(5000))]


def test_a_big_batch_one_epoch_is_cut_into_turns_and_ten_default_pages_keep_their_frames() -> None:
    """The big network's epoch (4,500 points one by one, ~0.3 s of compute) is cut to fit
    its turns, so the pages beside it keep their frame rate (generous bounds: CI load)."""
    big = "#mode=extended&networkShape=32,32,32,32,32,32&batchSize=1&percTrainData=90&xTimesY=true&seed=0.4"
    scheduler = TrainingScheduler(threads=1, max_fps=60)
    turns: list[float] = []
    positions: set[int] = set()
    try:
        big_runner, big_sink = playing_runner(scheduler, big, five_thousand_points())
        assert big_runner.session.pg.trainer.examples == 4500
        whole_turn = big_runner.turn

        def timed_turn(budget: float) -> float | None:
            started = time.thread_time()  # the turn's own CPU: other load on the machine does not count
            try:
                return whole_turn(budget)
            finally:
                turns.append(time.thread_time() - started)
                positions.add(big_runner.session.pg.position)

        big_runner.turn = timed_turn  # type: ignore[method-assign]
        small = [playing_runner(scheduler, "") for _ in range(10)]
        time.sleep(0.5)
        started = time.monotonic()
        time.sleep(2.0)
        rates = [sink.rate(started) for _, sink in small]
        big_epoch = big_runner.session.pg.epoch
    finally:
        for runner, _ in [*small, (big_runner, big_sink)]:
            runner.session.close()
        scheduler.shutdown()
    assert len(positions - {0}) > 5, positions  # epochs were cut, at many points
    turns.sort()
    # No turn trains a whole epoch (~0.3 s); a turn that builds the big network's frame (~8 ms of
    # grid) is longer than its slice, and a loaded machine stretches them all: generous bounds.
    assert turns[len(turns) // 2] < 0.03 and turns[-1] < 0.15, turns[-10:]
    assert min(rates) > 15, rates
    assert big_epoch >= 1 or len(big_sink.frames) > 5, (big_epoch, len(big_sink.frames))  # the big one trains too


def test_the_largest_networks_end_of_epoch_losses_are_cut_to_fit_its_turns() -> None:
    """The 10×32 network on 5,000 points at batch size 1: the losses over all points at an
    epoch's end (~14 ms of compute before they were cut, at a 1 ms slice) now take turns of
    their own. Measured in the turn's own CPU time; generous bound (4 slices + 3 ms)."""
    largest = ("#mode=extended&networkShape=32,32,32,32,32,32,32,32,32,32&batchSize=1&percTrainData=90"
               "&speed=max&xTimesY=true&xSquared=true&ySquared=true&sinX=true&sinY=true&seed=0.4")
    session = Session(thumbnail=25)
    for message in ({"type": "hello", "hash": largest}, {"type": "points", "points": five_thousand_points()},
                    {"type": "play"}):
        session.handle(parse_client_message(json.dumps(message)))
    pg, examples = session.pg, session.pg.trainer.examples
    while pg.epoch < 1:  # compiled, and the session has learned its speed
        session.train(MIN_SLICE, False)
    evaluating: list[float] = []  # the turns that computed losses
    while pg.epoch < 3:
        epoch, started = pg.epoch, time.thread_time()
        session.train(MIN_SLICE, False)
        if pg.epoch > epoch or pg.position == examples:
            evaluating.append(time.thread_time() - started)
    session.close()
    assert len(evaluating) >= pg.evaluate.cost // CHUNK_COST, evaluating  # 20 chunks an epoch: about one a turn
    assert max(evaluating) <= 4 * MIN_SLICE + 0.003, sorted(evaluating)[-5:]
