
import numpy as np
import pytest

from nn_core import Playground
from nn_core.features import feature_matrix
from nn_core.grid import dequantize, downsample, quantize, quantize_changes, quantize_runs, zero_runs
from nn_core.network import Network


def test_orientation_is_y_up_and_x_right():
    playground = Playground.from_url("#seed=1&x=true&y=true")
    maps = playground.boundaries(resolution=10)
    x_map, y_map = maps.thumbnails[0], maps.thumbnails[1]
    assert x_map[0, 0] < 0 < x_map[0, -1]  # left is x = −6
    assert y_map[0, 0] > 0 > y_map[-1, 0]  # top is y = +6


def test_every_neuron_has_a_map_and_the_output_matches_the_forward_pass():
    playground = Playground.from_url("#seed=1&networkShape=4,2&xSquared=true")
    maps = playground.boundaries(resolution=25)
    assert len(maps.thumbnails) == 3 + 4 + 2 + 1
    assert maps.output.shape == (100, 100) and maps.thumbnails[-1].shape == (25, 25)
    corner = playground.net.forward(feature_matrix(playground.config.features, np.array([6.0]), np.array([-6.0])))
    assert abs(maps.output[-1, -1] - corner[0, 0]) < 1e-5  # float32 grid
    np.testing.assert_allclose(maps.thumbnails[-1].mean(), maps.output.mean())


def test_quantize_round_trips_to_half_a_step():
    values = np.linspace(-1, 1, 1001)
    codes = quantize(values)
    assert codes.dtype == np.uint8 and codes[0] == 0 and codes[-1] == 255
    assert np.abs(dequantize(codes) - values).max() <= 1 / 255 + 1e-12
    assert quantize(np.array([5.0, -5.0, np.nan])).tolist() == [255, 0, 128]


def numpy_quantize(values: np.ndarray) -> np.ndarray:
    """The reference: NumPy's clip, +1, ×127.5, rint (half to even) in the values' own dtype."""
    scaled = np.nan_to_num(np.clip(values, -1.0, 1.0), nan=0.0)
    return np.rint((scaled + values.dtype.type(1.0)) * values.dtype.type(127.5)).astype(np.uint8)


def test_the_compiled_float32_pass_gives_numpy_s_codes_and_the_changes_mod_256():
    rng = np.random.default_rng(3)
    steps = (np.arange(256, dtype=np.float32) - np.float32(127.5)) / np.float32(127.5)  # every half-step tie
    values = np.concatenate([rng.uniform(-1.2, 1.2, 20_000), steps, np.nextafter(steps, 2), np.nextafter(steps, -2),
                             [np.nan, np.inf, -np.inf, -0.0, 1.0, -1.0]]).astype(np.float32)
    assert np.array_equal(quantize(values), numpy_quantize(values))
    previous = rng.integers(0, 256, values.size, dtype=np.uint8)
    codes, changes = np.empty_like(previous), np.empty_like(previous)
    quantize_changes(values.reshape(2, -1), codes.reshape(2, -1), previous, changes)
    assert np.array_equal(codes, numpy_quantize(values))
    assert np.array_equal(changes, codes - previous)  # uint8 arithmetic wraps: mod 256
    assert np.array_equal((previous + changes).astype(np.uint8), codes)


def test_every_feature_has_a_map_even_when_not_an_input():
    from nn_core.grid import feature_thumbnails
    maps = feature_thumbnails(resolution=10)
    assert list(maps) == ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
    playground = Playground.from_url("#seed=1&x=true&y=true")
    np.testing.assert_allclose(maps["x"], playground.boundaries(resolution=10).thumbnails[0], atol=1e-6)
    assert maps["xSquared"].min() >= 0


def _every_neuron_by_hand(net: Network, features: tuple[str, ...], n: int) -> np.ndarray:
    """Each neuron's values on the N×N grid, ``(neurons, N, N)``, in plain float64 NumPy: the reference."""
    axis = np.linspace(-6.0, 6.0, n)
    xs, ys = np.meshgrid(axis, axis[::-1])
    values = feature_matrix(features, xs.reshape(-1), ys.reshape(-1))
    maps = [values.T]
    for layer, block in enumerate(net.blocks):
        values = net.activation(layer).forward(values @ block[:, :-1].T + block[:, -1], np.empty((n * n, len(block))))
        maps.append(values.T)
    return np.concatenate(maps).reshape(-1, n, n)


@pytest.mark.parametrize("resolution", [20, 30])  # cells of whole grid rows (the compiled pass), and not
def test_full_resolution_maps_average_down_to_the_thumbnails(resolution: int) -> None:
    playground = Playground.from_url("#seed=1&networkShape=3,2&sinX=true")
    maps = _every_neuron_by_hand(playground.net, playground.config.features, 100)
    assert maps.shape == (3 + 3 + 2 + 1, 100, 100)
    thumbnails = np.array(playground.boundaries(resolution=resolution).thumbnails)
    np.testing.assert_allclose(downsample(maps, resolution), thumbnails, atol=1e-6)
    np.testing.assert_allclose(maps[-1], playground.boundaries().output, atol=1e-6)


def test_a_big_network_s_grid_in_chunks_of_rows_matches_the_whole_grid_by_hand() -> None:
    from nn_core.grid import _rows_per_chunk
    playground = Playground.from_url("#seed=2&networkShape=8,8,8,8,8,8&x=true&y=true&xTimesY=true")
    assert _rows_per_chunk(playground.net, 100, 25) < 100  # several chunks, each of whole cells
    maps = _every_neuron_by_hand(playground.net, playground.config.features, 100)
    boundaries = playground.boundaries(resolution=25)
    np.testing.assert_allclose(downsample(maps, 25), boundaries.thumbnails, atol=1e-5)
    np.testing.assert_allclose(maps[-1], boundaries.output, atol=1e-5)


def test_zero_runs_are_base_128_counts_of_unchanged_cells_each_before_its_change():
    changes = np.zeros(20_000, dtype=np.uint8)
    changes[[0, 131, 135, 16_520]] = [7, 5, 255, 1]
    out = np.empty(64, dtype=np.uint8)
    written = zero_runs(changes, out)
    # runs 0, 130, 3 and 16,384 = 0 + 0·128 + 1·128² (three bytes: 0x80, 0x80, 0x01)
    assert out[:written].tolist() == [0, 7, 0x82, 1, 5, 3, 255, 0x80, 0x80, 0x01, 1]
    assert zero_runs(np.zeros(500, dtype=np.uint8), out) == 0  # nothing changed: nothing written


def test_zero_runs_that_do_not_fit_say_so_and_wrong_buffers_are_refused():
    changes = np.ones(10, dtype=np.uint8)
    assert zero_runs(changes, np.empty(19, dtype=np.uint8)) == -1
    assert zero_runs(changes, np.empty(20, dtype=np.uint8)) == 20
    long_run = np.zeros(300, dtype=np.uint8)
    long_run[-1] = 9
    assert zero_runs(long_run, np.empty(2, dtype=np.uint8)) == -1  # the run alone takes two bytes
    with pytest.raises(ValueError, match="uint8"):
        zero_runs(changes.astype(np.int16), np.empty(20, dtype=np.uint8))


@pytest.mark.parametrize("moved", [0, 1, 7, 60, 900, 20_000])
def test_quantize_runs_gives_the_codes_changes_and_zero_runs_of_the_two_passes(moved: int):
    """The frame's one-call delta against the reference: quantize_changes, then zero_runs."""
    rng = np.random.default_rng(moved)
    output, thumbnails = rng.uniform(-1.1, 1.1, (100, 100)), rng.uniform(-1, 1, (9, 25, 25))
    output[0, :3] = [np.nan, np.inf, -np.inf]
    parts = (output.astype(np.float32), thumbnails.astype(np.float32))
    cells = output.size + thumbnails.size
    previous = np.concatenate([quantize(part).reshape(-1) for part in parts])
    previous[rng.choice(cells, min(moved, cells), replace=False)] += rng.integers(1, 256, min(moved, cells),
                                                                                  dtype=np.uint8)
    codes, changes = np.empty(cells, np.uint8), np.full(-(-cells // 8) * 8, 0, np.uint8)
    out = np.empty(cells // 16, np.uint8)
    written = quantize_runs(parts, codes, previous, changes, out)

    expected_codes, expected_changes = np.empty(cells, np.uint8), np.empty(cells, np.uint8)
    quantize_changes(np.concatenate([part.reshape(-1) for part in parts]), expected_codes, previous,
                     expected_changes)
    assert np.array_equal(codes, expected_codes) and np.array_equal(changes[:cells], expected_changes)
    assert not changes[cells:].any()  # the padding to whole words stays zero
    reference = np.empty_like(out)
    assert written == zero_runs(expected_changes, reference)
    assert (written < 0) == (moved > 300)  # past ~1/16 of the cells in bytes: deflate instead
    if written >= 0:
        assert out[:written].tobytes() == reference[:written].tobytes()


def test_quantize_runs_refuses_buffers_that_do_not_fit_the_values():
    parts = (np.zeros((4, 4), np.float32), np.zeros((1, 2, 2), np.float32))
    with pytest.raises(ValueError, match="whole words"):
        quantize_runs(parts, np.empty(20, np.uint8), np.zeros(20, np.uint8), np.zeros(20, np.uint8),
                      np.empty(4, np.uint8))


def python_zero_runs(changes: np.ndarray) -> list[int]:
    """The reference encoding: each nonzero byte after its run of zeros in LEB128."""
    encoded, run = [], 0
    for change in changes.tolist():
        if change == 0:
            run += 1
            continue
        while run > 0x7F:
            encoded.append((run & 0x7F) | 0x80)
            run >>= 7
        encoded += [run, change]
        run = 0
    return encoded


@pytest.mark.parametrize("offset", [0, 1, 3, 7])
def test_zero_runs_skip_words_wherever_the_bytes_start_and_end(offset: int):
    rng = np.random.default_rng(offset)
    buffer = np.zeros(5_000 + offset, dtype=np.uint8)
    buffer[rng.choice(buffer.size, 40, replace=False)] = rng.integers(1, 256, 40)
    changes = buffer[offset : offset + 4_997]  # an unaligned start, a tail shorter than a word
    out = np.empty(500, dtype=np.uint8)
    written = zero_runs(changes, out)
    assert out[:written].tolist() == python_zero_runs(changes)


@pytest.mark.parametrize(("split", "cells"), [(3, 5), (5, 13), (13, 29), (8, 16)])
def test_quantize_runs_splits_anywhere_and_reads_no_padding(split: int, cells: int):
    """Parts that meet inside an 8-byte word, and fewer cells than a word; padding that is not
    zero (the buffer's contract says zero) still never becomes a pair past the last cell."""
    rng = np.random.default_rng(cells)
    values = rng.uniform(-1, 1, cells).astype(np.float32)
    previous = rng.integers(0, 256, cells, dtype=np.uint8)
    codes, changes = np.empty(cells, np.uint8), np.full(-(-cells // 8) * 8, 9, np.uint8)
    out = np.empty(4 * cells, np.uint8)
    written = quantize_runs((values[:split], values[split:]), codes, previous, changes, out)
    assert np.array_equal(codes, quantize(values))
    assert out[:written].tolist() == python_zero_runs((codes - previous).astype(np.uint8))


def test_pages_of_one_network_shape_share_a_thread_s_grid_buffers_whatever_their_features():
    import threading

    from nn_core import grid

    sizes: list[int] = []

    def boundaries_of_both() -> None:
        for link in ("#networkShape=4,2&x=true&y=true",
                     "#networkShape=4,2&x=false&y=false&xSquared=true&ySquared=true"):
            Playground.from_url(link).boundaries()
        sizes.append(len(grid._passes.cache))

    thread = threading.Thread(target=boundaries_of_both)  # a fresh thread: its own, empty cache
    thread.start()
    thread.join()
    assert sizes == [1]  # two inputs each: one pass, one set of buffers
