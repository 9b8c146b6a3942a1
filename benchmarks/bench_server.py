"""Benchmark the server: N playing sessions of the default link over real WebSockets.

Starts ``nn-playground serve`` with its defaults (one process per core, each on
a core of its own) as a child on a free loopback port, opens
N sessions, plays them and measures for a few seconds each:

* per session: frames/s, epochs/s and bytes per frame (JSON + grids);
* control latency: a ``set`` of learningRate until the first frame after the
  ``state`` that shows it (p50/p95 over all sessions);
* server RSS per session: growth over the freshly started server (all its
  processes), divided by N (conservative: it includes caches and memory the
  allocator keeps after earlier runs);
* server CPU per delivered frame (all its processes), which other load on the
  machine barely changes, and the cores' worth of CPU the server used.

The client is kept light (benchmarks/light_client.py: uvloop, the WebSocket frames read
straight from the receive buffer, a frame's epoch without parsing its JSON)
so that on a small machine it leaves the cores to the server; its own CPU is
printed too. It runs as one process per core, each on its core with its share
of the pages: a single client process sits on one core and takes its CPU from
the server process pinned there, whose pages then get fewer frames than the
others (measured: 100 pages, 25 frames/s on one process, 11 on the other).
Each (N, speed) is run ``--runs`` times and the median run is printed. The
default plan is issue 10's table: one page at max speed, then 10, 50 and 150
pages at classic speed, then one page at max beside 20 at classic (``1:max+20``: groups
joined by ``+`` play side by side in one run, a row each: does the max page take
only what the others leave?); then it searches for the largest N at classic
speed where every page still gets ``--fps`` frames a second (at most
``--probes`` sizes; ``--no-largest`` skips it). The machine's load average is
printed before and after, since other work on the machine changes frames/s (not
CPU/frame). The whole benchmark is bounded in time (about 5 minutes by default)
and stops the server by itself.

    .venv/bin/python benchmarks/bench_server.py [--seconds 5] [--runs 3] [--plan 1:max,10,50,150,1:max+20]
                                                [--no-largest] [--fps 20] [--threads 2] [--workers 1]
                                                [--client-processes 1]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.light_client import PageStats, open_page  # noqa: E402 (not installed: the path above)
from tests.servers import ServerProcess, rss_bytes  # noqa: E402

SET_EVERY = 0.5  # seconds between control messages per session
WARMUP = 1.0  # seconds of play before measuring
SETTLE_SECONDS = 30.0  # at most this long for every process to finish its start-up (the RSS baseline)


@dataclass
class RunResult:
    sessions: int
    speed: str
    fps: float
    median_fps: float
    epochs_per_s: float
    bytes_per_frame: float
    min_fps: float
    latency_p50_ms: float
    latency_p95_ms: float
    rss_per_session_mb: float
    server_cpu: float  # cores' worth of CPU the server used while measured
    cpu_ms_per_frame: float  # server CPU per delivered frame: independent of other load
    client_cpu: float  # this benchmark's own CPU: near 100% means the client is the limit


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the whole process (all threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pids(pid: int) -> list[int]:
    """``serve``'s process and everything it started (its server processes: one per core), whose
    CPU and memory all count."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # a process that ended meanwhile
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        found.append(current := todo.pop())
        todo.extend(children.get(current, []))
    return found


def server_cpu_seconds(pid: int) -> float:
    return sum(_quietly(cpu_seconds, each) for each in server_pids(pid))


def rss_mb(pid: int) -> float:
    """The server's resident memory, every process of it together."""
    return sum(_quietly(rss_bytes, each) for each in server_pids(pid)) / 2**20


def settle(pid: int) -> None:
    """Wait until every process of the server has warmed up (its memory stops growing): the one
    that answered /healthz first may be the only one up yet, and the baseline must hold them all."""
    deadline, last = time.monotonic() + SETTLE_SECONDS, rss_mb(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = rss_mb(pid)
        if abs(now - last) < 1.0:
            return
        last = now


def _quietly(measure: Callable[[int], float], pid: int) -> float:
    try:
        return measure(pid)
    except (OSError, RuntimeError):  # a worker process that ended meanwhile
        return 0


@dataclass
class Server:
    """What a run measures: the server's address, its process, its memory before any page, and
    the client processes that play the pages."""

    url: str
    pid: int
    baseline: float
    clients: ProcessPoolExecutor
    cores: list[int | None]


def client_share(url: str, speeds: list[str], seconds: float, start_at: float,
                 core: int | None, phase: float) -> tuple[list[PageStats], float]:
    """One client process's pages (run in the pool): their stats and this process's CPU seconds
    while measured. Each client process keeps to one core, so the client's CPU falls evenly on
    every server process instead of on whichever one shares a core with a lone client."""
    if core is not None:
        os.sched_setaffinity(0, {core})
    # uvloop, as the server's: the client's loop is most of its CPU, which it takes from the server.
    return uvloop.run(_play_share(url, speeds, seconds, start_at, phase))


async def _play_share(url: str, speeds: list[str], seconds: float,
                      start_at: float, phase: float) -> tuple[list[PageStats], float]:
    """This process's pages, one per speed (their stats in that order); ``phase`` (0…1): where its
    pages' clicks fall among all the processes'."""
    address = urlsplit(url)
    host, port = address.hostname, address.port
    assert host is not None and port is not None, url  # ServerProcess's URL names both
    def hello(speed: str) -> list[dict[str, object]]:
        return [{"type": "hello", "hash": ""}, {"type": "set", "changes": {"speed": speed}}, {"type": "play"}]

    pages = await asyncio.gather(*(open_page(host, port, hello(speed), SET_EVERY) for speed in speeds))
    await asyncio.sleep(max(0.0, start_at - time.time()))  # every client process starts measuring at once
    start = asyncio.get_running_loop().time() + WARMUP
    for index, page in enumerate(pages):  # the pages' clicks spread evenly, as independent people's
        page.measure_from(start, start + seconds, first_set=start + SET_EVERY * ((index / len(pages) + phase) % 1))
    await asyncio.sleep(WARMUP)
    cpu = time.process_time()
    await asyncio.sleep(seconds)
    cpu = time.process_time() - cpu
    stats = [copy.deepcopy(page.stats) for page in pages]  # what arrived within the run
    for page in pages:
        page.close()
    await asyncio.wait_for(asyncio.gather(*(page.closed for page in pages)), timeout=30)
    return stats, cpu


def run_once(server: Server, groups: list[tuple[int, str]], seconds: float) -> list[RunResult]:
    """One measured run of every group of pages (count, speed) side by side: the pages dealt out
    to the client processes in turn, the server's CPU and memory read over the same seconds. A
    row per group; memory and CPU are the whole run's (per page and per frame of every group)."""
    pages = [(group, speed) for group, (count, speed) in enumerate(groups) for _ in range(count)]
    sessions = len(pages)
    start_at = time.time() + 1.0 + sessions * 0.01  # every session connected and playing
    shares = [pages[i::len(server.cores)] for i in range(len(server.cores))]
    futures = [server.clients.submit(client_share, server.url, [speed for _, speed in share], seconds, start_at,
                                     core, index / len(server.cores))
               for index, (share, core) in enumerate(zip(shares, server.cores, strict=True)) if share]
    time.sleep(max(0.0, start_at + WARMUP - time.time()))
    cpu_start = server_cpu_seconds(server.pid)
    time.sleep(seconds / 2)
    during = rss_mb(server.pid)
    time.sleep(seconds / 2)
    cpu = server_cpu_seconds(server.pid) - cpu_start
    parts = [future.result(timeout=seconds + WARMUP + 60) for future in futures]
    paired = [(group, page) for (part, _), share in zip(parts, (s for s in shares if s), strict=True)
              for (group, _), page in zip(share, part, strict=True)]
    if lost := sum(page.closed_early for _, page in paired):  # refused (busy) or a process gone: the run is not clean
        print(f"warning: {lost} of {sessions} pages lost their connection during the run", flush=True)
    whole = Whole(sessions, seconds, cpu, sum(page.frames for _, page in paired), sum(spent for _, spent in parts),
                  max(0.0, during - server.baseline) / sessions)
    return [result(count, speed, [page for g, page in paired if g == group], whole)
            for group, (count, speed) in enumerate(groups)]


@dataclass
class Whole:
    """What a run measures of the server as a whole."""

    sessions: int
    seconds: float
    server_cpu: float
    frames: int
    client_cpu: float
    rss_per_session_mb: float


def result(sessions: int, speed: str, stats: list[PageStats], whole: Whole) -> RunResult:
    """One group's row: its pages' frames, epochs, bytes and latencies; the whole run's CPU and memory."""
    seconds = whole.seconds
    fps = [s.frames / seconds for s in stats]
    epochs = [(s.last_epoch - (s.first_epoch or 0)) / seconds for s in stats]
    latencies = sorted(x for s in stats for x in s.latencies) or [float("nan")]
    return RunResult(
        sessions=sessions, speed=speed,
        fps=statistics.mean(fps), median_fps=statistics.median(fps), min_fps=min(fps),
        epochs_per_s=statistics.mean(epochs),
        bytes_per_frame=sum(s.bytes for s in stats) / max(1, sum(s.frames for s in stats)),
        latency_p50_ms=1000 * _percentile(latencies, 50), latency_p95_ms=1000 * _percentile(latencies, 95),
        rss_per_session_mb=whole.rss_per_session_mb, server_cpu=whole.server_cpu / seconds,
        client_cpu=whole.client_cpu / seconds, cpu_ms_per_frame=1000 * whole.server_cpu / max(1, whole.frames),
    )


def _percentile(values: list[float], p: float) -> float:
    index = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[index]


HEADER = (f"{'pages':>8} {'speed':>7} {'frames/s':>9} {'median':>7} {'min f/s':>8} {'epochs/s':>9} "
          f"{'bytes/frame':>11} {'lat p50':>8} {'lat p95':>8} {'RSS/page':>9} {'cores':>7} "
          f"{'CPU/frame':>9} {'cli CPU':>7}")


def row(r: RunResult) -> str:
    return (f"{r.sessions:>8} {r.speed:>7} {r.fps:>9.1f} {r.median_fps:>7.1f} {r.min_fps:>8.1f} "
            f"{r.epochs_per_s:>9.0f} {r.bytes_per_frame:>11.0f} {r.latency_p50_ms:>6.0f}ms "
            f"{r.latency_p95_ms:>6.0f}ms {r.rss_per_session_mb:>7.2f}MB {r.server_cpu:>7.2f} "
            f"{r.cpu_ms_per_frame:>7.2f}ms {r.client_cpu:>6.0%}")


def median_run(server: Server, groups: list[tuple[int, str]], args: argparse.Namespace) -> list[RunResult]:
    """The run whose last group's frames/s is the median of ``args.runs`` runs (side by side, the
    group that may suffer from the others: ``1:max+20``'s classic pages)."""
    runs = [run_once(server, groups, args.seconds) for _ in range(args.runs)]
    return sorted(runs, key=lambda run: run[-1].fps)[len(runs) // 2]


def largest(server: Server, args: argparse.Namespace) -> int:
    """The largest N (to within 10%) at classic speed where every page gets ``args.fps``."""
    good, bad = 0, None
    n = 50
    for _ in range(args.probes):
        if bad is not None and bad - good <= max(5, good // 10):
            break
        [found] = median_run(server, [(n, "classic")], args)
        print(row(found), flush=True)
        if found.min_fps >= args.fps:
            good = n
        else:
            bad = n
        n = n * 2 if bad is None else (good + bad) // 2
        if n > args.max_sessions:
            break
    return good


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plan", default="1:max,10,50,150,1:max+20",
                        help="pages[:speed] to measure, comma-separated (speed: classic unless given); "
                             "groups joined by + play side by side in one run (1:max+20)")
    parser.add_argument("--largest", action=argparse.BooleanOptionalAction, default=True,
                        help="search the largest N at --fps (classic)")
    parser.add_argument("--probes", type=int, default=6, help="at most this many sizes in the search")
    parser.add_argument("--fps", type=float, default=20.0)
    parser.add_argument("--max-sessions", type=int, default=800)
    parser.add_argument("--threads", type=int, help="the server's training threads (its default if not given)")
    parser.add_argument("--workers", type=int, help="the server's processes (its default, one per core, if not given)")
    parser.add_argument("--client-processes", type=int,
                        help="client processes, not pinned (default: one per core, each on its core)")
    args = parser.parse_args(argv)
    print(f"load average before: {_load()}")
    print(HEADER)
    # Every benchmark page comes from 127.0.0.1: the per-address limits must let them all in.
    limit = str(args.max_sessions + 10)
    env = {"NNP_MAX_SESSIONS": limit, "NNP_MAX_SESSIONS_PER_CLIENT": limit, "NNP_MAX_WAITING_PER_CLIENT": limit}
    if args.threads is not None:
        env["NNP_TRAIN_THREADS"] = str(args.threads)
    cores: list[int | None] = [*sorted(os.sched_getaffinity(0))] if args.client_processes is None else \
        [None] * args.client_processes
    with ServerProcess(env=env, log=subprocess.DEVNULL, workers=args.workers) as process, \
            ProcessPoolExecutor(len(cores), mp_context=multiprocessing.get_context("spawn")) as clients:
        settle(process.pid)
        print(f"serve's processes: {len(process.worker_pids()) or 1} "
              f"(each on a core of its own unless NNP_PIN_CORE=false); "
              f"client processes: {len(cores)}{' (one per core)' if args.client_processes is None else ''}")
        server = Server(process.ws_url, process.pid, rss_mb(process.pid), clients, cores)
        for groups in _plan(args.plan):
            rows = median_run(server, groups, args)
            print("\n".join(row(r) for r in rows) + ("\n  (one run: the rows above played side by side)"
                                                     if len(rows) > 1 else ""), flush=True)
        if args.largest:
            print(f"largest N with every page at >= {args.fps:g} frames/s: {largest(server, args)}")
    print(f"load average after: {_load()}")
    return 0


def _plan(plan: str) -> list[list[tuple[int, str]]]:
    """``"1:max,10,1:max+20"`` → ``[[(1, "max")], [(10, "classic")], [(1, "max"), (20, "classic")]]``."""
    runs = []
    for entry in filter(None, plan.split(",")):
        groups = []
        for group in entry.split("+"):
            pages, _, speed = group.partition(":")
            groups.append((int(pages), speed or "classic"))
        runs.append(groups)
    return runs


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg()) + f" (on {os.cpu_count()} cores)"


if __name__ == "__main__":
    sys.exit(main())
