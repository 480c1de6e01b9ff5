"""Files the agent attaches to a reply, note or new ticket (table ``outgoing_files``, migration 6).

Mixed into ``CacheReader`` (reads) and ``CacheWriter`` (reads and writes). The bytes live in a
file in the cache folder (copied there by ``console.ops.attachments`` before ``add_outgoing_file``
is called); the row names it. A file belongs to a draft (``ticket_id``, ``kind``; ticket 0 is the
new-ticket draft) until ``CacheWriter.enqueue(..., clear_draft=kind)`` hands the draft's files to
the new outbox entry in the same transaction; the sender uploads them (``set_upload_token``
records each token durably, so a delivery interrupted after its uploads reuses them) and
``clear_upload_tokens`` forgets tokens the helpdesk no longer knows (expired: upload again).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from .records import Change, Kind

_COLUMNS = "id, ticket_id, kind, op_id, file_name, content_type, size, path, upload_token"


@dataclass(frozen=True)
class OutgoingFile:
    """One attached file: in the cache folder at ``path``; ``upload_token`` once uploaded."""

    id: int
    ticket_id: int
    kind: str
    op_id: str | None
    file_name: str
    content_type: str
    size: int
    path: str
    upload_token: str | None


def _files(conn: sqlite3.Connection, where: str, params: tuple) -> list[OutgoingFile]:
    return [OutgoingFile(*r) for r in conn.execute(f"SELECT {_COLUMNS} FROM outgoing_files WHERE {where} "
                                                  "ORDER BY id", params)]


class OutgoingReads:
    _lock: AbstractContextManager[Any]
    _conn: sqlite3.Connection

    def draft_files(self, ticket_id: int | None, kind: str) -> list[OutgoingFile]:
        """The files attached to a draft, in the order they were added."""
        with self._lock:
            return _files(self._conn, "ticket_id = ? AND kind = ? AND op_id IS NULL", (ticket_id or 0, kind))

    def entry_files(self, op_id: str) -> list[OutgoingFile]:
        """The files an outbox entry carries."""
        with self._lock:
            return _files(self._conn, "op_id = ?", (op_id,))

    def outgoing_file(self, file_id: int) -> OutgoingFile | None:
        with self._lock:
            found = _files(self._conn, "id = ?", (file_id,))
        return found[0] if found else None


class OutgoingWrites(OutgoingReads):
    _tx: Callable[..., AbstractContextManager[sqlite3.Connection]]

    def add_outgoing_file(self, ticket_id: int | None, kind: str, *, file_name: str, content_type: str,
                          size: int, path: str) -> Change:
        """Attach a file (already copied to ``path``) to a draft; durable when this returns.
        ``change.op_id`` carries the new file's id as a string."""
        with self._tx(durable=True) as conn:
            file_id = conn.execute(
                "INSERT INTO outgoing_files (ticket_id, kind, file_name, content_type, size, path, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (ticket_id or 0, kind, file_name, content_type, int(size), str(path), time.time())).fetchone()[0]
        return Change.of(Kind.DRAFTS, tickets=[ticket_id] if ticket_id else None, ops=[str(file_id)])

    def remove_outgoing_file(self, file_id: int) -> tuple[Change, str | None]:
        """Take a file off its draft (one already handed to an outbox entry stays): the Change and
        the path of the cache copy, for the caller to delete."""
        with self._tx(durable=True) as conn:
            row = conn.execute("DELETE FROM outgoing_files WHERE id = ? AND op_id IS NULL RETURNING ticket_id, path",
                               (file_id,)).fetchone()
        if row is None:
            return Change(), None
        return Change.of(Kind.DRAFTS, tickets=[row[0]] if row[0] else None), row[1]

    def move_draft_files(self, ticket_id: int | None, old_kind: str, new_kind: str) -> Change:
        """The draft changed kind (reply ↔ note): its files go with it."""
        with self._tx(durable=True) as conn:
            moved = conn.execute("UPDATE outgoing_files SET kind = ? WHERE ticket_id = ? AND kind = ? AND op_id IS NULL",
                                 (new_kind, ticket_id or 0, old_kind)).rowcount
        return Change.of(Kind.DRAFTS, tickets=[ticket_id] if ticket_id else None) if moved else Change()

    def set_upload_token(self, file_id: int, token: str | None) -> None:
        """The helpdesk holds this file under ``token`` (durable: a crash from here on reuses it)."""
        with self._tx(durable=True) as conn:
            conn.execute("UPDATE outgoing_files SET upload_token = ? WHERE id = ?", (token, file_id))

    def clear_upload_tokens(self, op_id: str) -> None:
        """The helpdesk no longer knows the entry's tokens (expired): the next delivery uploads again."""
        with self._tx(durable=True) as conn:
            conn.execute("UPDATE outgoing_files SET upload_token = NULL WHERE op_id = ?", (op_id,))
