"""The ticket list (middle): a sortable table over ``TicketListModel``.

Emits ``ticket_requested(int)`` when the current row changes (keyboard or mouse) and
``ticket_opened(int)`` on Enter / double-click (focus moves to the ticket pane).
``move(step)`` is what J/K call.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from console.models.tickets import COLUMNS, TicketIdRole, TicketListModel

SUBJECT = next(i for i, c in enumerate(COLUMNS) if c.key == "subject")

# what each column must fit (its header, with room for the sort arrow, and its typical values);
# names get about 14 characters and are elided beyond; the subject takes the rest of the width
SAMPLES = {"id": "● 000000", "requester": 16, "status": "pending", "priority": "Priority", "department": 12,
           "assignee": 12, "updated": "2026-12-31", "waiting": "Waiting"}
SUBJECT_MIN_CHARS = 40


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
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SUBJECT, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("0000"))
        header.setStretchLastSection(False)
        for i, column in enumerate(COLUMNS):
            if i != SUBJECT:
                self.setColumnWidth(i, self.column_width(column.key))
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)   # uniform rows: lazy model stays lazy
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        self.doubleClicked.connect(lambda index: self._open(index.row()))

    def column_width(self, key: str) -> int:
        """A readable default width for a column, from the font (so it scales with the font size)."""
        metrics, sample = self.fontMetrics(), SAMPLES.get(key, 10)
        text_width = metrics.averageCharWidth() * sample if isinstance(sample, int) else metrics.horizontalAdvance(sample)
        header_width = metrics.horizontalAdvance(next(c.title for c in COLUMNS if c.key == key))
        return max(text_width, header_width) + metrics.averageCharWidth() + 14   # padding + sort arrow

    def ideal_width(self) -> int:
        """Width that shows every column, the subject with ``SUBJECT_MIN_CHARS`` characters."""
        fixed = sum(self.columnWidth(i) for i in range(len(COLUMNS)) if i != SUBJECT)
        return fixed + self.fontMetrics().averageCharWidth() * SUBJECT_MIN_CHARS + self.verticalScrollBar().sizeHint().width() + 4

    def current_ticket_id(self) -> int | None:
        index = self.currentIndex()
        return index.data(TicketIdRole) if index.isValid() else None

    def select_row(self, row: int) -> None:
        """Make ``row`` current and ask for its ticket (also when it already was current)."""
        if 0 <= row < self.model().rowCount():
            index = self.model().index(row, 0)
            already = self.currentIndex().row() == row
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.scrollTo(index)
            if already:
                self.on_current_row_changed(index, index)

    def select_ticket(self, ticket_id: int) -> bool:
        row = self.model().row_of(ticket_id)
        if row >= 0:
            self.select_row(row)
        return row >= 0

    def clear_current(self) -> None:
        """No current or selected row (the open ticket is not in this list)."""
        self.selectionModel().clear()

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
