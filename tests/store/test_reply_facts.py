"""The reply facts and epoch times the writer keeps on the ticket row (store.reply_facts, the ticket
upsert) equal the from-scratch rules of domain.sla after every kind of write that can move them, and
the dashboard read off them equals the dashboard worked out from the API-shaped tickets and threads."""

from __future__ import annotations

import sqlite3

import pytest

from console.domain.dashboard import RecentTickets, Windows, build_snapshot
from console.domain.sla import SlaPolicy, first_reply_at, parse_api_time, waiting_since
from console.domain.statuses import UNSOLVED
from console.store import CacheReader, CacheWriter, reply_facts, schema
from console.store.dashboard import dashboard_snapshot, load_facts
from tests import dashboard_desk as desk
from tests.dashboard_desk import ALICE, BOB, NEW_YORK, NOW, SLA_TARGETS, comment, ticket
from tests.dashboard_reference import (
    Unsolved,
    replied_times,
    solved_today,
    unsolved_facts,
    unsolved_rows,
    without_empty_sla,
)

LATE_AGENT = 900   # comments first, the user (an agent) synced later


def _events(ticket_id, comments):
    return [{"id": c["id"] * 10, "ticket_id": ticket_id, "child_events": [dict(c, event_type="Comment")]}
            for c in comments]


_KEPT_SQL = "SELECT id, first_reply_at, waiting_since FROM tickets WHERE coalesce(first_reply_at, waiting_since) IS NOT NULL"


def _kept(path) -> dict[int, tuple]:
    with sqlite3.connect(path) as conn:
        return {r[0]: tuple(r[1:]) for r in conn.execute(_KEPT_SQL)}


def _rebuilt(path) -> dict[int, tuple]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("BEGIN")
        reply_facts.rebuild(conn)
        return {r[0]: tuple(r[1:]) for r in conn.execute(_KEPT_SQL)}
    finally:
        conn.rollback()
        conn.close()


def _epoch_of(moment) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _from_scratch(path) -> dict[int, tuple]:
    """Per ticket (first reply, waiting since as if waiting), by domain.sla over every cached thread."""
    with CacheReader(path) as reader:
        agents = {r[0] for r in reader._all("SELECT id FROM users WHERE role IN ('agent', 'admin')")}
        out = {}
        for tid in _ticket_ids(reader):
            t = reader.ticket(tid) or {}
            comments = reader.comments_for_ticket(tid)
            reply = first_reply_at(t, comments, agents)
            since = waiting_since(dict(t, status="open"), comments, agents)   # the status is read later
            out[tid] = (_epoch_of(reply), _epoch_of(since))
        return out


def _read_back(path) -> dict[int, tuple]:
    """The same pairs as the readers take them from the kept columns (none: no reply, waiting since creation)."""
    with CacheReader(path) as reader:
        kept = _kept(path)
        created = dict(reader._all("SELECT id, created_ts FROM tickets"))
        out = {}
        for tid in _ticket_ids(reader):
            reply, since = kept.get(tid, (None, None))
            out[tid] = (reply, created.get(tid) if since is None else since)
        return out


def _epochs_kept(path) -> dict[int, tuple]:
    with CacheReader(path) as reader:
        return {r[0]: tuple(r[1:]) for r in reader._all("SELECT id, created_ts, updated_ts FROM tickets")}


def _epochs_from_scratch(path) -> dict[int, tuple]:
    with CacheReader(path) as reader:
        return {r[0]: tuple(_epoch_of(parse_api_time(v)) for v in r[1:])
                for r in reader._all("SELECT id, created_at, updated_at FROM tickets")}


def _epoch(iso: str) -> int:
    moment = parse_api_time(iso)
    assert moment is not None
    return int(moment.timestamp())


def _ticket_ids(reader) -> set[int]:
    """The cached tickets (a thread whose ticket is not cached yet has no row to keep facts on)."""
    return {r[0] for r in reader._all("SELECT id FROM tickets")}


def facts_from_scratch(path, windows: Windows, policy: SlaPolicy) -> tuple:
    """The dashboard's facts with every ticket's numbers worked out from its API-shaped ticket and
    thread by domain.sla, and the unsolved ones counted ticket by ticket (nothing kept by the writer
    is read for them), and those unsolved tickets."""
    with CacheReader(path) as reader:
        facts = load_facts(reader, windows, policy)   # departments, agents, today's replies, ratings
        agents = {r[0] for r in reader._all("SELECT id FROM users WHERE role IN ('agent', 'admin')")}
        active, recent, replies = [], [], []
        for (tid,) in reader._all("SELECT id FROM tickets WHERE deleted = 0 ORDER BY id"):
            t = reader.ticket(tid)
            comments = reader.comments_for_ticket(tid)
            created, updated = (_epoch_of(parse_api_time(t.get(k))) for k in ("created_at", "updated_at"))
            reply = _epoch_of(first_reply_at(t, comments, agents))
            if t["status"] in UNSOLVED:
                active.append(Unsolved(tid, t["group_id"], t["assignee_id"], t["status"], t["priority"], created,
                                       reply, _epoch_of(waiting_since(t, comments, agents))))
            elif max(updated or 0, created or 0) >= windows.chart_start:
                recent.append((t["assignee_id"], created, updated))
            replies.append((t["group_id"], created, reply))
    facts.recent = RecentTickets([r[1] for r in recent], [r[2] for r in recent])
    facts.solved_today = solved_today([(r[0], r[2]) for r in recent], windows)
    facts.replied = replied_times(replies, windows)
    return unsolved_facts(facts, active, policy, windows), active


def _check(path):
    assert _read_back(path) == _from_scratch(path)
    assert _kept(path) == _rebuilt(path)
    assert _epochs_kept(path) == _epochs_from_scratch(path)
    policy = SlaPolicy(SLA_TARGETS, 0.25)
    windows = Windows.at(NOW, NEW_YORK)
    with CacheReader(path) as reader:
        kept = load_facts(reader, windows, policy)
        rows = unsolved_rows(reader)
    scratch, unsolved = facts_from_scratch(path, windows, policy)
    assert rows == unsolved
    without_empty_sla(kept)
    for name in ("statuses", "unassigned", "open_by_agent", "sla", "oldest_waiting", "backlog_ages", "created_by_day"):
        assert getattr(kept, name) == getattr(scratch, name), name
    assert build_snapshot(kept, now=NOW, tz=NEW_YORK) == build_snapshot(scratch, now=NOW, tz=NEW_YORK)


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "facts.sqlite"
    with CacheWriter(path) as writer:
        desk.write_desk(writer)
    return path


def test_kept_facts_equal_the_rules_after_a_mix_of_writes(written):
    _check(written)
    assert _kept(written)  # the desk has replies
    with CacheWriter(written) as w:
        # comments before their ticket; the ticket then comes with a later creation time, so the
        # agent's first comment (before creation) is not a reply
        w.apply_comment_events(_events(40, [comment(4001, 100, "2025-11-05T08:00:00Z"),
                                            comment(4002, ALICE, "2025-11-05T08:30:00Z"),
                                            comment(4003, ALICE, "2025-11-05T10:00:00Z")]), 1)
        _check(written)
        w.apply_ticket_page([ticket(40, "open", desk.BILLING, "high", ALICE, "2025-11-05T09:00:00Z",
                                    "2025-11-05T10:00:00Z")], None, end_of_stream=False)
        _check(written)
        # out of order: an earlier agent reply reaches T3 late, a customer follow-up reaches T2
        w.add_ticket_comments(3, [comment(305, ALICE, "2025-11-05T03:30:00Z")])
        w.apply_comment_events(_events(2, [comment(205, 100, "2025-11-05T05:45:00Z")]), 2)
        _check(written)
        # equal times: the id orders them
        w.apply_comment_events(_events(5, [comment(502, BOB, "2025-11-05T14:10:00Z"),
                                           comment(500, 100, "2025-11-05T14:10:00Z")]), 3)
        _check(written)
        # a whole thread replaced (the reopening comment gone), a comment made private
        w.replace_ticket_comments(6, [c for c in desk.COMMENTS[6] if c["id"] != 603])
        w.replace_ticket_comments(12, [])   # (had none) and T4's thread emptied: its facts go
        assert 4 in _kept(written)
        w.replace_ticket_comments(4, [])
        assert 4 not in _kept(written)
        w.apply_comment_events(_events(7, [dict(desk.COMMENTS[7][1], public=False)]), 4)
        _check(written)
        # a comment that comes back under another ticket (with a new body, so it is rewritten) moves there
        w.apply_comment_events(_events(9, [dict(desk.COMMENTS[2][1], plain_body="Moved")]), 5)
        _check(written)
        # deleted tickets keep their (unread) facts like their comments
        w.apply_ticket_page([dict(desk.TICKETS[1], status="deleted", generated_timestamp=5000)], None,
                            end_of_stream=False)
        w.mark_ticket_missing(4)
        _check(written)
        # roles: a customer promoted, an admin demoted, an agent first seen after their comments
        w.apply_comment_events(_events(1, [comment(102, LATE_AGENT, "2025-11-05T14:50:00Z")]), 5)
        _check(written)
        w.apply_user_page([dict(desk.USERS[3], role="agent"), dict(desk.USERS[1], role="end-user"),
                           {"id": LATE_AGENT, "name": "Late Agent", "email": "late@desk.example", "role": "agent"}],
                          None)
        _check(written)
        assert _kept(written)[1][0] is not None   # T1's first reply now
        # a ticket's creation time moves
        w.upsert_tickets([dict(desk.TICKETS[8], created_at="2025-11-04T23:59:30Z", generated_timestamp=6000)])
        _check(written)
        # a reply queued locally is not a comment yet; its echo after sending is
        w.enqueue("reply", 10, {"body": "On it", "public": True}, None)
        _check(written)
        w.add_ticket_comments(10, [comment(1001, ALICE, "2025-11-05T14:55:00Z")])
        _check(written)
        assert _kept(written)[10] == (None, _epoch("2025-11-05T14:55:00Z"))   # the opening comment: no reply


def test_an_initial_bulk_load_works_the_facts_out_once_at_its_end(tmp_path, written, monkeypatch):
    """An initial load into an empty cache skips the facts page by page and works them all out when
    the comments' stream ends, a restart mid-load included: the same facts as written one by one."""
    path = tmp_path / "bulk.sqlite"
    events = [{"id": c["id"] * 10, "ticket_id": t, "timestamp": 0, "created_at": c["created_at"],
               "updater_id": c["author_id"], "event_type": "Audit", "child_events": [dict(c, event_type="Comment")]}
              for t, comments in desk.COMMENTS.items() for c in comments]
    half = len(events) // 2
    monkeypatch.setattr(reply_facts, "REBUILD_SPAN", 3)   # the desk's dozen tickets in several spans
    with CacheWriter(path) as w:
        w.replace_groups(desk.GROUPS)
        w.apply_comment_events(events[:half], 1, bulk=True)          # threads before their tickets
        w.apply_ticket_page(desk.TICKETS, "t1", end_of_stream=True, bulk=True)
        assert "comments" in w.deferred_index and _kept(path) == {}  # not yet: the load goes on
    with CacheWriter(path) as w:                                      # the app restarted mid-load
        assert "comments" in w.deferred_index
        w.apply_user_page(desk.USERS, "u1", end_of_stream=True, bulk=True)   # the agents come late
        w.apply_comment_events(events[half:], 2, end_of_stream=True, bulk=True)
        assert w.deferred_index == frozenset()
        w.set_sync_state("last_success", repr(desk.LAST_SYNC))
    _check(path)
    assert _kept(path) == _kept(written) != {}


def test_the_dashboard_reads_the_kept_facts(written):
    """A reply written after the first read shows at once (no from-scratch walk behind it): T5, 10 of
    its 60 minutes left, is no longer at risk."""
    policy = SlaPolicy(SLA_TARGETS, 0.25)
    with CacheReader(written) as reader:
        before = {t.id: t for t in unsolved_rows(reader)}
        assert before[5].first_reply is None
        assert _security(dashboard_snapshot(reader, policy, now=NOW, tz=NEW_YORK)).sla_at_risk == 1
        with CacheWriter(written) as w:
            w.add_ticket_comments(5, [comment(503, BOB, "2025-11-05T14:20:00Z")])
        after = {t.id: t for t in unsolved_rows(reader)}
        assert _security(dashboard_snapshot(reader, policy, now=NOW, tz=NEW_YORK)).sla_at_risk == 0
    assert after[5].first_reply == _epoch("2025-11-05T14:20:00Z")
    assert after[5].waiting_since == _epoch("2025-11-05T14:20:00Z")   # an agent spoke last


def _security(snapshot):
    return next(d for d in snapshot.departments if d.group_id == desk.SECURITY)


def _back_to_version_11(conn) -> None:
    """Undo migrations 13 and 12: the facts in their own table, the dashboard index on the ISO strings."""
    for sql in schema.DASHBOARD_RANGE_INDEXES:
        conn.execute(f"DROP INDEX {sql.split()[2]}")
    conn.execute("DROP INDEX ix_tickets_dashboard_row")
    for column in ("created_ts", "updated_ts", "first_reply_at", "waiting_since"):
        conn.execute(f"ALTER TABLE tickets DROP COLUMN {column}")
    conn.execute("CREATE TABLE ticket_reply_facts (ticket_id INTEGER PRIMARY KEY, first_reply_at INTEGER, "
                 "waiting_since INTEGER)")
    conn.execute(f"CREATE INDEX ix_tickets_dashboard ON tickets ({schema._DASHBOARD_KEY_V10}, updated_at, group_id, "
                 "assignee_id, status, priority, created_at, deleted) WHERE deleted = 0")
    conn.execute(f"PRAGMA user_version = {schema.MIGRATIONS.index(schema._migration_12_dashboard_row)}")


def test_the_migration_brings_a_version_11_cache_over(written):
    """Migration 12 works the facts out from the threads (a stale row of the old table is not carried
    over) and the dashboard then equals the one worked out from scratch."""
    expected = _kept(written)
    with sqlite3.connect(written) as conn:
        _back_to_version_11(conn)
        conn.executemany("INSERT INTO ticket_reply_facts VALUES (?, ?, ?)",
                         [(tid, reply, since) for tid, (reply, since) in expected.items()] + [(8, 1, 1)])
    with CacheReader(written):
        pass
    assert _kept(written) == expected
    _check(written)
    with sqlite3.connect(written) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert not conn.execute("SELECT 1 FROM sqlite_schema WHERE name IN ('ticket_reply_facts', "
                                "'ix_tickets_dashboard')").fetchall()
    with CacheWriter(written) as w:   # and the writer keeps them from there
        w.add_ticket_comments(5, [comment(503, BOB, "2025-11-05T14:20:00Z")])
        w.upsert_tickets([dict(desk.TICKETS[0], updated_at="2025-11-05T14:50:00Z", generated_timestamp=7000)])
    _check(written)


def test_the_migrations_back_fill_a_cache_from_before_the_facts(written):
    """From version 9 (no facts at all): migration 10 makes the table, 12 fills the ticket rows."""
    expected = _kept(written)
    with sqlite3.connect(written) as conn:
        _back_to_version_11(conn)
        conn.execute("DROP INDEX ix_tickets_rated")
        conn.execute("DROP INDEX ix_tickets_dashboard")
        conn.execute("DROP TABLE ticket_reply_facts")
        conn.execute("DROP TABLE ticket_fields")   # what the later migration 11 made
        conn.execute(f"PRAGMA user_version = {schema.MIGRATIONS.index(schema._migration_10_dashboard_facts)}")
    with CacheReader(written):
        pass
    assert _kept(written) == expected
    _check(written)
