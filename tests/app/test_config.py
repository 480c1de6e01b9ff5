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


def test_attribute_access_and_change_callbacks(tmp_path, caplog):
    prefs = config.Preferences.load(tmp_path / "settings.json")
    assert prefs.theme == "system" == prefs.get("theme") and prefs.sync_interval_seconds == 60
    with pytest.raises(AttributeError, match="colour"):
        _ = prefs.colour
    seen, also = [], []
    stop = prefs.on_change("theme", seen.append)
    prefs.on_change("theme", lambda value: 1 / 0)  # a broken listener is logged, the others still hear
    prefs.on_change("theme", also.append)
    prefs.set("theme", "dark")
    prefs.set("theme", "dark")            # no change, no call
    prefs.set("font_size", 12)            # another setting, no call
    assert seen == ["dark"] and also == ["dark"] and "theme failed" in caplog.text
    stop()
    prefs.set("theme", "light")
    assert seen == ["dark"] and also == ["dark", "light"]
    with pytest.raises(config.SettingsError, match="unknown"):
        prefs.on_change("nope", print)


def test_the_declaration_holds_label_section_and_range(tmp_path):
    setting = config.SETTINGS_BY_NAME["sync_interval_seconds"]
    assert (setting.label, setting.section, setting.minimum, setting.maximum) == ("Sync every", "Sync", 15, 3600)
    assert config.SETTINGS_BY_NAME["work_offline"].label == "Work offline"
    assert {s.section for s in config.SETTINGS} <= {*config.SECTIONS, config.CONNECTION}
    prefs = config.Preferences.load(tmp_path / "settings.json")
    with pytest.raises(config.SettingsError, match="between 15 and 3600"):
        prefs.set("sync_interval_seconds", 5)
    (tmp_path / "settings.json").write_text(json.dumps({"font_size": 99, "thread_history_days": 30}))
    again = config.Preferences.load(tmp_path / "settings.json")
    assert again.font_size == 0 and again.thread_history_days == 30  # out of range falls back to the default


def test_tokens_have_their_own_module_and_the_old_names_still_work():
    from console import secrets

    assert config.TokenStore is secrets.TokenStore and config.resolve_token is secrets.resolve_token
    assert config.TOKEN_ENV == secrets.TOKEN_ENV == "SUPPORT_CONSOLE_TOKEN"
    with pytest.raises(AttributeError):
        _ = config.no_such_name
