"""What a page playing the largest network holds on the server (issue 10, "Memory": ≤ 5 MB a page).

Python's allocations are traced from before the page's ``hello`` to after it
has played: its playground and data, its snapshots and the frames' encoders
(here, like on the server, a control thread answers the hello and a training
thread plays). What a process pays once, not per page, is paid before the
trace starts by a first page: loading the compiled kernels from Numba's cache
(~2 MB) and the grid's chunk buffers cached by the training thread.
"""

from __future__ import annotations

import gc
import threading
import tracemalloc

from app.protocol import parse_client_message
from app.session import Session
from nn_core.features import FEATURE_NAMES

LARGEST = ("#mode=extended&networkShape=32,32,32,32,32,32,32,32,32,32&speed=max&"
           + "&".join(f"{name}=true" for name in FEATURE_NAMES))
FRAMES = 10
MAX_GROWTH = 5 * 2**20


def on_another_thread(work: object) -> None:
    thread = threading.Thread(target=work)  # type: ignore[arg-type]
    thread.start()
    thread.join()


def play(session: Session, frames: int) -> int:
    """Open the largest network on a control thread and play ``frames`` frames here: the frames sent."""
    on_another_thread(lambda: session.handle(parse_client_message(f'{{"type": "hello", "hash": "{LARGEST}"}}')))
    session.handle(parse_client_message('{"type": "play"}'))
    return sum(len(session.train(budget=0.02, want_frame=True).out) for _ in range(frames))


def test_a_page_playing_the_largest_network_holds_under_5_mb() -> None:
    # A first page loads the compiled kernels (Numba's cache, ~2 MB, once per process, not per page).
    play(Session(thumbnail=25), 1)
    session = Session(thumbnail=25)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        frames = play(session, FRAMES)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert session.pg.config.layer_sizes == (len(FEATURE_NAMES), *[32] * 10, 1) and frames == FRAMES
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    holders = "\n".join(str(stat) for stat in after.compare_to(before, "lineno")[:6])
    print(f"{growth / 2**20:.2f} MB held after {frames} frames; largest holders:\n{holders}")
    assert growth <= MAX_GROWTH, f"{growth / 2**20:.1f} MB held; largest holders:\n{holders}"
