"""The tray icon: queue counts as a badge and tooltip, and the notifications ``ops.notifications`` decides.

    tray = TrayIcon(parent=window)
    notifier.notified.connect(tray.show)              # Notification
    queues.counts_changed.connect(lambda _k, c: tray.set_counts(c))   # QueueCounts: badge + tooltip
    tray.ticket_requested.connect(open_ticket)        # a clicked notification's ticket
    tray.show_window_requested.connect(window.on_raise)
    tray.notification_shown.connect(...)              # every notification, also where no tray exists

``TrayIcon`` creates a ``QSystemTrayIcon`` only when ``QSystemTrayIcon.isSystemTrayAvailable()``;
``available`` says whether it did (the window then shows each notification itself).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from console.domain.notifications import Notification, tooltip_for


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

    def __init__(self, icon: QIcon | None = None, parent: QObject | None = None, *, use_system_tray: bool = True):
        super().__init__(parent)
        from console.views.theme import app_icon

        self.base_icon = icon or app_icon()
        self.last_ticket_id: int | None = None
        self.tooltip = "Support Console"
        self.tray: QSystemTrayIcon | None = None
        if use_system_tray and QSystemTrayIcon.isSystemTrayAvailable():
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

    @property
    def available(self) -> bool:
        """True when notifications show as the desktop's own bubbles."""
        return self.tray is not None

    def set_counts(self, counts) -> None:
        self.tooltip = tooltip_for(counts)
        if self.tray is not None:
            self.tray.setToolTip(self.tooltip)
            self.tray.setIcon(badge_icon(self.base_icon, counts.mine, alert=counts.conflicts > 0))

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
