"""People, account facts, tickets, comments and audits of the seeded workspace."""

from __future__ import annotations

import json
import re
from collections import Counter

from console.demo.accounts import DEMO_ACCOUNTS
from console.demo.data import (
    ACCOUNT_STATUSES,
    AFFILIATE_STATUSES,
    CHECKOUT_LANGUAGES,
    CURRENCIES,
    PLANS,
    USER_FIELD_KEYS,
)
from tests.demo.seed_helpers import ANCHOR, DAY

DATE_RE = re.compile(r"\d{4}-\d\d-\d\dT00:00:00Z")
DEPARTMENTS = {"Ask Before Buying", "Billing", "Affiliate Program", "Technical Support"}


def test_departments_and_staff(db):
    groups = {r["name"]: r for r in db.execute("SELECT * FROM groups")}
    assert set(groups) == DEPARTMENTS and all(g["description"] for g in groups.values())
    staff = {r["email"]: r for r in db.execute("SELECT * FROM users WHERE role != 'end-user'")}
    for account in DEMO_ACCOUNTS:
        assert staff[account.email]["name"] == account.name and staff[account.email]["role"] == account.role
    agents = [u for u in staff.values() if u["role"] == "agent"]
    assert 5 <= len(agents) <= 8
    agent = staff["agent@demo.support-console.test"]
    member_of = {r[0] for r in db.execute("SELECT g.name FROM group_memberships m JOIN groups g ON g.id = m.group_id "
                                          "WHERE m.user_id = ?", (agent["id"],))}
    assert member_of == {"Technical Support", "Billing"}
    covered = {r[0] for r in db.execute("SELECT DISTINCT g.name FROM group_memberships m JOIN groups g "
                                        "ON g.id = m.group_id JOIN users u ON u.id = m.user_id "
                                        "WHERE u.role = 'agent'")}
    assert covered == DEPARTMENTS


def test_tokens_with_admin_override(db):
    tokens = {r["email"]: r["token"] for r in db.execute(
        "SELECT u.email, t.token FROM api_tokens t JOIN users u ON u.id = t.user_id")}
    assert tokens["admin@demo.support-console.test"] == "custom-admin-token"
    assert tokens["agent@demo.support-console.test"] == "demo-agent-token"
    assert tokens["supervisor@demo.support-console.test"] == "demo-supervisor-token"


def test_user_field_definitions(db):
    fields = {r["key"]: r for r in db.execute("SELECT * FROM user_fields ORDER BY position")}
    assert tuple(fields) == USER_FIELD_KEYS
    options = {k: [o["value"] for o in json.loads(f["custom_field_options"])] for k, f in fields.items()}
    assert options["plan"] == list(PLANS) and options["account_status"] == list(ACCOUNT_STATUSES)
    assert options["currency"] == list(CURRENCIES) and len(CURRENCIES) == 16
    assert options["checkout_language_mode"] == ["fixed", "visitor_location"]
    assert options["affiliate_status"] == list(AFFILIATE_STATUSES)
    assert fields["purchase_date"]["type"] == "date" and fields["security_question_set"]["type"] == "checkbox"


def test_customer_account_facts(db):
    customers = [(r["email"], json.loads(r["user_fields"]))
                 for r in db.execute("SELECT email, user_fields FROM users WHERE role = 'end-user'")]
    with_account = [(email, f) for email, f in customers if f["account_status"]]
    without = [f for _, f in customers if not f["account_status"]]
    assert len(with_account) > 100 and len(without) > 10
    for _, fields in customers:
        assert tuple(fields) == USER_FIELD_KEYS
    assert all(all(v is None for v in f.values()) for f in without)
    for _email, f in with_account:
        assert f["plan"] in PLANS and f["account_status"] in ACCOUNT_STATUSES
        assert f["currency"] in CURRENCIES and f["checkout_language"] in CHECKOUT_LANGUAGES
        assert f["checkout_language_mode"] in ("fixed", "visitor_location")
        assert f["affiliate_status"] in AFFILIATE_STATUSES and isinstance(f["security_question_set"], bool)
        assert DATE_RE.fullmatch(f["purchase_date"])
        if f["account_status"] in ("canceled", "inactive"):
            assert f["next_invoice_date"] is None
        else:
            assert DATE_RE.fullmatch(f["next_invoice_date"]) and f["next_invoice_date"] > f["purchase_date"]
        assert (f["plan"] == "trial") == (f["account_status"] == "trial")
    other_address = sum(email.lower() != f["account_email"].lower() for email, f in with_account)
    assert 0 < other_address < len(with_account) // 4
    emails = [e.lower() for e, _ in customers]
    assert len(set(emails)) == len(emails)


def test_tickets_look_like_a_real_queue(db, workspace):
    summary = workspace[1]
    tickets = [dict(r) for r in db.execute("SELECT * FROM tickets")]
    assert len(tickets) == summary["tickets"] == 400
    assert 4.5 <= summary["comments"] / summary["tickets"] <= 6
    for t in tickets:
        assert ANCHOR - 121 * DAY <= t["created_ts"] <= t["updated_ts"] == t["generated_ts"] < ANCHOR
        assert t["status"] in ("new", "open", "pending", "hold", "solved", "closed")
        if t["status"] == "new":
            assert t["assignee_id"] is None
    old = Counter(t["status"] for t in tickets if t["created_ts"] < ANCHOR - 30 * DAY)
    recent = Counter(t["status"] for t in tickets if t["created_ts"] > ANCHOR - 3 * DAY)
    assert (old["solved"] + old["closed"]) / sum(old.values()) > 0.8
    assert (recent["new"] + recent["open"] + recent["pending"]) / sum(recent.values()) > 0.6
    assert len({t["priority"] for t in tickets}) >= 4 and len({t["group_id"] for t in tickets}) == 4
    assert Counter(t["assignee_id"] is None for t in tickets if t["status"] == "open")[True] > 0


def test_comments_and_audits_are_linked(db):
    broken = db.execute("SELECT count(*) FROM comments c LEFT JOIN audits a ON a.id = c.audit_id "
                        "WHERE a.comment_id IS NOT c.id OR a.ticket_id != c.ticket_id "
                        "OR a.created_ts != c.created_ts").fetchone()[0]
    assert broken == 0
    first = db.execute("SELECT t.id, t.description, c.body, a.events FROM tickets t "
                       "JOIN comments c ON c.id = (SELECT min(id) FROM comments WHERE ticket_id = t.id) "
                       "JOIN audits a ON a.id = c.audit_id").fetchall()
    for row in first:
        assert row["description"] == row["body"]
        assert {e["type"] for e in json.loads(row["events"])} == {"Create"}
    closed = db.execute("SELECT count(*) FROM tickets t WHERE status = 'closed' AND NOT EXISTS (SELECT 1 FROM "
                        "audits a WHERE a.ticket_id = t.id AND a.comment_id IS NULL AND a.events LIKE "
                        "'%\"value\":\"closed\"%')").fetchone()[0]
    assert closed == 0


def test_status_changes_replay_to_the_ticket_status(db):
    tickets = {r["id"]: r for r in db.execute("SELECT id, status, assignee_id FROM tickets")}
    state = {tid: {"status": None, "assignee_id": None} for tid in tickets}
    for audit in db.execute("SELECT ticket_id, events FROM audits ORDER BY ticket_id, created_ts, id"):
        for event in json.loads(audit["events"]):
            if event["field_name"] in ("status", "assignee_id"):
                if event["type"] == "Change":
                    assert state[audit["ticket_id"]][event["field_name"]] == event["previous_value"]
                state[audit["ticket_id"]][event["field_name"]] = event["value"]
    for tid, ticket in tickets.items():
        assert state[tid]["status"] == ticket["status"]
        assigned = state[tid]["assignee_id"]
        assert (int(assigned) if assigned else None) == ticket["assignee_id"]


def test_comment_channels_and_visibility(db):
    rows = db.execute("SELECT c.public, c.via, c.html_body, u.role FROM comments c "
                      "JOIN users u ON u.id = c.author_id").fetchall()
    for row in rows:
        via = json.loads(row["via"])
        assert via["channel"] == ("email" if row["role"] == "end-user" else "web")
        assert row["html_body"].startswith("<div")
        if not row["public"]:
            assert row["role"] != "end-user"
    assert 0 < sum(not r["public"] for r in rows) < len(rows) // 5
