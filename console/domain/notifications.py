"""Which notifications an agent gets, as pure rules over plain records (no Qt, no SQL).

What is notified (each kind can be switched off in Settings):
- a new ticket in one of my departments: created after the watermark (the newest ``updated_at``
  in the cache when the session started, or after the first sync of an empty cache; server
  time, never the desktop clock);
- a customer reply on a ticket assigned to me: its newest public comment is by the requester and
  is newer than the watermark;
- a sync failure (once per distinct failure until a sync succeeds again), and each new conflict.
Each ticket/comment/conflict is notified once. More than ``MAX_BUBBLES`` at once become one summary.
``console.ops.notifications`` feeds these rules from the cache and the sync status; the tray
icon (``console.views.tray``) shows what they decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_BUBBLES = 3


@dataclass(frozen=True)
class Notification:
    kind: str            # new_ticket | customer_reply | sync_failed | conflict | summary
    title: str
    message: str
    ticket_id: int | None = None


@dataclass(frozen=True)
class TicketFacts:
    """What the rules need about one changed ticket (no comment bodies)."""

    id: int
    subject: str
    status: str
    group_id: int | None
    assignee_id: int | None
    requester_id: int | None
    created_at: str | None
    deleted: bool = False
    last_public_comment_id: int | None = None
    last_public_author_id: int | None = None
    last_public_at: str | None = None
    public_comments: int = 0          # the first one is the request itself, not a reply


@dataclass(frozen=True)
class SyncNote:
    """What the sync did that may deserve a notification: "ok", "failed" (message) or "conflict"."""

    kind: str
    message: str = ""
    ticket_id: int | None = None


@dataclass(frozen=True)
class NotifyRules:
    me: int | None
    departments: frozenset[int] = frozenset()
    new_tickets: bool = True
    customer_replies: bool = True
    sync_problems: bool = True

    @classmethod
    def from_prefs(cls, prefs, me: int | None, departments: Iterable[int]) -> NotifyRules:
        return cls(me, frozenset(departments), bool(prefs.get("notify_new_tickets")),
                   bool(prefs.get("notify_customer_replies")), bool(prefs.get("notify_sync_problems")))


@dataclass
class NotificationMemory:
    """What was already said, and from when on things count as new (an API timestamp string)."""

    watermark: str | None = None
    notified: set = field(default_factory=set)
    last_sync_error: str | None = None

    def set_watermark(self, stamp: str | None) -> None:
        if stamp and (self.watermark is None or stamp > self.watermark):
            self.watermark = stamp


def decide_ticket_notifications(facts: Iterable[TicketFacts], rules: NotifyRules,
                                memory: NotificationMemory) -> list[Notification]:
    """Notifications for changed tickets; updates ``memory`` so nothing is said twice."""
    if memory.watermark is None:
        return []  # first sync of an empty cache: everything is "new", so nothing is
    out: list[Notification] = []
    for t in facts:
        if t.deleted:
            continue
        if (rules.new_tickets and t.group_id in rules.departments and t.created_at
                and t.created_at > memory.watermark and ("new", t.id) not in memory.notified):
            memory.notified.add(("new", t.id))
            out.append(Notification("new_ticket", f"New ticket #{t.id}", t.subject or "(no subject)", t.id))
        if (rules.customer_replies and rules.me is not None and t.assignee_id == rules.me
                and t.last_public_comment_id is not None and t.last_public_author_id == t.requester_id
                and t.last_public_at and t.last_public_at > memory.watermark
                and t.public_comments > 1
                and ("reply", t.last_public_comment_id) not in memory.notified):
            memory.notified.add(("reply", t.last_public_comment_id))
            out.append(Notification("customer_reply", f"Customer replied on #{t.id}",
                                    t.subject or "(no subject)", t.id))
    return coalesce(out)


def decide_sync_notification(event: SyncNote, rules: NotifyRules,
                             memory: NotificationMemory) -> Notification | None:
    """A notification for a sync status event, or None (repeats of the same failure are quiet)."""
    if event.kind == "ok":
        memory.last_sync_error = None
        return None
    if not rules.sync_problems:
        return None
    if event.kind == "failed":
        if event.message == memory.last_sync_error:
            return None
        memory.last_sync_error = event.message
        return Notification("sync_failed", "Sync failed", event.message or "The helpdesk could not be reached.")
    if event.kind == "conflict":
        key = ("conflict", event.ticket_id, event.message)
        if key in memory.notified:
            return None
        memory.notified.add(key)
        where = f" on #{event.ticket_id}" if event.ticket_id else ""
        return Notification("conflict", f"Conflict{where}", event.message or
                            "Someone else changed this ticket; choose which change to keep.", event.ticket_id)
    return None


def coalesce(notes: list[Notification], limit: int = MAX_BUBBLES) -> list[Notification]:
    """At most ``limit`` bubbles: beyond that, one summary that opens the first ticket."""
    if len(notes) <= limit:
        return notes
    new = sum(n.kind == "new_ticket" for n in notes)
    replies = sum(n.kind == "customer_reply" for n in notes)
    parts = [f"{new} new ticket{'s' * (new != 1)}" if new else "",
             f"{replies} customer repl{'ies' if replies != 1 else 'y'}" if replies else ""]
    return [Notification("summary", "Support Console", ", ".join(p for p in parts if p), notes[0].ticket_id)]


def tooltip_for(counts) -> str:
    """Tooltip text from ``QueueCounts``."""
    lines = [f"{counts.mine} open assigned to me", f"{counts.unassigned} unassigned"]
    if counts.outbox:
        lines.append(f"{counts.outbox} waiting to send")
    if counts.conflicts:
        lines.append(f"{counts.conflicts} conflict{'s' * (counts.conflicts != 1)} to resolve")
    return "Support Console\n" + "\n".join(lines)
