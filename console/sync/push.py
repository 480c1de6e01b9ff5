"""Delivering outbox entries exactly once (helpdesk-api.md §3.7, §14, §19.7-19.9). Blocking calls.

Payloads, as the GUI enqueues them (``CacheWriter.enqueue(kind, ticket_id, payload, updated_stamp)``):
- ``reply`` / ``note``: ``{"body": text}`` or ``{"html_body": html}``, optional ``uploads``,
  ``author_id``, and ``fields`` (ticket fields sent with it, e.g. ``{"status": "pending"}``);
  the kind decides ``public``. Optional ``canned_reply_id``: the macro the text came from (the
  console's local usage history, ``CacheReader.canned_reply_usage``); never sent to the helpdesk.
- ``fields``: ``{"fields": {"status": ..., "priority": ..., "assignee_id": ..., "group_id": ...,
  "tags": [...], "custom_fields": [...]}}``.
- ``new_ticket``: the ticket object as for ``POST /tickets`` (``subject``, ``comment``,
  ``requester_id`` or ``requester``, ``group_id``...); its files as for a reply.
- ``fields`` with ``"batch"``: one ticket of a bulk change, sent with the rest of its batch in
  ``update_many`` (``bulk.py``).
- ``merge`` (``ticket_id`` = the target): ``{"ids": [sources], ...}`` (``merge.py``).
- ``reply`` / ``note`` / ``new_ticket`` files: ``outgoing_files`` rows, uploaded first (``uploads.py``).

Updates go out with ``safe_update`` + the agent's ``updated_stamp`` and the op id in
``metadata.console_op_id``; creates with ``Idempotency-Key`` = ``external_id`` = op id.
After an ambiguous failure (or an entry found ``sending`` at start-up) the helpdesk is asked
whether the op landed (the ticket's audits, or ``tickets?external_id=``) before any re-send;
a malformed 2xx answer to a write is such an ambiguous failure too, never a refusal.

Our own deliveries chain: an entry written against the version our previous delivery started
from is sent against the version that delivery produced (its PUT answer says which), so two
replies queued offline to one ticket go out one after the other without a conflict. The answer
to each write goes back into the cache (the ticket, and the comment from the audit's Comment
event), so the agent's reply is in the thread at once.

A 409 is resolved by ``audit_trail.changes_since``: rebased when nobody else touched what the
entry changes, a conflict for the agent otherwise. Transient failures (503, resets, 429,
``DatabaseConflict``) put the entry back with its own backoff (``retry.RetryPolicy``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from console.store import CacheWriter, Change, OutboxEntry, StoreError
from console.store.batches import batch_of

from . import audit_trail, bulk, merge
from . import uploads as uploads_mod
from .client import (
    AmbiguousOutcome,
    Conflict,
    HelpdeskClient,
    HelpdeskError,
    Invalid,
    MalformedAnswer,
    NotFound,
    RateLimited,
    Unreachable,
)
from .pull import Puller
from .retry import RetryPolicy, SettleLooks, retry_message

log = logging.getLogger(__name__)

COMMENT_KEYS = ("body", "html_body", "uploads", "author_id")
TRANSIENT_CONFLICTS = ("DatabaseConflict", "IdempotentRequestInProgress")
FIELD_ALIASES = {"additional_tags": "tags", "remove_tags": "tags", "fields": "custom_fields",
                 "assignee_email": "assignee_id"}


@dataclass(frozen=True)
class Delivery:
    """The outcome of one attempt: sent | requeued | rebased | conflict | failed | retry.

    ``retry``: the entry waits until ``retry_at`` (its own backoff), or for the next round when the
    helpdesk could not be reached at all. ``go_on`` is False when the other entries would meet the
    same wall (unreachable, rate-limited): the engine ends this pass and reports ``error``."""

    outcome: str
    op_id: str
    change: Change
    message: str | None = None
    retry_at: float | None = None
    go_on: bool = True
    error: HelpdeskError | None = None


def update_body(entry: OutboxEntry, updated_stamp: str | None, uploads: list[str] | None = None) -> dict:
    """The PUT /tickets/{id} body for a reply, note or field change (``uploads``: the tokens of its files)."""
    payload = dict(entry.payload)
    if uploads:
        payload["uploads"] = [*payload.get("uploads", []), *uploads]
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
    """What the entry changes, named as the audits' events name it ("comment" for a reply)."""
    body = update_body(entry, None)["ticket"]
    return {FIELD_ALIASES.get(k, k) for k in body} - {"metadata", "safe_update", "updated_stamp"}


class OutboxSender:
    """Sends one entry at a time and records the outcome in the cache."""

    def __init__(self, client: HelpdeskClient, writer: CacheWriter, puller: Puller,
                 retry: RetryPolicy | None = None):
        self.client = client
        self.writer = writer
        self.puller = puller
        self.retry = retry or RetryPolicy()

    # -- sending -------------------------------------------------------------------------
    def deliver(self, entry: OutboxEntry) -> Delivery:
        """Send a queued entry. Raises ``Unreachable`` when an unknown outcome could not be checked
        (the entry stays ``sending``, to be verified first next time) and ``AuthError``."""
        if entry.kind == "fields" and batch_of(entry):   # a bulk change: up to 100 tickets in one update_many
            return bulk.deliver_batch(self, entry)
        if entry.kind == "merge":
            return merge.deliver_merge(self, entry)
        self.writer.mark_sending(entry.op_id)
        stamp = None
        try:
            if entry.kind != "new_ticket":
                stamp, _ = self.stamp_for(entry)
                if not stamp:  # a safe update needs the version the agent saw; never send blind
                    message = (f"Ticket #{entry.ticket_id} is not in the cache yet, so this change could not be "
                               "checked against the helpdesk's version. Sync, review the ticket and send again.")
                    return Delivery("failed", entry.op_id, self.writer.mark_failed(entry.op_id, message), message)
            try:
                uploads = self.upload_files(entry)
            except uploads_mod.MissingFile as exc:
                message = str(exc)
                return Delivery("failed", entry.op_id, self.writer.mark_failed(entry.op_id, message), message)
            except AmbiguousOutcome as exc:   # an upload whose answer was lost: nothing commented yet
                return self._later(entry, exc)
            try:
                if entry.kind == "new_ticket":
                    response = self._create(entry, uploads)
                else:
                    response = self.client.put(f"tickets/{entry.ticket_id}.json", update_body(entry, stamp, uploads))
            except Invalid as exc:
                if uploads and uploads_mod.token_refused(exc):   # expired uploads: upload them again
                    self.writer.clear_upload_tokens(entry.op_id)
                    return self._later(entry, exc)
                raise
            _check_answer(entry, response)
        except (AmbiguousOutcome, MalformedAnswer) as exc:
            return self.verify(entry, failure=exc)  # may raise Unreachable: the entry stays "sending"
        except Conflict as exc:
            return self._on_conflict(entry, exc)
        except NotFound:
            return self._gone(entry, "The ticket no longer exists on the helpdesk, so this change was not sent.")
        except Invalid as exc:
            message = self._refusal(entry, exc)
            return Delivery("failed", entry.op_id, self.writer.mark_failed(entry.op_id, message), message)
        except Unreachable as exc:  # not applied: refused, timed out, rate-limited, 5xx on a create
            return self._later(entry, exc, reached=exc.status is not None)
        except Exception:
            self.writer.requeue(entry.op_id)
            raise
        return self._recorded(entry, response, stamp)

    def upload_files(self, entry: OutboxEntry) -> list[str]:
        """The upload tokens of the entry's files, uploading those not on the helpdesk yet."""
        return uploads_mod.upload_files(self.client, self.writer, entry.op_id)

    def _create(self, entry: OutboxEntry, uploads: list[str] | None = None) -> dict:
        ticket = {**entry.payload, "external_id": entry.op_id}
        if uploads and isinstance(ticket.get("comment"), dict):
            ticket["comment"] = {**ticket["comment"], "uploads": [*ticket["comment"].get("uploads", []), *uploads]}
        return self.client.post("tickets.json", {"ticket": ticket}, idempotency_key=entry.op_id)

    def stamp_for(self, entry: OutboxEntry) -> tuple[str | None, int | None]:
        """The version to send against, and the audit id of our own delivery that made it (if any).

        Our deliveries record the stamp they were sent with and the one their answer carried; an
        entry written against the former goes out against the latter (safe: that delivery's own
        success proves nobody else wrote in between)."""
        if entry.ticket_id is None:  # a new ticket has no version yet
            return entry.updated_stamp, None
        stamp = entry.updated_stamp or self.writer.cached_updated_at(entry.ticket_id)
        chain = {}
        for done in self.writer.list_outbox(("sent",), ticket_id=entry.ticket_id):
            result = done.result or {}
            if result.get("sent_stamp") and result.get("updated_at"):
                chain[result["sent_stamp"]] = (result["updated_at"], result.get("audit_id"))
        boundary = None
        seen = set()
        while stamp in chain and stamp not in seen:
            seen.add(stamp)
            stamp, boundary = chain[stamp]
        return stamp, boundary

    def _recorded(self, entry: OutboxEntry, response: dict, sent_stamp: str | None) -> Delivery:
        """The helpdesk has the entry: write its answer back to the cache, then mark it sent."""
        ticket = response.get("ticket")
        audit = response.get("audit")
        ticket = ticket if isinstance(ticket, dict) and isinstance(ticket.get("id"), int) else None
        audit = audit if isinstance(audit, dict) else None
        ticket_id = ticket["id"] if ticket else entry.ticket_id
        change = Change()
        try:
            if entry.kind == "new_ticket":   # the real ticket replaces the list's stand-in at once
                change |= self.writer.swap_local_ticket(entry.op_id, ticket)
            elif ticket:
                change |= self.writer.upsert_tickets([ticket], keep_seen=True)   # our own change: stays seen
            change |= self._comment_back(entry, ticket_id, audit)
        except (StoreError, HelpdeskError) as exc:  # delivered all the same; the next pull fills the cache
            log.warning("outbox %s delivered, but its answer could not be cached: %s", entry.op_id, exc)
        version = (audit or {}).get("created_at") if response.get("verified") else (ticket or {}).get("updated_at")
        result = {"ticket_id": ticket_id, "audit_id": (audit or {}).get("id"), "updated_at": version,
                  "sent_stamp": sent_stamp}
        change |= self.writer.mark_sent(entry.op_id, result)
        return Delivery("sent", entry.op_id, change)

    def _comment_back(self, entry: OutboxEntry, ticket_id: int | None, audit: dict | None) -> Change:
        """Our reply in the cache's thread at once: from the audit's Comment event, else the thread."""
        if entry.kind not in ("reply", "note", "new_ticket") or not isinstance(ticket_id, int):
            return Change()
        comments = audit_trail.comments_of(audit) if audit else []
        if comments:
            change = self.writer.add_ticket_comments(ticket_id, comments)
        else:
            comments = self.puller.fetch_all(f"tickets/{ticket_id}/comments.json", "comments")
            change = self.writer.replace_ticket_comments(ticket_id, comments)
        return change | uploads_mod.link_sent_files(self.writer, entry.op_id, comments)

    def _later(self, entry: OutboxEntry, exc: HelpdeskError, *, reached: bool = True) -> Delivery:
        """Put the entry back. A failure the helpdesk saw (5xx, a reset, 429) waits the entry's own
        backoff, and after a few attempts shows as failed; one that never reached it (refused, no
        route) does not count as an attempt and waits for the next round."""
        reason = _reason(exc)
        if not reached:
            change = self.writer.requeue(entry.op_id, error=reason, uncount=True)
            return Delivery("retry", entry.op_id, change, go_on=False, error=exc)
        current = self.writer.get_entry(entry.op_id)
        attempts = current.attempts if current else entry.attempts + 1
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        retry_at = time.time() + self.retry.delay(attempts, retry_after)
        if self.retry.visible(attempts):
            message = retry_message(attempts, reason, retry_at)
            change = self.writer.mark_failed(entry.op_id, message, retry_at=retry_at)
        else:
            message = None
            change = self.writer.requeue(entry.op_id, retry_at=retry_at, error=reason)
        log.info("outbox %s: attempt %d failed (%s); next in %.1f s", entry.op_id, attempts, reason,
                 retry_at - time.time())
        return Delivery("retry", entry.op_id, change, message, retry_at=retry_at,
                        go_on=not isinstance(exc, RateLimited), error=exc)

    # -- outcome unknown -----------------------------------------------------------------
    def verify(self, entry: OutboxEntry, *, failure: HelpdeskError | None = None,
               looks: SettleLooks | None = None) -> Delivery:
        """Did an entry of unknown outcome land? Yes: record it sent. No: queue it again (after
        ``failure``, with backoff). Raises Unreachable when the helpdesk cannot say. An entry sent
        in a job (a merge, an ``update_many``) is looked for again through ``looks`` (merges always
        are): the job may still have been queued at the first look."""
        if entry.kind == "merge":
            try:
                if merge.landed(self, entry, looks or SettleLooks(self.client._wait)):
                    return merge.recorded(self, entry)
            except NotFound:
                message = "A ticket of this merge no longer exists on the helpdesk, so nothing was merged."
                return Delivery("failed", entry.op_id, self.writer.mark_failed(entry.op_id, message), message)
        elif entry.kind == "new_ticket":
            found = self.client.get("tickets.json", {"external_id": entry.op_id}).get("tickets")
            found = [t for t in found if isinstance(t, dict)] if isinstance(found, list) else []
            if found:
                return self._recorded(entry, {"ticket": found[0]}, None)
        elif entry.ticket_id is not None:
            try:
                ticket_id, op_id = entry.ticket_id, entry.op_id
                audit = looks.until(lambda: self.find_audit(ticket_id, op_id)) if looks \
                    else self.find_audit(ticket_id, op_id)
            except NotFound:
                return self._gone(entry, "The ticket was deleted on the helpdesk before this change could be "
                                         "confirmed.")
            if audit is not None:
                ticket = self.client.get(f"tickets/{entry.ticket_id}.json").get("ticket")
                return self._recorded(entry, {"ticket": ticket, "audit": audit, "verified": True},
                                      self.stamp_for(entry)[0])
        log.info("outbox %s did not reach the helpdesk; queueing it again", entry.op_id)
        if failure is not None:
            return self._later(entry, failure)
        return Delivery("requeued", entry.op_id, self.writer.requeue(entry.op_id))

    def find_audit(self, ticket_id: int, op_id: str) -> dict | None:
        for audit in self.puller.fetch_all(f"tickets/{ticket_id}/audits.json", "audits"):
            if isinstance(audit, dict) and audit_trail.op_id_of(audit) == op_id:
                return audit
        return None

    def _gone(self, entry: OutboxEntry, message: str) -> Delivery:
        change = self.writer.mark_ticket_missing(entry.ticket_id) if entry.ticket_id else Change()
        return Delivery("failed", entry.op_id, change | self.writer.mark_failed(entry.op_id, message), message)

    # -- refusals ------------------------------------------------------------------------
    def _on_conflict(self, entry: OutboxEntry, exc: Conflict) -> Delivery:
        if exc.code in TRANSIENT_CONFLICTS or entry.ticket_id is None:  # a new ticket can't conflict
            return self._later(entry, exc)
        try:  # the ticket first, then the audits: a write landing in between shows up as theirs
            ticket, comments = self.puller.fetch_ticket(entry.ticket_id)
            audits = self.puller.fetch_all(f"tickets/{entry.ticket_id}/audits.json", "audits")
        except NotFound:
            return self._gone(entry, "The ticket no longer exists on the helpdesk, so this change was not sent.")
        except Unreachable as exc2:
            return self._later(entry, exc2, reached=exc2.status is not None)
        landed = next((a for a in audits if isinstance(a, dict) and audit_trail.op_id_of(a) == entry.op_id), None)
        stamp, own_boundary = self.stamp_for(entry)
        if landed is not None:  # an earlier attempt landed after all
            return self._recorded(entry, {"ticket": ticket, "audit": landed, "verified": True}, stamp)
        cached = self.writer.cached_ticket(entry.ticket_id)
        seen = cached if cached and stamp and cached.get("updated_at") == stamp else None
        change = self.writer.upsert_tickets([ticket]) | self.writer.replace_ticket_comments(entry.ticket_id, comments)
        own_ops = {e.op_id for e in self.writer.list_outbox(ticket_id=entry.ticket_id)}
        since = audit_trail.changes_since(audits, stamp, own_ops=own_ops, own_boundary=own_boundary)
        mine = touched_fields(entry)
        theirs = set(since.theirs) | (audit_trail.value_changes(seen, ticket, mine) - since.ours)
        independent = not (mine & theirs) if entry.kind == "fields" else not theirs
        if independent:  # nobody else touched what this entry changes: send it on top of their version
            change |= self.writer.requeue(entry.op_id, updated_stamp=ticket["updated_at"])
            return Delivery("rebased", entry.op_id, change)
        theirs_view = {"ticket": ticket, "comments": comments, "changed_fields": sorted(theirs)}
        yours = {"kind": entry.kind, "payload": entry.payload, "updated_stamp": entry.updated_stamp,
                 "fields": sorted(mine)}
        change |= self.writer.mark_conflict(entry.op_id, theirs_view, yours)
        overlap = ", ".join(sorted(mine & theirs)) or "the conversation"
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


def _check_answer(entry: OutboxEntry, response: dict) -> None:
    """A 2xx to a write must carry the ticket (and for an update its audit); anything else is an
    answer we cannot read, and what happened is asked of the helpdesk instead of guessed."""
    ticket, audit = response.get("ticket"), response.get("audit")
    if not isinstance(ticket, dict) or not isinstance(ticket.get("id"), int):
        raise MalformedAnswer("the helpdesk's answer to our write carries no ticket", status=200)
    if entry.kind != "new_ticket" and (not isinstance(audit, dict) or not isinstance(audit.get("id"), int)):
        raise MalformedAnswer("the helpdesk's answer to our update carries no audit", status=200)


def _reason(exc: HelpdeskError) -> str:
    if isinstance(exc, RateLimited):
        return f"rate limited, asked to wait {exc.retry_after:.0f} s"
    if exc.status:
        return f"the helpdesk answered {exc.status}"
    return str(exc)[:120] or type(exc).__name__
