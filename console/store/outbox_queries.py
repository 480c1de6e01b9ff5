"""Read queries over drafts, outbox and conflicts, shared by the writer and the readers."""

from __future__ import annotations

import sqlite3
import time
from contextlib import AbstractContextManager
from typing import Any

from .records import Conflict, Draft, OutboxEntry
from .rows import loads

_ENTRY_COLUMNS = ("op_id, seq, ticket_id, kind, payload, updated_stamp, state, attempts, last_error, "
                  "created_at, sent_at, retry_at, result")

# An entry still on its way: queued, being sent, or failed with a retry planned.
PENDING_SQL = "(state IN ('queued', 'sending') OR (state = 'failed' AND retry_at IS NOT NULL))"


def _entry(row: tuple) -> OutboxEntry:
    return OutboxEntry(row[0], row[1], row[2], row[3], loads(row[4]), row[5], row[6], row[7], row[8],
                       row[9], row[10], row[11], loads(row[12]))


def get_entry(conn: sqlite3.Connection, op_id: str) -> OutboxEntry | None:
    row = conn.execute(f"SELECT {_ENTRY_COLUMNS} FROM outbox WHERE op_id = ?", (op_id,)).fetchone()
    return _entry(row) if row else None


def list_outbox(conn: sqlite3.Connection, states: tuple[str, ...] | None = None,
                ticket_id: int | None = None) -> list[OutboxEntry]:
    """Entries in send order, optionally only some states / one ticket."""
    where: list[str] = []
    params: list[Any] = []
    if states:
        where.append(f"state IN ({','.join('?' * len(states))})")
        params.extend(states)
    if ticket_id is not None:
        where.append("ticket_id = ?")
        params.append(ticket_id)
    sql = f"SELECT {_ENTRY_COLUMNS} FROM outbox"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [_entry(r) for r in conn.execute(sql + " ORDER BY seq", params)]


def next_sendable(conn: sqlite3.Connection, now: float | None = None) -> OutboxEntry | None:
    """The oldest entry ready to send whose ticket has no earlier entry still unfinished."""
    now = time.time() if now is None else now
    row = conn.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM outbox AS o "
        "WHERE (o.state = 'queued' AND (o.retry_at IS NULL OR o.retry_at <= :now) "
        "       OR o.state = 'failed' AND o.retry_at IS NOT NULL AND o.retry_at <= :now) "
        "AND (o.ticket_id IS NULL OR NOT EXISTS ("
        "     SELECT 1 FROM outbox AS e WHERE e.ticket_id = o.ticket_id AND e.seq < o.seq "
        "     AND (e.state IN ('queued', 'sending', 'conflict') OR (e.state = 'failed' AND e.retry_at IS NOT NULL)))) "
        "ORDER BY o.seq LIMIT 1", {"now": now}).fetchone()
    return _entry(row) if row else None


FIELD_NAMES = ("status", "priority", "type", "group_id", "assignee_id", "tags")


def pending_fields(conn: sqlite3.Connection, ticket_ids: list[int]) -> dict[int, dict]:
    """Field values the agent queued and the helpdesk has not confirmed yet, per ticket (later wins)."""
    out: dict[int, dict] = {}
    for start in range(0, len(ticket_ids), 500):
        chunk = ticket_ids[start:start + 500]
        rows = conn.execute(
            f"SELECT ticket_id, payload FROM outbox WHERE ticket_id IN ({','.join('?' * len(chunk))}) "
            f"AND kind IN ('fields', 'reply', 'note') AND {PENDING_SQL} ORDER BY seq", chunk).fetchall()
        for ticket_id, payload in rows:
            fields = (loads(payload) or {}).get("fields")
            if isinstance(fields, dict):
                out.setdefault(ticket_id, {}).update({k: v for k, v in fields.items() if k in FIELD_NAMES})
    wanted = set(ticket_ids)
    for (payload,) in conn.execute(f"SELECT payload FROM outbox WHERE kind = 'merge' AND {PENDING_SQL} ORDER BY seq"):
        for source in (loads(payload) or {}).get("ids") or []:   # merged away: shown closed at once
            if source in wanted:
                out.setdefault(source, {})["status"] = "closed"
    return {t: f for t, f in out.items() if f}


def pending_count(conn: sqlite3.Connection) -> int:
    return conn.execute(f"SELECT count(*) FROM outbox WHERE {PENDING_SQL}").fetchone()[0]


def retry_summary(conn: sqlite3.Connection) -> tuple[int, float | None]:
    """(entries shown as failed but retrying by themselves, the soonest planned retry of any entry)."""
    failing, soonest = conn.execute(
        "SELECT count(*) FILTER (WHERE state = 'failed'), min(retry_at) FROM outbox "
        "WHERE retry_at IS NOT NULL AND state IN ('queued', 'failed')").fetchone()
    return failing, soonest


# Replies and notes this console sent from a canned reply (payload ``canned_reply_id``, push.py's
# contract), counted per reply and per kind of ticket (department, tags). Reads the sent entries
# off ix_outbox_state and each one's ticket by its primary key.
CANNED_REPLY_USAGE_SQL = (
    "SELECT json_extract(o.payload, '$.canned_reply_id') AS reply, t.group_id, t.tags, count(*) "
    "FROM outbox AS o JOIN tickets AS t ON t.id = o.ticket_id "
    "WHERE o.state = 'sent' AND o.kind IN ('reply', 'note') AND reply IS NOT NULL "
    "GROUP BY reply, t.group_id, t.tags ORDER BY count(*) DESC LIMIT ?")


def canned_reply_usage(conn: sqlite3.Connection, limit: int = 2000) -> list[tuple[int, int | None, list[str], int]]:
    """(canned reply id, ticket department, ticket tags, times sent), most used first."""
    return [(int(reply), group_id, tags.split(), n)
            for reply, group_id, tags, n in conn.execute(CANNED_REPLY_USAGE_SQL, (limit,))
            if isinstance(reply, int) or str(reply).isdigit()]


def _conflict(row: tuple) -> Conflict:
    return Conflict(row[0], row[1], row[2], loads(row[3]), loads(row[4]), row[5], bool(row[6]), row[7])


def list_conflicts(conn: sqlite3.Connection, include_resolved: bool = False) -> list[Conflict]:
    sql = "SELECT id, op_id, ticket_id, theirs, yours, created_at, resolved, resolution FROM conflicts"
    if not include_resolved:
        sql += " WHERE resolved = 0"
    return [_conflict(r) for r in conn.execute(sql + " ORDER BY created_at, id")]


def get_conflict(conn: sqlite3.Connection, conflict_id: int) -> Conflict | None:
    row = conn.execute("SELECT id, op_id, ticket_id, theirs, yours, created_at, resolved, resolution "
                       "FROM conflicts WHERE id = ?", (conflict_id,)).fetchone()
    return _conflict(row) if row else None


def load_draft(conn: sqlite3.Connection, ticket_id: int, kind: str) -> Draft | None:
    row = conn.execute("SELECT ticket_id, kind, body, updated_at FROM drafts WHERE ticket_id = ? AND kind = ?",
                       (ticket_id, kind)).fetchone()
    return Draft(*row) if row else None


def list_drafts(conn: sqlite3.Connection) -> list[Draft]:
    return [Draft(*r) for r in conn.execute(
        "SELECT ticket_id, kind, body, updated_at FROM drafts ORDER BY updated_at DESC")]


class LocalReads:
    """The agent's own work as both the reader and the writer show it (needs ``_lock``, ``_conn``)."""

    _lock: AbstractContextManager[Any]      # the reader's Lock, the writer's RLock
    _conn: sqlite3.Connection

    def load_draft(self, ticket_id: int | None, kind: str) -> Draft | None:
        with self._lock:
            return load_draft(self._conn, ticket_id or 0, kind)

    def list_drafts(self) -> list[Draft]:
        with self._lock:
            return list_drafts(self._conn)

    def get_entry(self, op_id: str) -> OutboxEntry | None:
        with self._lock:
            return get_entry(self._conn, op_id)

    def list_outbox(self, states: tuple[str, ...] | None = None, ticket_id: int | None = None) -> list[OutboxEntry]:
        with self._lock:
            return list_outbox(self._conn, states, ticket_id)

    def pending_fields(self, ticket_ids: list[int]) -> dict[int, dict]:
        with self._lock:
            return pending_fields(self._conn, list(ticket_ids))

    def pending_count(self) -> int:
        with self._lock:
            return pending_count(self._conn)

    def retry_summary(self) -> tuple[int, float | None]:
        with self._lock:
            return retry_summary(self._conn)

    def list_conflicts(self, include_resolved: bool = False) -> list[Conflict]:
        with self._lock:
            return list_conflicts(self._conn, include_resolved)
