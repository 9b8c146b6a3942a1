"""Flow control and fairness: the outbox, the training pool's turns, and sessions side by side."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest

from app.frames import Frame
from app.outbox import Outbox
from app.pool import MIN_SLICE, TrainingPool
from app.protocol import parse_client_message
from app.runner import Runner
from app.session import Outgoing, Session


def run_in_own_loop(coroutine: Any) -> None:
    """asyncio.run on a thread of its own: the browser tests' Playwright keeps an
    event loop running in the main thread when they run first in the same session."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def test_outbox_counts_frames_until_their_grids_are_sent() -> None:
    async def scenario() -> None:
        outbox = Outbox(asyncio.get_running_loop())
        outbox.put(['{"type":"state"}', Frame('{"type":"frame"}', b"\x01")])
        assert outbox.frame_waiting
        assert await outbox.get() == ('{"type":"state"}', False)
        outbox.sent(False)
        assert await outbox.get() == ('{"type":"frame"}', False)
        outbox.sent(False)
        assert outbox.frame_waiting  # the grids are not sent yet
        assert await outbox.get() == (b"\x01", True)
        outbox.sent(True)
        assert not outbox.frame_waiting

    run_in_own_loop(scenario())


def test_outbox_post_from_a_thread_counts_at_once_and_keeps_order() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        outbox = Outbox(loop)
        await loop.run_in_executor(None, lambda: [outbox.post([str(i)]) for i in range(5)]
                                   + [outbox.post([Frame("f", b"g")])])
        assert outbox.frame_waiting
        items = [(await outbox.get())[0] for _ in range(7)]
        assert items == ["0", "1", "2", "3", "4", "f", b"g"]

    run_in_own_loop(scenario())


def test_outbox_blocks_the_reader_when_replies_pile_up() -> None:
    async def scenario() -> None:
        outbox = Outbox(asyncio.get_running_loop(), high_water=4)
        outbox.put(["a", "b", "c", "d"])
        waiting = asyncio.create_task(outbox.wait_for_room())
        await asyncio.sleep(0.01)
        assert not waiting.done()
        for _ in range(3):
            await outbox.get()
            outbox.sent(False)
        await asyncio.wait_for(waiting, 1)

    run_in_own_loop(scenario())


def test_time_slices_shrink_as_more_sessions_play() -> None:
    pool = TrainingPool(threads=1, max_fps=30)
    alone = pool.slice_seconds()
    pool._used.update(dict.fromkeys(range(10), 0.0))  # as if ten sessions were playing
    shared = pool.slice_seconds()
    pool._used.update(dict.fromkeys(range(10000), 0.0))
    assert 0.02 < alone <= 1 / 30
    assert shared * 10 == pytest.approx(alone)
    assert pool.slice_seconds() == MIN_SLICE
    pool.shutdown()


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


def playing_runner(pool: TrainingPool, link: str) -> tuple[Runner, CountingSink]:
    sink = CountingSink()
    runner = Runner(Session(thumbnail=25), sink, pool.frame_interval)
    runner.control(parse_client_message(json.dumps({"type": "hello", "hash": link})))
    runner.control(parse_client_message('{"type": "play"}'))
    pool.start(runner)
    return runner, sink


def test_a_big_max_speed_session_does_not_starve_small_ones() -> None:
    big = "#mode=extended&networkShape=32,32,32,32,32,32&speed=max&xTimesY=true&xSquared=true&ySquared=true"
    pool = TrainingPool(threads=1, max_fps=30)
    try:
        small = [playing_runner(pool, "#networkShape=2&seed=0.1") for _ in range(3)]
        time.sleep(0.3)
        started = time.monotonic()
        time.sleep(1.0)
        alone = [sink.rate(started) for _, sink in small]
        big_runner, big_sink = playing_runner(pool, big)
        time.sleep(0.3)
        started = time.monotonic()
        time.sleep(1.5)
        shared = [sink.rate(started) for _, sink in small]
        big_rate = big_sink.rate(started)
        epochs = big_sink.frames[-1][1] - big_sink.frames[0][1]
    finally:
        for runner, _ in [*small, (big_runner, big_sink)]:
            runner.session.close()
        pool.shutdown()
    assert min(alone) > 25, alone  # three small sessions fit at full frame rate
    assert min(shared) > 10, (alone, shared)  # a big max-speed neighbour slows them, fairly
    assert max(shared) - min(shared) < 5, shared  # and evenly
    assert big_rate > 5 and epochs > 10, (big_rate, epochs)  # while the big one still trains
