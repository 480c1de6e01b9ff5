"""Conflicts: a change the helpdesk refused (409) because the ticket moved on; the agent resends or discards.

    conflicts = ConflictOps(runner, sync)
    conflicts.list(done=show)                                   # open Conflict records
    conflicts.resolve(conflict_id=3, action="resend", stamp=their_updated_at, done=..., failed=...)
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject

from console.store import Change, StoreError

from .runner import Runner

log = logging.getLogger(__name__)


class ConflictOps(QObject):
    def __init__(self, runner: Runner, sync, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.sync = runner, sync

    def list(self, *, done: Callable[[list], None]) -> None:
        self.runner.read(lambda reader: reader.list_conflicts(), done=done)

    def resolve(self, *, conflict_id: int, action: str, stamp: str | None = None, initiator: object = None,
                done: Callable[[Change], None] | None = None,
                failed: Callable[[Exception], None] | None = None) -> None:
        """``"resend"`` queues the change again on top of their version (``stamp``); ``"discard"`` drops it."""
        def work(cache) -> Change:
            if action == "resend" and not stamp:
                raise StoreError("Their version has no updated_at; refresh the ticket and try again")
            return cache.writer.resolve_conflict(conflict_id, action, updated_stamp=stamp if action == "resend"
                                                 else None)

        def resolved(change: Change) -> None:
            log.info("conflict %s resolved: %s", conflict_id, action)
            if action == "resend":
                self.sync.request_push()
            if done is not None:
                done(change)

        self.runner.write(work, done=resolved, failed=failed, initiator=initiator)
