"""Tray icon with queue counts, and the notifications an agent gets.

Decisions are pure functions over plain records (tested without Qt); the icon only shows them.

API for ``main_window.py`` / ``app.py``::

    tray = TrayIcon(NotifyRules.from_prefs(prefs, me=agent_id, departments=reader.group_ids_of(agent_id)))
    tray.ticket_requested.connect(main_window.on_open_ticket)      # int: a clicked notification's ticket
    tray.show_window_requested.connect(main_window.on_raise)       # tray icon clicked / "Open"
    tray.quit_requested.connect(app.quit)
    tray.notification_shown.connect(status_bar.on_notification)    # also fires without a system tray
    tray.set_counts(reader.queue_counts(me=agent_id))              # tooltip + badge
    # after each store Change (run the blocking read in the executor, then on the GUI thread):
    facts = facts_for_change(reader, change, agent_id)             # blocking SQLite: executor
    tray.on_ticket_facts(facts)
    # for the sync engine's status events:
    tray.on_sync_event(SyncEvent("failed", "cannot reach ...")) / SyncEvent("conflict", msg, ticket_id) /
    SyncEvent("ok")
    tray.memory.set_watermark(max_updated_at)  # once, after the first completed sync of an empty cache

What is notified (each kind can be switched off in Settings):
- a new ticket in one of my departments: created after the watermark (the newest ``updated_at``
  in the cache when the session started; server time, never the desktop clock);
- a customer reply on a ticket assigned to me: its newest public comment is by the requester and
  is newer than the watermark;
- a sync failure (once per distinct failure until a sync succeeds again), and each new conflict.
Each ticket/comment/conflict is notified once. More than ``MAX_BUBBLES`` at once become one summary.
``TrayIcon`` creates a ``QSystemTrayIcon`` only when ``QSystemTrayIcon.isSystemTrayAvailable()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from console.store import Kind

MAX_BUBBLES = 3
SYNC_EVENT_KINDS = ("ok", "failed", "conflict")


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
class SyncEvent:
    kind: str                 # one of SYNC_EVENT_KINDS
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


def decide_sync_notification(event: SyncEvent, rules: NotifyRules,
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


def facts_for_change(reader, change, me: int | None) -> list[TicketFacts]:
    """TicketFacts for the tickets a store ``Change`` touched (blocking SQLite: call it off the GUI thread)."""
    if not change.touches(Kind.TICKETS | Kind.COMMENTS) or not change.ticket_ids:
        return []
    facts = []
    for row in reader.tickets_by_ids(sorted(change.ticket_ids)):
        last, public = None, []
        if me is not None and row["assignee_id"] == me:
            public = [c for c in reader.comments_for_ticket(row["id"]) if c["public"]]
            last = public[-1] if public else None
        facts.append(TicketFacts(
            row["id"], row["subject"], row["status"], row["group_id"], row["assignee_id"], row["requester_id"],
            row["created_at"], row["deleted"], last and last["id"], last and last["author_id"],
            last and last["created_at"], len(public) if last else 0))
    return facts


def tooltip_for(counts) -> str:
    """Tooltip text from ``QueueCounts``."""
    lines = [f"{counts.mine} open assigned to me", f"{counts.unassigned} unassigned"]
    if counts.outbox:
        lines.append(f"{counts.outbox} waiting to send")
    if counts.conflicts:
        lines.append(f"{counts.conflicts} conflict{'s' * (counts.conflicts != 1)} to resolve")
    return "Support Console\n" + "\n".join(lines)


def badge_icon(base: QIcon, count: int, alert: bool = False, size: int = 64) -> QIcon:
    """``base`` with a round count badge in the corner (none for 0); red when ``alert``."""
    if count <= 0 and not alert:
        return base
    pixmap = base.pixmap(size, size)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    rect = QRectF(size * 0.42, 0, size * 0.58, size * 0.58)
    # the dot sits on the desktop panel, not in our window: fixed signal colours, whatever the app theme
    painter.setBrush(QColor("#d93025" if alert else "#e8710a"))
    painter.setPen(Qt.NoPen)
    painter.drawEllipse(rect)
    font = QFont()
    font.setPixelSize(int(size * (0.34 if count < 100 else 0.24)))  # sized to the badge, not to text
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignCenter, "99+" if count > 99 else str(max(count, 0)) if count else "!")
    painter.end()
    return QIcon(pixmap)


class TrayIcon(QObject):
    """The tray icon and its notifications; works (signals only) where no system tray exists."""

    ticket_requested = Signal(int)
    show_window_requested = Signal()
    quit_requested = Signal()
    notification_shown = Signal(object)   # Notification

    def __init__(self, rules: NotifyRules, icon: QIcon | None = None, parent: QObject | None = None):
        super().__init__(parent)
        from console.views.theme import app_icon

        self.rules = rules
        self.memory = NotificationMemory()
        self.base_icon = icon or app_icon()
        self.last_ticket_id: int | None = None
        self.tooltip = "Support Console"
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self.base_icon, self)
            menu = QMenu()
            menu.addAction("Open Support Console", self.show_window_requested.emit)
            menu.addSeparator()
            menu.addAction("Quit", self.quit_requested.emit)
            self._menu = menu
            self.tray.setContextMenu(menu)
            self.tray.messageClicked.connect(self.on_message_clicked)
            self.tray.activated.connect(self.on_activated)
            self.tray.show()

    def set_rules(self, rules: NotifyRules) -> None:
        self.rules = rules

    def set_counts(self, counts) -> None:
        self.tooltip = tooltip_for(counts)
        if self.tray is not None:
            self.tray.setToolTip(self.tooltip)
            self.tray.setIcon(badge_icon(self.base_icon, counts.mine, alert=counts.conflicts > 0))

    def on_ticket_facts(self, facts: Iterable[TicketFacts]) -> None:
        for note in decide_ticket_notifications(facts, self.rules, self.memory):
            self.show(note)

    def on_sync_event(self, event: SyncEvent) -> None:
        note = decide_sync_notification(event, self.rules, self.memory)
        if note is not None:
            self.show(note)

    def show(self, note: Notification) -> None:
        if note.ticket_id is not None:
            self.last_ticket_id = note.ticket_id
        if self.tray is not None:
            icon = QSystemTrayIcon.Warning if note.kind in ("sync_failed", "conflict") else QSystemTrayIcon.Information
            self.tray.showMessage(note.title, note.message, icon, 8000)
        self.notification_shown.emit(note)

    def on_message_clicked(self) -> None:
        if self.last_ticket_id is not None:
            self.ticket_requested.emit(self.last_ticket_id)
        self.show_window_requested.emit()

    def on_activated(self, reason) -> None:
        if reason in (QSystemTrayIcon.Trigger, QSystemTrayIcon.DoubleClick):
            self.show_window_requested.emit()
