"""Read-only queries the GUI needs, each indexed (see tests/store/test_query_plans.py).

A ``CacheReader`` owns its own read connection (WAL lets it read while the writer writes);
open one per thread or guard it yourself — calls are serialized by a lock.

Queues: ``ticket_ids_for_queue(queue, sort_key="updated_at", descending=True)`` returns ids
in order; rows are then fetched lazily by id batch with ``tickets_by_ids(ids)`` (list rows:
columns only) or ``ticket(ticket_id)`` (the full API object plus local flags).
``SORT_KEYS`` lists the sort keys; last update and subject are read off the unsolved-queue
indexes (cache migrations 3 and 8), the others read the table and sort (slower on a big queue). Tombstoned tickets
never appear in queues. ``queue_counts`` counts every status incl. closed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from console.domain.statuses import UNSOLVED, WAITING
from console.domain.ticket_fields import SYSTEM_TICKET_FIELDS

from . import outbox_queries as q
from . import quarantine
from .batches import BatchReads
from .db import connect
from .outgoing import OutgoingReads
from .records import QuarantinedRecord, QueueCounts, QueueSpec, SearchHit, UnsupportedViewError
from .rows import TICKET_SOURCE, USER_SOURCE, html_body_of, loads, ticket_from_row, user_from_row
from .schema import UNSOLVED_SQL
from .search import search as _search
from .viewsql import where_for_conditions

_WAITING_BY_IDS_SQL = f"""
SELECT id, coalesce(waiting_since, created_ts) FROM tickets
WHERE id IN (SELECT value FROM json_each(:ids)) AND status IN ({", ".join(f"'{s}'" for s in WAITING)})
"""

SORT_KEYS = {
    "updated_at": "updated_at", "created_at": "created_at", "priority": "priority_rank",
    "status": "status_rank", "id": "id", "subject": "subject COLLATE NOCASE",
    # by name: a lookup per ticket (tens of ms on a big queue; the GUI runs these off its thread)
    "requester": "(SELECT name FROM users WHERE users.id = tickets.requester_id) COLLATE NOCASE",
    "assignee": "(SELECT name FROM users WHERE users.id = tickets.assignee_id) COLLATE NOCASE",
    "department": "(SELECT name FROM groups WHERE groups.id = tickets.group_id) COLLATE NOCASE",
    # the requester's wait (domain.sla.waiting_since, as store.dashboard.waiting_since reads it): the writer
    # keeps it on the ticket row (reply_facts); the ticket's creation when no agent answered; NULL for
    # tickets that do not wait on us.
    "waiting": "(CASE WHEN status IN ('new', 'open', 'hold') THEN coalesce(waiting_since, created_ts) END)",
}

_TICKET_SOURCE = ", ".join(TICKET_SOURCE)
_USER_SOURCE = ", ".join(USER_SOURCE)
_LIST_COLUMNS = ("id, subject, status, priority, type, requester_id, assignee_id, group_id, tags, "
                 "created_at, updated_at, deleted, seen, changed_at, json_extract(raw, '$.custom_status_id')")


def _list_row(row: tuple) -> dict[str, Any]:
    keys = ("id", "subject", "status", "priority", "type", "requester_id", "assignee_id", "group_id", "tags",
            "created_at", "updated_at", "deleted", "seen", "changed_at", "custom_status_id")
    ticket = dict(zip(keys, row, strict=True))
    ticket["tags"] = ticket["tags"].split()
    ticket["deleted"], ticket["seen"] = bool(ticket["deleted"]), bool(ticket["seen"])
    return ticket


class CacheReader(q.LocalReads, OutgoingReads, BatchReads):
    """A read connection over one cache file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn = connect(self.path, readonly=True)
        self._lock = threading.RLock()   # (re-entered by the reads inside ``snapshot``)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def snapshot(self) -> Iterator[CacheReader]:
        """Reads made inside see the cache as of one moment (one read transaction), whatever the
        writer commits meanwhile: a report made of many queries adds up. Other threads' reads on
        this connection wait until it ends."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self
            finally:
                self._conn.execute("COMMIT")

    def __enter__(self) -> CacheReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _all(self, sql: str, params: Any = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Any = ()) -> tuple | None:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def _count(self, sql: str, params: Any = ()) -> int:
        """The number a ``SELECT count(*) ...`` gives (it always gives one row)."""
        row = self._one(sql, params)
        return int(row[0]) if row else 0

    # -- queues ------------------------------------------------------------------------

    def queue_sql(self, queue: QueueSpec, sort_key: str = "updated_at", descending: bool = True) -> tuple[str, list]:
        """The SELECT behind ``ticket_ids_for_queue`` (exposed for EXPLAIN QUERY PLAN checks)."""
        if sort_key not in SORT_KEYS:
            raise ValueError(f"Unknown sort key {sort_key!r}; use one of {', '.join(SORT_KEYS)}")
        where, params = ["deleted = 0"], []
        if queue.view_id is not None:
            row = self._one("SELECT conditions FROM views WHERE id = ?", (queue.view_id,))
            if row is None:
                raise UnsupportedViewError(f"View {queue.view_id} is not in the cache; sync views first")
            sql, view_params = where_for_conditions(loads(row[0]), queue.me, self.group_ids_of(queue.me))
            where.append(f"({sql})")
            params.extend(view_params)
        if queue.group_id is not None:
            where.append("group_id = ?")
            params.append(queue.group_id)
        if queue.no_department:
            where.append("group_id IS NULL")
        if queue.assignee_id is not None:
            where.append("assignee_id = ?")
            params.append(queue.assignee_id)
        if queue.mine:
            if queue.me is None:
                raise ValueError("A 'mine' queue needs QueueSpec.me (the agent's user id)")
            where.append("assignee_id = ?")
            params.append(queue.me)
        if queue.unassigned:
            where.append("assignee_id IS NULL")
        if queue.statuses and tuple(queue.statuses) == UNSOLVED:
            where.append(UNSOLVED_SQL)   # literal: matches the partial unsolved-queue indexes
        elif queue.statuses:
            where.append(f"status IN ({','.join('?' * len(queue.statuses))})")
            params.extend(queue.statuses)
        order = "DESC" if descending else "ASC"
        sql = f"SELECT id FROM tickets WHERE {' AND '.join(where)} ORDER BY {SORT_KEYS[sort_key]} {order}, id {order}"
        return sql, params

    def ticket_ids_for_queue(self, queue: QueueSpec, sort_key: str = "updated_at",
                             descending: bool = True, *, limit: int | None = None, start: int = 0) -> list[int]:
        """The queue's ids in order; with ``limit``, only that many from row ``start`` (a screenful
        walks the sort's index instead of the whole queue: ~0.1 ms instead of 50 for 125k tickets)."""
        sql, params = self.queue_sql(queue, sort_key, descending)
        if limit is not None:
            return [r[0] for r in self._all(f"{sql} LIMIT ? OFFSET ?", [*params, limit, start])]
        # one JSON array instead of a Python tuple per row: ~2.5x faster for a 12k-ticket queue;
        # the aggregate keeps the ordered subquery's order (SQLite never flattens it into an aggregate)
        row = self._one(f"SELECT json_group_array(id) FROM ({sql})", params)
        return loads(row[0]) if row and row[0] else []

    def tickets_by_ids(self, ids: list[int]) -> list[dict[str, Any]]:
        """List rows for these ids, in the order given (ids not in the cache are skipped)."""
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._all(f"SELECT {_LIST_COLUMNS} FROM tickets WHERE id IN ({marks})", chunk):
                found[row[0]] = _list_row(row)
        return [found[i] for i in ids if i in found]

    def ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """The full API ticket as last synced, plus ``_deleted``, ``_seen``, ``_changed_at``."""
        row = self._one(f"SELECT deleted, seen, changed_at, {_TICKET_SOURCE} FROM tickets WHERE id = ?", (ticket_id,))
        if row is None:
            return None
        ticket = ticket_from_row(row[3:])
        ticket.update(_deleted=bool(row[0]), _seen=bool(row[1]), _changed_at=row[2])
        return ticket

    def comments_for_ticket(self, ticket_id: int) -> list[dict[str, Any]]:
        """The thread, oldest first; ``attachments`` carry ``local_path`` once downloaded; ``via`` says
        how each came (``via.channel``; ``comment_type`` for a call)."""
        rows = self._all("SELECT id, ticket_id, author_id, public, body, html_body, created_at, attachments, "
                         "audit_id, via, raw FROM comments WHERE ticket_id = ? ORDER BY created_at, id", (ticket_id,))
        paths = dict(self._all("SELECT id, local_path FROM attachments WHERE ticket_id = ? "
                               "AND local_path IS NOT NULL", (ticket_id,)))
        comments = []
        for r in rows:
            attachments = loads(r[7])
            for att in attachments:
                att["local_path"] = paths.get(att.get("id"))
            comments.append({"id": r[0], "ticket_id": r[1], "author_id": r[2], "public": bool(r[3]),
                             "body": r[4], "html_body": html_body_of(r[4], r[5]), "created_at": r[6], "attachments": attachments,
                             "audit_id": r[8], "via": loads(r[9]) if r[9] else None,
                             **_comment_extras(loads(r[10]) if r[10] else {})})
        return comments

    def unsolved_ticket_ids(self, after: int, limit: int) -> list[int]:
        """Ids of cached, not deleted, unsolved tickets above ``after``, ascending (a reconcile pass)."""
        return [r[0] for r in self._all(f"SELECT id FROM tickets WHERE deleted = 0 AND {UNSOLVED_SQL} AND id > ? "
                                        "ORDER BY id LIMIT ?", (after, max(0, limit)))]

    def done_tickets_before(self, position: list | None, floor: str, limit: int) -> list[tuple[int, str]]:
        """Solved and closed tickets updated at or after ``floor``, newest first, after ``position``
        (``[updated_at, id]`` of the last one handled; None = from the newest): (id, updated_at)."""
        after, args = ("AND (updated_at, id) < (?, ?) ", (*position,)) if position else ("", ())
        return self._all("SELECT id, updated_at FROM tickets WHERE deleted = 0 AND status IN ('solved', 'closed') "
                         f"AND updated_at >= ? {after}ORDER BY updated_at DESC, id DESC LIMIT ?",
                         (floor, *args, max(0, limit)))

    def attachment(self, attachment_id: int) -> dict[str, Any] | None:
        """Attachment metadata (file name, type, size, content_url, local_path once downloaded)."""
        row = self._one("SELECT id, comment_id, ticket_id, file_name, content_type, size, content_url, inline, "
                        "local_path FROM attachments WHERE id = ?", (attachment_id,))
        keys = ("id", "comment_id", "ticket_id", "file_name", "content_type", "size", "content_url", "inline",
                "local_path")
        return dict(zip(keys, row, strict=True)) if row else None

    def requester_tickets(self, requester_id: int, exclude_ticket_id: int | None = None,
                          limit: int = 50) -> list[dict[str, Any]]:
        """The requester's other tickets, newest first."""
        rows = self._all(f"SELECT {_LIST_COLUMNS} FROM tickets WHERE requester_id = ? AND deleted = 0 "
                         "AND id IS NOT ? ORDER BY created_at DESC LIMIT ?", (requester_id, exclude_ticket_id, limit))
        return [_list_row(r) for r in rows]

    def queue_counts(self, me: int | None = None) -> QueueCounts:
        """Tickets per department × status, unsolved unassigned / mine, drafts, outbox, conflicts."""
        by_department: dict[int | None, dict[str, int]] = {}
        for group_id, status, n in self._all("SELECT group_id, status, count(*) FROM tickets WHERE deleted = 0 "
                                             "GROUP BY group_id, status"):
            by_department.setdefault(group_id, {})[status] = n
        unassigned = self._count(f"SELECT count(*) FROM tickets WHERE deleted = 0 AND assignee_id IS NULL "
                                 f"AND {UNSOLVED_SQL}")
        mine = 0 if me is None else self._count(f"SELECT count(*) FROM tickets WHERE deleted = 0 AND assignee_id = ? "
                                                f"AND {UNSOLVED_SQL}", (me,))
        with self._lock:
            outbox = q.pending_count(self._conn)
        return QueueCounts(
            by_department=by_department, unassigned=unassigned, mine=mine,
            drafts=self._count("SELECT count(*) FROM drafts"), outbox=outbox,
            conflicts=self._count("SELECT count(*) FROM conflicts WHERE resolved = 0"))

    def newest_ticket_update(self) -> str | None:
        """The newest ``updated_at`` in the cache (helpdesk time): where "new" starts for notifications."""
        row = self._one("SELECT max(updated_at) FROM tickets")
        return row[0] if row else None

    def view_count(self, view_id: int, me: int | None = None) -> int:
        sql, params = self.queue_sql(QueueSpec(view_id=view_id, me=me), "id")
        return self._count(f"SELECT count(*) FROM ({sql})", params)

    # -- people, departments, canned replies, views -----------------------------------

    def user(self, user_id: int) -> dict[str, Any] | None:
        row = self._one(f"SELECT {_USER_SOURCE} FROM users WHERE id = ?", (user_id,))
        return user_from_row(row) if row else None

    def users_by_ids(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row in self._all(f"SELECT {_USER_SOURCE} FROM users WHERE id IN ({','.join('?' * len(chunk))})",
                                 chunk):
                out[row[0]] = user_from_row(row)
        return out

    def user_names(self, ids: list[int]) -> dict[int, str]:
        """Display names (name, else email, else ``#id``) without parsing the users' JSON: list columns."""
        out: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for user_id, name, email in self._all(
                    f"SELECT id, name, email FROM users WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                out[user_id] = name or email or f"#{user_id}"
        return out

    def waiting_since(self, ticket_ids: list[int]) -> dict[int, float]:
        """Since when (epoch) each of these tickets' customers has waited for us (``domain.sla.waiting_since``,
        the dashboard's rule: Zendesk's requester wait); tickets not waiting on us are left out.
        One query per call (the ticket list asks once per batch of rows, never per painted row)."""
        if not ticket_ids:
            return {}
        rows = self._all(_WAITING_BY_IDS_SQL, {"ids": "[" + ",".join(str(int(i)) for i in ticket_ids) + "]"})
        return {tid: since for tid, since in rows if since is not None}

    def groups(self, include_deleted: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT raw FROM groups" + ("" if include_deleted else " WHERE deleted = 0") + " ORDER BY name"
        return [loads(r[0]) for r in self._all(sql)]

    def brands(self) -> list[dict[str, Any]]:
        """The account's brands as the API gave them (none when it has none or the sync has not got them)."""
        return [loads(r[0]) for r in self._all("SELECT raw FROM brands ORDER BY id")]

    def ticket_forms(self) -> list[dict[str, Any]]:
        return [loads(r[0]) for r in self._all("SELECT raw FROM ticket_forms ORDER BY id")]

    def custom_statuses(self) -> list[dict[str, Any]]:
        """The account's custom ticket statuses as the API gave them (none when it has none)."""
        return [loads(r[0]) for r in self._all("SELECT raw FROM custom_statuses ORDER BY id")]

    def group_ids_of(self, user_id: int | None) -> list[int]:
        if user_id is None:
            return []
        return [r[0] for r in self._all("SELECT group_id FROM group_memberships WHERE user_id = ?", (user_id,))]

    def agents(self, group_id: int | None = None) -> list[dict[str, Any]]:
        """Agents and admins, by name; only members of ``group_id`` when given."""
        if group_id is None:
            rows = self._all(f"SELECT {_USER_SOURCE} FROM users WHERE role IN ('agent', 'admin') AND active = 1 "
                             "ORDER BY name")
        else:
            columns = ", ".join(f"u.{c}" for c in USER_SOURCE)
            rows = self._all(f"SELECT {columns} FROM group_memberships AS m JOIN users AS u ON u.id = m.user_id "
                             "WHERE m.group_id = ? AND u.active = 1 ORDER BY u.name", (group_id,))
        return [user_from_row(r) for r in rows]

    def macros_for_department(self, group_id: int | None, me: int | None = None) -> list[dict[str, Any]]:
        """Active canned replies usable in a department: shared, that group's, and the agent's own."""
        rows = self._all(
            "SELECT raw FROM macros WHERE active = 1 AND (restriction_type IS NULL "
            "OR (restriction_type = 'Group' AND ? IN (SELECT value FROM json_each(restriction_ids))) "
            "OR (restriction_type = 'User' AND ? IN (SELECT value FROM json_each(restriction_ids)))) "
            "ORDER BY position, title", (group_id, me))
        return [loads(r[0]) for r in rows]

    def macro(self, macro_id: int) -> dict[str, Any] | None:
        row = self._one("SELECT raw FROM macros WHERE id = ?", (macro_id,))
        return loads(row[0]) if row else None

    def all_macros(self) -> list[dict[str, Any]]:
        """Every cached macro, active or not (replies, their translations and fragments), by position."""
        return [loads(r[0]) for r in self._all("SELECT raw FROM macros ORDER BY position, title")]

    def canned_reply_usage(self, limit: int = 2000) -> list[tuple[int, int | None, list[str], int]]:
        """Which canned replies this console sent on which kind of ticket: (reply id, ticket department,
        ticket tags, times), most used first (``outbox_queries.CANNED_REPLY_USAGE_SQL``)."""
        with self._lock:
            return q.canned_reply_usage(self._conn, limit)

    def views(self, active_only: bool = True) -> list[dict[str, Any]]:
        sql = "SELECT raw FROM views" + (" WHERE active = 1" if active_only else "") + " ORDER BY position, title"
        return [loads(r[0]) for r in self._all(sql)]

    def ticket_fields(self) -> list[dict[str, Any]]:
        """The account's active custom ticket fields, in the helpdesk's order (system fields left out)."""
        rows = self._all("SELECT raw FROM ticket_fields WHERE active = 1 AND type NOT IN "
                         f"({', '.join('?' * len(SYSTEM_TICKET_FIELDS))}) ORDER BY position, id",
                         tuple(sorted(SYSTEM_TICKET_FIELDS)))
        return [loads(r[0]) for r in rows]

    def user_fields(self) -> list[dict[str, Any]]:
        return [loads(r[0]) for r in self._all("SELECT raw FROM user_fields WHERE active = 1 ORDER BY position, id")]

    # -- search, sync state, drafts, outbox -------------------------------------------

    def search(self, query: str, limit: int = 50, me: int | None = None) -> list[SearchHit]:
        """``me``: who ``assignee:me`` / ``requester:me`` mean."""
        with self._lock:
            return _search(self._conn, query, limit, me)

    def quarantined(self, kind: str | None = None) -> list[QuarantinedRecord]:
        """Records from the helpdesk the cache could not read (``quarantine.summary`` words them)."""
        with self._lock:
            return quarantine.listed(self._conn, kind)

    def sync_state(self, key: str) -> str | None:
        row = self._one("SELECT value FROM sync_state WHERE key = ?", (key,))
        return row[0] if row else None

    def sync_states(self) -> dict[str, str | None]:
        """Every sync_state key and value (cursors, last_success, last_error, refreshed:...)."""
        return dict(self._all("SELECT key, value FROM sync_state"))


def _comment_extras(raw: dict[str, Any]) -> dict[str, Any]:
    """``original_body`` (only when it differs from ``body``) and ``metadata`` from ``comments.raw``."""
    extras: dict[str, Any] = {}
    if isinstance(raw.get("body"), str):
        extras["original_body"] = raw["body"]
    if isinstance(raw.get("metadata"), dict):
        extras["metadata"] = raw["metadata"]
    return extras
