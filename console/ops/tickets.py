"""Tickets: what the agent sees of one (``OpenTicket``) and the field changes they make (``TicketOps``).

    shown = OpenTicket(runner, sync, me=agent_id)       # one per place a ticket is shown
    shown.loaded.connect(pane.show_details)              # TicketDetails, once per open, again on changes
    shown.show(ticket_id)                                # preview (J/K): load it
    shown.open(ticket_id)                                # Enter: load, mark seen, ask the helpdesk for news
    tickets = TicketOps(runner, sync, undo)
    tickets.change_fields(ticket_id=7, fields={"status": "solved"}, stamp=seen_updated_at)

Everything is read off the GUI thread in one go (``load_ticket_details``): the ticket with the
field changes still in the outbox applied (and named in ``ticket["_queued"]``), the thread with
its HTML sanitized, the people, the account facts and policy badges, drafts and the ticket's
outbox entries (replies on their way show in the thread as *queued → sending → sent*).
``OpenTicket`` reloads by itself when a change touches its ticket, and skips the echo of its own
"seen" mark, so opening renders once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

from console.domain.account import Account, account_from_user
from console.domain.brands import AccountOrigins
from console.domain.html import sanitize_comment_html
from console.domain.placeholders import ticket_context
from console.domain.policies import PolicyBadge, policy_badges
from console.domain.statuses import CustomStatus, custom_status_map
from console.domain.ticket_fields import CustomField, custom_fields
from console.store import CacheReader, Change, Draft, Kind, OutboxEntry

from .runner import Cache, Runner, Written
from .undo import UndoStack

log = logging.getLogger(__name__)

OPEN_STATES = ("queued", "sending", "failed", "conflict")
RELOAD_KINDS = Kind.TICKETS | Kind.COMMENTS | Kind.OUTBOX | Kind.CONFLICTS   # of the shown ticket
# What the pane names and offers for every ticket (departments and their agents, statuses, brands,
# forms, fields): replaced whole by the sync every 15 minutes, and on the first run after the ticket showed.
ACCOUNT_KINDS = (Kind.DEPARTMENTS | Kind.MEMBERSHIPS | Kind.CUSTOM_STATUSES | Kind.BRANDS | Kind.TICKET_FORMS
                 | Kind.TICKET_FIELDS)
FIELD_LABELS = {"group_id": "department", "assignee_id": "assignee", "custom_status_id": "custom status"}


@dataclass(frozen=True)
class TicketDetails:
    """Everything the ticket pane, the account pane, the reply editor and the picker show of one ticket."""

    ticket: dict[str, Any]
    comments: list[dict[str, Any]]
    users: dict[int, dict[str, Any]]
    requester: dict[str, Any] | None
    departments: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    department_name: str | None
    outbox: list[OutboxEntry]
    drafts: dict[str, Draft]
    badges: list[PolicyBadge]
    account: Account | None
    merchant: bool
    other_tickets: list[dict[str, Any]]
    context: dict[str, Any] = field(default_factory=dict)   # the placeholder namespace
    me: dict[str, Any] | None = None                          # the signed-in agent
    custom_statuses: dict[int, CustomStatus] = field(default_factory=dict)   # the account's own statuses
    origins: AccountOrigins = field(default_factory=lambda: AccountOrigins({}, {}))   # brands and forms
    ticket_fields: list[CustomField] = field(default_factory=list)            # the account's custom fields

    @property
    def ticket_id(self) -> int:
        return int(self.ticket["id"])

    def field_name(self, key: str, value: Any) -> Any:
        """A field value as the agent reads it: a department's or an agent's name instead of an id."""
        if value is None:
            return value
        if key == "group_id":
            return next((d["name"] for d in self.departments if d["id"] == value), value)
        if key == "assignee_id":
            return next((a.get("name") for a in self.agents if a["id"] == value), value)
        if key == "custom_status_id":
            found = self.custom_statuses.get(value)
            return found.label if found is not None else value
        return value

    def field_facts(self) -> list[tuple[str, str]]:
        """(title, value) of the ticket's type and its custom fields that have a value, for the pane."""
        facts = [("Type", str(self.ticket["type"]).capitalize())] if self.ticket.get("type") else []
        values = {item.get("id"): item.get("value") for item in self.ticket.get("custom_fields") or ()
                  if isinstance(item, dict)}
        for custom in self.ticket_fields:
            shown = custom.shown(values.get(custom.id))
            if shown:
                facts.append((custom.title, shown))
        return facts

    @property
    def pending_replies(self) -> list[OutboxEntry]:
        """Replies and notes queued or sent but not in the thread yet (shown under it with their state)."""
        landed = {c.get("audit_id") for c in self.comments if c.get("audit_id")}
        out = []
        for entry in self.outbox:
            if entry.kind not in ("reply", "note"):
                continue
            if entry.state == "sent" and (entry.result or {}).get("audit_id") in landed:
                continue
            out.append(entry)
        return out


def load_ticket_details(reader: CacheReader, ticket_id: int, me: int | None, now: datetime) -> TicketDetails | None:
    """One ticket and everything shown beside it (blocking SQLite: the read lane)."""
    ticket = reader.ticket(ticket_id)
    if ticket is None:
        return None
    queued = reader.pending_fields([ticket_id]).get(ticket_id, {})
    ticket = {**ticket, **queued, "_queued": sorted(queued), "_seen_version": ticket.get("updated_at")}
    comments = reader.comments_for_ticket(ticket_id)
    for comment in comments:
        if comment.get("html_body"):
            comment["safe_html"] = sanitize_comment_html(comment["html_body"])
    people = {c["author_id"] for c in comments if c.get("author_id")}
    people |= {p for p in (ticket.get("requester_id"), ticket.get("assignee_id"), me) if p}
    users = reader.users_by_ids(sorted(people))

    def user(user_id: object) -> dict[str, Any] | None:
        return users.get(user_id) if isinstance(user_id, int) else None

    requester = user(ticket.get("requester_id"))
    departments = reader.groups()
    group_id = ticket.get("group_id")
    department = next((g for g in reader.groups(include_deleted=True) if g["id"] == group_id), None)
    agents = reader.agents(group_id) if group_id else reader.agents()
    badges = policy_badges(ticket, requester, department["name"] if department else None, comments, now=now)
    merchant = any(b.rule == "merchant_customer" for b in badges)
    outbox = [e for e in reader.list_outbox(ticket_id=ticket_id)
              if e.state in OPEN_STATES or (e.state == "sent" and now.timestamp() - (e.sent_at or 0) < 86400)]
    drafts = {kind: d for kind in ("reply", "note") if (d := reader.load_draft(ticket_id, kind)) is not None}
    others = reader.requester_tickets(ticket["requester_id"], exclude_ticket_id=ticket_id, limit=20) \
        if ticket.get("requester_id") else []
    context = ticket_context(ticket, requester, user(ticket.get("assignee_id")), user(me), department,
                             comments, now=now)
    return TicketDetails(ticket, comments, users, requester, departments, agents,
                         department["name"] if department else None, outbox, drafts, badges,
                         None if merchant else account_from_user(requester), merchant, others, context,
                         user(me), custom_status_map(reader.custom_statuses()),
                         AccountOrigins.from_api(reader.brands(), reader.ticket_forms()),
                         custom_fields(reader.ticket_fields()))


def describe_fields(fields: dict[str, Any], names: Callable[[str, Any], str] | None = None) -> str:
    """'status → solved, department → Billing' for a status line."""
    parts = []
    for key, value in fields.items():
        shown = names(key, value) if names else value
        if isinstance(shown, list):
            shown = " ".join(map(str, shown)) or "none"
        parts.append(f"{FIELD_LABELS.get(key, key)} → {shown if shown not in (None, '') else 'none'}")
    return ", ".join(parts)


PREVIEW_SEEN_MS = 1500   # a ticket shown this long (J/K resting on it) counts as seen


class OpenTicket(QObject):
    """The ticket shown in one place of the window; loads off the GUI thread, follows changes."""

    loaded = Signal(object)    # TicketDetails
    cleared = Signal()
    missing = Signal(int)      # the ticket asked for is not in the cache

    def __init__(self, runner: Runner, sync, *, me: int | None, clock: Callable[[], datetime] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.sync, self.me = runner, sync, me
        self.clock = clock or (lambda: datetime.now(UTC))
        self.details: TicketDetails | None = None
        self._wanted: int | None = None
        self._generation = 0
        self._reload = QTimer(self, singleShot=True, interval=40)   # a burst of changes → one reload
        self._reload.timeout.connect(self.reload)
        self._preview = QTimer(self, singleShot=True, interval=PREVIEW_SEEN_MS)   # resting on it with J/K
        self._preview.timeout.connect(self._mark_previewed_seen)
        runner.bus.cache_changed.connect(self.on_cache_changed)

    @property
    def ticket_id(self) -> int | None:
        return self._wanted

    def show(self, ticket_id: int) -> None:
        """Load and show ``ticket_id`` (no network); still shown after ``PREVIEW_SEEN_MS``, it is seen."""
        self._wanted = int(ticket_id)
        self._preview.start()
        self.reload()

    def _mark_previewed_seen(self) -> None:
        details, ticket_id = self.details, self._wanted
        if ticket_id is not None and details is not None and details.ticket_id == ticket_id \
                and not details.ticket.get("_seen", True):
            self.runner.write(lambda cache: cache.writer.mark_seen([ticket_id]), initiator=self)

    def open(self, ticket_id: int) -> None:
        """The agent opened it: show it, mark it seen, and ask the helpdesk for its latest state."""
        if ticket_id != self._wanted or self.details is None:
            self.show(ticket_id)
        self.runner.write(lambda cache: cache.writer.mark_seen([ticket_id]), initiator=self)
        if ticket_id > 0:   # a new ticket still in the outbox (negative id) is not on the helpdesk to ask
            self.sync.request_ticket(ticket_id)

    def clear(self) -> None:
        self._preview.stop()
        self._wanted, self.details = None, None
        self._generation += 1
        self.cleared.emit()

    def reload(self) -> None:
        ticket_id = self._wanted
        if ticket_id is None:
            return
        self._generation += 1
        generation, me, now = self._generation, self.me, self.clock()
        self.runner.read(lambda reader: load_ticket_details(reader, ticket_id, me, now),
                         done=lambda details: self._loaded(generation, ticket_id, details))

    def _loaded(self, generation: int, ticket_id: int, details: TicketDetails | None) -> None:
        if generation != self._generation or ticket_id != self._wanted or not isValid(self):
            return   # the agent moved on while it loaded (or the window that showed it closed)
        if details is None:
            self.details = None
            self.missing.emit(ticket_id)
            return
        self.details = details
        self.loaded.emit(details)

    def on_cache_changed(self, change: Change, initiator: object) -> None:
        tid = self._wanted
        if tid is None or initiator is self:
            return
        if (tid in change.ticket_ids and change.touches(RELOAD_KINDS)) or change.touches(ACCOUNT_KINDS) \
                or not change.user_ids.isdisjoint(self._people()):
            self._reload.start()

    def _people(self) -> set[int]:
        """Everyone the shown ticket names, found in the cache or not yet (then shown as "user #N")."""
        details = self.details
        if details is None:
            return set()
        ticket = details.ticket
        ids = {ticket.get("requester_id"), ticket.get("assignee_id"), self.me,
               *(c.get("author_id") for c in details.comments), *(a["id"] for a in details.agents)}
        return {i for i in ids if isinstance(i, int)}


class TicketOps(QObject):
    """Field changes: queued at once (offline too), shown at once, undoable while still queued."""

    def __init__(self, runner: Runner, sync, undo: UndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.sync, self.undo = runner, sync, undo

    def change_fields(self, *, ticket_id: int, fields: dict[str, Any], stamp: str | None,
                      previous: dict[str, Any] | None = None, initiator: object = None,
                      describe: Callable[[str, Any], str] | None = None,
                      done: Callable[[str], None] | None = None) -> None:
        """Queue ``fields`` for the ticket (the version the agent saw is ``stamp``); ``previous``
        holds the values they replace, for an undo after the change already went out."""
        fields = dict(fields)
        payload: dict[str, Any] = {"fields": fields}
        if previous:
            payload["previous"] = {k: previous.get(k) for k in fields}
        if not fields:
            return
        if ticket_id < 0:   # a new ticket still in the outbox: nothing to update on the helpdesk yet
            self.runner.bus.warn("This ticket is not on the helpdesk yet; change its fields once it is created.")
            return
        text = f"#{ticket_id}: {describe_fields(fields, describe)}"

        def queued(change: Change) -> None:
            log.info("queued a field change for ticket #%s (%s; op %s)", ticket_id, ", ".join(sorted(fields)),
                     change.op_id)
            self.runner.bus.info(f"{text} — queued")
            self.undo.offer(f"{text} queued", lambda: self.undo_change(op_id=change.op_id, ticket_id=ticket_id))
            self.sync.request_push()
            if done is not None:
                done(change.op_id)

        self.runner.write(lambda cache: cache.writer.enqueue("fields", ticket_id, payload, stamp),
                          done=queued, initiator=initiator)

    def undo_change(self, *, op_id: str, ticket_id: int) -> None:
        """Take a queued field change back; once it went out, queue the values it replaced instead."""
        def work(cache: Cache) -> Written:
            entry = cache.reader.get_entry(op_id)
            if entry is not None and (entry.state == "queued" or (entry.state == "failed" and entry.retry_at)):
                return Written(cache.writer.cancel_entry(op_id), "cancelled")
            previous = (entry.payload.get("previous") if entry else None) or {}
            if not previous:
                return Written(Change(), "unknown")
            ticket = cache.reader.ticket(ticket_id) or {}
            return Written(cache.writer.enqueue("fields", ticket_id, {"fields": previous}, ticket.get("updated_at")),
                           "reverted")

        def undone(how: str) -> None:
            self.runner.bus.info({"cancelled": f"#{ticket_id}: change taken back",
                                  "reverted": f"#{ticket_id}: it had already gone out; the previous values are queued",
                                  "unknown": f"#{ticket_id}: it had already gone out and cannot be taken back"}[how])
            self.sync.request_push()

        self.runner.write(work, done=undone)

