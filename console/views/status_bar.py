"""The status bar: online/offline, "as of" the last sync, pending outbox count, sync progress,
a "Work offline" toggle and a conflicts badge.

Feed it ``on_sync_status(status)`` with a ``console.sync.status.SyncStatus`` snapshot (any object
with the same attributes works). Emits ``work_offline_changed(bool)`` and ``conflicts_requested``.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton, QWidget

from console.domain.sla import parse_api_time

from . import theme

PHASES = {"pushing": "Sending", "tickets": "Syncing tickets", "users": "Syncing customers",
          "comments": "Syncing comments", "resources": "Syncing departments and replies"}


def as_of_text(stamp: str | None) -> str:
    moment = parse_api_time(stamp)
    if moment is None:
        return "Not synced yet"
    return "As of " + moment.astimezone().strftime("%H:%M:%S")


class StatusBar(QStatusBar):
    work_offline_changed = Signal(bool)
    conflicts_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.online = QLabel("Connecting…")
        self.online.setObjectName("onlineState")
        self.as_of = QLabel("Not synced yet")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.pending = QLabel("Nothing to send")
        self.pending.setObjectName("pendingCount")
        self.conflicts = QToolButton()
        self.conflicts.setObjectName("conflictsBadge")
        self.conflicts.setAutoRaise(True)
        self.conflicts.hide()
        self.offline = QToolButton()
        self.offline.setObjectName("workOffline")
        self.offline.setText("Work offline")
        self.offline.setCheckable(True)
        self.offline.setToolTip("Stay offline: replies wait in the outbox, no network calls")
        for widget in (self.online, self.as_of, self.progress):
            self.addWidget(widget)
        for widget in (self.pending, self.conflicts, self.offline):
            self.addPermanentWidget(widget)
        self.offline.toggled.connect(self.work_offline_changed)
        self.conflicts.clicked.connect(self.conflicts_requested)
        self.status = None
        self.on_theme_changed()
        theme.follow_theme(self, self.on_theme_changed)

    def on_theme_changed(self) -> None:
        if self.status is not None:
            self.on_sync_status(self.status)
        else:
            self.online.setStyleSheet(f"color: {theme.colours().muted}")

    def on_sync_status(self, status) -> None:
        self.status = status
        colours = theme.colours()
        if status.work_offline:
            text, colour = "● Working offline", colours.warning
        elif status.online is None:
            text, colour = "● Connecting…", colours.muted
        elif status.online:
            text, colour = "● Online", colours.ok
        else:
            text, colour = "● Offline", colours.error
        self.online.setText(text)
        self.online.setStyleSheet(f"color: {colour}")
        tip = status.error or ""
        if status.retry_in:
            tip += f" (retrying in {int(status.retry_in)} s)"
        self.online.setToolTip(tip.strip())
        self.as_of.setText(as_of_text(status.last_synced_at))
        self.set_pending(status.pending)
        self.set_conflicts(status.conflicts)
        if self.offline.isChecked() != bool(status.work_offline):
            self.offline.blockSignals(True)
            self.offline.setChecked(bool(status.work_offline))
            self.offline.blockSignals(False)
        if status.syncing and status.phase:
            label = PHASES.get(status.phase, "Syncing")
            if status.total:
                self.progress.setRange(0, max(status.total, status.done, 1))
                self.progress.setValue(min(status.done, self.progress.maximum()))
                self.progress.setFormat(f"{label} %v/%m")
            else:
                self.progress.setRange(0, 0)
                self.progress.setFormat(label)
            self.progress.setToolTip(label)
            self.progress.show()
        else:
            self.progress.hide()

    def set_last_success(self, epoch: str | None) -> None:
        """Before the engine reports: the cache's own record of the last good sync (local epoch)."""
        try:
            moment = datetime.fromtimestamp(float(epoch)) if epoch else None
        except (TypeError, ValueError, OverflowError):
            moment = None
        self.as_of.setText("As of " + moment.strftime("%H:%M:%S") if moment else "Not synced yet")

    def set_pending(self, n: int) -> None:
        self.pending.setText("Nothing to send" if not n else f"{n} to send")

    def set_conflicts(self, n: int) -> None:
        self.conflicts.setText(f"⚠ {n} conflict{'s' if n != 1 else ''}")
        self.conflicts.setVisible(bool(n))

    def on_notification(self, note) -> None:
        self.showMessage(f"{note.title}: {note.message}" if note.message else note.title, 8000)
