"""Feed the notification rules (``console.domain.notifications``) from the cache and the sync status.

    notifier = Notifier(runner, rules)          # NotifyRules: me, my departments, switches
    notifier.notified.connect(tray.show)        # Notification: each decided once
    notifier.start()                            # sets the watermark from the cache (or after the first sync)

It listens to the bus: tickets and comments the sync engine brought in (never the agent's own
writes), new conflicts in the cache, and sync failures/recoveries in the status.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from console.domain.notifications import (
    NotificationMemory,
    NotifyRules,
    SyncNote,
    TicketFacts,
    decide_sync_notification,
    decide_ticket_notifications,
)
from console.store import Change, Kind

from .runner import Runner

log = logging.getLogger(__name__)


def facts_for_change(reader, change: Change, me: int | None) -> list[TicketFacts]:
    """TicketFacts for the tickets a change touched (blocking SQLite: the read lane)."""
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


class Notifier(QObject):
    notified = Signal(object)   # Notification

    def __init__(self, runner: Runner, rules: NotifyRules, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.rules = runner, rules
        self.memory = NotificationMemory()
        self._waiting_for_first_sync = False
        self._started = False
        self._known_conflicts: set[int] | None = None

    def start(self) -> None:
        """Count from now on: the newest change in the cache; an empty cache waits for its first sync."""
        if self._started:
            return
        self._started = True
        bus = self.runner.bus
        bus.cache_changed.connect(self.on_cache_changed)
        bus.sync_status_changed.connect(self.on_sync_status)
        self.runner.read(lambda reader: (reader.newest_ticket_update(), {c.id for c in reader.list_conflicts()}),
                         done=self._on_start)

    def _on_start(self, result) -> None:
        newest, conflicts = result
        self._known_conflicts = conflicts if self._known_conflicts is None else self._known_conflicts | conflicts
        if newest:
            self.memory.set_watermark(newest)
            log.debug("notifications count from %s", newest)
        else:
            self._waiting_for_first_sync = True

    def set_rules(self, rules: NotifyRules) -> None:
        self.rules = rules

    # -- inputs ---------------------------------------------------------------------------

    def on_sync_status(self, status) -> None:
        if status is None:
            return
        if self._waiting_for_first_sync and status.online and not status.syncing and status.last_synced_at:
            self._waiting_for_first_sync = False
            self.runner.read(lambda reader: reader.newest_ticket_update(), done=self.memory.set_watermark)
        if status.work_offline:
            return
        if status.error and status.online is False:
            self._sync(SyncNote("failed", status.error))
        elif status.online and not status.error and not status.syncing:
            self._sync(SyncNote("ok"))

    def on_cache_changed(self, change: Change, initiator: object) -> None:
        if change.touches(Kind.CONFLICTS):
            self.runner.read(lambda reader: reader.list_conflicts(), done=self._on_conflicts)
        if not change.touches(Kind.TICKETS | Kind.COMMENTS) or not change.ticket_ids:
            return   # only the sync engine writes tickets and comments; the agent's own work is OUTBOX/DRAFTS/SEEN
        if self.memory.watermark is None:
            return
        me = self.rules.me
        self.runner.read(lambda reader: facts_for_change(reader, change, me), done=self._on_facts)

    # -- decisions ------------------------------------------------------------------------

    def _on_facts(self, facts: list[TicketFacts]) -> None:
        for note in decide_ticket_notifications(facts, self.rules, self.memory):
            self.notified.emit(note)

    def _on_conflicts(self, conflicts: list) -> None:
        known = self._known_conflicts if self._known_conflicts is not None else set()
        for conflict in conflicts:
            if conflict.id not in known:
                known.add(conflict.id)
                message = (f"Ticket #{conflict.ticket_id} changed on the helpdesk while your change waited; "
                           "choose whether to send it anyway or discard it.")
                self._sync(SyncNote("conflict", message, conflict.ticket_id))
        self._known_conflicts = known

    def _sync(self, note: SyncNote) -> None:
        decided = decide_sync_notification(note, self.rules, self.memory)
        if decided is not None:
            self.notified.emit(decided)
