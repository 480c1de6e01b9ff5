"""New tickets the agent opens: found customers, the dialog's draft, and the create through the outbox.

    new = NewTicketOps(runner, sync, me=agent_id)
    new.find_customers("ada", done=show)          # [SearchHit] from the cache: works offline
    new.departments(done=fill)                    # [group dict]
    new.ticket_fields(done=fill)                  # [CustomField]: the account's custom ticket fields
    new.save_draft({"subject": ..., ...})         # what the dialog holds, kept across a crash
    new.load_draft(done=fill)                     # dict or None
    new.create(NewTicket(...), initiator=dialog, done=on_queued, refused=show_message)  # done(local id)

``create`` checks the ticket (``NewTicket.problems``), then queues a ``new_ticket`` outbox entry
(the op id is its ``Idempotency-Key`` and ``external_id``, console/sync/push.py) and a stand-in
row the lists show at once as "not yet on the helpdesk" (negative id), in one transaction with
the draft's removal; the engine is asked to push. The real ticket replaces the stand-in when it
arrives.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject

from console.domain.new_ticket import NOT_YET, NewTicket
from console.domain.ticket_fields import CustomField, custom_fields
from console.store import Change, SearchHit, SearchSyntaxError

from .runner import Cache, Runner, Written

log = logging.getLogger(__name__)

__all__ = ["NOT_YET", "NewTicketOps", "NewTicketRefused"]


class NewTicketRefused(Exception):
    """The ticket cannot be created as it is; the message says why."""


class NewTicketOps(QObject):
    def __init__(self, runner: Runner, sync, *, me: int | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.sync, self.me = runner, sync, me

    def find_customers(self, text: str, *, done: Callable[[list[SearchHit]], None], limit: int = 20) -> None:
        def work(reader) -> list[SearchHit]:
            if len(text.strip()) < 2:
                return []
            try:
                return [h for h in reader.search(text, limit=limit * 3) if h.kind == "customer"][:limit]
            except SearchSyntaxError:
                return []
        self.runner.read(work, done=done)

    def departments(self, *, done: Callable[[list[dict]], None]) -> None:
        self.runner.read(lambda reader: reader.groups(), done=done)

    def ticket_fields(self, *, done: Callable[[list[CustomField]], None]) -> None:
        self.runner.read(lambda reader: custom_fields(reader.ticket_fields()), done=done)

    def save_draft(self, fields: dict, *, done: Callable[[Change], None] | None = None) -> None:
        body = json.dumps(fields) if any(str(v).strip() for v in fields.values() if v is not None) else ""

        def work(cache: Cache) -> Change:
            if body:
                return cache.writer.save_draft(0, "new_ticket", body)
            return cache.writer.delete_draft(0, "new_ticket")
        self.runner.write(work, done=done)

    def load_draft(self, *, done: Callable[[dict | None], None]) -> None:
        def work(reader) -> dict | None:
            draft = reader.load_draft(0, "new_ticket")
            try:
                value = json.loads(draft.body) if draft is not None else None
            except ValueError:
                return {"body": draft.body} if draft is not None else None
            return value if isinstance(value, dict) else None
        self.runner.read(work, done=done)

    def create(self, ticket: NewTicket, *, initiator: object = None, done: Callable[[int], None] | None = None,
               refused: Callable[[str], None] | None = None) -> None:
        problems = ticket.problems()
        refuse = refused or self.runner.bus.warn
        if problems:
            refuse(" ".join(problems))
            return

        def work(cache: Cache) -> Written:
            change = cache.writer.enqueue_new_ticket(ticket.payload(), ticket.shown())
            local_id = min(change.ticket_ids)
            return Written(change, local_id)

        def queued(local_id: int) -> None:
            log.info("queued a new ticket (stand-in #%s)", local_id)
            self.sync.request_push()
            if done is not None:
                done(local_id)

        def failed(error: Exception) -> None:
            log.error("could not queue a new ticket", exc_info=error)
            refuse(f"Could not queue the ticket: {error}. What you wrote stays in the dialog.")

        self.runner.write(work, initiator=initiator, done=queued, failed=failed)
