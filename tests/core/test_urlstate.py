import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core.datasets import allows_classes
from nn_core.settings import DEFAULT, HIDEABLE, SETTINGS, Config
from nn_core.urlstate import js_number, parse_hash, to_hash

ORIGINAL = (
    "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03"
    "&regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false"
    "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false"
    "&ySquared=false&cosX=false&sinX=true&cosY=false&sinY=true&collectStats=false"
    "&problem=classification&initZero=false&hideText=false"
)


def test_the_originals_example_round_trips_exactly():
    config, warnings = parse_hash(ORIGINAL)
    assert warnings == []
    assert config.features == ("x", "y", "sinX", "sinY")
    assert to_hash(config) == ORIGINAL


def test_a_whole_url_gives_the_same_config_as_its_hash():
    url = "https://playground.tensorflow.org/" + ORIGINAL
    assert parse_hash(url)[0] == parse_hash(ORIGINAL)[0]


def test_unknown_keys_are_ignored_and_bad_values_warn_by_name():
    config, warnings = parse_hash("#seed=1&bogus=3&activation=banana&learningRate=abc&batchSize=")
    assert config.activation == "tanh" and config.learningRate == 0.03 and config.batchSize == 10
    assert any(w.startswith("activation") for w in warnings)
    assert any(w.startswith("learningRate") for w in warnings)
    assert not any("bogus" in w for w in warnings)


def test_bool_is_false_only_for_the_exact_text_false():
    config, _ = parse_hash("#seed=1&xSquared=yes&x=false&y=False")
    assert (config.xSquared, config.x, config.y) == (True, False, True)


def test_empty_network_shape_means_no_hidden_layer():
    config, warnings = parse_hash("#seed=1&networkShape=")
    assert config.networkShape == () and warnings == []
    assert "networkShape=&" in to_hash(config)


def test_network_limits_in_classic_and_extended_mode():
    _, warnings = parse_hash("#seed=1&networkShape=4,9")
    assert any("networkShape" in w for w in warnings)
    config, warnings = parse_hash("#seed=1&mode=extended&networkShape=32,32,1,1,1,1,1,1,1,1")
    assert warnings == [] and config.networkShape[0] == 32
    _, warnings = parse_hash("#seed=1&mode=extended&networkShape=33")
    assert warnings


def test_regularization_none_is_left_out_and_cos_keys_are_written_back():
    config, _ = parse_hash("#seed=1&regularization=L2&cosX=true")
    text = to_hash(config)
    assert "regularization=L2" in text and "cosX=true" in text
    assert "regularization=" not in to_hash(dataclasses.replace(config, regularization="none"))


def test_our_own_keys_round_trip_and_are_omitted_at_default():
    config, warnings = parse_hash("#seed=1&optimizer=adam&beta1=0.8&loss=crossEntropy&init=he&speed=max")
    assert warnings == []
    assert (config.optimizer, config.beta1, config.loss, config.init, config.speed) == (
        "adam", 0.8, "crossEntropy", "he", "max")
    assert parse_hash(to_hash(config))[0] == config
    assert "optimizer" not in to_hash(DEFAULT)


def test_gradient_clipping_is_off_by_default_round_trips_and_is_clamped():
    assert DEFAULT.gradientClip == 0.0 and "gradientClip" not in to_hash(DEFAULT)
    config, warnings = parse_hash("#seed=1&gradientClip=0.25")
    assert (config.gradientClip, warnings) == (0.25, []) and "&gradientClip=0.25" in to_hash(config)
    assert parse_hash(to_hash(config))[0] == config
    config, warnings = parse_hash("#seed=1&gradientClip=-3")
    assert config.gradientClip == 0.0 and warnings == ["gradientClip: '-3' is out of range, using 0.0"]
    assert parse_hash("#seed=1&gradientClip=1e9")[0].gradientClip == SETTINGS["gradientClip"].hi


def test_hide_keys_round_trip():
    config, _ = parse_hash("#seed=1&learningRate_hide=true&noise_hide=true&nonsense_hide=true")
    assert config.hidden == {"learningRate", "noise"}
    assert to_hash(config).endswith("&learningRate_hide=true&noise_hide=true")


def test_numbers_are_written_like_javascript():
    assert [js_number(v) for v in (0.00001, 0.03, 10, 1e-7, 3.0)] == ["0.00001", "0.03", "10", "1e-7", "3"]


def test_missing_seed_gets_a_fresh_one_so_the_link_pins_the_data():
    config, _ = parse_hash("")
    assert config.seed and f"seed={config.seed}" in to_hash(config)


def test_out_of_range_numbers_are_clamped_with_a_warning():
    config, warnings = parse_hash("#seed=1&learningRate=1e9&noise=-5&batchSize=NaN")
    assert config.learningRate == SETTINGS["learningRate"].hi and config.noise == 0
    assert config.batchSize == 10
    assert len(warnings) == 3


def test_the_original_controls_that_are_not_settings_are_hidable_too():
    link = "#seed=1&playButton_hide=true&stepButton_hide=true&resetButton_hide=true&numHiddenLayers_hide=true"
    config, warnings = parse_hash(link)
    assert warnings == []
    assert config.hidden == {"playButton", "stepButton", "resetButton", "numHiddenLayers"}
    assert to_hash(config).endswith("&hideText=false" + link.removeprefix("#seed=1"))


@settings(max_examples=100, deadline=None)
@given(st.sets(st.sampled_from(HIDEABLE), min_size=1))
def test_every_hide_key_round_trips_after_the_other_keys(names):
    link = "#seed=1&" + "&".join(f"{name}_hide=true" for name in sorted(names))
    config, warnings = parse_hash(link)
    assert warnings == [] and config.hidden == names
    text = to_hash(config)
    hides = [part for part in text.lstrip("#").split("&") if part.endswith("_hide=true")]
    assert sorted(hides) == sorted(f"{name}_hide=true" for name in names)
    assert text.endswith("&".join(hides)), "the _hide keys come last"
    assert parse_hash(text) == (config, [])


def test_the_keep_weights_key_is_written_only_when_off():
    assert "keepWeights" not in to_hash(DEFAULT)
    config, warnings = parse_hash("#seed=1&keepWeights=false")
    assert warnings == [] and config.keepWeights is False
    assert "keepWeights=false" in to_hash(config)


def test_a_hidden_feature_is_no_input():
    config, _ = parse_hash("#seed=1&x=true&y=true&xSquared=true&x_hide=true")
    assert config.features == ("y", "xSquared") and config.layer_sizes[0] == 2


keys = st.sampled_from([*SETTINGS, *(f"{name}_hide" for name in HIDEABLE), "bogus", ""])
values = st.one_of(st.text(max_size=12),
                   st.sampled_from(["", "true", "false", "NaN", "1e400", "-1", "4,2", ",", "relu"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(keys, values), max_size=12), st.text(max_size=3))
def test_parsing_never_raises_and_always_round_trips(pairs, junk):
    text = junk + "#" + "&".join(f"{k}={v}" for k, v in pairs)
    config, warnings = parse_hash(text)
    assert isinstance(config, Config) and all(isinstance(w, str) for w in warnings)
    again, more = parse_hash(to_hash(config))
    assert again == config and more == []


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_at_all_parses(text):
    parse_hash(text)


def test_strict_changes_refuse_what_forgiving_ones_warn_about():
    import pytest

    from nn_core.settings import SettingError, replace

    for bad in ({"learningRate": 20}, {"batchSize": 2.5}, {"noise": "5"}, {"x": "true"},
                {"hidden": ["nonsense"]}, {"activation": "nope"}, {"networkShape": [9]}):
        with pytest.raises(SettingError):
            replace(DEFAULT, bad, strict=True)
        _, warnings = replace(DEFAULT, bad)
        assert warnings or bad in ({"noise": "5"}, {"x": "true"})  # text is how links carry values
    config, warnings = replace(DEFAULT, {"mode": "extended", "networkShape": [32]}, strict=True)
    assert config.networkShape == (32,) and warnings == []


def test_a_seed_cannot_inject_keys_of_its_own():
    from nn_core.settings import replace

    for seed in ("x&learningRate=10&activation=linear&networkShape=1", "%41", "100%", "a#b", "é ü"):
        config, _ = replace(DEFAULT, {"seed": seed}, strict=True)
        again, warnings = parse_hash(to_hash(config))
        assert again == config and again.seed == seed and warnings == []
        assert (again.learningRate, again.activation, again.networkShape) == (0.03, "tanh", (4, 2))


def test_control_codes_and_lone_surrogates_are_not_seeds():
    import pytest

    from nn_core.settings import SettingError, replace

    for bad in ("a\nb", "\x00", "\ud800"):
        with pytest.raises(SettingError, match="seed"):
            replace(DEFAULT, {"seed": bad}, strict=True)


def _value_of(name: str) -> st.SearchStrategy:
    """Any value the settings table accepts for ``name`` (extended mode's network limits)."""
    setting = SETTINGS[name]
    if setting.kind == "choice":
        return st.sampled_from(setting.choices)
    if setting.kind == "bool":
        return st.booleans()
    if setting.kind == "shape":
        return st.lists(st.integers(1, 32), max_size=10).map(tuple)
    if setting.kind == "text":
        text = st.text(min_size=1, max_size=40).filter(str.isprintable)
        return st.none() | text if setting.nullable else text
    if setting.integer:
        return st.integers(int(setting.lo), int(setting.hi))
    return st.floats(setting.lo, setting.hi, allow_nan=False)


states = st.fixed_dictionaries({name: _value_of(name) for name in SETTINGS}).filter(
    lambda values: allows_classes(values["dataset"], values["classes"])).map(
    lambda values: dataclasses.replace(DEFAULT, **{**values, "mode": "extended"}))


@settings(max_examples=300, deadline=None)
@given(states)
def test_every_state_survives_its_own_link(state):
    """parse(to_hash(state)) == state: whatever a value holds, the link gives it back exactly."""
    again, warnings = parse_hash(to_hash(state))
    assert again == state and warnings == []
