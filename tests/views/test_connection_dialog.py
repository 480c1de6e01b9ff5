"""The first-run dialog against the real embedded helpdesk: messages, keyring, fallback, demo, sign-out."""

import stat

import pytest
from PySide6.QtWidgets import QDialog

from console import config
from console.connection import check_connection, sign_out
from console.views.connection_dialog import ConnectionDialog

AGENT, TOKEN = "agent@demo.support-console.test", "demo-agent-token"


@pytest.fixture
def demo_url(demo_helpdesk) -> str:
    return demo_helpdesk.url


def test_check_good_token(demo_url):
    check = check_connection(demo_url, AGENT, TOKEN)
    assert check.ok and check.kind == "ok"
    assert check.agent["email"] == AGENT and check.agent["role"] == "agent"
    assert check.message.startswith("Connected as ")


def test_check_bad_token(demo_url):
    check = check_connection(demo_url, AGENT, "not-the-token")
    assert (check.ok, check.kind) == (False, "bad_token")
    assert "did not accept this email and API token" in check.message


def test_check_token_of_someone_else(demo_url):
    check = check_connection(demo_url, "supervisor@demo.support-console.test", TOKEN)
    assert check.kind == "bad_token"


def test_check_wrong_path_is_not_a_helpdesk(demo_url):
    check = check_connection(demo_url + "/not/here", AGENT, TOKEN)
    assert (check.ok, check.kind) == (False, "not_helpdesk")


def _dialog(qtbot, tmp_path, *, keyring_ok=True):
    prefs = config.Preferences.load(tmp_path / "settings.json")
    dialog = ConnectionDialog(prefs, _runner(tmp_path), keyring_ok=keyring_ok, config_folder=tmp_path)
    qtbot.addWidget(dialog)
    return dialog, prefs


_DESKS = []


def _runner(tmp_path):
    """The window's runner: the dialog's check runs off the GUI thread through it."""
    from tests.views.conftest import open_desk

    desk = open_desk(tmp_path / "runner" / "cache.sqlite", None)
    _DESKS.append(desk)
    return desk.ops.runner


@pytest.fixture(autouse=True)
def _close_desks():
    yield
    from tests.views.conftest import close_desk

    while _DESKS:
        close_desk(_DESKS.pop())


def _fill(dialog, url, email, token):
    dialog.url_edit.setText(url)
    dialog.email_edit.setText(email)
    dialog.token_edit.setText(token)


def test_dialog_shows_each_message(qtbot, tmp_path, demo_url, closed_port, memory_keyring):
    dialog, _ = _dialog(qtbot, tmp_path)
    for url, token, says, ok in [
        (demo_url, "wrong", "did not accept this email and API token", False),
        (closed_port, TOKEN, "connection refused", False),
        (demo_url + "/elsewhere", TOKEN, "is not a helpdesk API", False),
        (demo_url, TOKEN, "Connected as Alex Agent", True),
    ]:
        _fill(dialog, url, AGENT, token)
        with qtbot.waitSignal(dialog.check_finished, timeout=15000):
            dialog.test_button.click()
        assert says in dialog.status_label.text()
        assert dialog.status_label.text().startswith("✓" if ok else "✗")
    assert dialog.test_button.isEnabled(), "buttons come back after a check"


def test_sign_in_keeps_token_in_keyring_only(qtbot, tmp_path, demo_url, memory_keyring):
    dialog, prefs = _dialog(qtbot, tmp_path)
    _fill(dialog, demo_url + "/", AGENT, TOKEN)
    with qtbot.waitSignal(dialog.accepted, timeout=15000):
        dialog.sign_in_button.click()          # checks first, then signs in
    assert dialog.result() == QDialog.Accepted
    assert dialog.choice.url == demo_url and not dialog.choice.demo
    assert dialog.choice.agent["role"] == "agent"
    assert config.TokenStore("keyring", tmp_path).get(demo_url, AGENT) == TOKEN
    assert TOKEN not in (tmp_path / "settings.json").read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "runner") == ["settings.json"]
    assert prefs.get("helpdesk_url") == demo_url and prefs.get("token_storage") == "keyring"

    cache = tmp_path / "cache.sqlite"
    cache.write_bytes(b"x")
    (tmp_path / "cache.sqlite-wal").write_bytes(b"x")
    removed = sign_out(prefs, config.TokenStore("keyring", tmp_path), cache, delete_cache=True)
    assert config.TokenStore("keyring", tmp_path).get(demo_url, AGENT) is None
    assert not cache.exists() and len(removed) == 2
    assert config.Preferences.load(tmp_path / "settings.json").get("agent_email") == ""


def test_sign_out_keeps_cache_unless_asked(tmp_path, memory_keyring):
    prefs = config.Preferences.load(tmp_path / "settings.json")
    prefs.set("helpdesk_url", "https://acme.zendesk.com")
    prefs.set("agent_email", AGENT)
    tokens = config.TokenStore("keyring", tmp_path)
    tokens.set("https://acme.zendesk.com", AGENT, "abc")
    cache = tmp_path / "cache.sqlite"
    cache.write_bytes(b"x")
    assert sign_out(prefs, tokens, cache) == []
    assert cache.exists() and tokens.get("https://acme.zendesk.com", AGENT) is None


def test_no_keyring_says_so_and_needs_the_opt_in(qtbot, tmp_path, demo_url, no_keyring):
    dialog, prefs = _dialog(qtbot, tmp_path, keyring_ok=False)
    dialog.show()
    assert dialog.keyring_label.isVisible() and "No system keyring" in dialog.keyring_label.text()
    _fill(dialog, demo_url, AGENT, TOKEN)
    dialog.sign_in_button.click()
    assert "tick" in dialog.status_label.text() and dialog.result() != QDialog.Accepted
    assert not (tmp_path / "tokens.json").exists(), "never a silent plaintext file"

    dialog.file_checkbox.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=15000):
        dialog.sign_in_button.click()
    token_file = tmp_path / "tokens.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert prefs.get("token_storage") == "file"
    assert config.TokenStore("file", tmp_path).get(demo_url, AGENT) == TOKEN


def test_demo_choice(qtbot, tmp_path, memory_keyring):
    dialog, prefs = _dialog(qtbot, tmp_path)
    with qtbot.waitSignal(dialog.accepted):
        dialog.demo_button.click()
    assert dialog.choice.demo and dialog.choice.email == AGENT
    assert prefs.get("helpdesk_url") == "" and not memory_keyring.store


@pytest.mark.parametrize("token", ["", "   "])
def test_empty_token_is_explained(qtbot, tmp_path, demo_url, token, memory_keyring):
    dialog, _ = _dialog(qtbot, tmp_path)
    _fill(dialog, demo_url, AGENT, token)
    with qtbot.waitSignal(dialog.check_finished):
        dialog.test_button.click()
    assert "Enter your API token" in dialog.status_label.text()
