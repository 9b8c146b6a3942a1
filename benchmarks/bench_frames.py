"""Server CPU per frame, in-process: a playing default-link session builds and encodes its frames.

Issue 10's target is ≤ 0.3 ms of server CPU per frame of the default link. This
measures the part the server does for every frame whoever is connected: the
grids (every neuron's map), their quantized delta and deflate, the frame's JSON
(``Session.frame``); and, separately, a whole training turn at classic pace (one
epoch, then its frame), which is what the training thread spends per frame
when the page keeps up. No sockets: ``bench_server.py`` measures those too.
Last, a full garbage collection of the warmed process, before and after its
start-up objects are frozen as a served process freezes them: a pause every
page of the process shares, which under load came about every ten seconds.

Each run builds ``frames`` frames after a warm-up; the figure is the run's
mean CPU time of the benchmark thread per frame. The median of the runs is
printed with the fastest one: on a machine shared with other work the median
drifts with the neighbours' load, the fastest run much less.

    .venv/bin/python benchmarks/bench_frames.py [--frames 1000] [--runs 7]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import protocol
from app.main import freeze_start_up_objects
from app.session import Session
from nn_core.grid import THUMBNAIL_RESOLUTION
from nn_core.settings import SPEEDS

WARM_UP = 100  # frames before measuring: the first ones are key frames and larger deltas


class Clock:
    """A session's clock that the benchmark moves: the pace owes one epoch per classic frame."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def playing_session(clock: Clock) -> Session:
    session = Session(THUMBNAIL_RESOLUTION, clock=clock)
    for message in ('{"type":"hello","hash":""}', '{"type":"play"}'):
        session.handle(protocol.parse_client_message(message))
    return session


def per_frame(work: Callable[[], int], frames: int) -> float:
    """CPU milliseconds per frame of ``work`` (which returns the frames it made), over ``frames`` frames."""
    made, start = 0, time.thread_time()
    while made < frames:
        made += work()
    return (time.thread_time() - start) / made * 1000


def frame_milliseconds(session: Session, frames: int) -> float:
    """CPU milliseconds per frame built and encoded, each after one (uncounted) epoch."""
    spent = 0.0
    for _ in range(frames):
        session.pg.step(1)
        start = time.thread_time()
        session.frame()
        spent += time.thread_time() - start
    return spent / frames * 1000


def classic_turns(session: Session, clock: Clock) -> Callable[[], int]:
    """A training turn a classic frame interval after the last: one epoch and its frame."""
    interval = 1 / (SPEEDS["classic"] or 60)

    def work() -> int:
        clock.now += interval
        return len(session.train(0.01, want_frame=True).out)
    return work


def full_collection_ms(runs: int = 3) -> float:
    """The fastest of ``runs`` full garbage collections of this process (wall milliseconds:
    every thread of a served process waits that long)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    clock = Clock()
    session = playing_session(clock)
    frame_milliseconds(session, WARM_UP)
    frames = [frame_milliseconds(session, args.frames) for _ in range(args.runs)]
    turns_of = classic_turns(playing_session(clock), clock)
    per_frame(turns_of, WARM_UP)
    turns = [per_frame(turns_of, args.frames) for _ in range(args.runs)]
    size = len(session.frame().text)
    print(f"default link, {args.runs} runs of {args.frames} frames (CPU time of this thread):")
    print(f"  frame built and encoded: median {statistics.median(frames):.3f} ms, fastest {min(frames):.3f} ms"
          f" (target 0.3 ms; JSON {size} bytes)")
    print(f"  classic turn (an epoch + its frame): median {statistics.median(turns):.3f} ms,"
          f" fastest {min(turns):.3f} ms")
    unfrozen = full_collection_ms()
    freeze_start_up_objects()  # as a served process does once it has warmed up (app/main.py)
    print(f"  a full garbage collection of this warmed process: {unfrozen:.1f} ms;"
          f" with its start-up objects frozen: {full_collection_ms():.1f} ms")


if __name__ == "__main__":
    main()
