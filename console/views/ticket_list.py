"""The ticket list (middle): a sortable table over ``TicketListModel``, showing one queue.

``TicketListView(model, queues=None, bus=None)``: with ``queues`` (``console.ops.queues.QueueOps``)
``show_queue(queue)`` asks for the queue's ids off the GUI thread, shows them, makes the first row
current and, once the agent stops flipping through queues, asks for that ticket; with ``bus`` the
list follows the cache: changed rows are re-read, and the ids re-queried a moment after a change
that can move them (keeping the current ticket current). ``warm(queues)`` prepares each queue's
first screenful while idle.

Emits ``ticket_requested(int)`` when the current row changes (keyboard or mouse),
``ticket_opened(int)`` on Enter / double-click (focus moves to the ticket pane),
``queue_shown(Queue, int)`` once a queue's ids are shown and ``emptied()`` for a queue with none.
``move(step)`` is what J/K call. Cells are painted by ``TicketCellDelegate`` (see there why).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette, QStaticText, QTextOption
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate, QTableView, QWidget

from console.models.tickets import COLUMNS, TicketIdRole, TicketListModel
from console.store import Change, Kind

SUBJECT = next(i for i, c in enumerate(COLUMNS) if c.key == "subject")

# what each column must fit (its header, with room for the sort arrow, and its typical values);
# names get about 14 characters and are elided beyond; the subject takes the rest of the width
SAMPLES = {"id": "● 000000", "requester": 16, "status": "pending", "priority": "Priority", "department": 12,
           "assignee": 12, "updated": "2026-12-31", "waiting": "Waiting"}
SUBJECT_MIN_CHARS = 40
FIRST_TICKET_SETTLE_MS = 60   # a queue switch paints at once; its first ticket opens once the agent stops flipping
IDS_KINDS = Kind.TICKETS | Kind.DRAFTS | Kind.OUTBOX | Kind.CONFLICTS | Kind.VIEWS


_PEN_STATES = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active | QStyle.StateFlag.State_Selected


class TicketCellDelegate(QStyledItemDelegate):
    """Paints ticket list cells from ``TicketListModel.cell_texts`` (one Python call per cell).

    The stock delegate asks the model seven roles per cell (a Python call each) and lays every
    text out three times (elide check, layout, size); at 100k cached tickets that was most of a
    queue switch. Here the style still draws backgrounds, selection and focus; the text is drawn
    from pre-elided ``QStaticText``s cached by (text, bold, width), so repeated names, statuses and
    dates are laid out once. Looks the same: same fonts (bold = unseen), margins, palette roles.
    """

    CACHE_LIMIT = 6000   # cached texts (subjects are unique; names, statuses, dates repeat)

    def __init__(self, view: QTableView, model: TicketListModel) -> None:
        super().__init__(view)
        self._view, self._model = view, model
        self.restyle()

    def restyle(self) -> None:
        """Re-read style, font and palette (the view calls this when any of them changes)."""
        view = self._view
        self._style = view.style()
        self._margin = self._style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        regular = QFont(view.font())
        bold = QFont(regular)
        bold.setBold(True)
        self._fonts = (regular, bold)
        self._metrics = (QFontMetrics(regular), QFontMetrics(bold))
        self._palette = QPalette(view.palette())
        self._text_option = QTextOption()   # as the style lays item texts out: the view's direction, no wrap
        self._text_option.setTextDirection(view.layoutDirection())
        self._text_option.setWrapMode(QTextOption.WrapMode.ManualWrap)
        self._pens: dict[int, object] = {}
        self._texts: dict[tuple, tuple[QStaticText, int]] = {}

    @property
    def prepared_texts(self) -> int:
        """Texts laid out and cached so far (tests, benchmark)."""
        return len(self._texts)

    def _pen(self, state) -> object:
        """The text colour the style would use for this state (QCommonStyle's colour group rule)."""
        key = int((state & _PEN_STATES).value)
        pen = self._pens.get(key)
        if pen is None:
            group = (QPalette.ColorGroup.Disabled if not state & QStyle.StateFlag.State_Enabled
                     else QPalette.ColorGroup.Active if state & QStyle.StateFlag.State_Active
                     else QPalette.ColorGroup.Inactive)
            role = (QPalette.ColorRole.HighlightedText if state & QStyle.StateFlag.State_Selected
                    else QPalette.ColorRole.Text)
            pen = self._pens[key] = self._palette.color(group, role)
        return pen

    def _static_text(self, text: str, bold: int, width: int, height: int) -> tuple[QStaticText, int]:
        key = (text, bold, width, height)
        cached = self._texts.get(key)
        if cached is None:
            if len(self._texts) >= self.CACHE_LIMIT:
                self._texts.clear()
            metrics = self._metrics[bold]
            static = QStaticText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, width))
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.setTextOption(self._text_option)
            static.prepare(font=self._fonts[bold])
            text_height = round(static.size().height())   # fallback fonts (CJK...) may be taller
            cached = self._texts[key] = (static, int((height - text_height) / 2))
        return cached

    def warm(self, rows_texts: list[tuple], widths: list[int], height: int) -> None:
        """Lay these rows' texts out ahead of their first paint, filling at most half the cache."""
        for texts in rows_texts:
            if len(self._texts) >= self.CACHE_LIMIT // 2:
                return
            bold = 0 if texts[-1] else 1
            for text, width in zip(texts[:-1], widths, strict=True):
                if text:
                    self._static_text(text, bold, width - 2 * self._margin, height)

    def paint(self, painter, option, index) -> None:
        self._style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, self._view)
        texts = self._model.cell_texts(index.row())
        text = "…" if texts is None else texts[index.column()]
        if not text:
            return
        bold = 0 if texts is None or texts[-1] else 1
        rect = option.rect
        static, top = self._static_text(text, bold, rect.width() - 2 * self._margin, rect.height())
        painter.setFont(self._fonts[bold])
        painter.setPen(self._pen(option.state))
        painter.drawStaticText(rect.x() + self._margin, rect.y() + top, static)


class TicketListView(QTableView):
    ticket_requested = Signal(int)
    ticket_opened = Signal(int)
    queue_shown = Signal(object, int)   # Queue, number of tickets
    emptied = Signal()

    def __init__(self, model: TicketListModel, queues=None, bus=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketList")
        self.setModel(model)
        self._queues = queues
        self._generation = 0
        self._first_ticket = QTimer(self, singleShot=True, interval=FIRST_TICKET_SETTLE_MS)
        self._first_ticket.timeout.connect(self._request_current)
        self._ids_timer = QTimer(self, singleShot=True, interval=250)
        self._ids_timer.timeout.connect(self.refresh_ids)
        if bus is not None:
            bus.cache_changed.connect(self.on_cache_changed)
        if queues is not None:
            model.ids_requested.connect(self.refresh_ids)
        self.cell_delegate = TicketCellDelegate(self, model)
        self.setItemDelegate(self.cell_delegate)
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

    # -- the queue shown --------------------------------------------------------------------

    def show_queue(self, queue) -> None:
        """Show ``queue`` (its ids come off the GUI thread); None shows nothing."""
        model = self.model()
        self._generation += 1
        generation = self._generation
        if queue is None or self._queues is None:
            model.set_queue(queue)
            self._after_switch(queue)
            return

        sort_key, descending = model.sort_key, model.descending

        def done(ids: list[int]) -> None:
            if generation == self._generation:
                model.set_queue(queue, ids)
                self._after_switch(queue)
                if (model.sort_key, model.descending) != (sort_key, descending):
                    self.refresh_ids()   # the agent sorted while the ids were on their way

        self._queues.ids(queue, sort_key, descending, done=done,
                         failed=lambda exc: self._queue_failed(generation, queue, exc))

    def _queue_failed(self, generation: int, queue, exc: Exception) -> None:
        if generation == self._generation:
            self.model().set_queue(None)
            self._after_switch(None)
            self._queues.runner.bus.error(f"Cannot show {queue.label}: {exc}")

    def _after_switch(self, queue) -> None:
        rows = self.model().rowCount()
        if rows:
            with QSignalBlocker(self):
                self.select_row(0, notify=False)
            self._first_ticket.start()
        else:
            self._first_ticket.stop()
            self.emptied.emit()
        if queue is not None:
            self.queue_shown.emit(queue, rows)

    def _request_current(self) -> None:
        tid = self.current_ticket_id()
        if tid is not None:
            self.ticket_requested.emit(tid)

    def refresh_ids(self) -> None:
        """Re-run the shown queue's id query off the GUI thread, then update the list in place."""
        model = self.model()
        queue = model.queue
        if queue is None or self._queues is None:
            return
        sort_key, descending = model.sort_key, model.descending

        def done(ids: list[int]) -> None:
            if model.queue is queue and model.sort_key == sort_key and model.descending == descending:
                model.reload_ids(ids)
                self.queue_shown.emit(queue, model.rowCount())
        self._queues.ids(queue, sort_key, descending, done=done)

    def on_cache_changed(self, change: Change, _initiator: object = None) -> None:
        if change.ticket_ids and change.touches(IDS_KINDS | Kind.SEEN):
            self.model().mark_stale(change.ticket_ids)
        if change.touches(IDS_KINDS):
            self._ids_timer.start()

    def warm(self, queues: list) -> None:
        """Fetch each queue's first screenful off the GUI thread and lay its texts out while idle.

        A queue's first visit otherwise paid for cold SQLite pages, unknown names and new text
        layouts (~17-20 ms against ~11 ms for a later visit at 100k tickets)."""
        if self._queues is None:
            return
        model, count = self.model(), self.visible_rows()
        for queue in queues:
            if queue.kind != "queue" or queue == model.queue:
                continue
            self._queues.first_rows(queue, model.sort_key, model.descending, count,
                                    done=lambda result: self.warm_texts(model.preview_texts(*result)))

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

    def visible_rows(self) -> int:
        """Rows a screenful shows (at least a default window's worth before the list is laid out)."""
        return max(40, self.viewport().height() // max(1, self.verticalHeader().defaultSectionSize()) + 1)

    def warm_texts(self, rows_texts: list[tuple]) -> None:
        """Prepare cell texts of a queue not shown yet (idle time), so its first paint finds them ready."""
        self.cell_delegate.warm(rows_texts, [self.columnWidth(c) for c in range(len(COLUMNS))],
                                self.verticalHeader().defaultSectionSize())

    def current_ticket_id(self) -> int | None:
        index = self.currentIndex()
        return index.data(TicketIdRole) if index.isValid() else None

    def select_row(self, row: int, *, notify: bool = True) -> None:
        """Make ``row`` current and ask for its ticket (also when it already was current)."""
        if 0 <= row < self.model().rowCount():
            index = self.model().index(row, 0)
            already = self.currentIndex().row() == row
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.scrollTo(index)
            if already and notify:
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
            self._first_ticket.stop()
            current = self.currentIndex().row()
            self.select_row(0 if current < 0 else max(0, min(rows - 1, current + step)))

    def next_ticket(self) -> None:
        self.move(+1)

    def previous_ticket(self) -> None:
        self.move(-1)

    def open_current(self) -> None:
        self._open(self.currentIndex().row())

    def _open(self, row: int) -> None:
        tid = self.model().ticket_id_at(row)
        if tid is not None:
            self.ticket_opened.emit(tid)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.cell_delegate.restyle()
        super().changeEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.open_current()
            return
        super().keyPressEvent(event)

    def on_current_row_changed(self, current, _previous) -> None:
        tid = current.data(TicketIdRole) if current.isValid() else None
        if tid is not None:
            self._first_ticket.stop()
            self.ticket_requested.emit(tid)
