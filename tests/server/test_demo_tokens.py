"""``serve --admin-token``: the published demo tokens stop working; the demo accounts get generated
tokens, printed once (item 4). Without it, on loopback, the demo tokens of the README keep working."""

from __future__ import annotations

import subprocess
import sys

import requests

from console.demo.accounts import DEMO_ACCOUNTS
from tests.helpdesk import REPO, Helpdesk

SECRET = "our-own-admin-secret-5d1e"


def _status(server, email: str, token: str) -> int:
    return requests.get(server.api("users/me.json"), auth=(f"{email}/token", token), timeout=10).status_code


def test_an_admin_token_retires_the_published_ones(tmp_path):
    db = tmp_path / "helpdesk.sqlite"
    demo = Helpdesk(db, "--demo", "--tickets", "3", admin_token="demo-admin-token").start()  # the README way
    try:
        assert all(_status(demo, a.email, a.token) == 200 for a in DEMO_ACCOUNTS)
    finally:
        demo.stop()
    secured = Helpdesk(db, "--demo", admin_token=SECRET).start()  # the same database, now secured
    try:
        assert [_status(secured, a.email, a.token) for a in DEMO_ACCOUNTS] == [401, 401, 401]
        assert _status(secured, "admin@demo.support-console.test", SECRET) == 200
        printed = "".join(secured.output)
        for label in ("agent", "supervisor"):
            token = secured.tokens[label]
            assert token not in {a.token for a in DEMO_ACCOUNTS} and len(token) >= 24 and token in printed
            email = next(a.email for a in DEMO_ACCOUNTS if a.role_label == label)
            assert _status(secured, email, token) == 200
        first = {k: v for k, v in secured.tokens.items() if k != "admin"}
        secured.restart()
        again = "".join(secured.output)
        assert all(t not in again for t in first.values()), "a generated token is printed once"
        assert "printed then" in again
        assert _status(secured, "agent@demo.support-console.test", first["agent"]) == 200
    finally:
        secured.stop()


def test_a_published_token_is_not_an_admin_token_for_the_network(tmp_path):
    done = subprocess.run([sys.executable, "-m", "console", "serve", "--db", str(tmp_path / "h.sqlite"),
                           "--host", "0.0.0.0", "--port", "0", "--admin-token", "demo-admin-token"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "published" in done.stderr
