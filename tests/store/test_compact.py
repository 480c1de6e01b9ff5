"""Each value is kept once (migration 4): ``raw`` holds only what the columns do not, a comment's
``html_body`` that is just its body rendered the Zendesk way is kept as that rule, and a cache
written by the previous schema is converted in place and answers every query as before."""

from __future__ import annotations

import sqlite3

import orjson

from console.domain.html import comment_html_from_text
from console.store import CacheReader, CacheWriter, QueueSpec, rows
from console.store import schema as schema_module
from tests.helpdesk import sync_cache
from tests.store.store_records import comment_event, make_comment, make_ticket, make_user

LOCAL_FLAGS = ("_deleted", "_seen", "_changed_at")


def _api(ticket: dict) -> dict:
    return {k: v for k, v in ticket.items() if k not in LOCAL_FLAGS}


def test_tickets_and_users_read_back_exactly_as_the_helpdesk_sent_them(writer, reader):
    tickets = [
        make_ticket(1, tags=["vip", "billing"], raw_subject="{{dc.refund}}", custom_fields=[{"id": 7, "value": "eur"}],
                    fields=[{"id": 7, "value": "eur"}], description="Where is my refund?"),
        make_ticket(2, subject=None, tags=None, priority=None, generated_timestamp="not a number"),
        make_ticket(3, status="deleted", tags=[5, "x"], fields=[{"id": 1, "value": "other"}]),
        {"id": 4, "status": "open", "updated_at": "2025-10-02T09:00:00Z"},  # as little as a payload carries
    ]
    writer.apply_ticket_page(tickets, "c", end_of_stream=True)
    # tags and custom fields are kept in the one shape every reader relies on (a list of words, a list
    # of {"id", "value"}); everything else reads back exactly as sent
    readable = [t if t.get("tags") == rows._tags(t.get("tags")) and t.get("custom_fields") ==
                rows._custom_fields(t.get("custom_fields"))
                else {**t, "tags": rows._tags(t.get("tags")), "custom_fields": rows._custom_fields(t.get("custom_fields"))}
                for t in tickets]
    for ticket in readable:
        assert _api(reader.ticket(ticket["id"])) == ticket
    stored = orjson.loads(writer._conn.execute("SELECT raw FROM tickets WHERE id = 1").fetchone()[0])
    assert not {"subject", "status", "tags", "fields", "requester_id", "generated_timestamp"} & set(stored)
    assert stored["raw_subject"] == "{{dc.refund}}" and stored["description"] == "Where is my refund?"

    users = [make_user(10, "Jane Roe", "jane@example.org", organization_id=5, tags=["vip"]),
             make_user(11, "Old Agent", "old@example.org", role="agent", active=False, user_fields=None),
             {"id": 12, "name": "Bare"}]
    writer.apply_user_page(users, "u", end_of_stream=True)
    assert reader.users_by_ids([10, 11, 12]) == {u["id"]: u for u in users}
    assert reader.user(10) == users[0] and reader.agents() == []


def test_a_plain_comment_keeps_its_html_as_the_rule_and_reads_back_the_same(writer, reader):
    plain = make_comment(1, "Hello,\n\nmy invoice <is> wrong.\nThanks")
    plain["html_body"] = comment_html_from_text(plain["body"])
    rich = make_comment(2, "Bold move")  # html_body "<p>Bold move</p>": not the rule, kept as sent
    bare = make_comment(3, "No markup", html_body=None)
    writer.apply_ticket_page([make_ticket(1)], "c", end_of_stream=True)
    writer.apply_comment_events([comment_event(1, c) for c in (plain, rich, bare)], 2000)
    stored = dict(writer._conn.execute("SELECT id, html_body FROM comments").fetchall())
    assert stored == {1: "", 2: "<p>Bold move</p>", 3: None}
    thread = reader.comments_for_ticket(1)
    assert [c["html_body"] for c in thread] == [plain["html_body"], "<p>Bold move</p>", None]
    # the same page again changes nothing
    assert not writer.apply_comment_events([comment_event(1, plain)], 2001)


def _answers(reader: CacheReader, me: int) -> dict:
    """Everything the app asks the cache, for comparing before and after a migration."""
    ids = reader.ticket_ids_for_queue(QueueSpec())
    users = sorted({t[k] for t in map(reader.ticket, ids) for k in ("requester_id", "assignee_id") if t[k]})
    queues = [QueueSpec(), QueueSpec(mine=True, me=me), QueueSpec(unassigned=True),
              QueueSpec(statuses=("new", "open", "pending", "hold"), me=me),
              *(QueueSpec(group_id=g["id"], me=me) for g in reader.groups())]
    return {
        "tickets": [_api(reader.ticket(i)) for i in ids],
        "rows": reader.tickets_by_ids(ids),
        "threads": [reader.comments_for_ticket(i) for i in ids],
        "users": reader.users_by_ids(users),
        "agents": [reader.agents(), *(reader.agents(g["id"]) for g in reader.groups())],
        "queues": [reader.ticket_ids_for_queue(q, key) for q in queues for key in ("updated_at", "priority")],
        "counts": reader.queue_counts(me),
        "search": [reader.search(q) for q in ("invoice", "refund", "password", "jane", "billing", "plan")],
        "views": [reader.view_count(v["id"], me) for v in reader.views()],
    }


def test_a_cache_of_the_previous_schema_is_converted_in_place(demo_helpdesk, tmp_path):
    cache = tmp_path / "cache.sqlite"
    me = sync_cache(demo_helpdesk.url, cache)
    with CacheReader(cache) as reader:
        before = _answers(reader, me)
        full_tickets = {t["id"]: t for t in before["tickets"]}
        full_users = reader.users_by_ids(list(dict(reader._all("SELECT id, 1 FROM users"))))
    assert len(before["tickets"]) >= 40 and any(before["search"]) and sum(map(len, before["threads"])) > 60

    # what the previous schema wrote: the whole API object in raw, every html_body as sent
    conn = sqlite3.connect(cache, isolation_level=None)
    conn.executemany("UPDATE tickets SET raw = ? WHERE id = ?",
                     [(orjson.dumps(t).decode(), i) for i, t in full_tickets.items()])
    conn.executemany("UPDATE users SET raw = ? WHERE id = ?",
                     [(orjson.dumps(u).decode(), i) for i, u in full_users.items()])
    conn.executemany("UPDATE comments SET html_body = ? WHERE id = ?",
                     [(c["html_body"], c["id"]) for thread in before["threads"] for c in thread])
    before_compaction = schema_module.MIGRATIONS.index(schema_module._migration_4_each_value_once)
    undo = {schema_module._migration_5_quarantine: ["DROP TABLE quarantine"],
            schema_module._migration_6_outgoing_files: ["DROP TABLE outgoing_files"],
            schema_module._migration_7_custom_statuses: ["DROP INDEX ix_tickets_custom_status",
                                                          "DROP TABLE custom_statuses"],
            schema_module._migration_8_unsolved_queues_by_subject: ["DROP INDEX ix_tickets_unsolved_group_subject",
                                                                     "DROP INDEX ix_tickets_unsolved_assignee_subject"],
            schema_module._migration_9_brands_forms_and_comment_details: [
                "DROP TABLE brands", "DROP TABLE ticket_forms", "ALTER TABLE comments DROP COLUMN raw"],
            schema_module._migration_10_dashboard_facts: ["DROP INDEX ix_tickets_rated",
                                                         "DROP INDEX IF EXISTS ix_tickets_dashboard",
                                                         "DROP TABLE IF EXISTS ticket_reply_facts"],
            schema_module._migration_11_ticket_fields: ["DROP TABLE ticket_fields"],
            schema_module._migration_12_dashboard_row: [  # (it dropped what migration 10's undo drops)
                "DROP INDEX ix_tickets_dashboard_row",
                *(f"ALTER TABLE tickets DROP COLUMN {c}" for c in ("created_ts", "updated_ts", "first_reply_at",
                                                                  "waiting_since"))],
            schema_module._migration_13_dashboard_counts: [
                f"DROP INDEX {sql.split()[2]}" for sql in schema_module.DASHBOARD_RANGE_INDEXES]}
    for later in reversed(schema_module.MIGRATIONS[before_compaction + 1:]):   # undo what came after it
        assert later in undo, "undo the newer migration here too"
        for statement in undo[later]:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {before_compaction}")
    assert conn.execute("SELECT count(*) FROM comments WHERE html_body = ''").fetchone()[0] == 0
    conn.close()

    with CacheReader(cache) as reader:  # opening migrates (and vacuums)
        after = _answers(reader, me)
    # the previous schema kept no comment details (metadata, original body): they come with the next thread sync
    before["threads"] = [[{k: v for k, v in c.items() if k not in ("metadata", "original_body")} for c in thread]
                         for thread in before["threads"]]
    assert after == before
    conn = sqlite3.connect(cache)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_module.SCHEMA_VERSION
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0  # vacuumed
    assert conn.execute("SELECT count(*) FROM comments WHERE html_body = ''").fetchone()[0] > 40
    slim = [orjson.loads(r[0]) for r in conn.execute("SELECT raw FROM tickets")]
    assert not any("subject" in t or "status" in t for t in slim)
    conn.close()
    with CacheWriter(cache) as writer:  # and the writer takes the same pages again as no change
        assert not writer.upsert_tickets(list(full_tickets.values()))

