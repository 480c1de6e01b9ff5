"""Replies and internal notes: drafts as the agent types, and sending through the outbox.

    replies = ReplyOps(runner, sync, me=agent_id)
    replies.save_draft(ticket_id=7, kind="reply", body=text, initiator=editor)
    replies.send(ticket_id=7, kind="reply", body=text, fields={"status": "pending"},
                 initiator=editor, done=on_queued, refused=on_refused)

Every send waits in the outbox first: ``grace_seconds`` (the "Undo send" setting; 0 = off) with
an undo step offered (the toast's Undo, Ctrl+Z) that takes it back into the editor, or until
``send_at`` (send later). See ``console/ops/outbox.py``.

``send`` runs the guard and builds the outbox payload (the contract of ``console/sync/push.py``:
``{"body": text, "fields": {...}}``, plus ``html_body`` for a formatted reply (``html``: sanitized
by the rules incoming HTML is shown with, its plain text as ``body``), the kind deciding public or
internal) on the db lane, then
queues the entry and deletes the draft in one transaction, and asks the engine to push. The guard
refuses, with a :class:`SendRefused` naming why, a reply to a ticket that is gone from the cache or
deleted on the helpdesk, an empty one, and one whose placeholders cannot all be filled. A public
reply whose text still promises what the account's policy badges contradict ("I have issued a full
refund" 70 days after the purchase, ``policy_guard.contradicted_promises``) is refused with a
:class:`PolicyContradiction` naming each promise, until it is sent again with ``confirmed=True``.
``canned_reply_id`` (the canned reply the text came from) goes into the payload: the console's
usage history, never sent to the helpdesk. ``expand_fragments(text, done=, failed=)`` answers each
fragment tag typed in a reply (``{% render 'Refund terms' %}``) with the fragment's text, from the
cached canned replies (``console/domain/fragments.py``), or the reason it can't.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject

from console.domain.fragments import FragmentError, expand_fragments, fragments_from_macros, references
from console.domain.html import html_to_text, sanitize_comment_html
from console.domain.placeholders import UnresolvedPlaceholder, render_preview, ticket_context
from console.store import Change

from .runner import Cache, Runner, Written

log = logging.getLogger(__name__)

KINDS = ("reply", "note")


class SendRefused(Exception):
    """The reply cannot go out as it is; the message says why, ``problems`` marks placeholders."""

    def __init__(self, message: str, problems: list[UnresolvedPlaceholder] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class PolicyContradiction(SendRefused):
    """The reply promises what the account's policy state contradicts; ``promises``: one sentence each.
    Sending again with ``confirmed=True`` sends it anyway."""

    def __init__(self, promises: list[str]) -> None:
        super().__init__("This reply contradicts the account's policy: " + " ".join(promises))
        self.promises = list(promises)


def placeholder_context(reader, ticket_id: int, me: int | None, now: datetime | None = None) -> dict | None:
    """The placeholder namespace for a cached ticket (None when it isn't cached)."""
    ticket = reader.ticket(ticket_id)
    if ticket is None:
        return None
    ids = [i for i in (ticket.get("requester_id"), ticket.get("assignee_id"), me) if i]
    users = reader.users_by_ids(ids)
    group = next((g for g in reader.groups(include_deleted=True) if g.get("id") == ticket.get("group_id")), None)
    return ticket_context(ticket, users.get(ticket.get("requester_id")), users.get(ticket.get("assignee_id")),
                          users.get(me), group, reader.comments_for_ticket(ticket_id), now=now or datetime.now(UTC))


def reply_payload(text: str, fields: dict[str, Any] | None, canned_reply_id: int | None = None,
                  files: list[dict] | None = None) -> dict[str, Any]:
    """The outbox payload of a reply or note (console/sync/push.py's contract). ``files`` only names
    the attached files for display; the sender uploads them from ``outgoing_files``."""
    return {"body": text, **({"fields": dict(fields)} if fields else {}),
            **({"canned_reply_id": int(canned_reply_id)} if canned_reply_id is not None else {}),
            **({"files": files} if files else {})}


class ReplyOps(QObject):
    def __init__(self, runner: Runner, sync, *, me: int | None, outbox=None, undo=None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.sync, self.me = runner, sync, me
        self.outbox, self.undo = outbox, undo
        self.grace_seconds = 0.0   # the window sets the agent's "Undo send" setting (app default 10 s)

    def save_draft(self, *, ticket_id: int, kind: str, body: str, initiator: object = None,
                   done: Callable[[Change], None] | None = None) -> None:
        """Keep what is typed (deleted when ``body`` is blank); durable once ``done`` runs."""
        def work(cache: Cache) -> Change:
            if body.strip():
                return cache.writer.save_draft(ticket_id, kind, body)
            return cache.writer.delete_draft(ticket_id, kind)
        self.runner.write(work, initiator=initiator, done=done)

    def move_draft(self, *, ticket_id: int, old_kind: str, new_kind: str, body: str, initiator: object = None,
                   done: Callable[[Change], None] | None = None) -> None:
        """Reply ↔ note: the text keeps going, under the other kind."""
        def work(cache: Cache) -> Change:
            change = cache.writer.save_draft(ticket_id, new_kind, body) if body.strip() else Change()
            change |= cache.writer.move_draft_files(ticket_id, old_kind, new_kind)
            return change | cache.writer.delete_draft(ticket_id, old_kind)
        self.runner.write(work, initiator=initiator, done=done)

    def expand_fragments(self, text: str, *, done: Callable[[list[tuple[str, str]]], None],
                         failed: Callable[[str], None]) -> None:
        """``done([(tag as typed, the fragment's text), ...])`` for the fragment tags in ``text``."""
        def work(reader) -> list[tuple[str, str]]:
            fragments = fragments_from_macros(reader.all_macros())
            return [(match.group(0), expand_fragments(match.group(0), fragments)) for _name, match in references(text)]

        def broken(error: Exception) -> None:
            if not isinstance(error, FragmentError):
                log.error("expanding fragments failed", exc_info=error)
            failed(str(error))
        self.runner.read(work, done=done, failed=broken)

    def send(self, *, ticket_id: int, kind: str, body: str, html: str | None = None,
             fields: dict[str, Any] | None = None,
             initiator: object = None, done: Callable[[str], None] | None = None,
             refused: Callable[[SendRefused], None] | None = None, canned_reply_id: int | None = None,
             confirmed: bool = False, send_at: float | None = None) -> None:
        """Guard, queue (the draft goes in the same transaction), then push; ``done(op_id)``.
        ``send_at`` (local epoch): send later; otherwise it waits ``grace_seconds`` with an undo."""
        if kind not in KINDS:
            raise ValueError(f"unknown reply kind {kind!r}")
        me, now = self.me, datetime.now(UTC)
        grace = 0.0 if send_at is not None else max(0.0, float(self.grace_seconds))
        not_before = send_at if send_at is not None else (time.time() + grace if grace else None)

        def work(cache: Cache) -> Written:
            if not body.strip():
                raise SendRefused("Nothing to send: write a reply first.")
            ticket = cache.reader.ticket(ticket_id)
            if ticket is None:
                raise SendRefused(f"Ticket #{ticket_id} is not in the cache; the text stays as a draft.")
            if ticket_id < 0:
                raise SendRefused("This ticket is not on the helpdesk yet; reply once it has been created. "
                                  "The text stays as a draft.")
            if ticket.get("_deleted"):
                raise SendRefused("This ticket was deleted on the helpdesk; the text stays as a draft.")
            text, problems = render_preview(body, placeholder_context(cache.reader, ticket_id, me, now) or {})
            if problems:
                names = "; ".join(p.message for p in problems[:3])
                raise SendRefused(f"Can't send yet: {names}. Fill it in or remove it.", problems)
            if kind == "reply" and not confirmed:
                from console.domain.policy_guard import contradicted_promises  # loaded by Ops.warm_up
                from console.suggest import policy_state

                promises = contradicted_promises(text, *policy_state(cache.reader, ticket, now))
                if promises:
                    raise PolicyContradiction(promises)
            files = [{"name": f.file_name, "size": f.size} for f in cache.reader.draft_files(ticket_id, kind)]
            payload = reply_payload(text, fields, canned_reply_id, files)
            if html:   # formatted: html_body by the incoming-HTML rules, and its plain text as the body
                rendered, _problems = render_preview(html, placeholder_context(cache.reader, ticket_id, me, now) or {})
                payload["html_body"] = sanitize_comment_html(rendered)
                payload["body"] = html_to_text(payload["html_body"]) or text
            change = cache.writer.enqueue(kind, ticket_id, payload, ticket.get("updated_at"),
                                          clear_draft=kind, not_before=not_before)   # the draft's files go along
            return Written(change, change.op_id)

        def queued(op_id: str) -> None:
            log.info("queued a %s for ticket #%s (op %s)", kind, ticket_id, op_id)
            self.sync.request_push()
            if grace and self.undo is not None and self.outbox is not None:
                what = "Reply" if kind == "reply" else "Note"
                self.undo.offer(f"{what} to #{ticket_id} sends in {grace:.0f} s",
                                lambda: self.outbox.take_back(op_id, kind=kind, body=body), ttl=grace)
            if done is not None:
                done(op_id)

        def failed(error: Exception) -> None:
            if isinstance(error, SendRefused):
                if refused is not None:
                    refused(error)
                else:
                    self.runner.bus.warn(str(error))
                return
            log.error("could not queue a %s for ticket #%s", kind, ticket_id, exc_info=error)
            message = SendRefused(f"Could not queue the {kind}: {error}. The text stays in the editor.")
            if refused is not None:
                refused(message)
            else:
                self.runner.bus.error(str(message))

        self.runner.write(work, done=queued, failed=failed, initiator=initiator)
