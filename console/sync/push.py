"""Delivering outbox entries exactly once (helpdesk-api.md §3.7, §14, §19.7-19.9). Blocking calls.

Payloads, as the GUI enqueues them (``CacheWriter.enqueue(kind, ticket_id, payload, updated_stamp)``):
- ``reply`` / ``note``: ``{"body": text}`` or ``{"html_body": html}``, optional ``uploads``,
  ``author_id``, and ``fields`` (ticket fields sent with it, e.g. ``{"status": "pending"}``);
  the kind decides ``public``.
- ``fields``: ``{"fields": {"status": ..., "priority": ..., "assignee_id": ..., "group_id": ...,
  "tags": [...], "custom_fields": [...]}}``.
- ``new_ticket``: the ticket object as for ``POST /tickets`` (``subject``, ``comment``,
  ``requester_id`` or ``requester``, ``group_id``...).

Updates go out with ``safe_update`` + the agent's ``updated_stamp`` and the op id in
``metadata.console_op_id``; creates with ``Idempotency-Key`` = ``external_id`` = op id.
After an ambiguous failure (or an entry found ``sending`` at start-up) the helpdesk is asked
whether the op landed (the ticket's audits, or ``tickets?external_id=``) before any re-send.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from console.store import CacheWriter, Change, OutboxEntry

from .client import AmbiguousOutcome, Conflict, HelpdeskClient, Invalid, NotFound, Unreachable
from .pull import Puller

log = logging.getLogger(__name__)

COMMENT_KEYS = ("body", "html_body", "uploads", "author_id")
TRANSIENT_RETRY_SECONDS = 2.0


@dataclass(frozen=True)
class Delivery:
    """The outcome of one attempt: sent | requeued | rebased | conflict | failed | retry | unknown."""

    outcome: str
    op_id: str
    change: Change
    message: str | None = None


def update_body(entry: OutboxEntry, updated_stamp: str | None) -> dict:
    """The PUT /tickets/{id} body for a reply, note or field change."""
    payload = dict(entry.payload)
    fields = payload.get("fields")
    ticket: dict = dict(fields) if isinstance(fields, dict) else {}
    if entry.kind == "fields" and not isinstance(fields, dict):
        ticket = {k: v for k, v in payload.items() if k not in COMMENT_KEYS}
    if entry.kind in ("reply", "note"):
        comment = {k: payload[k] for k in COMMENT_KEYS if k in payload}
        comment["public"] = entry.kind == "reply"
        ticket["comment"] = comment
    ticket["metadata"] = {"console_op_id": entry.op_id}
    ticket["safe_update"] = True
    ticket["updated_stamp"] = updated_stamp
    return {"ticket": ticket}


def touched_fields(entry: OutboxEntry) -> set[str]:
    body = update_body(entry, None)["ticket"]
    return set(body) - {"metadata", "safe_update", "updated_stamp"}


class OutboxSender:
    """Sends one entry at a time and records the outcome in the cache."""

    def __init__(self, client: HelpdeskClient, writer: CacheWriter, puller: Puller):
        self.client = client
        self.writer = writer
        self.puller = puller

    # -- sending -------------------------------------------------------------------------
    def deliver(self, entry: OutboxEntry) -> Delivery:
        """Send a queued entry. Raises ``Unreachable`` (entry requeued or left unverified) and ``AuthError``."""
        self.writer.mark_sending(entry.op_id)
        try:
            if entry.kind == "new_ticket":
                response = self._create(entry)
            else:
                stamp = entry.updated_stamp or self.writer.cached_updated_at(entry.ticket_id)
                if not stamp:  # a safe update needs the version the agent saw; never send blind
                    message = (f"Ticket #{entry.ticket_id} is not in the cache yet, so this change could not be "
                               "checked against the helpdesk's version. Sync, review the ticket and send again.")
                    return Delivery("failed", entry.op_id, self.writer.mark_failed(entry.op_id, message), message)
                response = self.client.put(f"tickets/{entry.ticket_id}.json", update_body(entry, stamp))
        except AmbiguousOutcome:
            return self.verify(entry)  # may raise Unreachable: the entry stays "sending", unverified
        except Conflict as exc:
            return self._on_conflict(entry, exc)
        except NotFound:
            change = self.writer.mark_ticket_missing(entry.ticket_id) if entry.ticket_id else Change()
            message = "The ticket no longer exists on the helpdesk, so this change was not sent."
            return Delivery("failed", entry.op_id, change | self.writer.mark_failed(entry.op_id, message), message)
        except Invalid as exc:
            message = self._refusal(entry, exc)
            return Delivery("failed", entry.op_id, self.writer.mark_failed(entry.op_id, message), message)
        except Unreachable:
            self.writer.requeue(entry.op_id)  # never reached the helpdesk (refused / rate-limited)
            raise
        except Exception:
            self.writer.requeue(entry.op_id)
            raise
        return self._recorded(entry, response)

    def _create(self, entry: OutboxEntry) -> dict:
        ticket = {**entry.payload, "external_id": entry.op_id}
        return self.client.post("tickets.json", {"ticket": ticket}, idempotency_key=entry.op_id)

    def _recorded(self, entry: OutboxEntry, response: dict) -> Delivery:
        ticket = response.get("ticket") or {}
        audit = response.get("audit") or {}
        change = self.writer.upsert_tickets([ticket]) if ticket else Change()
        result = {"ticket_id": ticket.get("id"), "audit_id": audit.get("id"),
                  "updated_at": ticket.get("updated_at")}
        change |= self.writer.mark_sent(entry.op_id, result)
        return Delivery("sent", entry.op_id, change)

    # -- outcome unknown -----------------------------------------------------------------
    def verify(self, entry: OutboxEntry) -> Delivery:
        """Did an entry of unknown outcome land? Yes: record it sent. No: requeue it. Raises Unreachable."""
        if entry.kind == "new_ticket":
            found = self.client.get("tickets.json", {"external_id": entry.op_id}).get("tickets") or []
            if found:
                return self._recorded(entry, {"ticket": found[0]})
        else:
            try:
                audit = self.find_audit(entry.ticket_id, entry.op_id)
            except NotFound:
                change = self.writer.mark_ticket_missing(entry.ticket_id)
                message = "The ticket was deleted on the helpdesk before this change could be confirmed."
                return Delivery("failed", entry.op_id, change | self.writer.mark_failed(entry.op_id, message), message)
            if audit is not None:
                ticket = self.client.get(f"tickets/{entry.ticket_id}.json").get("ticket")
                return self._recorded(entry, {"ticket": ticket, "audit": audit})
        log.info("outbox %s did not reach the helpdesk; queueing it again", entry.op_id)
        return Delivery("requeued", entry.op_id, self.writer.requeue(entry.op_id))

    def find_audit(self, ticket_id: int, op_id: str) -> dict | None:
        for audit in self.puller.fetch_all(f"tickets/{ticket_id}/audits.json", "audits"):
            custom = (audit.get("metadata") or {}).get("custom") or {}
            if custom.get("console_op_id") == op_id:
                return audit
        return None

    # -- refusals ------------------------------------------------------------------------
    def _on_conflict(self, entry: OutboxEntry, exc: Conflict) -> Delivery:
        if exc.code in ("DatabaseConflict", "IdempotentRequestInProgress"):
            change = self.writer.mark_failed(entry.op_id, "The helpdesk was busy; retrying shortly.",
                                             retry_at=time.time() + TRANSIENT_RETRY_SECONDS)
            return Delivery("retry", entry.op_id, change)
        ticket, comments = self.puller.fetch_ticket(entry.ticket_id)
        audits = self.puller.fetch_all(f"tickets/{entry.ticket_id}/audits.json", "audits")
        if any(((a.get("metadata") or {}).get("custom") or {}).get("console_op_id") == entry.op_id for a in audits):
            return self._recorded(entry, {"ticket": ticket})  # an earlier attempt landed after all
        change = self.writer.upsert_tickets([ticket]) | self.writer.replace_ticket_comments(entry.ticket_id, comments)
        stamp = entry.updated_stamp or ""
        theirs_changed = changed_since(audits, stamp)
        mine = touched_fields(entry)
        if entry.kind == "fields" and not (mine & theirs_changed):
            # they changed other fields: send ours again on top of their version
            change |= self.writer.requeue(entry.op_id, updated_stamp=ticket["updated_at"])
            return Delivery("rebased", entry.op_id, change)
        theirs = {"ticket": ticket, "comments": comments, "changed_fields": sorted(theirs_changed)}
        yours = {"kind": entry.kind, "payload": entry.payload, "updated_stamp": entry.updated_stamp,
                 "fields": sorted(mine)}
        change |= self.writer.mark_conflict(entry.op_id, theirs, yours)
        overlap = ", ".join(sorted(mine & theirs_changed)) or "the conversation"
        message = (f"Ticket #{entry.ticket_id} changed on the helpdesk while your {entry.kind} waited "
                   f"({overlap}); choose whether to send it anyway or discard it.")
        return Delivery("conflict", entry.op_id, change, message)

    @staticmethod
    def _refusal(entry: OutboxEntry, exc: Invalid) -> str:
        text = str(exc)
        if exc.status == 422 and "closed" in text.lower():
            what = {"reply": "reply", "note": "note", "fields": "change"}.get(entry.kind, "change")
            return (f"Ticket #{entry.ticket_id} is closed on the helpdesk, so your {what} was not sent. "
                    "Copy it into a follow-up ticket instead.")
        return f"The helpdesk refused this change: {text}"


def changed_since(audits: list[dict], stamp: str) -> set[str]:
    """Field names (and "comment") changed by audits newer than ``stamp`` (the helpdesk's own updated_at)."""
    changed: set[str] = set()
    for audit in audits:
        if stamp and str(audit.get("created_at") or "") <= stamp:
            continue
        for event in audit.get("events") or []:
            if event.get("type") == "Change" and event.get("field_name"):
                changed.add(str(event["field_name"]))
            elif event.get("type") == "Comment":
                changed.add("comment")
    return changed
