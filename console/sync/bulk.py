"""Delivering a bulk batch with ``update_many`` (helpdesk-api.md §3.6) and its job status. Blocking.

A batch is a run of per-ticket ``fields`` entries (``console/store/batches.py``). ``deliver_batch``
takes up to 100 of them that are ready, marks them sending in one transaction, sends one
``PUT /tickets/update_many`` whose tickets each carry ``safe_update`` + the version the agent saw
+ ``metadata.console_op_id`` (exactly the single PUT's body, ``push.update_body``), then follows the
job status until it completes and settles each ticket by its own result:

- ``Updated``: sent (the tickets are read back with ``show_many``, one call, into the cache);
- ``UpdateConflict``: the single-entry 409 path (``OutboxSender._on_conflict``): rebased when
  nobody else touched those fields, a conflict for the agent otherwise;
- ``TicketNotFound``: gone; anything else: failed with the helpdesk's words.

When the answer to the PUT or the job is lost, each entry is checked in its ticket's audits
before anything is sent again (``OutboxSender.verify``), looking again for a moment for a job still
queued (``retry.SettleLooks``); entries that cannot be checked now stay
``sending`` and are checked at the start of the next push.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from console.store import Change, OutboxEntry
from console.store.batches import BATCH_SIZE, batch_of

from .client import AmbiguousOutcome, Conflict, HelpdeskError, Invalid, MalformedAnswer, Unreachable
from .retry import SettleLooks

if TYPE_CHECKING:
    from .push import Delivery, OutboxSender

log = logging.getLogger(__name__)

JOB_DONE = ("completed", "failed", "killed")
JOB_WAIT = 300.0   # a job still running after this long is treated as an unknown outcome


def deliver_batch(sender: OutboxSender, entry: OutboxEntry) -> Delivery:
    from .push import Delivery, update_body

    writer, client = sender.writer, sender.client
    batch = batch_of(entry) or ""
    entries = [e for e in writer.batch_sendable(batch, limit=BATCH_SIZE) if e.op_id != entry.op_id][:BATCH_SIZE - 1]
    entries = [entry, *entries]
    change = writer.mark_sending_many([e.op_id for e in entries])
    stamps: dict[str, str] = {}
    settled: list[Delivery] = []
    for e in entries:
        stamp, _ = sender.stamp_for(e)
        if stamp:
            stamps[e.op_id] = stamp
        else:
            message = (f"Ticket #{e.ticket_id} is not in the cache yet, so this change could not be checked "
                       "against the helpdesk's version. Sync, review the ticket and send again.")
            settled.append(Delivery("failed", e.op_id, writer.mark_failed(e.op_id, message), message))
    entries = [e for e in entries if e.op_id in stamps]
    if not entries:
        return _summary(entry, settled, change)
    body = {"tickets": [{"id": e.ticket_id, **update_body(e, stamps[e.op_id])["ticket"]} for e in entries]}
    try:
        answer = client.put("tickets/update_many.json", body)
        job = answer.get("job_status")
        if not isinstance(job, dict) or not job.get("id"):
            raise MalformedAnswer("the helpdesk's answer to update_many carries no job status", status=200)
        try:
            job = _follow(client, job)
        except HelpdeskError as exc:   # the updates went out: what became of them is asked, not guessed
            raise AmbiguousOutcome(f"lost track of the bulk job: {exc}") from exc
    except (AmbiguousOutcome, MalformedAnswer) as exc:
        log.info("batch %s: outcome of %d updates unknown (%s); checking each", batch, len(entries), exc)
        return _summary(entry, settled + _verify_each(sender, entries, exc), change)
    except Unreachable as exc:   # refused before it reached the helpdesk: all of them wait
        settled += [sender._later(e, exc, reached=exc.status is not None) for e in entries]
        return _summary(entry, settled, change)
    except Invalid as exc:
        message = f"The helpdesk refused this bulk change: {exc}"
        settled += [Delivery("failed", e.op_id, writer.mark_failed(e.op_id, message), message) for e in entries]
        return _summary(entry, settled, change)
    results = {r.get("id"): r for r in job.get("results") or [] if isinstance(r, dict)}
    updated: list[OutboxEntry] = []
    unknown: list[OutboxEntry] = []
    for e in entries:
        result = results.get(e.ticket_id)
        if result is None:
            unknown.append(e)
        elif result.get("success"):
            updated.append(e)
        elif result.get("error") == "UpdateConflict":
            settled.append(sender._on_conflict(e, Conflict(str(result.get("details") or "update conflict"),
                                                             status=409, code="UpdateConflict")))
        elif result.get("error") in ("TicketNotFound", "RecordNotFound"):
            settled.append(sender._gone(e, "The ticket no longer exists on the helpdesk, so this change was not sent."))
        else:
            message = sender._refusal(e, Invalid(str(result.get("details") or result.get("error")), status=422))
            settled.append(Delivery("failed", e.op_id, writer.mark_failed(e.op_id, message), message))
    if unknown:
        settled += _verify_each(sender, unknown, None)
    if updated:
        change |= _record_updated(sender, updated, stamps)
    summary = _summary(entry, settled, change, sent=len(updated))
    log.info("batch %s: %d updated, %d other outcomes", batch, len(updated), len(settled))
    return summary


def _follow(client, job: dict) -> dict:
    started, wait = time.monotonic(), 0.05
    while job.get("status") not in JOB_DONE:
        if time.monotonic() - started > JOB_WAIT:
            raise AmbiguousOutcome(f"the bulk job {job.get('id')} is still {job.get('status')} after {JOB_WAIT:.0f} s")
        client._wait(wait)
        wait = min(1.0, wait * 1.5)
        job = client.get(f"job_statuses/{job['id']}.json").get("job_status") or {}
        if not isinstance(job, dict) or not job.get("id"):
            raise MalformedAnswer("the helpdesk's job status is unreadable", status=200)
    return job


def _record_updated(sender: OutboxSender, updated: list[OutboxEntry], stamps: dict[str, str]) -> Change:
    """Applied: read the tickets back (one show_many) into the cache, mark the entries sent."""
    change = Change()
    try:
        ids = ",".join(str(e.ticket_id) for e in updated)
        tickets = sender.client.get("tickets/show_many.json", {"ids": ids}).get("tickets")
        if isinstance(tickets, list):
            change |= sender.writer.upsert_tickets([t for t in tickets if isinstance(t, dict)])
    except HelpdeskError as exc:   # delivered all the same; the next pull fills the cache
        log.warning("bulk update delivered, but the tickets could not be read back: %s", exc)
    # no "updated_at": a show_many version may include someone else's later write, so it must not
    # chain our next delivery (a 409 then rebases it through the audits instead)
    results = {e.op_id: {"ticket_id": e.ticket_id, "audit_id": None, "updated_at": None,
                         "sent_stamp": stamps[e.op_id], "batch": batch_of(e)} for e in updated}
    return change | sender.writer.mark_sent_many(results)


def _verify_each(sender: OutboxSender, entries: list[OutboxEntry], failure: HelpdeskError | None) -> list[Delivery]:
    """Each entry of a job whose outcome is unknown, checked in its audits. The job may still be
    queued: the first entries not found are looked for again after short waits, shared by the batch."""
    looks = SettleLooks(sender.client._wait)
    out: list[Delivery] = []
    for i, e in enumerate(entries):
        try:
            out.append(sender.verify(e, failure=failure, looks=looks))
        except Unreachable:
            sender.writer.mark_outcome_unknown([x.op_id for x in entries[i:]])
            raise
    return out


def _summary(lead: OutboxEntry, settled: list[Delivery], change: Change, sent: int = 0) -> Delivery:
    """One Delivery for the engine's report: sent when any ticket was updated, else the lead's outcome."""
    from .push import Delivery

    for d in settled:
        change |= d.change
    conflicts = [d for d in settled if d.outcome == "conflict"]
    failed = [d for d in settled if d.outcome == "failed"]
    parts = [f"{sent} updated"] + ([f"{len(conflicts)} conflicts"] if conflicts else []) \
        + ([f"{len(failed)} failed"] if failed else [])
    message = "Bulk change: " + ", ".join(parts)
    stop = next((d for d in settled if not d.go_on), None)
    if sent:
        return Delivery("sent", lead.op_id, change, message if conflicts or failed else None,
                        go_on=stop is None, error=stop.error if stop else None)
    first = next((d for d in settled if d.op_id == lead.op_id), settled[0] if settled else None)
    if first is None:
        return Delivery("sent", lead.op_id, change)
    return Delivery(first.outcome, lead.op_id, change, message, retry_at=first.retry_at,
                    go_on=stop is None, error=stop.error if stop else None)
