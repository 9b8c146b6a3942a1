"""The load benchmark's own WebSocket client (benchmarks/light_client.py) against a real server:
what it counts is what the server sent, so the benchmark's figures mean what they say."""

from __future__ import annotations

import asyncio
import struct

import pytest

from benchmarks.light_client import PageStats, client_frame, open_page
from tests.servers import BackgroundServer

HELLO: list[dict[str, object]] = [{"type": "hello", "hash": ""}, {"type": "play"}]


async def _play(port: int, seconds: float, set_every: float) -> PageStats:
    page = await open_page("127.0.0.1", port, HELLO, set_every)
    start = asyncio.get_running_loop().time()
    page.measure_from(start, first_set=start)
    await asyncio.sleep(seconds)
    stats = page.stats
    page.close()
    await asyncio.wait_for(page.closed, 10)
    return stats


def test_a_page_counts_the_frames_epochs_bytes_and_set_latencies_the_server_sends() -> None:
    with BackgroundServer() as server:
        stats = asyncio.run(_play(server.port, seconds=2.0, set_every=0.3))
    assert stats.frames >= 20  # the default link at classic pace: ~60 a second
    assert stats.first_epoch is not None
    # Classic pace: about one epoch a frame (the frames counted are the ones that arrived).
    assert stats.frames - 5 <= stats.last_epoch - stats.first_epoch <= 2 * stats.frames
    # A frame is its JSON and its grids (a key frame of ~15,000 cells first, then deltas).
    assert 300 <= stats.bytes / stats.frames <= 20_000
    assert 3 <= len(stats.latencies) <= 7
    assert all(0 < latency < 1.0 for latency in stats.latencies)


@pytest.mark.parametrize("size", [0, 125, 126, 65_535, 65_536])
def test_client_frames_are_masked_frames_of_each_length_form(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    frame = client_frame(0x1, payload)
    assert frame[0] == 0x81  # FIN, text
    assert frame[1] & 0x80  # masked, as RFC 6455 requires of a client
    assert _payload_of(frame) == payload


def _payload_of(frame: bytes) -> bytes:
    """RFC 6455 section 5.2, read independently of the client: the length, the key, the unmasking."""
    length, at = frame[1] & 0x7F, 2
    if length == 126:
        length, at = struct.unpack("!H", frame[2:4])[0], 4
    elif length == 127:
        length, at = struct.unpack("!Q", frame[2:10])[0], 10
    key, data = frame[at : at + 4], frame[at + 4 :]
    assert len(data) == length
    return bytes(byte ^ key[i % 4] for i, byte in enumerate(data))
