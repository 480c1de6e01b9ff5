"""The Outbox page: every message on its way (or just sent), one row each, and what can be done with it.

``OutboxView(outbox_ops, bus)``: a table of ``OutboxMessage`` (ticket, customer, first line, state,
next try) re-read whenever the outbox changes, and buttons for the selected message: Open (the
ticket), Edit (take it back into the editor), Cancel (nothing is sent), Retry (a failed one).
Emits ``ticket_requested(int)`` for Open; Edit goes through ``OutboxOps.take_back``, whose
``taken_back`` signal the window follows (it opens the ticket with the text in the editor).
"""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.store import Change, Kind

HEADERS = ("Ticket", "Customer", "Message", "State", "Next try")
KIND_NAMES = {"reply": "Reply", "note": "Note", "new_ticket": "New ticket", "fields": "Fields"}


def next_try_text(message, now: float) -> str:
    if message.state in ("sent", "sending", "conflict"):
        return ""
    if message.next_try is None:
        return "needs you" if message.state == "failed" else ("when online" if message.state == "held" else "now")
    seconds = message.next_try - now
    if seconds < 60:
        return f"in {max(0, int(seconds))} s"
    when = datetime.fromtimestamp(message.next_try)
    return f"{when:%H:%M}" if when.date() == datetime.now().date() else f"{when:%a %d %b %H:%M}"


class OutboxModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.messages: list = []
        self.now = time.time

    def set_messages(self, messages: list) -> None:
        self.beginResetModel()
        self.messages = list(messages)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.messages)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and section < len(HEADERS):
            return HEADERS[section]
        return None

    def cells(self, row: int) -> tuple[str, ...]:
        m = self.messages[row]
        ticket = f"#{m.ticket_id}" if m.ticket_id else "new"
        subject = f" {m.subject}" if m.subject else ""
        return (f"{ticket}{subject}", m.customer, f"{KIND_NAMES.get(m.kind, m.kind)}: {m.first_line}",
                m.state, next_try_text(m, self.now()))

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.messages):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(index.row())[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            m = self.messages[index.row()]
            return m.error or m.body or None
        return None


class OutboxView(QWidget):
    ticket_requested = Signal(int)

    def __init__(self, outbox, bus=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outboxView")
        self._outbox = outbox
        self.model = OutboxModel(self)
        self.title = QLabel("<b>Outbox</b> — messages on their way; a waiting one can still be edited or cancelled")
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        for column, chars in ((0, 36), (1, 18), (3, 9), (4, 12)):
            self.table.setColumnWidth(column, self.fontMetrics().averageCharWidth() * chars)
        self.empty = QLabel("Nothing waiting to be sent.")
        self.open_button = QPushButton("&Open ticket")
        self.edit_button = QPushButton("&Edit")
        self.edit_button.setToolTip("Take it back into the editor (it is not sent)")
        self.cancel_button = QPushButton("&Cancel sending")
        self.retry_button = QPushButton("&Retry now")
        buttons = QHBoxLayout()
        for button in (self.open_button, self.edit_button, self.cancel_button, self.retry_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.open_button.clicked.connect(self.open_selected)
        self.edit_button.clicked.connect(self.edit_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.retry_button.clicked.connect(self.retry_selected)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self._tick = QTimer(self, interval=1000)   # "in 7 s" counts down while shown
        self._tick.timeout.connect(self._on_tick)
        if bus is not None:
            bus.cache_changed.connect(self.on_cache_changed)
        self._update_buttons()

    def refresh(self) -> None:
        self._outbox.messages(done=self._show)

    def _show(self, messages: list) -> None:
        current = self.selected()
        self.model.set_messages(messages)
        self.empty.setVisible(not messages)
        row = next((i for i, m in enumerate(messages) if current is not None and m.op_id == current.op_id),
                   0 if messages else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._update_buttons()

    def on_cache_changed(self, change: Change, _initiator: object = None) -> None:
        if self.isVisible() and change.touches(Kind.OUTBOX | Kind.TICKETS):
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.refresh()
        self._tick.start()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._tick.stop()
        super().hideEvent(event)

    def _on_tick(self) -> None:
        if self.model.rowCount():
            self.model.dataChanged.emit(self.model.index(0, 4), self.model.index(self.model.rowCount() - 1, 4))

    def selected(self):
        index = self.table.currentIndex()
        return self.model.messages[index.row()] if index.isValid() and index.row() < len(self.model.messages) else None

    def select_op(self, op_id: str) -> bool:
        row = next((i for i, m in enumerate(self.model.messages) if m.op_id == op_id), -1)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _update_buttons(self) -> None:
        m = self.selected()
        self.open_button.setEnabled(m is not None and m.ticket_id is not None)
        self.edit_button.setEnabled(m is not None and m.can_take_back and m.kind in ("reply", "note"))
        self.cancel_button.setEnabled(m is not None and m.can_take_back)
        self.retry_button.setEnabled(m is not None and m.can_retry)

    def open_selected(self) -> None:
        m = self.selected()
        if m is not None and m.ticket_id is not None:
            self.ticket_requested.emit(m.ticket_id)

    def edit_selected(self) -> None:
        m = self.selected()
        if m is not None and m.can_take_back:
            self._outbox.take_back(m.op_id, initiator=self)

    def cancel_selected(self) -> None:
        m = self.selected()
        if m is not None and m.can_take_back:
            self._outbox.cancel(m.op_id)

    def retry_selected(self) -> None:
        m = self.selected()
        if m is not None and m.can_retry:
            self._outbox.retry(m.op_id)
