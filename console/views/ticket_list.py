"""The ticket list (middle): a sortable table over ``TicketListModel``.

Emits ``ticket_requested(int)`` when the current row changes (keyboard or mouse) and
``ticket_opened(int)`` on Enter / double-click (focus moves to the ticket pane).
``move(step)`` is what J/K call.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from console.models.tickets import COLUMNS, TicketIdRole, TicketListModel

WIDTHS = {"id": 70, "subject": 280, "requester": 140, "status": 70, "priority": 70, "department": 110,
          "assignee": 110, "updated": 80, "waiting": 70}


class TicketListView(QTableView):
    ticket_requested = Signal(int)
    ticket_opened = Signal(int)

    def __init__(self, model: TicketListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketList")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicator(
            next(i for i, c in enumerate(COLUMNS) if c.key == "updated"), Qt.SortOrder.DescendingOrder)
        self.horizontalHeader().setSortIndicatorShown(True)
        self.horizontalHeader().setHighlightSections(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, column in enumerate(COLUMNS):
            self.setColumnWidth(i, WIDTHS.get(column.key, 90))
        self.horizontalHeader().setStretchLastSection(True)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)   # uniform rows: lazy model stays lazy
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        self.doubleClicked.connect(lambda index: self._open(index.row()))

    def current_ticket_id(self) -> int | None:
        index = self.currentIndex()
        return index.data(TicketIdRole) if index.isValid() else None

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model().rowCount():
            index = self.model().index(row, 0)
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.scrollTo(index)

    def select_ticket(self, ticket_id: int) -> bool:
        row = self.model().row_of(ticket_id)
        if row >= 0:
            self.select_row(row)
        return row >= 0

    def move(self, step: int) -> None:
        rows = self.model().rowCount()
        if rows:
            current = self.currentIndex().row()
            self.select_row(0 if current < 0 else max(0, min(rows - 1, current + step)))

    def open_current(self) -> None:
        self._open(self.currentIndex().row())

    def _open(self, row: int) -> None:
        tid = self.model().ticket_id_at(row)
        if tid is not None:
            self.ticket_opened.emit(tid)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.open_current()
            return
        super().keyPressEvent(event)

    def on_current_row_changed(self, current, _previous) -> None:
        tid = current.data(TicketIdRole) if current.isValid() else None
        if tid is not None:
            self.ticket_requested.emit(tid)
