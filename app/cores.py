"""One core per server process: each ``serve`` worker keeps its threads on a core of its own.

A server process is bound by its GIL: the event loop, the control threads and
the training thread take turns, and the compiled kernels release the GIL for
microseconds at a time. When those threads run on different cores, every
hand-over of the GIL moves the interpreter's hot data from one core's cache to
the other's, and a waiting thread sleeps through a whole switch interval:
measured on a 2-core machine, 50 default pages got 13–16 frames a second from
an unpinned process and 22–25 from the same process kept on one core. So
``serve`` starts one worker per core (``--workers``) and each worker takes a
core nobody else holds, by locking that core's file in the temporary
directory; the lock goes with the process, so a restarted worker (or the next
server) takes the freed core again. When every core is taken, a process stays
unpinned rather than crowd a core that another one owns.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
from pathlib import Path
from typing import IO

log = logging.getLogger("app.cores")

LOCK_DIRECTORY = Path(tempfile.gettempdir()) / "nn-playground-cores"

_held: IO[bytes] | None = None  # the open, locked file of this process's core


def usable_cores() -> list[int]:
    """The cores this process may run on (a container or ``taskset`` may allow fewer than the machine has)."""
    return sorted(os.sched_getaffinity(0))


def pin_to_free_core(directory: Path = LOCK_DIRECTORY) -> int | None:
    """Keep every thread of this process (and the threads it starts later) on one core that no
    other pinned process holds; return it, or None when all are held (or already pinned)."""
    global _held  # noqa: PLW0603 (one lock per process, held until it exits)
    if _held is not None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    for core in usable_cores():
        handle = (directory / f"core-{core}.lock").open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        _held = handle
        _pin_threads(core)
        log.info("server process %d runs on core %d", os.getpid(), core)
        return core
    return None


def _pin_threads(core: int) -> None:
    """Affinity is per thread on Linux: set it for each thread that exists now (new threads inherit
    their creator's)."""
    for thread in os.listdir("/proc/self/task"):
        with contextlib.suppress(ProcessLookupError):  # a thread that ended meanwhile
            os.sched_setaffinity(int(thread), {core})
