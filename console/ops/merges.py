"""Merging tickets through the outbox.

    merges = MergeOps(runner, sync)
    merges.describe(ticket_ids=[3, 8], done=show)        # [cached ticket], for the merge dialog
    merges.merge(target_id=3, source_ids=[8], initiator=dialog, done=on_queued, refused=show_message)

``merge`` checks the merge (``console.domain.merge.merge_problems``) against the cache on the db
lane and queues one ``merge`` outbox entry (``ticket_id`` = the target); the sources show as
closed at once (``pending_fields``) and the engine is asked to push (console/sync/merge.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject

from console.domain.merge import merge_payload, merge_problems
from console.store import Change, Kind

from .runner import Cache, Runner, Written

log = logging.getLogger(__name__)


class MergeRefused(Exception):
    """The merge cannot be queued; the message says why."""


class MergeOps(QObject):
    def __init__(self, runner: Runner, sync, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.sync = runner, sync

    def describe(self, *, ticket_ids: list[int], done: Callable[[list[dict]], None]) -> None:
        self.runner.read(lambda reader: reader.tickets_by_ids(list(ticket_ids)), done=done)

    def merge(self, *, target_id: int, source_ids: list[int], public: bool = False, initiator: object = None,
              done: Callable[[str], None] | None = None, refused: Callable[[str], None] | None = None) -> None:
        refuse = refused or self.runner.bus.warn

        def work(cache: Cache) -> Written:
            tickets = {t["id"]: t for t in cache.reader.tickets_by_ids([target_id, *source_ids])}
            problems = merge_problems(target_id, source_ids, tickets)
            if problems:
                raise MergeRefused(" ".join(problems))
            payload = merge_payload(target_id, source_ids, public=public)
            change = cache.writer.enqueue("merge", target_id, payload, tickets[target_id].get("updated_at"))
            return Written(change | _sources_change(payload["ids"]), change.op_id)

        def queued(op_id: str) -> None:
            log.info("queued a merge into #%s (op %s)", target_id, op_id)
            self.runner.bus.info(f"Merging {', '.join(f'#{s}' for s in source_ids if s != target_id)} "
                                 f"into #{target_id} — queued")
            self.sync.request_push()
            if done is not None:
                done(op_id)

        def failed(error: Exception) -> None:
            if not isinstance(error, MergeRefused):
                log.error("could not queue a merge", exc_info=error)
            refuse(str(error) if isinstance(error, MergeRefused) else f"Could not queue the merge: {error}")

        self.runner.write(work, initiator=initiator, done=queued, failed=failed)


def _sources_change(source_ids: list[int]) -> Change:
    """The sources' rows show the queued merge (closed) at once."""
    return Change.of(Kind.OUTBOX, tickets=source_ids)
