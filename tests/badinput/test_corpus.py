"""Every request of the bad-input corpus (cases.py, 170+ cases) gets a Zendesk-style 4xx error body
from the real helpdesk, and leaves its database exactly as it was (DESIGN.md invariant 7, item 11)."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
import requests

from tests.badinput.cases import CASES
from tests.helpdesk import Helpdesk

TABLES = ("tickets", "comments", "audits", "users", "groups", "group_memberships", "attachments", "api_tokens",
          "idempotency_keys", "macros", "views", "user_fields")
AGENT_TOKEN = "badinput-agent-token"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    server = Helpdesk(tmp_path_factory.mktemp("badinput") / "helpdesk.sqlite", "--export-delay", "0").start()
    agent = server.add_user("Ann Agent", "ann@badinput.example", "agent", token=AGENT_TOKEN)
    customer = server.add_user("Cy Customer", "cy@badinput.example", "end-user")
    with server.db_connection() as conn:
        conn.execute("INSERT INTO groups (id, name, created_at, updated_at) VALUES (1, 'Billing', 'x', 'x')")
    ticket = server.create_ticket(subject="The one ticket", requester_id=customer)
    server.ids = {"t": ticket["id"], "u": agent, "e": customer}
    yield server
    server.stop()


def snapshot(server) -> str:
    conn = server.db_connection()
    try:
        digest = hashlib.sha256()
        for table in TABLES:
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def _fill(value, ids: dict):
    if isinstance(value, str):
        if value in ("{t}", "{u}", "{e}"):
            return ids[value[1]]
        return value.replace("{t}", str(ids["t"])).replace("{u}", str(ids["u"]))
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _auth_header(server, who: str | None) -> dict:
    if who in (None, "admin"):
        email, token = server.admin_email, server.admin_token
    elif who == "agent":
        email, token = "ann@badinput.example", AGENT_TOKEN
    elif who == "none":
        return {}
    else:
        return {"Authorization": who}
    return {"Authorization": "Basic " + base64.b64encode(f"{email}/token:{token}".encode()).decode()}


@pytest.mark.parametrize(("name", "method", "path", "options"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_a_4xx_error_body_and_changes_nothing(desk, name, method, path, options):
    before = snapshot(desk)
    kwargs: dict = {"timeout": 30, "headers": {**_auth_header(desk, options.get("auth")),
                                               **options.get("headers", {})}}
    if "params" in options:
        kwargs["params"] = _fill(options["params"], desk.ids)
    if "json" in options:
        kwargs["data"] = json.dumps(_fill(options["json"], desk.ids))  # stdlib: ids beyond 64 bits too
        kwargs["headers"].setdefault("Content-Type", "application/json")
    if "data" in options:
        kwargs["data"] = options["data"]
    url = desk.api(_fill(path, desk.ids))
    answer = requests.request(method, url, **kwargs)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    body = answer.json()
    assert isinstance(body, dict) and body.get("error"), body
    assert answer.headers["Content-Type"].startswith("application/json")
    assert snapshot(desk) == before, "a refused request stored something"
