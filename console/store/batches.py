"""Bulk changes: one outbox batch of per-ticket ``fields`` entries (mixed into ``CacheWriter``).

``enqueue_batch(stamps, fields) -> (Change, batch_id)`` queues, in one durable transaction, one ``fields`` entry per
ticket (``stamps``: ticket id → the ``updated_at`` the agent saw) whose payload is
``{"fields": fields, "batch": batch_id}``: each ticket keeps its own state (queued → sent, a
conflict, failed), shows its queued values in the lists (``pending_fields``) and keeps its
place in that ticket's order, while the sender delivers up to ``BATCH_SIZE`` of them with one
``update_many`` (console/sync/push.py). ``batch_sendable`` is ``next_sendable`` for the rest of
a batch; ``mark_sending_many`` / ``mark_sent_many`` record a chunk in one transaction;
``mark_outcome_unknown`` hands entries whose chunk's answer was lost to the start-of-push
check; ``batch_counts`` says where a batch stands; ``cancel_batch`` takes back what is still queued.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from . import outbox_queries as q
from .records import Change, Kind, OutboxEntry
from .rows import dumps

BATCH_SIZE = 100   # Zendesk's update_many takes at most 100 tickets
_BATCH = "json_extract(o.payload, '$.batch')"


class BatchReads:
    _lock: AbstractContextManager[Any]
    _conn: sqlite3.Connection

    def batch_counts(self, batch_id: str) -> dict[str, int]:
        """How many of the batch's entries are in each state."""
        with self._lock:
            return dict(self._conn.execute(f"SELECT o.state, count(*) FROM outbox AS o WHERE {_BATCH} = ? "
                                           "GROUP BY o.state", (batch_id,)).fetchall())


class BatchWrites(BatchReads):
    _tx: Callable[..., AbstractContextManager[sqlite3.Connection]]
    _unknown_outcome: set[str]

    def enqueue_batch(self, stamps: dict[int, str | None], fields: dict[str, Any]) -> tuple[Change, str]:
        """One entry per ticket, one transaction: (the Change naming every entry and ticket, the batch id)."""
        batch_id = str(uuid.uuid4())
        payload = dumps({"fields": dict(fields), "batch": batch_id})
        now = time.time()
        rows = [(str(uuid.uuid4()), ticket_id, payload, stamp, now) for ticket_id, stamp in stamps.items()]
        with self._tx(durable=True) as conn:
            conn.executemany("INSERT INTO outbox (op_id, ticket_id, kind, payload, updated_stamp, state, created_at) "
                             "VALUES (?, ?, 'fields', ?, ?, 'queued', ?)", rows)
        return Change.of(Kind.OUTBOX, tickets=list(stamps), ops=[r[0] for r in rows]), batch_id

    def batch_sendable(self, batch_id: str, now: float | None = None, limit: int = BATCH_SIZE) -> list[OutboxEntry]:
        """The batch's entries ready to send, each with no earlier unfinished entry of its ticket."""
        now = time.time() if now is None else now
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {q._ENTRY_COLUMNS} FROM outbox AS o "
                f"WHERE {_BATCH} = :batch AND (o.state = 'queued' AND (o.retry_at IS NULL OR o.retry_at <= :now) "
                "       OR o.state = 'failed' AND o.retry_at IS NOT NULL AND o.retry_at <= :now) "
                "AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.ticket_id = o.ticket_id AND e.seq < o.seq "
                "     AND (e.state IN ('queued', 'sending', 'conflict') OR (e.state = 'failed' AND e.retry_at IS NOT NULL))) "
                "ORDER BY o.seq LIMIT :limit", {"batch": batch_id, "now": now, "limit": limit}).fetchall()
        return [q._entry(r) for r in rows]

    def mark_sending_many(self, op_ids: list[str]) -> Change:
        with self._tx(durable=True) as conn:
            conn.executemany("UPDATE outbox SET state = 'sending', attempts = attempts + 1, retry_at = NULL "
                             "WHERE op_id = ? AND state IN ('queued', 'failed')", [(o,) for o in op_ids])
        return Change.of(Kind.OUTBOX, ops=op_ids)

    def mark_sent_many(self, results: dict[str, dict[str, Any]]) -> Change:
        """Entries the helpdesk applied (op id → result), in one transaction."""
        sent_at = time.time()
        with self._tx(durable=True) as conn:
            conn.executemany("UPDATE outbox SET state = 'sent', sent_at = ?, result = ?, last_error = NULL, "
                             "retry_at = NULL WHERE op_id = ?", [(sent_at, dumps(r), o) for o, r in results.items()])
        tickets = [r.get("ticket_id") for r in results.values()]
        for op_id in results:
            self._unknown_outcome.discard(op_id)
        return Change.of(Kind.OUTBOX, tickets=[t for t in tickets if t], ops=list(results))

    def mark_outcome_unknown(self, op_ids: list[str]) -> None:
        """These entries stay ``sending``: the next push asks the helpdesk whether they landed."""
        with self._tx():
            self._unknown_outcome.update(op_ids)

    def cancel_batch(self, batch_id: str) -> Change:
        """Undo: the batch's entries not sent yet are cancelled (anything on its way goes on)."""
        with self._tx(durable=True) as conn:
            rows = conn.execute(
                f"UPDATE outbox AS o SET state = 'cancelled', retry_at = NULL, last_error = 'Cancelled by the agent' "
                f"WHERE {_BATCH} = ? AND (o.state = 'queued' OR (o.state = 'failed' AND o.retry_at IS NOT NULL)) "
                "RETURNING op_id, ticket_id", (batch_id,)).fetchall()
        return Change.of(Kind.OUTBOX, tickets=[r[1] for r in rows], ops=[r[0] for r in rows]) if rows else Change()


def batch_of(entry: OutboxEntry) -> str | None:
    """The batch an entry belongs to (None for a single change)."""
    batch = entry.payload.get("batch") if isinstance(entry.payload, dict) else None
    return batch if isinstance(batch, str) else None
