"""The status bar: one honest line about the connection and the outbox, "as of", sync progress,
the agent's messages, "⏱ Paced" while the helpdesk's rate limit slows the sync down, a "Work
offline" toggle and a conflicts badge.

It subscribes itself: ``StatusBar(bus)`` follows ``bus.sync_status_changed`` (connection, "as of",
progress: the sync engine is its only source) and ``bus.message``; ``set_counts(counts)`` takes
the ``QueueCounts`` of ``ops.queues`` (the only source of "N to send" and the conflicts badge).
The state line never contradicts itself: "● Offline · 1 to send", "● Online · Nothing to send".
Emits ``work_offline_changed(bool)`` (the agent flipped the toggle) and ``conflicts_requested``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton, QWidget

from console.domain.sla import parse_api_time

from . import theme

PHASES = {"pushing": "Sending", "tickets": "Syncing tickets", "users": "Syncing customers",
          "comments": "Syncing comments", "resources": "Syncing departments and replies"}
MESSAGE_MS = {"info": 5000, "warning": 10000, "error": 12000}


def as_of_text(stamp: str | None) -> str:
    moment = parse_api_time(stamp)
    if moment is None:
        return "Not synced yet"
    return "As of " + moment.astimezone().strftime("%H:%M:%S")


def pending_text(n: int) -> str:
    return "Nothing to send" if not n else f"{n} to send"


def state_text(status, pending: int) -> tuple[str, str]:
    """The connection line and its colour role, e.g. ("● Offline · 1 to send", "error")."""
    if status is None or (status.online is None and not status.work_offline):
        word, role = "Connecting…", "muted"
    elif status.work_offline:
        word, role = "Working offline", "warning"
    elif status.online:
        word, role = "Online", "ok"
    else:
        word, role = "Offline", "error"
    return f"● {word} · {pending_text(pending)}", role


class StatusBar(QStatusBar):
    work_offline_changed = Signal(bool)
    conflicts_requested = Signal()

    def __init__(self, bus=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.online = QLabel("● Connecting…")
        self.online.setObjectName("onlineState")
        self.as_of = QLabel("Not synced yet")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.paced = QLabel("⏱ Paced")
        self.paced.setObjectName("pacedState")
        self.paced.setToolTip("The helpdesk's rate limit is close: background sync slows down to stay inside it; "
                              "opening tickets and sending go first")
        self.paced.hide()
        self.conflicts = QToolButton()
        self.conflicts.setObjectName("conflictsBadge")
        self.conflicts.setAutoRaise(True)
        self.conflicts.hide()
        self.offline = QToolButton()
        self.offline.setObjectName("workOffline")
        self.offline.setText("Work offline")
        self.offline.setCheckable(True)
        self.offline.setToolTip("Stay offline: replies wait in the outbox, no network calls")
        for widget in (self.online, self.as_of, self.paced, self.progress):
            self.addWidget(widget)
        for widget in (self.conflicts, self.offline):
            self.addPermanentWidget(widget)
        self.offline.toggled.connect(self.work_offline_changed)
        self.conflicts.clicked.connect(self.conflicts_requested)
        self.status = None
        self.pending = 0
        self._progress_shown: tuple[str, int, int] | None = None   # (label, maximum, value) on show
        if bus is not None:
            bus.sync_status_changed.connect(self.on_sync_status)
            bus.message.connect(self.on_message)
            if bus.status is not None:
                self.on_sync_status(bus.status)
        self.on_theme_changed()
        theme.follow_theme(self, self.on_theme_changed)

    def on_theme_changed(self) -> None:
        self._show_state()
        theme.set_text_colour(self.paced, theme.colours().warning)

    def _show_state(self) -> None:
        text, role = state_text(self.status, self.pending)
        self.online.setText(text)
        theme.set_text_colour(self.online, getattr(theme.colours(), role))
        tip = (self.status.error or "") if self.status is not None else ""
        if self.status is not None and self.status.retry_in:
            tip += f" (retrying in {int(self.status.retry_in)} s)"
        self.online.setToolTip(tip.strip())

    def on_sync_status(self, status) -> None:
        was_failing = self.status is not None and self.status.error
        self.status = status
        self._show_state()
        self.as_of.setText(as_of_text(status.last_synced_at))
        if was_failing and not status.error and not status.work_offline:
            self.clearMessage()   # a stale failure line goes once a sync succeeds
        self.paced.setVisible(bool(getattr(status, "paced", False)) and not status.work_offline)
        if self.offline.isChecked() != bool(status.work_offline):
            self.offline.blockSignals(True)
            self.offline.setChecked(bool(status.work_offline))
            self.offline.blockSignals(False)
        if status.syncing and status.phase:
            label = PHASES.get(status.phase, "Syncing")
            top = max(status.total, status.done, 1) if status.total else 0
            self._show_progress(label, top, min(status.done, top))
        elif self._progress_shown is not None:
            self._progress_shown = None
            self.progress.hide()

    def _show_progress(self, label: str, top: int, done: int) -> None:
        """The progress bar at ``done`` of ``top`` (0: busy, no count), touched only where it changed:
        this runs once per sync page on the GUI thread, and ``QProgressBar.setValue`` repaints at
        once; with updates held it asks for a paint with the window's next one instead."""
        shown = self._progress_shown
        bar = self.progress
        if shown is None or shown[:2] != (label, top):
            bar.setRange(0, top)
            bar.setFormat(f"{label} %v/%m" if top else label)
            bar.setToolTip(label)
        if top and (shown is None or shown[2] != done):
            bar.setUpdatesEnabled(False)
            bar.setValue(done)
            bar.setUpdatesEnabled(True)
        if shown is None:
            bar.show()
        self._progress_shown = (label, top, done)

    def set_counts(self, counts) -> None:
        """``QueueCounts``: the outbox's pending entries and the open conflicts."""
        self.pending = counts.outbox
        self._show_state()
        n = counts.conflicts
        self.conflicts.setText(f"⚠ {n} conflict{'s' if n != 1 else ''}")
        self.conflicts.setVisible(bool(n))

    def on_message(self, text: str, level: str = "info") -> None:
        self.showMessage(text, MESSAGE_MS.get(level, 5000))

    def on_notification(self, note) -> None:
        self.showMessage(f"{note.title}: {note.message}" if note.message else note.title, 8000)
