"""Preferences, window state and token storage (a test keyring backend stands in for the OS one)."""

import json
import stat

import pytest

from console import config


def test_preferences_declared_once_and_typed(tmp_path):
    prefs = config.Preferences.load(tmp_path / "settings.json")
    assert prefs.get("sync_interval_seconds") == 60
    prefs.set("sync_interval_seconds", "30")
    prefs.set("theme", "dark")
    prefs.save()
    again = config.Preferences.load(tmp_path / "settings.json")
    assert again.get("sync_interval_seconds") == 30 and again.get("theme") == "dark"
    with pytest.raises(config.SettingsError, match="theme"):
        prefs.set("theme", "purple")
    with pytest.raises(config.SettingsError, match="unknown"):
        prefs.set("nope", 1)


def test_bad_hand_edit_falls_back_to_default(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"sync_interval_seconds": "soon", "theme": "dark"}))
    prefs = config.Preferences.load(tmp_path / "settings.json")
    assert prefs.get("sync_interval_seconds") == 60 and prefs.get("theme") == "dark"


def test_window_state_kept_apart(tmp_path):
    state = config.WindowState.load(tmp_path / "state.json")
    state.values["geometry"] = "abc"
    state.save()
    assert not (tmp_path / "settings.json").exists()
    assert config.WindowState.load(tmp_path / "state.json").values == {"geometry": "abc"}


def test_keyring_round_trip(memory_keyring, tmp_path):
    store = config.TokenStore("keyring", tmp_path)
    store.set("http://127.0.0.1:8765/", "Agent@Demo.test", "s3cret")
    assert store.get("http://127.0.0.1:8765", "agent@demo.test") == "s3cret"
    assert not list(tmp_path.iterdir()), "nothing may be written beside the keyring"
    store.delete("http://127.0.0.1:8765", "agent@demo.test")
    assert store.get("http://127.0.0.1:8765", "agent@demo.test") is None


def test_no_keyring_is_said_never_silently_a_file(no_keyring, tmp_path):
    store = config.TokenStore("keyring", tmp_path)
    assert not config.keyring_available()
    with pytest.raises(config.NoKeyringError, match="keyring"):
        store.set("http://h", "a@b.c", "tok")
    assert not list(tmp_path.iterdir())


def test_explicit_file_fallback_is_private(no_keyring, tmp_path):
    store = config.TokenStore("file", tmp_path)
    store.set("http://h", "a@b.c", "tok")
    assert store.get("http://h", "a@b.c") == "tok"
    assert stat.S_IMODE((tmp_path / "tokens.json").stat().st_mode) == 0o600


def test_resolve_token_order(monkeypatch, memory_keyring, tmp_path):
    store = config.TokenStore("keyring", tmp_path)
    store.set("http://h", "a@b.c", "from-keyring")
    monkeypatch.delenv(config.TOKEN_ENV, raising=False)
    assert config.resolve_token("http://h", "a@b.c", store=store) == "from-keyring"
    monkeypatch.setenv(config.TOKEN_ENV, "from-env")
    assert config.resolve_token("http://h", "a@b.c", store=store) == "from-env"
    assert config.resolve_token("http://h", "a@b.c", "explicit", store=store) == "explicit"
