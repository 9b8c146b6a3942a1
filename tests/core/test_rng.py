from nn_core.rng import SeededRandom, new_seed


def test_matches_seedrandom_documented_values():
    # seedrandom's README: Math.seedrandom('hello.') then Math.random() twice.
    rng = SeededRandom("hello.")
    assert rng.random() == 0.9282578795792454
    assert rng.random() == 0.3752569768646784


def test_same_seed_same_stream_and_different_seed_differs():
    a, b, c = SeededRandom("abc"), SeededRandom("abc"), SeededRandom("abd")
    first = [a.random() for _ in range(50)]
    assert first == [b.random() for _ in range(50)]
    assert first != [c.random() for _ in range(50)]
    assert all(0 <= v < 1 for v in first)


def test_empty_and_long_seeds_work():
    assert 0 <= SeededRandom("").random() < 1
    assert 0 <= SeededRandom("x" * 1000 + "☃😀").random() < 1


def test_new_seed_looks_like_the_originals():
    seed = new_seed()
    assert seed.startswith("0.") and len(seed) == 7
