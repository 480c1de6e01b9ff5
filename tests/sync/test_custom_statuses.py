"""Custom ticket statuses: the recorded real tickets' ``custom_status_id``, the account's list synced
like groups, and ``custom_status_id`` sent on updates (the embedded helpdesk keeps it in its category)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.domain.statuses import custom_status_map, status_choices, ticket_status_label
from console.store import CacheReader, CacheWriter
from tests.helpdesk import AGENT, Helpdesk

REAL = Path("/work/shared/real-zendesk")


def recorded_tickets() -> list[dict]:
    data = json.loads((REAL / "tickets_export.json").read_text())
    return [t for page in data["pages"] for t in page["tickets"]] + data["extra_tickets"]


def test_recorded_tickets_keep_their_custom_status_in_the_cache(tmp_path):
    tickets = [t for t in recorded_tickets() if t.get("status") != "deleted"]
    carrying = {t["id"]: t["custom_status_id"] for t in tickets if t.get("custom_status_id")}
    assert len(carrying) >= 10
    with CacheWriter(tmp_path / "c.sqlite") as writer:
        writer.apply_ticket_page(tickets, None, end_of_stream=True)
    reader = CacheReader(tmp_path / "c.sqlite")
    try:
        rows = {r["id"]: r["custom_status_id"] for r in reader.tickets_by_ids(sorted(carrying))}
        assert rows == carrying
        assert all(reader.ticket(i)["custom_status_id"] == cs for i, cs in carrying.items())
        # an account whose statuses are not synced yet: the plain status, never an id
        one = next(iter(carrying))
        assert ticket_status_label(reader.ticket(one), {}) in ("New", "Open", "Pending")
    finally:
        reader.close()


def test_the_agent_sync_caches_the_accounts_custom_statuses(demo_cache):
    cache, _me = demo_cache
    reader = CacheReader(cache)
    try:
        custom = custom_status_map(reader.custom_statuses())
        labels = {s.label for s in custom.values()}
        assert "Pending — Waiting on the customer's bank" in labels
        assert {s.category for s in custom.values() if s.default} == {"new", "open", "pending", "hold", "solved"}
        bank = next(s.id for s in custom.values() if "bank" in s.agent_label)
        pending = [t for t in reader.tickets_by_ids(list(range(1, 61))) if t["status"] == "pending"]
        waiting = [t for t in pending if t["custom_status_id"] == bank]
        assert waiting, "the demo marks some pending tickets as waiting on the bank"
        assert ticket_status_label(waiting[0], custom) == "Pending — Waiting on the customer's bank"
        other = next(t for t in pending if t["custom_status_id"] != bank)
        assert ticket_status_label(other, custom) == "Pending"
        groups = [c.category for c in status_choices(custom)]
        assert groups == sorted(groups, key=["new", "open", "pending", "hold", "solved"].index)
    finally:
        reader.close()


@pytest.fixture
def demo_desk(tmp_path):
    server = Helpdesk(tmp_path / "hd.sqlite", "--demo", "--tickets", "30", "--export-delay", "0").start()
    yield server
    server.stop()


def test_custom_status_id_is_sent_and_a_plain_status_takes_the_default(demo_desk, account_factory):
    account = account_factory(demo_desk, email=AGENT.email, token=demo_desk.token_for("agent"))
    account.sync(resources=True)
    reader = CacheReader(account.cache)
    try:
        custom = custom_status_map(reader.custom_statuses())
        bank = next(s for s in custom.values() if "bank" in s.agent_label)
        ticket = next(t for t in reader.tickets_by_ids(list(range(1, 31))) if t["status"] == "open")
        choice = next(c for c in status_choices(custom) if c.key == f"custom:{bank.id}")
        account.queue_fields(ticket["id"], dict(choice.fields))
        assert account.push().sent == 1
        on_server = demo_desk.get(f"tickets/{ticket['id']}.json").json()["ticket"]
        assert (on_server["status"], on_server["custom_status_id"]) == ("pending", bank.id)
        cached = reader.ticket(ticket["id"])
        assert ticket_status_label(cached, custom) == bank.label

        account.queue_fields(ticket["id"], {"status": "open"})
        assert account.push().sent == 1
        on_server = demo_desk.get(f"tickets/{ticket['id']}.json").json()["ticket"]
        default_open = next(s.id for s in custom.values() if s.category == "open" and s.default)
        assert (on_server["status"], on_server["custom_status_id"]) == ("open", default_open)
    finally:
        reader.close()


def test_the_helpdesk_refuses_a_custom_status_of_another_category(demo_desk):
    ticket = demo_desk.get("tickets/3.json").json()["ticket"]
    r = demo_desk.put("tickets/3.json", json={"ticket": {"status": "solved", "custom_status_id": 7011}})
    assert r.status_code == 422, r.text
    assert "pending" in r.text
    assert demo_desk.get("tickets/3.json").json()["ticket"]["updated_at"] == ticket["updated_at"]
    listed = demo_desk.get("custom_statuses.json", params={"status_categories": "pending"}).json()
    assert {s["status_category"] for s in listed["custom_statuses"]} == {"pending"}


@pytest.mark.parametrize("condition", [
    {"field": "custom_status_id", "operator": "is", "value": "7011"},
    {"field": "custom_status_id", "operator": "is_not", "value": 7003},
    {"field": "custom_status_id", "operator": "includes", "value": [7011, 7002]},
])
def test_views_filter_on_custom_status_in_the_cache_as_on_the_helpdesk(demo_helpdesk, demo_cache, condition):
    from console.domain.view_conditions import Viewer, matches
    from console.server.conditions import view_where
    from console.store.viewsql import where_for_conditions

    conditions = {"all": [condition, {"field": "status", "operator": "less_than", "value": "solved"}]}
    conn = demo_helpdesk.db_connection()
    try:
        where, params = view_where(conditions, current_user_id=1, current_group_ids=[])
        on_server = {r[0] for r in conn.execute(f"SELECT id FROM tickets WHERE deleted = 0 AND ({where})", params)}
    finally:
        conn.close()
    cache, me = demo_cache
    with CacheReader(cache) as reader:
        where, params = where_for_conditions(conditions, me, [])
        cached = {r[0] for r in reader._all(f"SELECT id FROM tickets WHERE deleted = 0 AND ({where})", params)}
        python = {t["id"] for t in (reader.ticket(i) for i in range(1, 61)) if t and not t["_deleted"]
                  and matches(conditions, t, Viewer(me))}
    assert on_server and cached == on_server == python
