"""The settings table as the page receives it."""

from nn_core.features import FEATURE_NAMES
from nn_core.settings import SETTINGS, settings_json

ROWS = {row["name"]: row for row in settings_json()}


def test_every_setting_is_a_row_with_its_default():
    assert set(ROWS) == set(SETTINGS)
    assert ROWS["learningRate"]["default"] == 0.03 and ROWS["networkShape"]["default"] == [4, 2]


def test_every_choice_has_words_for_the_page():
    for row in ROWS.values():
        assert set(row["choice_labels"]) == set(row["choices"])
    assert ROWS["activation"]["choice_labels"]["relu"] == "ReLU"
    assert ROWS["dataset"]["choice_labels"]["xor"] == "Exclusive or"
    assert ROWS["activation"]["choice_labels"]["tanh"] == "Tanh"


def test_the_network_limits_and_feature_order_come_with_the_table():
    assert ROWS["networkShape"]["limits"]["classic"] == {"layers": 6, "neurons": 8}
    assert ROWS["networkShape"]["limits"]["extended"] == {"layers": 10, "neurons": 32}
    order = sorted((row for row in ROWS.values() if "feature_index" in row), key=lambda r: r["feature_index"])
    assert tuple(row["name"] for row in order) == FEATURE_NAMES


def test_settings_that_only_matter_with_another_say_so():
    assert ROWS["momentum"]["depends"] == {"optimizer": ["momentum"]}
    assert ROWS["beta1"]["depends"] == {"optimizer": ["adam"]}
    assert ROWS["learningRate"]["depends"] is None
