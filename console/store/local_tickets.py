"""Tickets the agent created that the helpdesk does not have yet (mixed into ``CacheWriter``).

``enqueue_new_ticket(payload, shown)`` queues a ``new_ticket`` outbox entry and, in the same
transaction, puts a stand-in row into ``tickets`` so the lists show it at once: its id is negative
(``-seq`` of the entry: never a helpdesk id), its ``external_id`` is the entry's op id and its raw
object carries ``"_local": True`` (``is_local``: "not yet on the helpdesk"). The new-ticket draft
(ticket 0) and its files go with the entry. ``swap_local_ticket(op_id, ticket)`` writes the real
ticket and removes the stand-in in one transaction, so the list never shows both or neither.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from . import fts
from .records import Change, Kind
from .rows import dumps


def is_local(ticket: dict[str, Any] | None) -> bool:
    """A stand-in for a ticket still in the outbox (negative id)."""
    ticket_id = (ticket or {}).get("id")
    return isinstance(ticket_id, int) and ticket_id < 0


class LocalTickets:
    _tx: Callable[..., AbstractContextManager[sqlite3.Connection]]
    _upsert_ticket_list: Callable[[Any, list[dict]], Change]   # CacheWriter's, for API-shaped tickets

    def enqueue_new_ticket(self, payload: dict[str, Any], shown: dict[str, Any]) -> Change:
        """Queue the create (``payload`` as for ``POST /tickets``) and show ``shown`` (subject,
        requester_id, group_id, assignee_id, priority, tags...) in the lists until it lands.
        ``change.op_id`` is the entry; ``change.ticket_ids`` holds the stand-in's id."""
        op_id = str(uuid.uuid4())
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._tx(durable=True) as conn:
            seq = conn.execute("INSERT INTO outbox (op_id, ticket_id, kind, payload, updated_stamp, state, created_at) "
                               "VALUES (?, NULL, 'new_ticket', ?, NULL, 'queued', ?) RETURNING seq",
                               (op_id, dumps(payload), time.time())).fetchone()[0]
            local_id = -int(seq)
            stand_in = {**shown, "id": local_id, "external_id": op_id, "status": shown.get("status") or "new",
                        "created_at": now, "updated_at": now, "_local": True}
            change = self._upsert_ticket_list(conn, [stand_in])
            conn.execute("DELETE FROM drafts WHERE ticket_id = 0 AND kind = 'new_ticket'")
            conn.execute("UPDATE outgoing_files SET op_id = ? WHERE ticket_id = 0 AND kind = 'new_ticket' "
                         "AND op_id IS NULL", (op_id,))
        return change | Change.of(Kind.OUTBOX | Kind.DRAFTS, tickets=[local_id], ops=[op_id])

    def swap_local_ticket(self, op_id: str, ticket: dict[str, Any] | None) -> Change:
        """The helpdesk created it: the real ticket in, the stand-in out (one transaction)."""
        with self._tx() as conn:
            change = self._upsert_ticket_list(conn, [ticket]) if ticket else Change()
            gone = conn.execute("DELETE FROM tickets WHERE id < 0 AND external_id = ? RETURNING id, subject",
                                (op_id,)).fetchall()
            if gone:
                fts.unindex(conn, "tickets", {r[0]: (r[1],) for r in gone})
                change |= Change.of(Kind.TICKETS, tickets=[r[0] for r in gone])
        return change
