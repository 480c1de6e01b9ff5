"""Several tickets open at once: tabs over the ticket pane, and a ticket popped out into its own window.

    tabs = TicketTabs(pane.thread.verticalScrollBar())
    tabs.ticket_requested.connect(shown.open)        # a tab was chosen: show its ticket
    shown.loaded.connect(tabs.on_ticket_shown)       # the current tab follows what is shown
    MiddleClickOpener(ticket_list, tabs.open_in_new_tab)   # middle-click a row: a new tab

The current tab shows whatever the agent opens (J/K, a click); a middle-click on a row, Ctrl+T or
Ticket ▸ Open in a new tab opens another tab; Ctrl+W closes the current one, Ctrl+Tab /
Ctrl+Shift+Tab cycle. (Ctrl+Click stays the list's multi-select, for bulk actions.) Each tab
keeps its thread's scroll position; drafts are the reply editor's (saved per ticket as typed).
``ticket_ids()`` / ``restore(ids)`` keep the open tabs across a restart (window state).
``TicketWindow`` is one ticket in its own window (pane + reply editor + its own ``OpenTicket``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QTabBar, QVBoxLayout, QWidget

EMPTY = "No ticket"


class TicketTabs(QTabBar):
    ticket_requested = Signal(int)

    def __init__(self, thread_scroll=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketTabs")
        self.setTabsClosable(True)
        self.setMovable(True)
        self.setDocumentMode(True)
        self.setExpanding(False)
        self.setElideMode(Qt.TextElideMode.ElideRight)
        self._scroll_bar = thread_scroll
        self._scrolls: dict[int, int] = {}
        self._shown: int | None = None
        self._switching = False
        self.addTab(EMPTY)
        self.setTabData(0, None)
        self.tabCloseRequested.connect(self.close_tab)
        self.currentChanged.connect(self._on_current)

    # -- what is shown --------------------------------------------------------------------

    def ticket_at(self, index: int) -> int | None:
        data = self.tabData(index)
        return data if isinstance(data, int) else None

    def ticket_ids(self) -> list[int]:
        return [t for t in (self.ticket_at(i) for i in range(self.count())) if t is not None]

    def index_of(self, ticket_id: int) -> int:
        return next((i for i in range(self.count()) if self.ticket_at(i) == ticket_id), -1)

    def on_ticket_shown(self, details) -> None:
        """The pane shows a ticket: its tab (else the current tab) is named after it."""
        ticket_id = details.ticket_id
        index = self.index_of(ticket_id)
        if index < 0:
            index = self.currentIndex()
            self.setTabData(index, ticket_id)
        subject = (details.ticket.get("subject") or "").strip()
        self.setTabText(index, f"#{ticket_id} {subject[:28]}" if ticket_id > 0 else subject[:30] or "New ticket")
        self.setTabToolTip(index, f"#{ticket_id} {subject}")
        if ticket_id != self._shown:   # (the old ticket's scroll was kept when the switch was asked for)
            self._shown = ticket_id
            if ticket_id in self._scrolls and self._scroll_bar is not None:
                value = self._scrolls[ticket_id]
                QTimer.singleShot(0, lambda: self._scroll_bar.setValue(value))

    def _remember(self) -> None:
        if self._shown is not None and self._scroll_bar is not None:
            self._scrolls[self._shown] = self._scroll_bar.value()

    # -- opening, closing, cycling -------------------------------------------------------

    def open_in_new_tab(self, ticket_id: int) -> None:
        self._remember()
        index = self.index_of(ticket_id)
        if index < 0:
            index = self.addTab(f"#{ticket_id}")
            self.setTabData(index, ticket_id)
        if index == self.currentIndex():
            self.ticket_requested.emit(ticket_id)
        self.setCurrentIndex(index)

    def _on_current(self, index: int) -> None:
        ticket_id = self.ticket_at(index)
        if ticket_id is not None and ticket_id != self._shown and not self._switching:
            self._remember()
            self.ticket_requested.emit(ticket_id)

    def close_tab(self, index: int) -> None:
        if self.count() == 1:
            self.setTabData(0, None)
            self.setTabText(0, EMPTY)
            self._remember()
            self._shown = None
            return
        self.removeTab(index)

    def close_current(self) -> None:
        self.close_tab(self.currentIndex())

    def cycle(self, step: int = 1) -> None:
        if self.count() > 1:
            self.setCurrentIndex((self.currentIndex() + step) % self.count())

    def restore(self, ticket_ids: list) -> None:
        """The tabs of the last session, beside the current one (which goes on following the list);
        each loads when chosen. Ids that are not ints are skipped."""
        for ticket_id in [t for t in ticket_ids if isinstance(t, int) and not isinstance(t, bool)][:20]:
            if self.index_of(ticket_id) < 0:
                self.setTabData(self.addTab(f"#{ticket_id}"), ticket_id)


class MiddleClickOpener(QObject):
    """A middle-click on a ticket list row opens that ticket in a new tab."""

    def __init__(self, view, open_in_tab) -> None:
        super().__init__(view)
        self._view, self._open = view, open_in_tab
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.MiddleButton:
            index = self._view.indexAt(event.position().toPoint())
            ticket_id = self._view.model().ticket_id_at(index.row()) if index.isValid() else None
            if ticket_id is not None:
                self._open(ticket_id)
                return True
        return False


class TicketWindow(QWidget):
    """One ticket in its own window: its pane, a reply editor and its own ``OpenTicket``."""

    def __init__(self, ops, ticket_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        from .reply_editor import ReplyEditor
        from .ticket_pane import TicketPane, queue_field_changes

        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.ops = ops
        self.shown = ops.open_ticket(self)
        self.pane = TicketPane()
        self.editor = ReplyEditor(ops.replies, attachments=ops.attachments, spelling=ops.spelling)
        self.pane.set_reply_editor(self.editor)
        self.pane.set_account_pane(QWidget())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pane)
        self.shown.loaded.connect(self.pane.show_details)
        self.shown.loaded.connect(self.editor.on_ticket_shown)
        self.shown.loaded.connect(lambda d: self.setWindowTitle(f"#{d.ticket_id} {d.ticket.get('subject') or ''}"))
        self.shown.cleared.connect(self.pane.clear)
        self.shown.cleared.connect(self.editor.clear)
        queue_field_changes(self.pane, self.shown, ops.tickets)
        self.resize(760, 820)
        self.shown.open(ticket_id)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.editor.save_draft_now()
        super().closeEvent(event)
