"""Users, user fields, groups, memberships, authentication and roles, rate limits, serve CLI."""

from __future__ import annotations

import base64
import subprocess
import sys

import requests

from tests.helpdesk import REPO, Helpdesk


def _user_field(helpdesk, key, kind, options=()):
    with helpdesk.db_connection() as conn:
        conn.execute("INSERT INTO user_fields (key, type, title, custom_field_options, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, 'x', 'x')",
                     (key, kind, key.title(), str([{"id": i, "name": o, "value": o}
                                                   for i, o in enumerate(options)]).replace("'", '"')))


def test_users_search_update_and_fields(helpdesk):
    _user_field(helpdesk, "plan", "dropdown", ("pro", "basic"))
    _user_field(helpdesk, "next_invoice_date", "date")
    created = helpdesk.post("users/create_or_update.json", json={"user": {
        "name": "Jane Roe", "email": "Jane@Example.org", "external_id": "cust-1",
        "user_fields": {"plan": "pro"}}})
    assert created.status_code == 201
    uid = created.json()["user"]["id"]
    again = helpdesk.post("users/create_or_update", json={"user": {"email": "jane@example.org", "phone": "1"}})
    assert again.status_code == 200 and again.json()["user"]["id"] == uid

    r = helpdesk.put(f"users/{uid}.json", json={"user": {"id": uid, "user_fields": {"next_invoice_date": "2025-11-01"}}})
    fields = r.json()["user"]["user_fields"]
    assert fields == {"plan": "pro", "next_invoice_date": "2025-11-01T00:00:00+00:00"}  # merged
    bad = helpdesk.put(f"users/{uid}", json={"user": {"user_fields": {"plan": "gold"}}})
    assert bad.status_code == 422 and bad.json()["error"] == "RecordInvalid"

    assert helpdesk.get("users/search.json?query=email:jane@example.org").json()["users"][0]["id"] == uid
    assert helpdesk.get("users/search.json?query=Roe").json()["count"] == 1
    assert helpdesk.get("users/search.json?external_id=cust-1").json()["users"][0]["id"] == uid
    assert [u["id"] for u in helpdesk.get(f"users/show_many.json?ids={uid},9999").json()["users"]] == [uid]
    assert helpdesk.get("users/show_many.json?external_ids=cust-1").json()["users"][0]["id"] == uid
    roles = {u["role"] for u in helpdesk.get("users.json?role=end-user").json()["users"]}
    assert roles == {"end-user"}
    assert helpdesk.get("users/me.json").json()["user"]["role"] == "admin"
    keys = [f["key"] for f in helpdesk.get("user_fields.json").json()["user_fields"]]
    assert keys == ["plan", "next_invoice_date"]
    assert helpdesk.get("users/424242").json()["error"] == "RecordNotFound"


def test_groups_and_memberships(helpdesk):
    agent = helpdesk.add_user("Alex Agent", "alex@example.org", "agent")
    with helpdesk.db_connection() as conn:
        billing = conn.execute("INSERT INTO groups (name, created_at, updated_at) VALUES ('Billing','x','x')").lastrowid
        conn.execute("INSERT INTO groups (name, deleted, created_at, updated_at) VALUES ('Old', 1, 'x','x')")
    made = helpdesk.post("group_memberships.json", json={"group_membership": {"user_id": agent, "group_id": billing}})
    assert made.status_code == 201
    dup = helpdesk.post("group_memberships", json={"group_membership": {"user_id": agent, "group_id": billing}})
    assert dup.status_code == 422
    for path in ("group_memberships.json?page[size]=100", f"groups/{billing}/memberships.json",
                 f"users/{agent}/group_memberships.json"):
        assert [m["group_id"] for m in helpdesk.get(path).json()["group_memberships"]] == [billing]
    assert len(helpdesk.get("groups.json").json()["groups"]) == 2
    assert [g["name"] for g in helpdesk.get("groups/assignable.json").json()["groups"]] == ["Billing"]
    assert helpdesk.get(f"groups/{billing}.json").json()["group"]["name"] == "Billing"


def test_authentication_and_roles(helpdesk):
    helpdesk.add_user("Eve Enduser", "eve@example.org", "end-user", token="eve-token")
    eve = ("eve@example.org/token", "eve-token")
    assert helpdesk.get("users/me.json", auth=eve).json()["user"]["role"] == "end-user"
    refused = helpdesk.get("tickets.json", auth=eve)
    assert refused.status_code == 403 and refused.json()["error"] == "Forbidden"
    wrong_email = helpdesk.get("tickets.json", auth=("admin@other.test/token", helpdesk.admin_token))
    assert wrong_email.status_code == 401 and wrong_email.json()["error"] == "Couldn't authenticate you"
    assert requests.get(helpdesk.api("tickets.json"), timeout=10).status_code == 401
    bearer = requests.get(helpdesk.api("tickets.json"), timeout=10,
                          headers={"Authorization": f"Bearer {helpdesk.admin_token}"})
    assert bearer.status_code == 200 and "X-Rate-Limit-Remaining" in bearer.headers
    password = base64.b64encode(f"{helpdesk.admin_email}:{helpdesk.admin_token}".encode()).decode()
    assert requests.get(helpdesk.api("tickets"), headers={"Authorization": f"Basic {password}"},
                        timeout=10).status_code == 401
    assert requests.get(f"{helpdesk.url}/healthz", timeout=10).json() == {"status": "ok"}


def test_rate_limit_answers_429_with_integer_retry_after(tmp_path):
    server = Helpdesk(tmp_path / "rl.sqlite", "--rate-limit", "3").start()
    try:
        answers = [server.get("tickets.json") for _ in range(4)]
        assert [a.status_code for a in answers[:3]] == [200, 200, 200]
        assert answers[0].headers["X-Rate-Limit"] == "3" and answers[2].headers["X-Rate-Limit-Remaining"] == "0"
        assert answers[3].status_code == 429
        assert 1 <= int(answers[3].headers["Retry-After"]) <= 60
    finally:
        server.stop()


def test_restart_keeps_data_and_kill_loses_nothing_committed(tmp_path):
    server = Helpdesk(tmp_path / "keep.sqlite").start()
    try:
        tid = server.create_ticket(subject="Survives")["id"]
        server.restart()
        assert server.get(f"tickets/{tid}").json()["ticket"]["subject"] == "Survives"
        server.put(f"tickets/{tid}", json={"ticket": {"comment": {"body": "after restart"}}})
        server.kill()
        server.start()
        assert server.get(f"tickets/{tid}/comments").json()["comments"][-1]["body"] == "after restart"
    finally:
        server.stop()


def test_non_loopback_host_needs_an_admin_token(tmp_path):
    result = subprocess.run([sys.executable, "-m", "console", "serve", "--db", str(tmp_path / "x.sqlite"),
                             "--host", "0.0.0.0", "--port", "0"], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "--admin-token" in result.stderr and "Traceback" not in result.stderr


def test_fresh_database_prints_a_generated_admin_token(tmp_path):
    server = Helpdesk(tmp_path / "fresh.sqlite")
    server.extra = []
    proc = subprocess.Popen([sys.executable, "-m", "console", "serve", "--db", server.db, "--port", "0"],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        token_line = proc.stdout.readline()
        ready = proc.stdout.readline()
        assert "API token" in token_line and ready.startswith("Serving helpdesk API at http://127.0.0.1:")
        token = token_line.rsplit(" ", 1)[1].strip()
        url = ready.split(" at ", 1)[1].strip()
        r = requests.get(f"{url}/api/v2/users/me.json", auth=(f"{server.admin_email}/token", token), timeout=10)
        assert r.status_code == 200 and r.json()["user"]["role"] == "admin"
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0
