"""The outbox as the agent sees it: messages, not tickets; take back, edit, cancel, retry, send later.

    outbox = OutboxOps(runner, sync)
    outbox.messages(done=lambda rows: ...)    # OutboxMessage per entry still relevant, in send order
    outbox.take_back(op_id, kind="reply", body=text)   # cancel + draft again, one transaction
    outbox.taken_back                          # signal (ticket_id, kind, body): the text goes back to the editor
    outbox.cancel(op_id); outbox.retry(op_id); outbox.send_at(op_id, epoch or None)
    outbox.unsent(done=lambda names: ...)      # what signing out would lose, by name

Every send waits in the outbox (``retry_at``, read by ``next_sendable`` as "not before"): the
undo-send grace period (``ReplyOps.grace_seconds``), or a time the agent chose ("send later",
kept in the cache, so it survives a restart and goes out when due). A message can be taken back
only while it has not started sending: ``CacheWriter.take_back_entry`` refuses once it is
``sending`` or ``sent`` (the same transaction as ``mark_sending``), so an undo never races a send.

:func:`message_state` is the one rule for what the agent reads: waiting / sending / sent / failed /
held / conflict and when the next try is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from console.store import Change, OutboxEntry

from .runner import Cache, Runner

SENT_KEPT_SECONDS = 24 * 3600   # sent messages stay listed this long
LISTED_STATES = ("queued", "sending", "failed", "conflict", "sent")
MESSAGE_KINDS = ("reply", "note", "new_ticket")


@dataclass(frozen=True)
class OutboxMessage:
    op_id: str
    ticket_id: int | None
    kind: str
    customer: str
    subject: str
    first_line: str
    body: str
    state: str               # waiting | sending | sent | failed | held | conflict
    next_try: float | None   # local epoch; None = now (waiting), never (failed for good), or n/a
    error: str | None

    @property
    def can_take_back(self) -> bool:
        return self.state in ("waiting", "failed", "held")

    @property
    def can_retry(self) -> bool:
        return self.state == "failed"


def message_state(entry: OutboxEntry, *, blocked: bool = False, offline: bool = False,
                  now: float | None = None) -> tuple[str, float | None]:
    """(state, next try) of an entry. ``blocked``: an earlier entry of the same ticket is stuck
    (conflict or failed for good), so this one is held behind it; ``offline``: working offline."""
    now = time.time() if now is None else now
    if entry.state in ("sending", "sent", "conflict"):
        return entry.state, None
    if entry.state == "failed":
        return "failed", entry.retry_at
    if blocked or offline:
        return "held", entry.retry_at
    return "waiting", entry.retry_at if entry.retry_at is not None and entry.retry_at > now else None


def first_line(entry: OutboxEntry) -> str:
    payload = entry.payload or {}
    if entry.kind == "fields":
        fields = payload.get("fields", payload)
        return ", ".join(f"{k} → {v}" for k, v in fields.items()) if isinstance(fields, dict) else "field change"
    text = str(payload.get("body") or payload.get("subject") or "")
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def list_messages(reader, *, offline: bool = False, now: float | None = None) -> list[OutboxMessage]:
    """The outbox's messages in send order (sent ones of the last day; cancelled ones never)."""
    now = time.time() if now is None else now
    entries = [e for e in reader.list_outbox(LISTED_STATES)
               if e.state != "sent" or (e.sent_at or e.created_at) >= now - SENT_KEPT_SECONDS]
    ids = sorted({e.ticket_id for e in entries if e.ticket_id})
    tickets = {t["id"]: t for t in reader.tickets_by_ids(ids)} if ids else {}
    people = sorted({t["requester_id"] for t in tickets.values() if t.get("requester_id")})
    names = reader.user_names(people) if people else {}
    stuck: set[int] = set()
    messages = []
    for entry in entries:
        blocked = entry.ticket_id in stuck
        if entry.ticket_id and (entry.state == "conflict" or (entry.state == "failed" and entry.retry_at is None)):
            stuck.add(entry.ticket_id)
        ticket = tickets.get(entry.ticket_id or -1, {})
        state, next_try = message_state(entry, blocked=blocked, offline=offline, now=now)
        payload = entry.payload or {}
        messages.append(OutboxMessage(
            entry.op_id, entry.ticket_id, entry.kind, names.get(ticket.get("requester_id"), ""),
            str(ticket.get("subject") or payload.get("subject") or ""), first_line(entry),
            str(payload.get("body") or ""), state, next_try, entry.last_error))
    return messages


class OutboxOps(QObject):
    taken_back = Signal(object, str, str)   # ticket id, draft kind, body: back to the editor

    def __init__(self, runner: Runner, sync, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.sync = runner, sync

    def messages(self, *, done: Callable[[list[OutboxMessage]], None]) -> None:
        offline = bool(getattr(self.sync.status, "work_offline", False))
        self.runner.read(lambda reader: list_messages(reader, offline=offline), done=done)

    def take_back(self, op_id: str, *, kind: str | None = None, body: str | None = None,
                  initiator: object = None, done: Callable[[], None] | None = None) -> None:
        """Cancel a message not yet sending and make its text the ticket's draft again; then
        ``taken_back(ticket_id, kind, body)``. Too late (sending, sent): the bus says so."""
        result: dict = {}

        def work(cache: Cache) -> Change:
            entry = cache.reader.get_entry(op_id)
            if entry is None:
                raise LookupError("This message is no longer in the outbox")
            draft_kind = kind or (entry.kind if entry.kind in MESSAGE_KINDS else None)
            text = body if body is not None else str((entry.payload or {}).get("body") or "")
            result.update(ticket_id=entry.ticket_id, kind=draft_kind or "reply", body=text)
            return cache.writer.take_back_entry(op_id, draft_kind=draft_kind, body=text)

        def taken(_change: Change) -> None:
            self.taken_back.emit(result["ticket_id"], result["kind"], result["body"])
            if done is not None:
                done()

        self.runner.write(work, initiator=initiator, done=taken,
                          failed=lambda exc: self.runner.bus.warn(f"Could not take it back: {exc}"))

    def cancel(self, op_id: str, *, done: Callable[[], None] | None = None) -> None:
        """Drop a message that has not started sending (nothing reaches the helpdesk)."""
        self.runner.write(lambda cache: cache.writer.cancel_entry(op_id),
                          done=lambda _c: done() if done is not None else None,
                          failed=lambda exc: self.runner.bus.warn(f"Could not cancel it: {exc}"))

    def retry(self, op_id: str) -> None:
        self.send_at(op_id, None)

    def send_at(self, op_id: str, when: float | None) -> None:
        """Send at ``when`` (local epoch; None = now), then ask the engine to push."""
        self.runner.write(lambda cache: cache.writer.reschedule_entry(op_id, when),
                          done=lambda _c: self.sync.request_push(),
                          failed=lambda exc: self.runner.bus.warn(f"Could not reschedule it: {exc}"))

    def unsent(self, *, done: Callable[[list[str]], None]) -> None:
        """Drafts and outbox entries signing out would lose, each named ("Reply to #12 …")."""
        def work(reader) -> list[str]:
            names = []
            for draft in reader.list_drafts():
                what = "New ticket draft" if not draft.ticket_id else f"Draft {draft.kind} on #{draft.ticket_id}"
                names.append(f"{what}: {_short(draft.body)}")
            for message in list_messages(reader):
                if message.state not in ("sent",):
                    where = f" on #{message.ticket_id}" if message.ticket_id else ""
                    names.append(f"{message.kind.replace('_', ' ').capitalize()}{where} ({message.state}): "
                                 f"{_short(message.first_line)}")
            return names
        self.runner.read(work, done=done)


def _short(text: str, limit: int = 50) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
