"""The binary grid message: header layout, orientation and value mapping, key frames and deltas."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from app.grid_message import (
    HEADER,
    ZERO_RUNS_FRAME,
    GridSource,
    GridStream,
    decode_header,
    expand_zero_runs,
    key_frame,
    payload_cells,
)
from app.server_messages import HistoryCursor, build_frame
from nn_core import Playground
from nn_core.grid import Boundaries, quantize

from ..grid_decoder import GridDecoder


def maps(output: np.ndarray, thumbnails: list[np.ndarray] | None = None) -> Boundaries:
    return Boundaries(output, np.asarray(thumbnails if thumbnails else np.zeros((0, 0, 0))))


def test_header_is_twenty_little_endian_bytes() -> None:
    data = key_frame(maps(np.zeros((100, 100)), [np.zeros((25, 25))] * 9), epoch=70_000)
    assert HEADER.size == 20
    assert struct.unpack("<BBBBHHHxxII", data[:20]) == (1, 4, 0, 1, 100, 25, 9, 70_000, 1)
    header = decode_header(data)
    assert header.shape.cells == 100 * 100 + 9 * 25 * 25


def test_k_classes_send_k_output_maps_of_probabilities() -> None:
    """p travels as the code of 2p − 1: the page reads p = code / 255 (output maps and output thumbnails)."""
    probabilities = np.zeros((3, 4, 4))
    probabilities[0], probabilities[1, 0, 0], probabilities[2, 0, 0] = 1.0, 0.5, 0.5
    probabilities[0, 0, 0] = 0.0
    thumbnails = [np.full((2, 2), -1.0), np.full((2, 2), 0.2), np.full((2, 2), 0.6), np.full((2, 2), 0.2)]
    data = key_frame(maps(probabilities, thumbnails), epoch=1)
    assert decode_header(data).outputs == 3 and decode_header(data).shape.cells == 3 * 16 + 4 * 4
    grids = GridDecoder().decode(data)
    assert grids is not None and grids.output.shape == (3, 4, 4)
    assert grids.output[:, 0, 0].tolist() == [0, 128, 128] and grids.output[0, 1, 1] == 255
    np.testing.assert_allclose(grids.thumbnails[1:, 0, 0] / 255, [0.2, 0.6, 0.2], atol=0.5 / 255)
    assert grids.thumbnails[0, 0, 0] == 0  # a hidden neuron's thumbnail keeps its [−1, 1] code


def test_values_map_to_bytes_and_keep_row_major_order() -> None:
    output = np.full((4, 4), -1.0)
    output[0, 3] = 1.0  # top right
    output[3, 0] = 0.0  # bottom left
    grids = GridDecoder().decode(key_frame(maps(output, [np.full((2, 2), 5.0)]), epoch=3))
    assert grids is not None and grids.epoch == 3
    assert grids.output[0, 3] == 255 and grids.output[3, 0] in (127, 128) and grids.output[0, 0] == 0
    assert grids.thumbnails.tolist() == [[[255, 255], [255, 255]]]  # clipped to +1


def test_non_finite_values_do_not_leak_arbitrary_bytes() -> None:
    grids = GridDecoder().decode(key_frame(maps(np.array([[np.nan, np.inf], [-np.inf, 0.0]])), epoch=0))
    assert grids is not None
    cells = grids.output.ravel().tolist()
    assert cells[1] == 255 and cells[2] == 0 and cells[0] == cells[3]


def test_epoch_field_saturates_instead_of_overflowing() -> None:
    assert decode_header(key_frame(maps(np.zeros((2, 2))), epoch=2**40)).epoch == 2**32 - 1


def test_deltas_reproduce_every_frame_and_restart_sends_a_key_frame() -> None:
    rng = np.random.default_rng(1)
    stream, decoder = GridStream(), GridDecoder()
    output, thumbs = rng.uniform(-1, 1, (10, 10)), rng.uniform(-1, 1, (3, 5, 5))
    encodings = []
    for epoch in range(6):
        if epoch == 4:
            stream.restart()
        output = np.clip(output + rng.normal(0, 0.02, output.shape), -1, 1)
        thumbs = np.clip(thumbs + rng.normal(0, 0.02, thumbs.shape), -1, 1)
        data = stream.encode(Boundaries(output, thumbs), epoch)
        encodings.append(decode_header(data).encoding)
        grids = decoder.decode(data)
        assert grids is not None and grids.sequence == epoch + 1
        assert np.array_equal(grids.output, quantize(output))
        assert np.array_equal(grids.thumbnails, quantize(thumbs))
    assert encodings == [0, 1, 1, 1, 0, 1]


def test_a_delta_of_few_changes_travels_as_zero_runs_and_reproduces_the_codes() -> None:
    rng = np.random.default_rng(2)
    stream, decoder = GridStream(), GridDecoder()
    output, thumbs = rng.uniform(-0.9, 0.9, (200, 200)), rng.uniform(-1, 1, (2, 5, 5))
    decoder.decode(stream.encode(Boundaries(output, thumbs), 0))
    for epoch, cells in enumerate([[0, 1, 130, 20_000, 39_999], [5], [], list(range(0, 40_000, 7))], start=1):
        output = output.copy()
        output.flat[cells] += 2 / 255  # at least one quantization step
        data = stream.encode(Boundaries(output, thumbs), epoch)
        expected = ZERO_RUNS_FRAME if len(cells) < 1000 else 1  # 5,715 changes: deflated
        assert decode_header(data).encoding == expected and payload_cells(data) == 40_050
        grids = decoder.decode(data)
        assert grids is not None and np.array_equal(grids.output, quantize(output))
    again = stream.again(9)
    assert len(again) == HEADER.size  # nothing changed: an empty zero-runs payload
    repeated = decoder.decode(again)
    assert repeated is not None and np.array_equal(repeated.output, quantize(output))


def test_a_zero_runs_payload_that_reaches_past_the_cells_is_refused() -> None:
    assert expand_zero_runs(bytes([2, 9]), 3).tolist() == [0, 0, 9]
    for bad in (bytes([3, 9]), bytes([0x80]), bytes([1]), bytes([0x80] * 6 + [1, 9])):
        with pytest.raises(ValueError, match="zero-runs"):
            expand_zero_runs(bad, 3)


def test_a_new_shape_is_a_key_frame() -> None:
    stream = GridStream()
    stream.encode(maps(np.zeros((4, 4)), [np.zeros((2, 2))]), 0)
    assert decode_header(stream.encode(maps(np.zeros((4, 4)), [np.zeros((2, 2))] * 2), 1)).encoding == 0


def test_a_delta_without_its_base_is_refused_until_a_key_frame() -> None:
    stream, decoder = GridStream(), GridDecoder()
    first = stream.encode(maps(np.zeros((4, 4))), 0)
    stream.encode(maps(np.ones((4, 4))), 1)  # never reaches the decoder
    assert decoder.decode(first) is not None
    assert decoder.decode(stream.encode(maps(np.zeros((4, 4))), 2)) is None
    assert decoder.decode(stream.encode(maps(np.zeros((4, 4))), 3)) is None
    stream.restart()
    grids = decoder.decode(stream.encode(maps(np.full((4, 4), 0.5)), 4))
    assert grids is not None and np.array_equal(grids.output, quantize(np.full((4, 4), 0.5)))


def test_a_frame_of_the_largest_classic_network_stays_under_64_kb() -> None:
    from app.server_messages import HistoryCursor, build_frame
    from nn_core import Playground

    features = "&".join(f"{name}=true" for name in ("x", "y", "xTimesY", "xSquared", "ySquared", "sinX", "sinY"))
    playground = Playground.from_url(f"#seed=big&networkShape=8,8,8,8,8,8&{features}")
    playground.step(3)
    frame = build_frame(playground, HistoryCursor(), GridStream(), playing=True, thumbnail=25)
    header = decode_header(frame.grids)
    assert header.count == 7 + 6 * 8 + 1
    assert len(frame.text.encode()) + len(frame.grids) < 64 * 1024


def test_an_unchanged_network_repeats_its_grids_without_computing_them(monkeypatch) -> None:
    """A `set` of the learning rate, a pause, a toggle: the grids are as the last message showed."""
    pg = Playground.from_url("#networkShape=4,2")
    pg.step(3)
    stream, decoder = GridStream(), GridDecoder()
    first = decoder.decode(build_frame(pg, HistoryCursor(), stream, True, 25).grids)
    computed = []
    boundaries = Playground.boundaries
    monkeypatch.setattr(Playground, "boundaries", lambda self, **kw: computed.append(1) or boundaries(self, **kw))
    again = build_frame(pg, HistoryCursor(), stream, True, 25).grids
    assert computed == [] and decode_header(again).encoding == ZERO_RUNS_FRAME  # no changes
    repeated = decoder.decode(again)
    assert first is not None and repeated is not None and repeated.sequence == first.sequence + 1
    assert np.array_equal(repeated.output, first.output) and np.array_equal(repeated.thumbnails, first.thumbnails)
    pg.update({"learningRate": 0.3})  # what the grids come from is the same
    assert decoder.decode(build_frame(pg, HistoryCursor(), stream, True, 25).grids) is not None
    assert computed == []
    for change in (lambda: pg.step(1), lambda: pg.update({"xSquared": True}), stream.restart):
        change()  # new weights, a new shape, a page that asked for a key frame: computed afresh
        expected = pg.boundaries(resolution=25, output_resolution=100)
        computed.clear()
        grids = decoder.decode(build_frame(pg, HistoryCursor(), stream, True, 25).grids)
        assert computed == [1] and grids is not None
        assert np.array_equal(grids.output, quantize(expected.output))
    assert build_frame(pg, HistoryCursor(), stream, True, 26).grids[2] == 0  # another thumbnail size: a key frame


def test_a_diverged_network_repeats_its_grids_until_a_parameter_changes() -> None:
    """NaN where NaN was: the same bits give the same codes (a NaN cell is drawn neutral)."""
    pg = Playground.from_url("#networkShape=2")
    stream, decoder = GridStream(), GridDecoder()
    pg.net.params[0] = np.nan
    first = decoder.decode(build_frame(pg, HistoryCursor(), stream, False, 25).grids)
    assert stream.shows(GridSource.of(pg.net, pg.config.features, 25, 100))
    second = decoder.decode(build_frame(pg, HistoryCursor(), stream, False, 25).grids)
    assert first is not None and second is not None and np.array_equal(first.output, second.output)
    pg.net.params[1] += 1.0
    assert not stream.shows(GridSource.of(pg.net, pg.config.features, 25, 100))


def test_a_delta_that_fails_leaves_the_stream_and_its_buffers_as_they_were(monkeypatch) -> None:
    """The codes a delta replaces become the next delta's buffer only once its message is built."""
    rng = np.random.default_rng(4)
    stream, decoder = GridStream(), GridDecoder()
    output, thumbs = rng.uniform(-1, 1, (20, 20)).astype(np.float32), rng.uniform(-1, 1, (2, 5, 5)).astype(np.float32)
    decoder.decode(stream.encode(Boundaries(output, thumbs), 0))
    decoder.decode(stream.encode(Boundaries(output + np.float32(0.02), thumbs), 1))
    real_message = GridStream._message

    def failing(*args: object) -> bytes:
        raise KeyboardInterrupt  # a notebook's interrupt between the delta and its message

    monkeypatch.setattr(GridStream, "_message", failing)
    with pytest.raises(KeyboardInterrupt):
        stream.encode(Boundaries(output - np.float32(0.3), thumbs), 2)
    monkeypatch.setattr(GridStream, "_message", real_message)
    for epoch, shift in enumerate([0.05, 0.1, -0.2], start=2):
        moved = np.clip(output + np.float32(shift), -1, 1)
        grids = decoder.decode(stream.encode(Boundaries(moved, thumbs), epoch))
        assert grids is not None and np.array_equal(grids.output, quantize(moved))


def test_k_class_deltas_and_a_changed_shape_reproduce_every_frame() -> None:
    rng = np.random.default_rng(5)
    stream, decoder = GridStream(), GridDecoder()
    for epoch, (classes, side) in enumerate([(3, 8), (3, 8), (4, 8), (4, 8), (3, 8), (3, 8)]):
        scores = rng.uniform(0, 1, (classes, side, side)).astype(np.float32)
        probabilities = scores / scores.sum(axis=0)
        thumbnails = rng.uniform(0, 1, (classes + 2, 4, 4)).astype(np.float32)
        data = stream.encode(Boundaries(probabilities, thumbnails), epoch)
        grids = decoder.decode(data)
        assert grids is not None and grids.output.shape == (classes, side, side)
        assert np.array_equal(grids.output, quantize(probabilities * np.float32(2) - np.float32(1)))
        expected_thumbnails = thumbnails.copy()
        expected_thumbnails[-classes:] = expected_thumbnails[-classes:] * np.float32(2) - np.float32(1)
        assert np.array_equal(grids.thumbnails, quantize(expected_thumbnails))
        assert decode_header(data).encoding == (0 if epoch in (0, 2, 4) else 1)  # a new shape: a key frame
