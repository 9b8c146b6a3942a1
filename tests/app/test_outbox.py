"""The outbox: frames counted until sent, order kept across threads, backpressure on the reader."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from app.outbox import Outbox, mailbox_of
from app.server_messages import Frame


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


def test_posts_wake_the_loop_once_per_gathering_and_keep_their_order() -> None:
    """Two pages' posts from a training thread: one wake-up for all that came before the loop
    ran; while posts keep coming the loop's own timer collects them, but a reply wakes it at
    once; after a quiet gathering time any post wakes the loop again at once."""
    gather = 0.05

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        first, second = Outbox(loop, gather_seconds=gather), Outbox(loop)
        assert mailbox_of(loop) is first._mailbox is second._mailbox
        wakeups = 0
        original = loop.call_soon_threadsafe

        def counted(*args: Any) -> Any:
            nonlocal wakeups
            wakeups += 1
            return original(*args)

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        try:
            # The loop is blocked in this coroutine until the thread is done: every post waits.
            thread = threading.Thread(target=lambda: [box.post([f"{name}{i}"]) for i in range(50)
                                                      for box, name in ((first, "a"), (second, "b"))])
            thread.start()
            thread.join()
            assert wakeups == 1
            assert [(await first.get())[0] for _ in range(50)] == [f"a{i}" for i in range(50)]
            assert [(await second.get())[0] for _ in range(50)] == [f"b{i}" for i in range(50)]
            started = loop.time()
            first.post(["gathered"])  # within the gathering: the loop's timer delivers it
            assert (await first.get())[0] == "gathered" and wakeups == 1
            assert loop.time() - started < 20 * gather  # a bound that holds on a busy machine
            first.post(["answer"], reply=True)  # a reply to the page wakes the loop at once
            assert wakeups == 2 and (await first.get())[0] == "answer"
            first.post(["posted"])  # gathered, waiting for the timer: what the loop puts comes after
            first.put(["put"])
            assert [(await first.get())[0] for _ in range(2)] == ["posted", "put"]
            await asyncio.sleep(3 * gather)  # the timer found nothing: the next post rings
            first.post(["rung"])
            assert wakeups == 3 and (await first.get())[0] == "rung"
        finally:
            loop.call_soon_threadsafe = original  # type: ignore[method-assign]

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


def test_posts_to_a_closed_loop_are_refused_every_time_and_not_kept() -> None:
    loop = asyncio.new_event_loop()
    outbox = Outbox(loop)
    loop.close()
    mailbox = mailbox_of(loop)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            mailbox.post(outbox, ["lost"])
    outbox.post(["lost"])  # the outbox's own post: the connection is over, nothing raised
    assert not mailbox._posts
