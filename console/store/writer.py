"""The cache's single writer: every write to the cache goes through one ``CacheWriter``.

It owns the write connection (thread-safe behind a lock, so the sync engine may call it
from executor threads) and returns a ``Change`` from every write so the GUI can refresh
only what changed. Readers use their own ``CacheReader`` connections.

Sync pages (input dicts are exactly API-shaped, helpdesk-api.md §3.1, §4.1, §6.2-6.5, §7.1,
§8, §9.1, §10.1); each call is ONE transaction together with its bookmark, so a crash
mid-page leaves the previous cursor and the previous rows:

- ``apply_ticket_page(tickets, cursor, *, end_of_stream, users=None)`` — cursor export page;
  upsert by id, ``generated_timestamp`` is the row version (older versions are ignored);
  ``status: "deleted"`` makes a tombstone and cancels the ticket's queued outbox entries;
  a later normal status un-tombstones it. ``cursor=None`` keeps the stored cursor.
- ``upsert_tickets(tickets)`` — tickets from show/update responses (no cursor).
- ``mark_ticket_missing(ticket_id)`` — a 404 on a ticket we hold: tombstone it.
- ``apply_user_page(users, cursor, *, end_of_stream=False)``
- ``apply_comment_events(ticket_events, end_time)`` — ``ticket_events`` with comment child events.
- ``replace_ticket_comments(ticket_id, comments)`` — a ticket's full thread.
- ``add_ticket_comments(ticket_id, comments)`` — comments from a write's answer (thread kept).
- ``replace_groups / replace_memberships / replace_macros / replace_views / replace_user_fields /
  replace_custom_statuses / replace_brands / replace_ticket_forms / replace_ticket_fields``.
- ``mark_seen(ticket_ids)``, ``set_attachment_path(attachment_id, path)``,
  ``set_sync_state(key, value)``, ``record_sync_result(error=None)``, ``checkpoint()``.

A record of a page the cache cannot read is quarantined (``quarantine.py``) and the rest of the
page stored with its bookmark; the Change then includes ``Kind.QUARANTINE``.

Drafts, outbox and conflicts: see ``local_writes.LocalWrites`` (mixed in here).
Sync state keys: ``SYNC_KEYS`` below.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import fts, quarantine, reply_facts, rows
from .batches import BatchWrites
from .db import connect, transaction
from .local_tickets import LocalTickets
from .local_writes import LocalWrites
from .outgoing import OutgoingWrites
from .records import BadPayloadError, Change, Kind

SYNC_KEYS = {
    "tickets_cursor": "after_cursor of the last applied tickets export page",
    "tickets_end_of_stream": "'1' once a tickets page reached the present",
    "users_cursor": "after_cursor of the last applied users export page",
    "users_end_of_stream": "'1' once a users page reached the present",
    "ticket_events_end_time": "end_time of the last applied ticket_events page",
    "last_success": "local epoch of the last sync round that ended well",
    "last_error": "message of the last failed sync round ('' after a success)",
    "refreshed:<resource>": "local epoch a resource (groups, macros, views...) was last replaced",
    "index_deferred:<table>": "'1' while an initial bulk load of tickets/users/comments skips the search "
                              "index; it is built whole at the end of that stream (or of the round)",
}

_DEFERRED = "index_deferred:"

DELETED_TICKET_ERROR = "The ticket was deleted on the helpdesk, so this change was not sent."

def _upsert(table: str, columns: tuple[str, ...], when: str, extra: tuple[tuple[str, str], ...] = (),
            merged: dict[str, str] | None = None) -> str:
    """INSERT ... ON CONFLICT(id) DO UPDATE every column (plus ``extra`` (column, value) pairs)
    only ``when`` the incoming row should replace the stored one; ``merged`` columns take their
    expression instead of the incoming value."""
    names = [*columns, *(c for c, _ in extra)]
    values = ["?"] * len(columns) + [v for _, v in extra]
    updates = [f"{c} = {(merged or {}).get(c, f'excluded.{c}')}" for c in names[1:]]
    return (f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(values)}) "
            f"ON CONFLICT(id) DO UPDATE SET {', '.join(updates)} WHERE {when}")


def _differs(table: str, columns: tuple[str, ...]) -> str:
    """Any stored column differs (``raw`` keeps only what the columns do not, so compare them all)."""
    return "(" + " OR ".join(f"excluded.{c} IS NOT {table}.{c}" for c in columns[1:]) + ")"


# the times as numbers too (cache migration 12: the dashboard reads them off its index); ?N is the ISO column
_TICKET_EPOCHS = tuple((f"{c[:-3]}_ts", f"unixepoch(?{rows.TICKET_COLUMNS.index(c) + 1})")
                       for c in ("created_at", "updated_at"))
_TICKET_UPSERT = _upsert(
    "tickets", rows.TICKET_COLUMNS, extra=(("changed_at", "?"), ("seen", "0"), *_TICKET_EPOCHS),
    when="excluded.generated_ts > tickets.generated_ts "
         f"OR (excluded.generated_ts = tickets.generated_ts AND {_differs('tickets', rows.TICKET_COLUMNS)})")
_TICKET_UPSERT_KEEP_SEEN = _upsert(   # the agent's own change coming back: it stays seen (or unseen) as it was
    "tickets", rows.TICKET_COLUMNS, extra=(("changed_at", "?"), *_TICKET_EPOCHS),
    when="excluded.generated_ts > tickets.generated_ts "
         f"OR (excluded.generated_ts = tickets.generated_ts AND {_differs('tickets', rows.TICKET_COLUMNS)})")
_VERSION, _DELETED, _CREATED = (rows.TICKET_COLUMNS.index(c) for c in ("generated_ts", "deleted", "created_at"))
_ROLE = rows.USER_COLUMNS.index("role")
_USER_UPSERT = _upsert(
    "users", rows.USER_COLUMNS, extra=(("changed_at", "?"),),
    when=f"{_differs('users', rows.USER_COLUMNS)} AND (users.updated_at IS NULL OR excluded.updated_at IS NULL "
         "OR excluded.updated_at >= users.updated_at)")
# ``raw`` is merged, not replaced: an export's comment (no metadata) keeps what the thread's gave.
_MERGED_RAW = "json_patch(COALESCE(comments.raw, '{}'), excluded.raw)"
_COMMENT_UPSERT = _upsert(
    "comments", rows.COMMENT_COLUMNS,
    when=" OR ".join(f"excluded.{c} IS NOT comments.{c}" for c in ("body", "public", "html_body", "attachments"))
    + f" OR (excluded.raw IS NOT NULL AND {_MERGED_RAW} IS NOT comments.raw)",
    merged={"raw": f"CASE WHEN excluded.raw IS NULL THEN comments.raw ELSE {_MERGED_RAW} END"})
_ATTACHMENT_UPSERT = _upsert(
    "attachments", rows.ATTACHMENT_COLUMNS,
    when=" OR ".join(f"excluded.{c} IS NOT attachments.{c}" for c in rows.ATTACHMENT_COLUMNS[1:]))

_TABLE_KINDS = {"groups": Kind.DEPARTMENTS, "group_memberships": Kind.MEMBERSHIPS, "macros": Kind.CANNED_REPLIES,
                "views": Kind.VIEWS, "user_fields": Kind.USER_FIELDS, "custom_statuses": Kind.CUSTOM_STATUSES,
                "brands": Kind.BRANDS, "ticket_forms": Kind.TICKET_FORMS,
                "ticket_fields": Kind.TICKET_FIELDS}


def _list(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise BadPayloadError(f"Expected a list of {what}, got {type(value).__name__}")
    return value


def _comments_change(ticket_ids: set[int]) -> Change:
    return Change.of(Kind.COMMENTS, tickets=ticket_ids) if ticket_ids else Change()


def _same_rows(stored: Iterable[tuple], new_rows: list[tuple]) -> bool:
    """Whether a table's rows (``stored``) are exactly ``new_rows``, in any order (ids are unique)."""
    def by_id(row: tuple) -> Any:
        return row[0]
    return sorted(map(tuple, stored), key=by_id) == sorted(new_rows, key=by_id)


def _stored_versions(conn: Any, ids: list[int]) -> dict[int, tuple[int, tuple, str]]:
    """id -> (generated_ts, stored row, subject) of the tickets already cached."""
    out = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for r in conn.execute(f"SELECT {', '.join(rows.TICKET_COLUMNS)} FROM tickets "
                              f"WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[r[0]] = (r[_VERSION], tuple(r), r[1])
    return out


@dataclass(frozen=True)
class Prepared:
    """A sync page already turned into rows (``prepare_tickets`` / ``prepare_users`` /
    ``prepare_comment_events``): pure Python, no database, so it can run on the thread that fetched
    the page while the writer is busy with the previous one. The apply methods take it in place of
    the API objects."""

    kind: str                     # "tickets" | "users" | "comments"
    rows: list                    # readable rows (comments: (comment row, attachment rows) pairs)
    bad: list[tuple[Any, str]]    # (object, reason) of the unreadable ones, for the quarantine
    bad_events: list[tuple[Any, str]] = field(default_factory=list)  # comments: unreadable ticket events


def prepare_tickets(tickets: list[dict] | Prepared) -> Prepared:
    if isinstance(tickets, Prepared):
        return tickets
    return Prepared("tickets", *quarantine.split(_list(tickets, "tickets"), rows.ticket_row))


def prepare_users(users: list[dict] | Prepared) -> Prepared:
    if isinstance(users, Prepared):
        return users
    return Prepared("users", *quarantine.split(_list(users, "users"), rows.user_row))


def _comment_rows(pair: tuple[dict, int]) -> tuple[tuple, list[tuple]]:
    return rows.comment_row(*pair), rows.attachment_rows(*pair)


def prepare_comments(comments: list[tuple[dict, int]]) -> Prepared:
    """(comment, ticket id) pairs as rows."""
    readable, bad = quarantine.split(comments, _comment_rows)
    return Prepared("comments", readable, [(pair[0], reason) for pair, reason in bad])


def prepare_comment_events(ticket_events: list[dict] | Prepared) -> Prepared:
    """The comment child events of a ``ticket_events`` page as rows."""
    if isinstance(ticket_events, Prepared):
        return ticket_events
    comments: list[tuple[dict, int]] = []
    bad = []
    for event in _list(ticket_events, "ticket events"):
        try:
            ticket_id = rows._id(event, "ticket event", "ticket_id")
        except BadPayloadError as exc:
            bad.append((event, str(exc)))
            continue
        children = event.get("child_events")
        for child in children if isinstance(children, list) else []:
            if isinstance(child, dict) and child.get("event_type") == "Comment":
                comments.append((child, ticket_id))
    prepared = prepare_comments(comments)
    return Prepared("comments", prepared.rows, prepared.bad, bad)


class CacheWriter(LocalWrites, OutgoingWrites, LocalTickets, BatchWrites):
    """Owns the cache's write connection. Open one per cache file; ``close()`` when done."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn = connect(self.path)
        # checkpoint every ~32 MB of WAL instead of 4 MB: sync pages commit ~1 MB each
        self._conn.execute("PRAGMA wal_autocheckpoint = 8000")
        self._lock = threading.RLock()
        self._unknown_outcome = {r[0] for r in self._conn.execute("SELECT op_id FROM outbox WHERE state = 'sending'")}
        self._deferred = {r[0].removeprefix(_DEFERRED) for r in self._conn.execute(
            "SELECT key FROM sync_state WHERE key LIKE ? AND value = '1'", (_DEFERRED + "%",))}

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def release_memory(self) -> None:
        """Hand back the page cache a sync filled (up to ``WRITER_CACHE_KIB``); it refills as needed."""
        with self._lock:
            self._conn.execute("PRAGMA shrink_memory")

    def checkpoint(self) -> None:
        """Fold the WAL back into the database file; call when a sync round ends (passive, never blocks readers)."""
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def __enter__(self) -> CacheWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self, *, durable: bool = False) -> Iterator[Any]:
        with self._lock, transaction(self._conn, durable=durable) as conn:
            yield conn

    # -- tickets -----------------------------------------------------------------------

    def apply_ticket_page(self, tickets: list[dict] | Prepared, cursor: str | None, *, end_of_stream: bool,
                          users: list[dict] | Prepared | None = None, bulk: bool = False) -> Change:
        """One tickets export page (+ optional side-loaded users) and its cursor, atomically.
        ``bulk``: this stream may be an initial load (see ``_bulk``)."""
        prepared = prepare_tickets(tickets)
        side = prepare_users(users) if users else None
        with self._tx() as conn:
            self._bulk(conn, "tickets", bulk)
            change = self._upsert_tickets(conn, prepared)
            if side is not None and (side.rows or side.bad):
                change |= self._upsert_users(conn, side)
            if cursor is not None:
                self._set_state(conn, "tickets_cursor", cursor)
            if end_of_stream:
                self._set_state(conn, "tickets_end_of_stream", "1")
                self._build_deferred(conn, "tickets")
        return change

    def upsert_tickets(self, tickets: list[dict], *, keep_seen: bool = False) -> Change:
        """Tickets from show/update responses; same version rules as export pages. ``keep_seen``:
        the helpdesk's answer to the agent's own change (it must not make the ticket unseen)."""
        prepared = prepare_tickets(tickets)
        with self._tx() as conn:
            return self._upsert_tickets(conn, prepared, keep_seen=keep_seen)

    def mark_ticket_missing(self, ticket_id: int) -> Change:
        """The helpdesk answered 404 for a ticket we hold: tombstone it (keeps its version)."""
        with self._tx() as conn:
            hit = conn.execute("UPDATE tickets SET deleted = 1, changed_at = ? WHERE id = ? AND deleted = 0",
                               (time.time(), ticket_id)).rowcount
            if not hit:
                return Change()
            return Change.of(Kind.TICKETS, tickets=[ticket_id]) | self._cancel_outbox(conn, [ticket_id])

    def _upsert_ticket_list(self, conn: Any, tickets: list[dict]) -> Change:
        return self._upsert_tickets(conn, prepare_tickets(tickets))

    def _upsert_tickets(self, conn: Any, prepared: Prepared, *, keep_seen: bool = False) -> Change:
        held = quarantine.record(conn, "ticket", prepared.bad)
        by_id = {row[0]: row for row in prepared.rows}  # the same ticket twice in a page: the later one wins
        if held or by_id:
            held |= quarantine.release(conn, "ticket", by_id)
        return held | self._upsert_ticket_rows(conn, by_id, keep_seen=keep_seen)

    def _upsert_ticket_rows(self, conn: Any, by_id: dict[int, tuple], *, keep_seen: bool = False) -> Change:
        stored = _stored_versions(conn, list(by_id))
        fresh = [row for i, row in by_id.items()
                 if i not in stored or row[_VERSION] > stored[i][0]
                 or (row[_VERSION] == stored[i][0] and row != stored[i][1])]
        if not fresh:
            return Change()
        now = time.time()
        conn.executemany(_TICKET_UPSERT_KEEP_SEEN if keep_seen else _TICKET_UPSERT, [(*row, now) for row in fresh])
        if "tickets" not in self._deferred:
            fts.reindex(conn, "tickets", {r[0]: (stored[r[0]][2],) for r in fresh if r[0] in stored},
                        {r[0]: (r[1],) for r in fresh})
        # the reply facts read the ticket's creation time (a thread may have come before its ticket)
        self._refresh_facts(conn, [r[0] for r in fresh if r[0] not in stored or r[_CREATED] != stored[r[0]][1][_CREATED]])
        change = Change.of(Kind.TICKETS, tickets=(r[0] for r in fresh))
        tombstoned = [r[0] for r in fresh if r[_DELETED]]
        if tombstoned:
            change |= self._cancel_outbox(conn, tombstoned)
        return change

    def _cancel_outbox(self, conn: Any, ticket_ids: list[int]) -> Change:
        marks = ",".join("?" * len(ticket_ids))
        cancelled = conn.execute(
            f"UPDATE outbox SET state = 'failed', retry_at = NULL, last_error = ? "
            f"WHERE ticket_id IN ({marks}) AND (state = 'queued' OR (state = 'failed' AND retry_at IS NOT NULL)) "
            "RETURNING op_id", (DELETED_TICKET_ERROR, *ticket_ids)).fetchall()
        if not cancelled:
            return Change()
        return Change.of(Kind.OUTBOX, tickets=ticket_ids, ops=(r[0] for r in cancelled))

    def mark_seen(self, ticket_ids: Iterable[int], seen: bool = True) -> Change:
        ids = list(ticket_ids)
        with self._tx() as conn:
            conn.executemany("UPDATE tickets SET seen = ? WHERE id = ?", [(int(seen), i) for i in ids])
        return Change.of(Kind.SEEN, tickets=ids) if ids else Change()

    # -- users -------------------------------------------------------------------------

    def apply_user_page(self, users: list[dict] | Prepared, cursor: str | None, *, end_of_stream: bool = False,
                        bulk: bool = False) -> Change:
        """One users export page and its cursor, atomically (``bulk``: see ``_bulk``)."""
        prepared = prepare_users(users)
        with self._tx() as conn:
            self._bulk(conn, "users", bulk)
            change = self._upsert_users(conn, prepared)
            if cursor is not None:
                self._set_state(conn, "users_cursor", cursor)
            if end_of_stream:
                self._set_state(conn, "users_end_of_stream", "1")
                self._build_deferred(conn, "users")
        return change

    def _upsert_users(self, conn: Any, prepared: Prepared) -> Change:
        now = time.time()
        held = quarantine.record(conn, "user", prepared.bad)
        by_id = {row[0]: row for row in prepared.rows}
        held |= quarantine.release(conn, "user", by_id)
        deferred = "users" in self._deferred
        old = {} if deferred else fts.indexed(conn, "users", by_id)
        was_agent = {r[0] for r in conn.execute(
            "SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?)) AND role IN ('agent', 'admin')",
            (rows.dumps(list(by_id)),))}
        changed = set()
        for row in by_id.values():
            if conn.execute(_USER_UPSERT, (*row, now)).rowcount:
                changed.add(row[0])
        # who is an agent decides whose comment is a reply (a user first seen counts as a change)
        self._refresh_facts(conn, [i for i in changed if reply_facts.is_agent(by_id[i][_ROLE]) != (i in was_agent)], authors=True)
        if not deferred:
            fts.reindex(conn, "users", {i: old[i] for i in changed if i in old}, {i: by_id[i][1:4] for i in changed})
        return held | (Change.of(Kind.USERS, users=changed) if changed else Change())

    # -- comments ----------------------------------------------------------------------

    def apply_comment_events(self, ticket_events: list[dict] | Prepared, end_time: int, *,
                             end_of_stream: bool = False, bulk: bool = False) -> Change:
        """A ticket_events page (include=comment_events) and its end_time, atomically (``bulk``: see ``_bulk``)."""
        prepared = prepare_comment_events(ticket_events)
        with self._tx() as conn:
            self._bulk(conn, "comments", bulk)
            held = quarantine.record(conn, "ticket event", prepared.bad_events)
            touched, held_comments = self._upsert_comments(conn, prepared)
            self._set_state(conn, "ticket_events_end_time", str(int(end_time)))
            if end_of_stream:
                self._build_deferred(conn, "comments")
        return held | held_comments | _comments_change(touched)

    def replace_ticket_comments(self, ticket_id: int, comments: list[dict]) -> Change:
        """A ticket's whole thread: comments no longer listed are removed."""
        comments = _list(comments, "comments")
        keep = [c["id"] for c in comments if isinstance(c, dict) and isinstance(c.get("id"), int)]
        with self._tx() as conn:
            before = conn.total_changes
            marks = ",".join("?" * len(keep))
            gone = f"ticket_id = ? AND id NOT IN ({marks})" if keep else "ticket_id = ?"
            if "comments" not in self._deferred:
                fts.unindex(conn, "comments", fts.indexed(conn, "comments", where=gone, params=(ticket_id, *keep)))
            conn.execute(f"DELETE FROM attachments WHERE comment_id IN (SELECT id FROM comments WHERE {gone})",
                         (ticket_id, *keep))
            conn.execute(f"DELETE FROM comments WHERE {gone}", (ticket_id, *keep))
            _touched, held = self._upsert_comments(conn, prepare_comments([(c, ticket_id) for c in comments]))
            moved = conn.total_changes != before
            if moved:
                self._refresh_facts(conn, [ticket_id])
        return held | (_comments_change({ticket_id}) if moved else Change())

    def add_ticket_comments(self, ticket_id: int, comments: list[dict]) -> Change:
        """Comments of one ticket from a write's answer (our own reply): added, the thread kept."""
        comments = _list(comments, "comments")
        prepared = prepare_comments([(c, ticket_id) for c in comments])
        with self._tx() as conn:
            touched, held = self._upsert_comments(conn, prepared)
        return held | _comments_change(touched)

    def _upsert_comments(self, conn: Any, prepared: Prepared) -> tuple[set[int], Change]:
        """Upsert readable comments (and their attachments); returns (ticket ids touched, quarantine Change)."""
        before = conn.total_changes
        held = quarantine.record(conn, "comment", prepared.bad)
        comment_rows = [r for r, _ in prepared.rows]
        attachment_rows = [a for _, atts in prepared.rows for a in atts]
        if comment_rows:
            held |= quarantine.release(conn, "comment", [r[0] for r in comment_rows])
        deferred = "comments" in self._deferred
        old = {} if deferred else fts.indexed(conn, "comments", {r[0] for r in comment_rows})
        # a stored comment's ticket, in case the upsert moves it to another one
        threads = {r[0] for r in conn.execute(
            "SELECT DISTINCT ticket_id FROM comments WHERE id IN (SELECT value FROM json_each(?))",
            (rows.dumps([r[0] for r in comment_rows]),))} if comment_rows else set()
        conn.executemany(_COMMENT_UPSERT, comment_rows)
        if not deferred:
            fts.reindex(conn, "comments", old, {r[0]: (r[4],) for r in comment_rows})
        if attachment_rows:
            conn.executemany(_ATTACHMENT_UPSERT, attachment_rows)
        if conn.total_changes == before:
            return set(), held
        touched = {r[1] for r in comment_rows}
        self._refresh_facts(conn, touched | threads)
        return touched, held

    def set_attachment_path(self, attachment_id: int, local_path: str | Path | None) -> Change:
        """Remember where a downloaded attachment was saved (None forgets it)."""
        with self._tx() as conn:
            row = conn.execute("UPDATE attachments SET local_path = ? WHERE id = ? RETURNING ticket_id",
                               (None if local_path is None else str(local_path), attachment_id)).fetchone()
        return Change.of(Kind.COMMENTS, tickets=[row[0]] if row[0] else None) if row else Change()

    # -- small resources: full replacement ---------------------------------------------

    def replace_groups(self, groups: list[dict]) -> Change:
        return self._replace("groups", "id, name, description, deleted, raw", rows.group_row, groups)

    def replace_memberships(self, memberships: list[dict]) -> Change:
        return self._replace("group_memberships", "id, user_id, group_id, is_default",
                             rows.membership_row, memberships)

    def replace_macros(self, macros: list[dict]) -> Change:
        return self._replace("macros", "id, title, body_text, active, position, restriction_type, "
                             "restriction_ids, raw", rows.macro_row, macros)

    def replace_views(self, views: list[dict]) -> Change:
        return self._replace("views", "id, title, active, position, conditions, execution, raw",
                             rows.view_row, views)

    def replace_user_fields(self, user_fields: list[dict]) -> Change:
        return self._replace("user_fields", "id, key, type, title, active, position, options, raw",
                             rows.user_field_row, user_fields)

    def replace_custom_statuses(self, statuses: list[dict]) -> Change:
        return self._replace("custom_statuses", "id, status_category, agent_label, active, is_default, raw",
                             rows.custom_status_row, statuses)

    def replace_brands(self, brands: list[dict]) -> Change:
        return self._replace("brands", "id, name, active, is_default, raw", lambda b: rows.named_row(b, "brand"), brands)

    def replace_ticket_forms(self, forms: list[dict]) -> Change:
        return self._replace("ticket_forms", "id, name, active, is_default, raw",
                             lambda f: rows.named_row(f, "ticket form"), forms)

    def replace_ticket_fields(self, fields: list[dict]) -> Change:
        return self._replace("ticket_fields", "id, type, title, active, position, raw", rows.ticket_field_row, fields)

    def _replace(self, table: str, columns: str, to_row: Any, items: list[dict]) -> Change:
        new_rows, bad = quarantine.split(_list(items, table), lambda item: rows.plain(to_row(item)))
        marks = ", ".join("?" * len(new_rows[0])) if new_rows else ""
        kind = {"group_memberships": "group membership", "user_fields": "user field",
                "custom_statuses": "custom status", "ticket_forms": "ticket form",
                "ticket_fields": "ticket field"}.get(table, table[:-1])
        with self._tx() as conn:
            held = quarantine.record(conn, kind, bad) | quarantine.release(conn, kind, [r[0] for r in new_rows])
            self._set_state(conn, f"refreshed:{table}", str(time.time()))
            if _same_rows(conn.execute(f"SELECT {columns} FROM {table}"), new_rows):
                # every periodic refresh of an unchanged account: no rewrite, no search re-index,
                # and no change for the window to react to (queue pane, reply catalog...)
                return held
            if table in fts.FTS_TABLES:
                fts.clear(conn, table)
            conn.execute(f"DELETE FROM {table}")
            if new_rows:
                conn.executemany(f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({marks})", new_rows)
            if table == "macros":
                fts.reindex(conn, table, {}, {r[0]: (r[1], r[2]) for r in new_rows})
        return held | Change(_TABLE_KINDS[table])

    # -- sync state --------------------------------------------------------------------

    def set_sync_state(self, key: str, value: str | None) -> Change:
        with self._tx() as conn:
            self._set_state(conn, key, value)
        return Change(Kind.SYNC_STATE)

    def record_sync_result(self, error: str | None = None) -> Change:
        """End of a sync round: success stamps last_success (and builds any search index still
        deferred: every stream has been read); an error is kept for the status bar."""
        with self._tx() as conn:
            if error is None:
                self._set_state(conn, "last_success", str(time.time()))
                for table in sorted(self._deferred):
                    self._build_deferred(conn, table)
            self._set_state(conn, "last_error", error or "")
        return Change(Kind.SYNC_STATE)

    # -- the search index of an initial bulk load ------------------------------------------

    def _bulk(self, conn: Any, table: str, bulk: bool) -> None:
        """A bulk stream's page into an EMPTY table starts an initial load: the search index of
        ``table`` is skipped page by page (a third of the sync's writing work: every page's FTS
        segment merged again and again) and built whole from the table when the stream ends
        (``_build_deferred``), in the transaction of that last page. Meanwhile search does not
        find that table's rows. Kept in sync_state, so a load cut short resumes deferred."""
        if bulk and table not in self._deferred and conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None:
            self._set_state(conn, _DEFERRED + table, "1")
            self._deferred.add(table)

    def _refresh_facts(self, conn: Any, ticket_ids: Any, *, authors: bool = False) -> None:
        """``reply_facts.refresh`` (``refresh_authors`` with ``authors``), skipped while the comments'
        initial load is deferred: every ticket's facts are worked out once when it ends, not again
        for each page's tickets (~10% of the first sync's writing work)."""
        if "comments" not in self._deferred:
            (reply_facts.refresh_authors if authors else reply_facts.refresh)(conn, ticket_ids)

    def _build_deferred(self, conn: Any, table: str) -> None:
        if table in self._deferred:
            fts.rebuild(conn, table)
            if table == "comments":
                reply_facts.rebuild(conn)
            conn.execute("DELETE FROM sync_state WHERE key = ?", (_DEFERRED + table,))
            self._deferred.discard(table)

    @property
    def deferred_index(self) -> frozenset[str]:
        """Tables whose search index waits for the end of their initial load."""
        return frozenset(self._deferred)

    @staticmethod
    def _set_state(conn: Any, key: str, value: str | None) -> None:
        conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
