"""Drafts, outbox and conflicts: the agent's own work, written durably (synchronous=FULL).

Mixed into ``CacheWriter``. Every method commits before it returns.

Drafts: ``save_draft(ticket_id, kind, body)``, ``delete_draft(ticket_id, kind)``; reading is
``CacheReader.load_draft / list_drafts`` (also here for the engine). ``ticket_id`` None/0 =
the new-ticket draft.

Outbox lifecycle (state): ``enqueue`` → queued → ``mark_sending`` → sending →
``mark_sent`` → sent | ``mark_failed(error, retry_at)`` → failed (retried once
``retry_at`` passes; no ``retry_at`` = given up) | ``mark_conflict`` → conflict →
``resolve_conflict("resend", updated_stamp=...)`` → queued again, or ``"discard"`` → failed;
``cancel_entry`` → cancelled (the agent took a queued change back: undo).
An entry found in ``sending`` when the writer opened has an unknown outcome
(``unknown_outcome_entries()``): check the helpdesk (audits / external_id), then call
``mark_sent`` or ``requeue``. ``next_sendable`` keeps each ticket's entries in order.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from . import outbox_queries as q
from .records import (
    DRAFT_KINDS,
    OUTBOX_KINDS,
    BadPayloadError,
    Change,
    Kind,
    OutboxEntry,
    StoreError,
    UnknownEntryError,
)
from .rows import dumps, loads


def _json(value: Any, what: str) -> str:
    try:
        return dumps(value)
    except TypeError as exc:
        raise BadPayloadError(f"The {what} cannot be stored as JSON: {exc}") from exc


class LocalWrites(q.LocalReads):
    """Drafts / outbox / conflicts methods of ``CacheWriter`` (needs ``_tx`` and ``_conn``)."""

    _unknown_outcome: set[str]
    _tx: Callable[..., AbstractContextManager[sqlite3.Connection]]   # CacheWriter's write transaction

    # -- drafts ------------------------------------------------------------------------

    def save_draft(self, ticket_id: int | None, kind: str, body: str) -> Change:
        """Create or replace the draft; durable (fsync) when this returns."""
        if kind not in DRAFT_KINDS:
            raise BadPayloadError(f"Unknown draft kind {kind!r}; use one of {', '.join(DRAFT_KINDS)}")
        with self._tx(durable=True) as conn:
            conn.execute("INSERT INTO drafts (ticket_id, kind, body, updated_at) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(ticket_id, kind) DO UPDATE SET body = excluded.body, "
                         "updated_at = excluded.updated_at", (ticket_id or 0, kind, str(body), time.time()))
        return self._draft_change(ticket_id)

    def delete_draft(self, ticket_id: int | None, kind: str) -> Change:
        with self._tx(durable=True) as conn:
            gone = conn.execute("DELETE FROM drafts WHERE ticket_id = ? AND kind = ?", (ticket_id or 0, kind)).rowcount
        return self._draft_change(ticket_id) if gone else Change()



    @staticmethod
    def _draft_change(ticket_id: int | None) -> Change:
        return Change.of(Kind.DRAFTS, tickets=[ticket_id] if ticket_id else None)

    # -- outbox ------------------------------------------------------------------------

    def enqueue(self, kind: str, ticket_id: int | None, payload: dict[str, Any],
                updated_stamp: str | None, *, clear_draft: str | None = None,
                not_before: float | None = None) -> Change:
        """Queue an outgoing change under a fresh UUID; committed (fsync) before returning.

        The returned ``Change`` names the new entry (``change.op_id``; ``get_entry`` reads it back).
        ``clear_draft`` names the draft kind (reply, note, new_ticket) this entry was written
        from: it is deleted in the same transaction, so a crash leaves either the draft or the
        queued entry, never both and never neither. ``not_before`` (local epoch) holds it until
        then: the undo-send grace period, or "send later" (``retry_at`` is what ``next_sendable``
        waits for; a queued entry with no attempts yet is waiting to go, not retrying)."""
        if kind not in OUTBOX_KINDS:
            raise BadPayloadError(f"Unknown outbox kind {kind!r}; use one of {', '.join(OUTBOX_KINDS)}")
        if (kind == "new_ticket") != (ticket_id is None):
            raise BadPayloadError("A new ticket has no ticket id; every other change needs one")
        if not isinstance(payload, dict):
            raise BadPayloadError("The outbox payload must be a JSON object")
        op_id = str(uuid.uuid4())
        with self._tx(durable=True) as conn:
            conn.execute("INSERT INTO outbox (op_id, ticket_id, kind, payload, updated_stamp, state, created_at, "
                         "retry_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
                         (op_id, ticket_id, kind, _json(payload, "outbox payload"), updated_stamp, time.time(),
                          not_before))
            if clear_draft is not None:
                conn.execute("DELETE FROM drafts WHERE ticket_id = ? AND kind = ?", (ticket_id or 0, clear_draft))
                conn.execute("UPDATE outgoing_files SET op_id = ? WHERE ticket_id = ? AND kind = ? AND op_id IS NULL",
                             (op_id, ticket_id or 0, clear_draft))   # the draft's attached files go with it
        change = Change.of(Kind.OUTBOX, tickets=[ticket_id] if ticket_id else None, ops=[op_id])
        return change | (self._draft_change(ticket_id) if clear_draft is not None else Change())

    def next_sendable(self, now: float | None = None) -> OutboxEntry | None:
        with self._lock:
            return q.next_sendable(self._conn, now)

    def cached_updated_at(self, ticket_id: int) -> str | None:
        """The ticket's ``updated_at`` as the cache last saw it (the stamp for a safe update)."""
        with self._lock:
            row = self._conn.execute("SELECT updated_at FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return row[0] if row else None

    def cached_ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """The ticket's API object as the cache last saw it."""
        with self._lock:
            row = self._conn.execute("SELECT raw FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return loads(row[0]) if row else None



    def unknown_outcome_entries(self) -> list[OutboxEntry]:
        """Entries that were ``sending`` when this writer opened: the last run may or may not have sent them."""
        with self._lock:
            entries = [q.get_entry(self._conn, op_id) for op_id in sorted(self._unknown_outcome)]
        return [e for e in entries if e is not None and e.state == "sending"]

    def cancel_entry(self, op_id: str) -> Change:
        """The agent took a queued change back before it went out (undo). Only a ``queued`` entry
        (or a failed one waiting for its retry) can be cancelled: anything sending or sent is on its way."""
        with self._tx(durable=True) as conn:
            entry = self._entry(conn, op_id)
            if not (entry.state == "queued" or (entry.state == "failed" and entry.retry_at is not None)):
                raise StoreError(f"This change is already {entry.state}; it can no longer be taken back")
            conn.execute("UPDATE outbox SET state = 'cancelled', retry_at = NULL, "
                         "last_error = 'Cancelled by the agent' WHERE op_id = ?", (op_id,))
        return self._outbox_change(entry)

    def take_back_entry(self, op_id: str, *, draft_kind: str | None = None, body: str | None = None) -> Change:
        """Cancel a queued (or failed) entry and, in the same transaction, make ``body`` the ticket's
        ``draft_kind`` draft again: undo send, or "edit" from the outbox. Raises ``StoreError``
        when it is already sending or sent (then it can no longer be taken back)."""
        with self._tx(durable=True) as conn:
            entry = self._entry(conn, op_id)
            if not (entry.state == "queued" or entry.state == "failed"):
                raise StoreError(f"This message is already {entry.state}; it can no longer be taken back")
            conn.execute("UPDATE outbox SET state = 'cancelled', retry_at = NULL, "
                         "last_error = 'Taken back by the agent' WHERE op_id = ?", (op_id,))
            if draft_kind is not None and body is not None and body.strip():
                if draft_kind not in DRAFT_KINDS:
                    raise BadPayloadError(f"Unknown draft kind {draft_kind!r}")
                conn.execute("INSERT INTO drafts (ticket_id, kind, body, updated_at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT(ticket_id, kind) DO UPDATE SET body = excluded.body, "
                             "updated_at = excluded.updated_at",
                             (entry.ticket_id or 0, draft_kind, str(body), time.time()))
        change = self._outbox_change(entry)
        return change | (self._draft_change(entry.ticket_id) if draft_kind is not None else Change())

    def reschedule_entry(self, op_id: str, not_before: float | None) -> Change:
        """A queued entry goes out at ``not_before`` instead (None = now); a failed one is retried then."""
        with self._tx(durable=True) as conn:
            entry = self._entry(conn, op_id)
            if entry.state not in ("queued", "failed"):
                raise StoreError(f"This message is already {entry.state}; it cannot be rescheduled")
            conn.execute("UPDATE outbox SET state = 'queued', retry_at = ?, "
                         "last_error = CASE WHEN state = 'failed' THEN last_error END WHERE op_id = ?",
                         (not_before, op_id))
        return self._outbox_change(entry)

    def mark_sending(self, op_id: str) -> Change:
        """About to send: durable, so a crash from here on reads as "outcome unknown"."""
        with self._tx(durable=True) as conn:
            entry = self._entry(conn, op_id)
            if entry.state not in ("queued", "failed") or (entry.state == "failed" and entry.retry_at is None):
                raise StoreError(f"Outbox entry {op_id} is {entry.state}; it cannot be sent now")
            conn.execute("UPDATE outbox SET state = 'sending', attempts = attempts + 1, retry_at = NULL "
                         "WHERE op_id = ?", (op_id,))
        return self._outbox_change(entry)

    def mark_sent(self, op_id: str, result: dict[str, Any] | None = None) -> Change:
        """The helpdesk accepted it; ``result`` keeps the server's ids (ticket, audit, comment)."""
        with self._tx(durable=True) as conn:
            entry = self._entry(conn, op_id)
            conn.execute("UPDATE outbox SET state = 'sent', sent_at = ?, result = ?, last_error = NULL, "
                         "retry_at = NULL WHERE op_id = ?", (time.time(), _json(result or {}, "result"), op_id))
        self._unknown_outcome.discard(op_id)
        return self._outbox_change(entry)

    def mark_failed(self, op_id: str, error: str, retry_at: float | None = None) -> Change:
        """Sending failed: retry after ``retry_at`` (local epoch), or never when it is None."""
        with self._tx(durable=True) as conn:
            entry = self._entry(conn, op_id)
            conn.execute("UPDATE outbox SET state = 'failed', last_error = ?, retry_at = ? WHERE op_id = ?",
                         (str(error), retry_at, op_id))
        self._unknown_outcome.discard(op_id)
        return self._outbox_change(entry)

    def requeue(self, op_id: str, *, updated_stamp: str | None = None, retry_at: float | None = None,
                error: str | None = None, uncount: bool = False) -> Change:
        """Put a failed (or outcome-unknown, checked not sent) entry back in the queue: sendable at
        once, or from ``retry_at`` (local epoch) on, with ``error`` saying why it waits.
        ``uncount``: the attempt never reached the helpdesk, so it does not count in ``attempts``."""
        with self._tx(durable=True) as conn:
            entry = self._entry(conn, op_id)
            if entry.state not in ("failed", "sending"):
                raise StoreError(f"Outbox entry {op_id} is {entry.state}; only failed entries can be retried")
            conn.execute("UPDATE outbox SET state = 'queued', retry_at = ?, last_error = ?, "
                         "attempts = max(0, attempts - ?), updated_stamp = coalesce(?, updated_stamp) "
                         "WHERE op_id = ?", (retry_at, error, int(uncount), updated_stamp, op_id))
        self._unknown_outcome.discard(op_id)
        return self._outbox_change(entry)

    def mark_conflict(self, op_id: str, theirs: dict[str, Any], yours: dict[str, Any]) -> Change:
        """A 409: park the entry and record both sides for the agent."""
        with self._tx(durable=True) as conn:
            entry = self._entry(conn, op_id)
            conn.execute("UPDATE outbox SET state = 'conflict', retry_at = NULL WHERE op_id = ?", (op_id,))
            conn.execute("INSERT INTO conflicts (op_id, ticket_id, theirs, yours, created_at) VALUES (?, ?, ?, ?, ?)",
                         (op_id, entry.ticket_id, _json(theirs, "their ticket"), _json(yours, "your change"),
                          time.time()))
        self._unknown_outcome.discard(op_id)
        return self._outbox_change(entry) | Change(Kind.CONFLICTS)

    def resolve_conflict(self, conflict_id: int, action: str, *, updated_stamp: str | None = None,
                         payload: dict[str, Any] | None = None) -> Change:
        """``"resend"``: requeue with the fresh ``updated_stamp`` (and an edited payload if given);
        ``"discard"``: drop the change (entry becomes failed, marked discarded)."""
        if action not in ("resend", "discard"):
            raise BadPayloadError(f"Unknown conflict resolution {action!r}; use 'resend' or 'discard'")
        if action == "resend" and not updated_stamp:
            raise BadPayloadError("Resending after a conflict needs the ticket's current updated_stamp")
        with self._tx(durable=True) as conn:
            conflict = q.get_conflict(conn, conflict_id)
            if conflict is None or conflict.resolved:
                raise UnknownEntryError(f"No open conflict {conflict_id}")
            entry = self._entry(conn, conflict.op_id)
            if action == "resend":
                conn.execute("UPDATE outbox SET state = 'queued', updated_stamp = ?, last_error = NULL, "
                             "payload = coalesce(?, payload) WHERE op_id = ?",
                             (updated_stamp, None if payload is None else _json(payload, "payload"), entry.op_id))
            else:
                conn.execute("UPDATE outbox SET state = 'failed', retry_at = NULL, "
                             "last_error = 'Discarded by the agent after a conflict' WHERE op_id = ?", (entry.op_id,))
            conn.execute("UPDATE conflicts SET resolved = 1, resolution = ? WHERE id = ?", (action, conflict_id))
        return self._outbox_change(entry) | Change(Kind.CONFLICTS)

    @staticmethod
    def _entry(conn: Any, op_id: str) -> OutboxEntry:
        entry = q.get_entry(conn, op_id)
        if entry is None:
            raise UnknownEntryError(f"No outbox entry {op_id}")
        return entry

    @staticmethod
    def _outbox_change(entry: OutboxEntry) -> Change:
        return Change.of(Kind.OUTBOX, tickets=[entry.ticket_id] if entry.ticket_id else None, ops=[entry.op_id])
