"""The training scheduler: time slices, and fairness between sessions side by side."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import pytest

from app.protocol import parse_client_message
from app.scheduler import MIN_SLICE, TrainingScheduler
from app.server_messages import Frame, Outgoing
from app.session import Runner, Session


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

    def post(self, messages: Sequence[Outgoing]) -> None:
        for message in messages:
            if isinstance(message, Frame):
                self.frames.append((time.monotonic(), json.loads(message.text)["epoch"]))

    def rate(self, since: float) -> float:
        times = [t for t, _ in self.frames if t >= since]
        return len(times) / (time.monotonic() - since)


def playing_runner(scheduler: TrainingScheduler, link: str) -> tuple[Runner, CountingSink]:
    sink = CountingSink()
    runner = Runner(Session(thumbnail=25), sink, scheduler.frame_interval)
    runner.control(parse_client_message(json.dumps({"type": "hello", "hash": link})))
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
