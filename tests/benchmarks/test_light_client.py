"""The load benchmark's own WebSocket client (benchmarks/light_client.py) against a real server:
what it counts is what the server sent, so the benchmark's figures mean what they say."""

from __future__ import annotations

import asyncio
import json
import struct

import pytest

from benchmarks.light_client import Page, PageStats, client_frame, open_page
from tests.servers import BackgroundServer

HELLO: list[dict[str, object]] = [{"type": "hello", "hash": ""}, {"type": "play"}]


async def _play(port: int, seconds: float, set_every: float) -> PageStats:
    page = await open_page("127.0.0.1", port, HELLO, set_every)
    start = asyncio.get_running_loop().time()
    page.measure_from(start, start + seconds, first_set=start)
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
    assert not stats.closed_early
    # Classic pace: 60 epochs a second, at least one a training frame; each set's answer is one
    # more frame, at the epoch the page already has.
    epochs = stats.last_epoch - stats.first_epoch
    assert stats.frames - len(stats.latencies) - 6 <= epochs <= 70 * 2.0
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


class _Transport:
    """What the page writes, kept; the server side of a test's conversation."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def _server_frame(opcode: int, payload: bytes) -> bytes:
    """An unmasked server frame, in the length form its size needs."""
    if len(payload) < 126:
        return bytes([0x80 | opcode, len(payload)]) + payload
    if len(payload) < 1 << 16:
        return bytes([0x80 | opcode, 126]) + struct.pack("!H", len(payload)) + payload
    return bytes([0x80 | opcode, 127]) + struct.pack("!Q", len(payload)) + payload


async def _conversation(chunks: list[bytes]) -> tuple[Page, _Transport]:
    page = Page("127.0.0.1", 1, HELLO, set_every=60.0)
    transport = _Transport()
    page.connection_made(transport)  # type: ignore[arg-type]
    page.measure_from(0.0, float("inf"), first_set=float("inf"))
    for chunk in chunks:
        page.data_received(chunk)
    return page, transport


def test_frames_are_read_however_the_bytes_arrive() -> None:
    upgrade = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
    frame = b'{"type":"frame","epoch":41,"train_loss":0.5}'
    grids = bytes(70_000)  # the 64-bit length form
    stream = upgrade + _server_frame(0x1, frame) + _server_frame(0x2, grids) + _server_frame(0x9, b"hi")
    for chunks in ([stream], [stream[i : i + 1] for i in range(len(stream))], [stream[:80], stream[80:]]):
        page, transport = asyncio.run(_conversation(chunks))
        assert page.opened.done() and page.opened.exception() is None
        assert (page.stats.frames, page.stats.first_epoch, page.stats.last_epoch) == (1, 41, 41)
        assert page.stats.bytes == len(frame) + len(grids)
        sent = [json.loads(_payload_of(data))["type"] for data in transport.written[1:-1]]
        assert sent == ["hello", "play"]  # after the upgrade request, before the pong
        assert transport.written[-1] == client_frame(0xA, b"hi")  # the ping's pong


def test_a_refused_upgrade_fails_the_open_once() -> None:
    refused = b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"
    page, transport = asyncio.run(_conversation([refused, refused]))
    assert isinstance(page.opened.exception(), ConnectionError)
    assert transport.closed
