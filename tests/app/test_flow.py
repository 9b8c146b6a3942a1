"""Flow control and fairness: the outbox, the training pool's turns, and sessions side by side."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.frames import Frame
from app.outbox import Outbox
from app.pool import MIN_SLICE, TrainingPool

from .conftest import hello, make_client, receive


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

    asyncio.run(scenario())


def test_outbox_post_from_a_thread_counts_at_once_and_keeps_order() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        outbox = Outbox(loop)
        await loop.run_in_executor(None, lambda: [outbox.post([str(i)]) for i in range(5)]
                                   + [outbox.post([Frame("f", b"g")])])
        assert outbox.frame_waiting
        items = [(await outbox.get())[0] for _ in range(7)]
        assert items == ["0", "1", "2", "3", "4", "f", b"g"]

    asyncio.run(scenario())


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

    asyncio.run(scenario())


def test_time_slices_shrink_as_more_sessions_play() -> None:
    pool = TrainingPool(threads=1, max_fps=30)
    alone = pool.slice_seconds()
    pool.playing = 10
    shared = pool.slice_seconds()
    pool.playing = 10_000
    assert 0.02 < alone <= 1 / 30
    assert shared * 10 == pytest.approx(alone)
    assert pool.slice_seconds() == MIN_SLICE
    pool.shutdown()


def frames_per_second(ws, seconds: float) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    count, epochs, end = 0, [], time.monotonic() + seconds
    while time.monotonic() < end:
        message = receive(ws)
        if message["type"] == "frame":
            count += 1
            epochs.append(message["epoch"])
    return count / seconds, epochs[-1] - epochs[0]


def test_a_big_max_speed_session_does_not_starve_a_small_one() -> None:
    big = "#mode=extended&networkShape=32,32,32,32,32,32&speed=max&xTimesY=true&xSquared=true&ySquared=true"
    with make_client(train_threads=1) as client:
        with client.websocket_connect("/ws") as small_ws:
            hello(small_ws, "#networkShape=2")
            small_ws.send_json({"type": "play"})
            alone, _ = frames_per_second(small_ws, 1.0)
            with client.websocket_connect("/ws") as big_ws:
                hello(big_ws, big)
                big_ws.send_json({"type": "play"})
                shared, _ = frames_per_second(small_ws, 1.5)
                big_fps, big_epochs = frames_per_second(big_ws, 1.0)
    assert alone > 20
    assert shared > alone / 3, (alone, shared)
    assert big_fps > 5 and big_epochs > 5
