"""One core per server process: each ``serve`` process keeps its threads on a core of its own.

A server process is bound by its GIL: the event loop, the control threads and
the training thread take turns, and the compiled kernels release the GIL for
microseconds at a time. When those threads run on different cores, every
hand-over of the GIL moves the interpreter's hot data from one core's cache to
the other's: measured on a 2-core machine, 50 default pages got 13–16 frames a
second from an unpinned process and 22–25 from the same process kept on one
core. So ``serve`` starts one process per core (``--workers``) and each takes a
core nobody else holds, by locking that core's file in a directory of the
user's own; the lock goes with the process, so a restarted process (or the
next server) takes the freed core again. When every core is taken, a process
stays unpinned rather than crowd a core that another one owns.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import math
import os
import tempfile
from pathlib import Path

log = logging.getLogger("app.cores")

CPU_QUOTA = Path("/sys/fs/cgroup/cpu.max")  # cgroup v2: "max 100000" or "<quota> <period>"

_held: int | None = None  # the locked file of this process's core, held until it exits


def lock_directory() -> Path:
    """Where the core locks live: one directory per user, so another user's files neither
    block nor redirect this user's (``$TMPDIR`` moves it, as the tests do)."""
    return Path(tempfile.gettempdir()) / f"nn-playground-cores-{os.getuid()}"


def usable_cores() -> list[int]:
    """The cores this process may run on (a container or ``taskset`` may allow fewer than the machine has)."""
    return sorted(os.sched_getaffinity(0))


def default_processes() -> int:
    """``serve``'s default number of processes: the usable cores, no more than a CPU quota allows
    (a container limited to one CPU of a 16-core host gets one process, not sixteen)."""
    cores = len(usable_cores())
    with contextlib.suppress(OSError, ValueError, IndexError):
        quota, period = CPU_QUOTA.read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    return cores


def pin_to_free_core(directory: Path | None = None) -> int | None:
    """Keep every thread of this process (and the threads it starts later) on one core that no
    other pinned process holds; return it, or None when all are held (or it is already pinned)."""
    global _held  # noqa: PLW0603 (one lock per process, held until it exits)
    if _held is not None:
        return None
    directory = lock_directory() if directory is None else directory
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        log.warning("not pinned to a core: %s", error)
        return None
    for core in usable_cores():
        try:
            handle = os.open(directory / f"core-{core}.lock", os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as error:
            log.warning("not pinned to a core: %s", error)
            return None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
            continue
        _held = handle
        _pin_threads(core)
        log.info("server process %d runs on core %d", os.getpid(), core)
        return core
    log.warning("every core is held by another server process: process %d runs unpinned", os.getpid())
    return None


def _pin_threads(core: int) -> None:
    """Affinity is per thread on Linux: set it for every thread, again until no new one appeared
    meanwhile (a thread started by a thread not yet pinned inherits the old affinity)."""
    done: set[int] = set()
    while todo := {int(thread) for thread in os.listdir("/proc/self/task")} - done:
        for thread in todo:
            with contextlib.suppress(ProcessLookupError):  # a thread that ended meanwhile
                os.sched_setaffinity(thread, {core})
        done |= todo
