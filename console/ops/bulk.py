"""Bulk changes: one change (status, priority, department, assignee, tags, a canned reply's field
actions) for many selected tickets, queued as one outbox batch.

    bulk = BulkOps(runner, sync, undo, me=agent_id)
    bulk.choices(done=fill)                                   # BulkChoices: departments, agents, canned replies
    bulk.apply(ticket_ids=[1, 2, 3], fields={"status": "pending"}, done=on_queued)   # done(BulkQueued)
    bulk.apply_canned_reply(ticket_ids=[...], macro_id=9, done=on_queued)
    bulk.progress(batch_id, done=show)                        # {"sent": 197, "conflict": 3, ...}

``apply`` reads the version the agent saw of each ticket and queues one ``fields`` entry per
ticket in one transaction (``CacheWriter.enqueue_batch``): each ticket shows its queued values at
once and settles on its own (sent, a conflict for the agent, failed); the sync sends them
100 at a time with ``update_many`` (console/sync/bulk.py). Tickets still in the outbox (new ones)
and tickets deleted on the helpdesk are left out and counted. Undo cancels what has not gone out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject

from console.domain.macro_actions import bulk_field_changes
from console.store import Change

from .runner import Cache, Runner, Written
from .tickets import describe_fields
from .undo import UndoStack

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BulkChoices:
    departments: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    canned_replies: list[dict[str, Any]]


@dataclass(frozen=True)
class BulkQueued:
    batch_id: str | None
    queued: int
    skipped: int
    text: str


class BulkOps(QObject):
    def __init__(self, runner: Runner, sync, undo: UndoStack, *, me: int | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.sync, self.undo, self.me = runner, sync, undo, me

    def choices(self, *, done: Callable[[BulkChoices], None]) -> None:
        self.runner.read(lambda r: BulkChoices(r.groups(), r.agents(), r.all_macros()), done=done)

    def apply(self, *, ticket_ids: list[int], fields: dict[str, Any], initiator: object = None,
              describe: Callable[[str, Any], Any] | None = None,
              done: Callable[[BulkQueued], None] | None = None) -> None:
        fields = {k: v for k, v in fields.items()}
        if not fields or not ticket_ids:
            return
        wanted = [t for t in dict.fromkeys(ticket_ids) if t > 0]
        text = describe_fields(fields, describe)

        def work(cache: Cache) -> Written:
            rows = cache.reader.tickets_by_ids(wanted)
            stamps = {r["id"]: r["updated_at"] for r in rows if not r.get("deleted") and r.get("updated_at")}
            if not stamps:
                return Written(Change(), BulkQueued(None, 0, len(ticket_ids), text))
            change, batch_id = cache.writer.enqueue_batch(stamps, fields)
            return Written(change, BulkQueued(batch_id, len(stamps), len(ticket_ids) - len(stamps), text))

        def queued(result: BulkQueued) -> None:
            if not result.queued:
                self.runner.bus.warn("None of the selected tickets can be changed yet (new or deleted).")
                return
            log.info("queued a bulk change for %d tickets (%s; batch %s)", result.queued,
                     ", ".join(sorted(fields)), result.batch_id)
            skipped = f" ({result.skipped} left out: not on the helpdesk)" if result.skipped else ""
            message = f"{result.queued} tickets: {text} — queued{skipped}"
            self.runner.bus.info(message)
            batch_id = result.batch_id or ""
            self.undo.offer(f"{result.queued} tickets: {text} queued",
                            lambda: self.runner.write(lambda cache: cache.writer.cancel_batch(batch_id)))
            self.sync.request_push()
            if done is not None:
                done(result)

        self.runner.write(work, initiator=initiator, done=queued)

    def apply_canned_reply(self, *, ticket_ids: list[int], macro_id: int, initiator: object = None,
                           done: Callable[[BulkQueued], None] | None = None) -> None:
        """The canned reply's field actions (not its text) on every selected ticket."""
        def found(macro: dict | None) -> None:
            fields = bulk_field_changes((macro or {}).get("actions"), me=self.me)
            if not fields:
                self.runner.bus.warn("This canned reply changes no fields; nothing to apply to the selection.")
                return
            self.apply(ticket_ids=ticket_ids, fields=fields, initiator=initiator, done=done)
        self.runner.read(lambda r: r.macro(macro_id), done=found)

    def progress(self, batch_id: str, *, done: Callable[[dict[str, int]], None]) -> None:
        self.runner.read(lambda r: r.batch_counts(batch_id), done=done)
