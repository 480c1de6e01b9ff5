"""A real sign-in + sync + logging session with a known token: the token (and comment bodies) must
not be found in the log files, settings.json, state.json or the cache database's bytes."""

import base64
import logging
import secrets

import pytest

from console import config, logging_setup
from console.connection import check_connection, save_sign_in
from console.store.writer import CacheWriter
from console.sync.client import HelpdeskClient
from tests.helpdesk import Helpdesk

ADMIN = "admin@demo.support-console.test"


@pytest.fixture
def private_helpdesk(tmp_path):
    token = "known-" + secrets.token_hex(12)
    (tmp_path / "server").mkdir()
    server = Helpdesk(tmp_path / "server" / "helpdesk.sqlite", "--demo", "--tickets", "30", "--export-delay", "0",
                      admin_token=token, timeout=90).start()
    yield server.url, token
    server.stop()


def _pull_everything(url: str, token: str, cache) -> list[str]:
    """Sign in, export tickets and users into the cache, fetch some threads; returns comment bodies seen."""
    client = HelpdeskClient(url, ADMIN, token)
    log = logging.getLogger("console.sync.session")
    log.debug("session headers %s", dict(client.session.headers))   # a careless debug line, on purpose
    writer = CacheWriter(cache)
    bodies = []
    try:
        for kind, apply in (("tickets", writer.apply_ticket_page), ("users", writer.apply_user_page)):
            page = client.get(f"incremental/{kind}/cursor", {"start_time": 0})
            while True:
                apply(page[kind], page.get("after_cursor"), end_of_stream=bool(page.get("end_of_stream")))
                log.info("applied %d %s", len(page[kind]), kind)
                if page.get("end_of_stream") or not page.get("after_url"):
                    break
                page = client.get_url(page["after_url"])
        for ticket_id in [t["id"] for t in client.get("tickets", {"per_page": 5})["tickets"]]:
            comments = client.get(f"tickets/{ticket_id}/comments")["comments"]
            writer.replace_ticket_comments(ticket_id, comments)
            bodies += [c["body"] for c in comments if len(c["body"]) > 20]
            log.debug("thread %s: %d comments", ticket_id, len(comments), extra={"body": comments[0]["body"]})
    finally:
        writer.close()
        client.close()
    return bodies


def test_token_is_nowhere_at_rest(private_helpdesk, isolated_dirs, memory_keyring):
    url, token = private_helpdesk
    log_file = logging_setup.setup_logging(verbose=True, stderr=False)
    try:
        check = check_connection(url, ADMIN, token)
        assert check.ok, check.message
        prefs = config.Preferences.load()
        save_sign_in(prefs, config.TokenStore("keyring"), url, ADMIN, token)
        state = config.WindowState.load()
        state.values["geometry"] = "AdnQywADAAAAAAAA"
        state.save()
        cache = isolated_dirs["data"] / "cache.sqlite"
        bodies = _pull_everything(url, token, cache)
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "_support_console", False):
                handler.close()
                logging.getLogger().removeHandler(handler)

    assert memory_keyring.store, "the token went to the keyring"
    assert bodies, "the session synced real comment threads"
    files = [log_file, *log_file.parent.glob("*.log*"), isolated_dirs["config"] / "settings.json",
             isolated_dirs["config"] / "state.json", *isolated_dirs["data"].glob("cache.sqlite*")]
    assert all(f.exists() for f in files) and len({f.name for f in files}) >= 4
    basic = base64.b64encode(f"{ADMIN}/token:{token}".encode())
    for path in files:
        data = path.read_bytes()
        assert token.encode() not in data, f"token found in {path.name}"
        assert basic not in data, f"Basic auth header found in {path.name}"
    log_text = log_file.read_text()
    assert "applied" in log_text and "[REDACTED]" in log_text, "the session was logged, with redactions"
    assert not [b for b in bodies if b[:60] in log_text], "comment bodies never reach the log"
    assert not list(isolated_dirs["config"].glob("tokens*")), "no token file beside the keyring"
