"""The training scheduler: time slices, and fairness between sessions side by side."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Sequence

import pytest

from app.protocol import parse_client_message
from app.scheduler import MIN_SLICE, TrainingScheduler
from app.server_messages import Frame, Outgoing
from app.session import BUSY_RETRY, Runner, Session
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


def test_a_max_speed_session_trains_on_until_its_frame_interval_is_over() -> None:
    """At max no pace owes epochs: turn after turn (each due again at once) trains on, with no
    frame, until the frame interval is over; then the frame, and the next one an interval later.
    A core no other page needs thus trains it all the time, not a slice of each interval."""
    interval, budget = 0.2, 0.005  # over MAX_FRAME_SECONDS, which ends only a paced frame early
    sink = CountingSink()
    runner = Runner(Session(thumbnail=25), sink, interval)
    for message in ('{"type": "hello", "hash": "#speed=max"}', '{"type": "play"}'):
        runner.control(parse_client_message(message))
    sink.frames.clear()  # the hello's
    started = time.monotonic()
    due = runner.turn(budget)
    turns = 1
    assert due is not None and due <= time.monotonic()
    while not sink.frames:
        due = runner.turn(budget)
        turns += 1
    assert turns >= 10, turns  # each at most the budget, a fortieth of the interval
    assert sink.frames[0][0] - started >= interval - 2 * budget
    assert due is not None and due == pytest.approx(started + interval, abs=0.02)
    assert sink.frames[0][1] > 5  # many epochs trained in the frame, not one turn's


def test_sessions_come_back_from_waiting_level_with_the_scheduler_and_a_later_max_page_shares_evenly() -> None:
    """A page at 60 fps waits most of each frame interval while a max-speed page trains all along:
    it must come back at the scheduler's virtual time, not with the little compute it used, or a
    max page started (or played again) just after such a page was picked takes every turn from
    the older max page until its compute catches up (seconds without a frame)."""
    scheduler = TrainingScheduler(threads=1, max_fps=60)
    pages: list[tuple[Runner, CountingSink]] = []
    try:
        old = playing_runner(scheduler, "#speed=max&seed=0.1")
        pages = [old, *(playing_runner(scheduler, f"#seed=0.{k}") for k in range(2, 5))]
        time.sleep(1.5)
        with scheduler._wake:
            spread = max(scheduler._used.values()) - min(scheduler._used.values())
        later = playing_runner(scheduler, "#speed=max&seed=0.5")
        pages.append(later)
        time.sleep(0.3)
        started, epochs = time.monotonic(), [old[1].frames[-1][1], later[1].frames[-1][1]]
        time.sleep(1.5)
        old_rate = old[1].rate(started)
        trained = [old[1].frames[-1][1] - epochs[0], later[1].frames[-1][1] - epochs[1]]
    finally:
        for runner, _ in pages:
            runner.session.close()
        scheduler.shutdown()
    assert spread < 0.1, spread  # without the lift: the max page's second of compute vs a few ms
    assert old_rate > 15, old_rate
    assert min(trained) > 0.4 * max(trained), trained


def test_a_turn_gives_way_to_a_control_waiting_for_its_session() -> None:
    """A max page's turns follow each other at once, and a lock that is free for a moment goes to
    whichever thread asks first: a waiting click must get it before the next turn."""
    sink = CountingSink()
    runner = Runner(Session(thumbnail=25), sink, 1 / 60)
    for message in ('{"type": "hello", "hash": "#speed=max"}', '{"type": "play"}'):
        runner.control(parse_client_message(message))
    click = parse_client_message('{"type": "set", "changes": {"learningRate": 0.1}}')
    epoch = runner.session.pg.epoch
    with runner.lock:
        control = threading.Thread(target=runner.control, args=(click,))
        control.start()
        deadline = time.monotonic() + 5
        while runner._controls_waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.001)
        assert runner._controls_waiting == 1
    before = time.monotonic()
    due = runner.turn(0.01)  # the click is still waiting for the lock, or has it
    control.join(5)
    assert due is not None and before + BUSY_RETRY <= due <= time.monotonic() + BUSY_RETRY
    assert runner.session.pg.epoch == epoch  # the turn trained nothing
    assert runner.session.pg.config.learningRate == 0.1 and runner._controls_waiting == 0
    runner.session.close()


class FillingRunner:
    """A scheduler's runner whose turns take ``seconds`` of CPU each; ``filling`` as a max page's
    turns that only fill a frame interval, otherwise always due again at once (a big paced page)."""

    def __init__(self, filling: bool, seconds: float = 0.002) -> None:
        self.training, self.filling, self.seconds, self.turns = True, filling, seconds, 0

    def turn(self, budget: float) -> float:
        self.turns += 1
        end = time.thread_time() + self.seconds
        while time.thread_time() < end:
            pass
        return time.monotonic()


def test_turns_that_only_fill_a_frame_interval_get_what_no_due_session_wants() -> None:
    scheduler = TrainingScheduler(threads=1, max_fps=60)
    filling, busy = FillingRunner(filling=True), FillingRunner(filling=False)
    try:
        scheduler.start(filling)  # type: ignore[arg-type]  (the scheduler's side of a Runner)
        time.sleep(0.2)
        alone = filling.turns
        scheduler.start(busy)  # type: ignore[arg-type]
        time.sleep(0.3)
        beside = filling.turns - alone
    finally:
        filling.training = busy.training = False
        scheduler.shutdown()
    assert alone > 30, alone  # nothing else due: it trains all the time
    assert busy.turns > 50 and beside <= 2, (busy.turns, beside)  # a due session always goes first


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
