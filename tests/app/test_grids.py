"""The binary grid message: header layout, sizes, orientation and value mapping."""

from __future__ import annotations

import struct

import numpy as np

from app.server_messages import HEADER, decode_header, encode_grids, expected_length


def test_header_is_twelve_little_endian_bytes() -> None:
    output = np.zeros((100, 100))
    thumbs = [np.zeros((25, 25))] * 9
    data = encode_grids(output, thumbs, epoch=70_000)
    assert HEADER.size == 12
    assert struct.unpack("<BBHHHI", data[:12]) == (1, 1, 100, 25, 9, 70_000)
    header = decode_header(data)
    assert len(data) == expected_length(header) == 12 + 100 * 100 + 9 * 25 * 25


def test_values_map_to_bytes_and_keep_row_major_order() -> None:
    output = np.full((4, 4), -1.0)
    output[0, 3] = 1.0  # top right
    output[3, 0] = 0.0  # bottom left
    data = encode_grids(output, [np.full((2, 2), 5.0)], epoch=3)
    cells = np.frombuffer(data[12:28], dtype=np.uint8).reshape(4, 4)
    assert cells[0, 3] == 255 and cells[3, 0] in (127, 128) and cells[0, 0] == 0
    assert list(data[28:]) == [255] * 4  # clipped to +1


def test_non_finite_values_do_not_leak_arbitrary_bytes() -> None:
    output = np.array([[np.nan, np.inf], [-np.inf, 0.0]])
    cells = list(encode_grids(output, [], epoch=0)[12:])
    assert cells[1] == 255 and cells[2] == 0 and cells[0] == cells[3]


def test_epoch_field_saturates_instead_of_overflowing() -> None:
    data = encode_grids(np.zeros((2, 2)), [], epoch=2**40)
    assert decode_header(data).epoch == 2**32 - 1


def test_a_frame_of_the_largest_classic_network_stays_under_64_kb() -> None:
    from app.server_messages import HistoryCursor, build_frame
    from nn_core import Playground

    features = "&".join(f"{name}=true" for name in ("x", "y", "xTimesY", "xSquared", "ySquared", "sinX", "sinY"))
    playground = Playground.from_url(f"#seed=big&networkShape=8,8,8,8,8,8&{features}")
    playground.step(3)
    frame = build_frame(playground, HistoryCursor(), playing=True, thumbnail=25)
    header = decode_header(frame.grids)
    assert header.count == 7 + 6 * 8 + 1
    assert len(frame.text.encode()) + len(frame.grids) < 64 * 1024
