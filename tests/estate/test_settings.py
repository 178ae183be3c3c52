"""Settings from DESK_* variables and a TOML file; a bad one is named in one line."""

from __future__ import annotations

import pytest

from estate.core.settings import SettingsError, load_settings


def test_defaults_and_environment(monkeypatch):
    monkeypatch.setenv("DESK_TIMEZONE", "Asia/Taipei")
    monkeypatch.setenv("DESK_DATABASE_URL", "postgresql://u@h/db")
    s = load_settings()
    assert s.timezone == "Asia/Taipei" and s.database_url == "postgresql+asyncpg://u@h/db"
    assert (s.quiet_start, s.quiet_end) == (21, 8)


def test_toml_file_and_environment_wins(tmp_path, monkeypatch):
    path = tmp_path / "desk.toml"
    path.write_text('[desk]\ntimezone = "Asia/Hong_Kong"\nquiet_start = 22\n', encoding="utf-8")
    monkeypatch.setenv("DESK_QUIET_START", "20")
    s = load_settings(path)
    assert s.timezone == "Asia/Hong_Kong" and s.quiet_start == 20


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DESK_TIMEZONE", "Nowhere/Land"),
        ("DESK_QUIET_START", "25"),
        ("DESK_DATABASE_URL", "mysql://x"),
        ("DESK_WECHAT_AES_KEY", "short"),
    ],
)
def test_bad_setting_names_itself(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as e:
        load_settings()
    assert str(e.value).startswith(name + ":") and "\n" not in str(e.value)
