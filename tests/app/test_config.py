"""AppSettings from the environment: defaults, parsing and refusing nonsense."""

from __future__ import annotations

import pytest

from app.config import BOUNDS, AppSettings, ConfigError, variable


def test_defaults_bind_loopback() -> None:
    settings = AppSettings.from_env({})
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.max_fps == 60 and settings.thumbnail == 25
    assert settings.allowed_origins == ()


def test_environment_overrides_each_setting() -> None:
    settings = AppSettings.from_env({
        "NNP_HOST": "0.0.0.0", "NNP_PORT": "9000", "NNP_MAX_SESSIONS": "3",
        "NNP_ALLOWED_ORIGINS": "https://a.example, https://b.example/",
        "NNP_MAX_MESSAGE_BYTES": "2048", "NNP_IDLE_TIMEOUT": "1.5", "NNP_MAX_FPS": "10",
        "NNP_THUMBNAIL": "20", "NNP_TRAIN_THREADS": "1",
    })
    assert settings == AppSettings(host="0.0.0.0", port=9000, max_sessions=3,
                                   allowed_origins=("https://a.example", "https://b.example"),
                                   max_message_bytes=2048, idle_timeout=1.5, max_fps=10,
                                   thumbnail=20, train_threads=1)


@pytest.mark.parametrize("env", [{"NNP_PORT": "http"}, {"NNP_PORT": "70000"}, {"NNP_MAX_FPS": "0"},
                                 {"NNP_MAX_SESSIONS": "-1"}, {"NNP_ALLOWED_ORIGINS": "example.org"},
                                 {"NNP_IDLE_TIMEOUT": "soon"}])
def test_bad_values_raise_naming_the_variable(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match=next(iter(env))):
        AppSettings.from_env(env)


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_every_bounded_setting_is_checked_at_both_ends(name: str) -> None:
    bounds = BOUNDS[name]
    for value in (bounds.lo, bounds.hi):
        assert getattr(AppSettings.from_env({variable(name): str(value)}), name) == value
    for value in (bounds.lo - 1, bounds.hi + 1):
        with pytest.raises(ConfigError, match=f"^{variable(name)}: "):
            AppSettings.from_env({variable(name): str(value)})
