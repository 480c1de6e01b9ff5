"""The ticket list (middle): a sortable table over ``TicketListModel``, showing one queue.

``TicketListView(model, queues=None, bus=None)``: with ``queues`` (``console.ops.queues.QueueOps``)
``show_queue(queue)`` asks for the queue's ids off the GUI thread, shows them, makes the first row
current and, once the agent stops flipping through queues, asks for that ticket; with ``bus`` the
list follows the cache: changed rows are re-read, and the ids re-queried a moment after a change
that can move them. The list stays put under the cursor: such a re-query is only *offered* to
the model (``TicketListModel.offer_ids``): rows keep their places, tickets that left the queue stay
greyed, and ``pending_changed(new, reordered)`` announces the rest until ``show_pending()`` (the
banner's "show", or scrolling back to the top) merges it in. The agent's own sort applies at once.
``warm(queues)`` prepares each queue's first screenful while idle.

Emits ``ticket_requested(int)`` when the current row changes (keyboard or mouse),
``ticket_opened(int)`` on Enter / double-click (focus moves to the ticket pane),
``queue_shown(Queue, int)`` once a queue's ids are shown and ``emptied()`` for a queue with none,
``pending_changed(int, bool)`` when what waits to be merged in changes.
``move(step)`` is what J/K call. Cells are painted by ``TicketCellDelegate`` (see there why).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QItemSelectionModel, QPointF, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QRawFont, QStaticText, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)
from shiboken6 import isValid

from console.models.tickets import COLUMNS, IdOffer, Screen, TicketIdRole, TicketListModel
from console.store import Change, Kind

SUBJECT = next(i for i, c in enumerate(COLUMNS) if c.key == "subject")

# what each column must fit (its header, with room for the sort arrow, and its typical values);
# names get about 14 characters and are elided beyond; the subject takes the rest of the width
SAMPLES = {"id": "● 000000", "requester": 16, "status": "pending", "priority": "Priority", "department": 12,
           "assignee": 12, "updated": "2026-12-31", "waiting": "Waiting"}
SUBJECT_MIN_CHARS = 40
SUBJECT_READABLE_CHARS = 34   # below this, columns hide (by HIDE_ORDER) to give the subject room
HIDE_ORDER = ("department", "priority", "assignee", "updated", "waiting", "requester", "status")   # first hidden first
NEVER_HIDDEN = ("id", "subject")
FIRST_TICKET_SETTLE_MS = 60   # a queue switch paints at once; its first ticket opens once the agent stops flipping
IDS_KINDS = Kind.TICKETS | Kind.DRAFTS | Kind.OUTBOX | Kind.CONFLICTS | Kind.VIEWS
PREPARED_KINDS = IDS_KINDS | Kind.SEEN | Kind.USERS | Kind.DEPARTMENTS | Kind.MEMBERSHIPS | Kind.VIEWS
REWARM_MS = 1000   # read the queues again once the cache has been quiet this long
WARM_SLICE_S = 0.003   # texts laid out ahead at most this long at a time (the agent may be typing)


_PEN_STATES = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active | QStyle.StateFlag.State_Selected


class TicketCellDelegate(QStyledItemDelegate):
    """Paints ticket list cells from ``TicketListModel.cell_texts`` (one Python call per cell).

    The stock delegate asks the model seven roles per cell (a Python call each) and lays every
    text out three times (elide check, layout, size); at 100k cached tickets that was most of a
    queue switch. Here the style still draws backgrounds, selection and focus; the text is drawn
    from pre-elided ``QStaticText``s cached by (text, bold, width), so repeated names, statuses and
    dates are laid out once. A text seen for the first time is drawn straight instead (making a
    ``QStaticText`` costs ~20 µs, three straight draws of a ticket number; a sort's or a jump's new
    rows are mostly unique ids and subjects) and cached when it is drawn again. Looks the same: same
    fonts (bold = unseen), margins, palette roles.
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
        self._once: set[tuple] = set()   # drawn straight once: a QStaticText the next time
        self._in_font: dict[str, bool] = {}
        self._lines = tuple((m.height(), m.ascent()) for m in self._metrics)
        self._raw_fonts = tuple(QRawFont.fromFont(font) for font in self._fonts)   # without fallbacks (QFontMetrics has them)

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

    def _draw(self, painter: QPainter, text: str, bold: int, x: int, y: int, width: int, height: int) -> None:
        """One cell's text at (x, y), elided to ``width``, centred in ``height`` (see the class doc)."""
        key = (text, bold, width, height)
        cached = self._texts.get(key)
        if cached is None and key not in self._once and self._primary_font_only(text):
            if len(self._once) >= self.CACHE_LIMIT:
                self._once.clear()
            self._once.add(key)
            line, ascent = self._lines[bold]   # the primary font's glyphs: its line, as a QStaticText's
            painter.drawText(QPointF(x, y + int((height - line) / 2) + ascent),
                             self._metrics[bold].elidedText(text, Qt.TextElideMode.ElideRight, width))
            return
        static, top = cached if cached is not None else self._static_text(text, bold, width, height)
        painter.drawStaticText(x, y + top, static)

    def _primary_font_only(self, text: str) -> bool:
        """Whether the view's font has every character (fallback fonts, e.g. CJK, have taller lines)."""
        if text.isascii():
            return True
        in_font = self._in_font
        for char in text:
            found = in_font.get(char)
            if found is None:
                found = in_font[char] = all(raw.supportsCharacter(ord(char)) for raw in self._raw_fonts)
            if not found:
                return False
        return True

    def warm(self, rows_texts: list[tuple], widths: list[int], height: int, until: float) -> int:
        """Lay these rows' texts out ahead of their first paint, filling at most half the cache, until
        ``time.perf_counter()`` passes ``until``; returns how many rows it did (all: ``len(rows_texts)``)."""
        for done, texts in enumerate(rows_texts):
            if len(self._texts) >= self.CACHE_LIMIT // 2:
                return len(rows_texts)
            if time.perf_counter() >= until:
                return done
            bold = 0 if texts[-1] else 1
            for text, width in zip(texts[:-1], widths, strict=True):
                if text:
                    self._static_text(text, bold, width - 2 * self._margin, height)
        return len(rows_texts)

    def paint_rows(self, painter: QPainter, rows: list[tuple[int, int, bool]],
                   columns: list[tuple[int, int, int]], width: int, *, enabled: bool, active: bool,
                   alternate: bool, skip: tuple[int, int] | None = None) -> None:
        """Paint whole rows at once, as the stock table paints them cell by cell under Fusion.

        ``rows``: (row, y, selected); ``columns``: (column, x, width) of the visible columns. A row is
        one fill (highlight when selected, the alternate base on odd rows) and one text per cell;
        the per-cell style calls (row panel, item panel, an empty focus check) are what cost a
        queue switch most once the texts are cached. ``skip``: a (row, column) cell the caller
        paints itself (the current cell with its focus frame)."""
        group = (QPalette.ColorGroup.Disabled if not enabled else QPalette.ColorGroup.Active if active
                 else QPalette.ColorGroup.Inactive)
        highlight = self._palette.brush(group, QPalette.ColorRole.Highlight)
        alternate_base = self._palette.brush(group, QPalette.ColorRole.AlternateBase)
        pens = (self._palette.color(group, QPalette.ColorRole.Text),
                self._palette.color(group, QPalette.ColorRole.HighlightedText))
        departed_pen = self._palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        height, margin, model = self._view.rowHeight(0), self._margin, self._model
        departed = model.departed   # left the queue: stays in place, greyed (as paint() does)
        current_font = -1
        for row, y, selected in rows:
            if selected:
                painter.fillRect(0, y, width, height, highlight)
            elif alternate and row % 2:
                painter.fillRect(0, y, width, height, alternate_base)
            texts = model.cell_texts(row)
            bold = 0 if texts is None or texts[-1] else 1
            if bold != current_font:
                painter.setFont(self._fonts[bold])
                current_font = bold
            painter.setPen(departed_pen if departed and not selected and model.is_departed(row) else pens[selected])
            for column, x, column_width in columns:
                text = "…" if texts is None else texts[column]
                if not text or (row, column) == skip:
                    continue
                self._draw(painter, text, bold, x + margin, y, column_width - 2 * margin, height)

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
        if self._model.departed and self._model.is_departed(index.row()) \
                and not option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(self._palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        else:
            painter.setPen(self._pen(option.state))
        painter.drawStaticText(rect.x() + self._margin, rect.y() + top, static)


class TicketListView(QTableView):
    ticket_requested = Signal(int)
    ticket_opened = Signal(int)
    queue_shown = Signal(object, int)   # Queue, number of tickets
    emptied = Signal()
    pending_changed = Signal(int, bool)   # tickets new to the list, order changed: waiting for show_pending()
    queue_counted = Signal(object, int)   # the shown queue now holds this many (rows stay put meanwhile)
    columns_changed = Signal()            # chosen, reordered or resized by the agent (worth remembering)

    def __init__(self, model: TicketListModel, queues=None, bus=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketList")
        self.setModel(model)
        self._queues = queues
        self._generation = 0
        self._resorts = 0   # sorts asked for: a late screenful of an older one is not shown
        self._jumps = 0     # select_ticket's jumps (and the agent's own moves): only the last one lands
        self._first_ticket = QTimer(self, singleShot=True, interval=FIRST_TICKET_SETTLE_MS)
        self._first_ticket.timeout.connect(self._request_current)
        # a warmed queue's ids are checked once the agent stops flipping (the check's Python work on a
        # read lane took the GIL from the switch's paint: ~1.4 ms of a 15 ms switch), and offered, so
        # a change that landed meanwhile never moves the rows the agent just started reading
        self._check_ids = QTimer(self, singleShot=True, interval=FIRST_TICKET_SETTLE_MS)
        self._check_ids.timeout.connect(self.offer_ids)
        self._ids_timer = QTimer(self, singleShot=True, interval=250)
        self._ids_timer.timeout.connect(self.offer_ids)
        self._prepared: dict[tuple, tuple[list[int], Screen]] = {}   # (queue, sort, descending) -> ids, screen
        self._prepared_generation = 0
        self._warm_queues: list = []
        self._texts_to_warm: list[tuple] = []
        self._warm_slices = QTimer(self, singleShot=True, interval=0)
        self._warm_slices.timeout.connect(self._warm_slice)
        self._rewarm = QTimer(self, singleShot=True, interval=REWARM_MS)
        self._rewarm.timeout.connect(self._warm_again)
        self._syncing = False   # while a sync runs the queues are read again after it, not between its pages
        if bus is not None:
            bus.cache_changed.connect(self.on_cache_changed)
            bus.sync_status_changed.connect(self.on_sync_status)
        if queues is not None:
            model.ids_requested.connect(self.resort)
        self.stock_paint = False   # True: Qt's own cell-by-cell paint (tests compare the two)
        self.cell_delegate = TicketCellDelegate(self, model)
        self.setItemDelegate(self.cell_delegate)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)   # Shift/Ctrl: bulk actions
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
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)   # the subject too: it can be widened
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("0000"))
        header.setStretchLastSection(False)
        header.setSectionsMovable(True)                                   # drag a header to reorder
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self.show_column_menu)
        header.sectionResized.connect(self._on_section_resized)
        header.sectionMoved.connect(lambda *_: self.columns_changed.emit())
        self._fitting = False
        self._widths = {c.key: self.column_width(c.key) for c in COLUMNS if c.key != "subject"}
        self.user_hidden: set[str] = set()   # columns the agent switched off (header menu)
        self.auto_hidden: set[str] = set()   # columns hidden for want of room (come back when there is)
        for i, column in enumerate(COLUMNS):
            if i != SUBJECT:
                self.setColumnWidth(i, self._widths[column.key])
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)   # uniform rows: lazy model stays lazy
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        self.doubleClicked.connect(lambda index: self._open(index.row()))
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    # -- the queue shown --------------------------------------------------------------------

    def show_queue(self, queue) -> None:
        """Show ``queue`` (its ids come off the GUI thread, or from ``warm``); None shows nothing."""
        model = self.model()
        self._generation += 1
        generation = self._generation
        self._check_ids.stop()
        if queue is None or self._queues is None:
            model.set_queue(queue)
            self._after_switch(queue)
            return

        sort_key, descending = model.sort_key, model.descending
        prepared = self._prepared.get((queue, sort_key, descending))
        if prepared is not None:   # nothing changed since it was read: show it now, no round trip,
            model.set_queue(queue, *prepared)   # (ids, screen)
            self._after_switch(queue)
            self._check_ids.start()   # and check it off the GUI thread (a difference is offered)
            return

        def done(ids: list[int]) -> None:
            if generation == self._generation:
                model.set_queue(queue, ids)
                self._after_switch(queue)
                if (model.sort_key, model.descending) != (sort_key, descending):
                    self.refresh_ids()   # the agent sorted while the ids were on their way

        def ids_only(_exc: Exception | None = None) -> None:
            self._queues.ids(queue, sort_key, descending, done=done,
                             failed=lambda exc: self._queue_failed(generation, queue, exc))

        def prepared_arrived(result) -> None:   # the ids and the first screenful: no SQL or formatting while painting
            if generation == self._generation:
                model.set_queue(queue, *result)
                self._after_switch(queue)
                if (model.sort_key, model.descending) != (sort_key, descending):
                    self.refresh_ids()

        if queue.kind == "queue":   # a view the cache cannot evaluate fails here: the ids' own road handles it
            self._queues.prepare(queue, sort_key, descending, self.visible_rows(), screen=model.screen_maker(),
                                 done=prepared_arrived, failed=ids_only)
        else:
            ids_only()

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
        self.pending_changed.emit(0, False)
        if queue is not None:
            self.queue_shown.emit(queue, rows)

    def _request_current(self) -> None:
        tid = self.current_ticket_id()
        if tid is not None:
            self.ticket_requested.emit(tid)

    def _for_shown(self, read, apply) -> None:
        """``read(queue, sort_key, descending, done)`` for the queue shown, off the GUI thread; then
        ``apply(queue, answer)``, unless the list moved on meanwhile (another queue or order) or the
        window closed while it ran."""
        model = self.model()
        queue = model.queue
        if queue is None or self._queues is None:
            return
        sort_key, descending = model.sort_key, model.descending

        def done(answer) -> None:
            if isValid(self) and model.queue is queue and model.sort_key == sort_key \
                    and model.descending == descending:
                apply(queue, answer)
        read(queue, sort_key, descending, done)

    def _ids(self, queue, sort_key: str, descending: bool, done) -> None:
        self._queues.ids(queue, sort_key, descending, done=done)

    def keep_showing(self, shown, queue) -> bool:
        """``queue`` replaces ``shown`` (same tickets, maybe another name): keep the rows, check the ids
        off the GUI thread. False (nothing done) when the list does not show ``shown``."""
        if self.model().queue != shown:
            return False
        self.model().rename_queue(queue)
        self.refresh_ids()
        return True

    def refresh_ids(self) -> None:
        """Re-run the shown queue's id query off the GUI thread, then update the list in place."""
        def apply(queue, ids: list[int]) -> None:
            self.model().reload_ids(ids)
            self.pending_changed.emit(0, False)
            self.queue_shown.emit(queue, self.model().rowCount())
        self._for_shown(self._ids, apply)

    def resort(self) -> None:
        """The agent sorted: the screenful it shows first (a few rows of the sort's index), then the
        whole order, both read off the GUI thread (the agent's own sort applies at once). On a
        125k-ticket queue the whole order takes ~50 ms; the rows in view do not wait for it: it is
        asked for once the screenful is painted (read beside it, its Python work took the GIL from
        the screenful's read and paint)."""
        top, count, shown = max(0, self.rowAt(0)), self.visible_rows(), self.model().shown_ids
        self._resorts += 1
        resort = self._resorts

        def read_head(queue, sort_key: str, descending: bool, done) -> None:
            self._queues.head(queue, sort_key, descending, count, start=top, screen=self.model().screen_maker(),
                              done=done, failed=lambda _exc: done(None))

        def apply_head(_queue, answer) -> None:
            model = self.model()
            if answer is not None and resort == self._resorts and model.shown_ids is shown:
                model.show_head(top, *answer)
            # a timer, not a posted call: the paint is a low-priority posted event, and timers come after it
            QTimer.singleShot(1, self, lambda: self._for_shown(read, apply))

        def read(queue, sort_key: str, descending: bool, done) -> None:
            self._queues.ids(queue, sort_key, descending, done=done, failed=failed)

        def apply(queue, ids: list[int]) -> None:
            if resort == self._resorts:
                self._resorts += 1   # a late screenful of this sort is not shown over it
            model = self.model()
            model.reload_ids(ids)
            self.pending_changed.emit(0, False)
            self.queue_shown.emit(queue, model.rowCount())

        def failed(exc: Exception) -> None:
            if resort == self._resorts and isValid(self):
                self.model().settle()
                self._queues.runner.bus.error(f"Cannot sort this queue: {exc}")
        self._for_shown(read_head, apply_head)

    def offer_ids(self) -> None:
        """Re-run the shown queue's id query after a change, without moving a row (see the module doc).
        The query's answer is compared with the rows shown off the GUI thread too (``IdOffer``)."""
        shown = self.model().shown_ids

        def read(queue, sort_key: str, descending: bool, done) -> None:
            self._queues.ids(queue, sort_key, descending, done=done, then=lambda ids: IdOffer.of(shown, ids))

        def apply(queue, offer: IdOffer) -> None:
            model = self.model()
            if model.settling:   # a sort's whole order is on its way: offer against it, after it
                self._ids_timer.start()
                return
            was_empty = model.rowCount() == 0
            if offer.shown is not model.shown_ids:   # the rows moved meanwhile: compare with what is shown
                offer = IdOffer.of(model.shown_ids, offer.ids)
            ids = offer.ids
            new, reordered = model.offer_ids(offer)
            if offer.stand_in_moved:
                # a stand-in came or went: the agent's own new ticket (created, or swapped for the
                # real one) shows at once, in place of the banner
                self.show_pending()
                return
            self.pending_changed.emit(new, reordered)
            if was_empty and model.rowCount():
                self.queue_shown.emit(queue, model.rowCount())
            self.queue_counted.emit(queue, len(ids))
        self._for_shown(read, apply)

    def show_pending(self) -> None:
        """Merge in what was announced (new, re-sorted, departed), keeping the current ticket current."""
        model = self.model()
        if model.pending_ids is None and not model.departed:
            return
        model.apply_pending()
        self.pending_changed.emit(0, False)
        if model.queue is not None:
            self.queue_shown.emit(model.queue, model.rowCount())
        if self.currentIndex().isValid():
            self.scrollTo(self.currentIndex())

    def _on_scrolled(self, value: int) -> None:
        if value == 0 and self.model().pending_ids is not None:
            self.show_pending()   # back at the top: the agent looks for what is new

    def on_cache_changed(self, change: Change, _initiator: object = None) -> None:
        if change.touches(PREPARED_KINDS):
            self._drop_prepared()
        if change.ticket_ids and change.touches(IDS_KINDS | Kind.SEEN):
            self.model().mark_stale(change.ticket_ids)
        if change.touches(IDS_KINDS):
            self._check_ids.stop()   # the offer compares the rows shown with the query: it covers the check
            self._ids_timer.start()

    def warm(self, queues: list) -> None:
        """Read each queue's ids and first screenful off the GUI thread and lay its texts out while idle.

        A queue switch then shows what was read at once (no round trip to the read lane, no SQL
        while painting) for as long as the cache does not change; a change drops what was read
        and the queues are read again once the cache is quiet for a moment."""
        if self._queues is None:
            return
        self._warm_queues = [q for q in queues if q.kind == "queue"]
        self._texts_to_warm.clear()   # screens read before: what follows supersedes them
        model, count, generation = self.model(), self.visible_rows(), self._prepared_generation
        sort_key, descending = model.sort_key, model.descending

        def done(queue, result) -> None:
            if generation != self._prepared_generation:
                return   # the cache changed while this was read
            ids, screen = result
            self.warm_texts(list(screen.texts.values()))
            self._prepared[(queue, sort_key, descending)] = (ids, screen)

        screen = model.screen_maker()
        for queue in self._warm_queues:
            self._queues.prepare(queue, sort_key, descending, count, screen=screen,
                                 done=lambda result, q=queue: done(q, result))

    def warmed(self, queue) -> bool:
        """Whether a switch to ``queue`` (in the current sort) shows what was read ahead, at once."""
        model = self.model()
        return (queue, model.sort_key, model.descending) in self._prepared

    def _drop_prepared(self) -> None:
        self._prepared.clear()
        self._prepared_generation += 1
        if self._warm_queues:
            self._rewarm.start()

    def _warm_again(self) -> None:
        if not self._syncing:   # else once the sync is over (on_sync_status)
            self.warm(self._warm_queues)

    def on_sync_status(self, status) -> None:
        """Reading every queue again between a sync's pages (eight id queries and screens, ~0.3 s of
        read-lane work at 1M cached) took the GIL and the cores from the GUI thread mid-sync."""
        syncing = bool(getattr(status, "syncing", False))
        if self._syncing and not syncing and self._warm_queues and not self._prepared:
            self._rewarm.start()
        self._syncing = syncing

    def column_width(self, key: str) -> int:
        """A readable default width for a column, from the font (so it scales with the font size)."""
        metrics, sample = self.fontMetrics(), SAMPLES.get(key, 10)
        text_width = metrics.averageCharWidth() * sample if isinstance(sample, int) else metrics.horizontalAdvance(sample)
        header_width = metrics.horizontalAdvance(next(c.title for c in COLUMNS if c.key == key))
        return max(text_width, header_width) + metrics.averageCharWidth() + 14   # padding + sort arrow

    def ideal_width(self) -> int:
        """Width that shows every column, the subject with ``SUBJECT_MIN_CHARS`` characters."""
        fixed = sum(self._widths.values())
        return fixed + self.fontMetrics().averageCharWidth() * SUBJECT_MIN_CHARS + self.verticalScrollBar().sizeHint().width() + 4

    def visible_rows(self) -> int:
        """Rows a screenful shows (at least a default window's worth before the list is laid out)."""
        return max(40, self.viewport().height() // max(1, self.verticalHeader().defaultSectionSize()) + 1)

    def warm_texts(self, rows_texts: list[tuple]) -> None:
        """Prepare cell texts of a queue not shown yet, so its first paint finds them ready: in slices
        of ``WARM_SLICE_S`` between events (eight queues' screens at once held the GUI thread 15-20 ms
        at a time mid-sync, while the agent typed)."""
        self._texts_to_warm.extend(rows_texts)
        if not self._warm_slices.isActive():
            self._warm_slices.start()

    def _warm_slice(self) -> None:
        pending = self._texts_to_warm
        done = self.cell_delegate.warm(pending, [self.columnWidth(c) for c in range(len(COLUMNS))],
                                       self.verticalHeader().defaultSectionSize(), time.perf_counter() + WARM_SLICE_S)
        del pending[:done]
        if pending:
            self._warm_slices.start()

    def current_ticket_id(self) -> int | None:
        index = self.currentIndex()
        return index.data(TicketIdRole) if index.isValid() else None

    def select_row(self, row: int, *, notify: bool = True, center: bool = False) -> None:
        """Make ``row`` current and ask for its ticket (also when it already was current); ``center``: a
        row out of view comes to the middle of the list (a jump), not to its edge (a step)."""
        if 0 <= row < self.model().rowCount():
            index = self.model().index(row, 0)
            already = self.currentIndex().row() == row
            in_view = self.viewport().rect().contains(self.visualRect(index))   # (the current row scrolls in itself)
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter if center and not in_view
                          else QAbstractItemView.ScrollHint.EnsureVisible)
            if already and notify:
                self.on_current_row_changed(index, index)

    def select_ticket(self, ticket_id: int) -> bool:
        """Make the ticket's row current, quietly (whoever opens it from elsewhere loads it); False if the
        list does not show it. A row far from the rows read so far waits for its screenful, read off the
        GUI thread (a jump's row batch was ~5 ms of SQL on the GUI thread, ahead of the ticket's own paint)."""
        model = self.model()
        row = model.row_of(ticket_id)
        if row < 0:
            return False
        count = self.visible_rows() + 8   # the rows in view once it is centred (_select_quietly), and a few
        start = max(0, min(row - count // 2, model.rowCount() - count))
        screen = model.shown_ids[start:start + count]
        if self._queues is None or model.holds_rows(screen):
            self._select_quietly(row)
            return True
        queue, read_at = model.queue, model.stale_marks
        self._jumps += 1
        jump = self._jumps

        def arrived(answer) -> None:   # None: it could not be read (the paint reads the rows itself)
            if isValid(self) and model.queue is queue:
                if answer is not None:
                    model.take_screen(answer, read_at=read_at)
                again = model.row_of(ticket_id)
                if again >= 0 and jump == self._jumps:   # else another ticket was opened or picked meanwhile
                    self._select_quietly(again)
        self._queues.screen(screen, screen=model.screen_maker(), done=arrived, failed=lambda _exc: arrived(None))
        return True

    def _select_quietly(self, row: int) -> None:
        with QSignalBlocker(self):   # no ticket_requested: the caller shows the ticket
            self.select_row(row, notify=False, center=True)

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

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Rows painted whole by the delegate (Fusion, the themes' style); any other style: stock."""
        model = self.model()
        count = model.rowCount()
        top = self.rowAt(0)   # the rows in view (a change repaints those of its tickets only)
        if top < 0:
            model.painted_rows = range(0)
        else:
            bottom = self.rowAt(self.viewport().height() - 1)
            model.painted_rows = range(top, count if bottom < 0 else bottom + 1)
        if self.stock_paint or not count or self.style().name().lower() != "fusion":
            super().paintEvent(event)
            return
        area = event.rect()
        first = self.rowAt(area.top())
        if first < 0:
            return
        last = self.rowAt(area.bottom())
        last = count - 1 if last < 0 else last
        header = self.horizontalHeader()
        columns = [(c, self.columnViewportPosition(c), self.columnWidth(c))
                   for c in range(header.count()) if not header.isSectionHidden(c)]
        columns = [c for c in columns if c[1] + c[2] > area.left() and c[1] <= area.right()]
        if not columns:
            return
        selection, current = self.selectionModel(), self.currentIndex()
        rows = [(row, self.rowViewportPosition(row), selection.isRowSelected(row)) for row in range(first, last + 1)]
        focused = current.isValid() and self.hasFocus() and first <= current.row() <= last
        painter = QPainter(self.viewport())
        width = max(x + w for _c, x, w in columns)
        self.cell_delegate.paint_rows(painter, rows, columns, width, enabled=self.isEnabled(),
                                      active=self.isActiveWindow(), alternate=self.alternatingRowColors(),
                                      skip=(current.row(), current.column()) if focused else None)
        if focused:   # the current cell with its focus frame, as the style draws it
            option = QStyleOptionViewItem()
            self.initViewItemOption(option)
            option.rect = self.visualRect(current)
            option.state |= QStyle.StateFlag.State_HasFocus
            if selection.isRowSelected(current.row()):
                option.state |= QStyle.StateFlag.State_Selected
            if self.alternatingRowColors() and current.row() % 2:
                option.features |= QStyleOptionViewItem.ViewItemFeature.Alternate
            QStyledItemDelegate.paint(self.cell_delegate, painter, option, current)   # stock: text, then frame
        painter.end()

    # -- columns: fit, choose, reorder, remember ---------------------------------------------

    def fit_columns(self) -> None:
        """The subject gets the room: other columns keep their widths, and hide by ``HIDE_ORDER`` while
        the subject would show fewer than ``SUBJECT_READABLE_CHARS`` (they come back when there is room)."""
        header = self.horizontalHeader()
        available = self.maximumViewportSize().width() - self.verticalScrollBar().sizeHint().width()
        bold = QFont(self.font())
        bold.setBold(True)   # unseen subjects are bold: make room for those
        readable = QFontMetrics(bold).averageCharWidth() * SUBJECT_READABLE_CHARS
        shown = {c.key for c in COLUMNS if c.key not in self.user_hidden or c.key in NEVER_HIDDEN}
        auto: set[str] = set()

        def others() -> int:
            return sum(self._widths[k] for k in shown if k != "subject")
        for key in HIDE_ORDER:
            if available - others() >= readable:
                break
            if key in shown:
                shown.discard(key)
                auto.add(key)
        self._fitting = True
        try:
            for i, column in enumerate(COLUMNS):
                header.setSectionHidden(i, column.key not in shown)
            header.resizeSection(SUBJECT, max(readable, available - others()))
        finally:
            self._fitting = False
        self.auto_hidden = auto

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.fit_columns()

    def _on_section_resized(self, logical: int, _old: int, new: int) -> None:
        if self._fitting or not 0 <= logical < len(COLUMNS) or COLUMNS[logical].key == "subject":
            return
        self._widths[COLUMNS[logical].key] = new   # the agent's width for that column, kept
        self.columns_changed.emit()

    def set_column_shown(self, key: str, shown: bool) -> None:
        if key in NEVER_HIDDEN:
            return
        (self.user_hidden.discard if shown else self.user_hidden.add)(key)
        self.fit_columns()
        self.columns_changed.emit()

    def column_menu(self):
        """The header's context menu: a check per column (shown / hidden), and the default layout."""
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        header = self.horizontalHeader()
        for visual in range(len(COLUMNS)):
            column = COLUMNS[header.logicalIndex(visual)]
            action = menu.addAction(column.title if column.key != "id" else "# (ticket number)")
            action.setCheckable(True)
            action.setChecked(column.key not in self.user_hidden)
            action.setEnabled(column.key not in NEVER_HIDDEN)
            if column.key in self.auto_hidden:
                action.setText(action.text() + "  (hidden: no room)")
            action.toggled.connect(lambda on, key=column.key: self.set_column_shown(key, on))
        menu.addSeparator()
        menu.addAction("Default columns").triggered.connect(self.reset_columns)
        menu.addSeparator()
        menu.addAction("Drag a column's header to move it").setEnabled(False)
        return menu

    def show_column_menu(self, pos) -> None:
        menu = self.column_menu()
        menu.exec(self.horizontalHeader().mapToGlobal(pos))
        menu.deleteLater()

    def reset_columns(self) -> None:
        header = self.horizontalHeader()
        for logical in range(len(COLUMNS)):
            header.moveSection(header.visualIndex(logical), logical)
        self.user_hidden.clear()
        self._widths = {c.key: self.column_width(c.key) for c in COLUMNS if c.key != "subject"}
        self._fitting = True
        for i, column in enumerate(COLUMNS):
            if column.key != "subject":
                self.setColumnWidth(i, self._widths[column.key])
        self._fitting = False
        self.fit_columns()
        self.columns_changed.emit()

    def column_state(self) -> dict:
        """What the agent chose, by column key (kept in the window state)."""
        header = self.horizontalHeader()
        return {"order": [COLUMNS[header.logicalIndex(v)].key for v in range(len(COLUMNS))],
                "hidden": sorted(self.user_hidden), "widths": dict(self._widths)}

    def restore_columns(self, state) -> None:
        if not isinstance(state, dict):
            return
        keys = [c.key for c in COLUMNS]
        header = self.horizontalHeader()
        order = [k for k in state.get("order") or [] if k in keys]
        for visual, key in enumerate(order):
            header.moveSection(header.visualIndex(keys.index(key)), visual)
        self.user_hidden = {k for k in state.get("hidden") or [] if k in keys and k not in NEVER_HIDDEN}
        for key, width in (state.get("widths") or {}).items():
            if key in self._widths and isinstance(width, int) and width > 0:
                self._widths[key] = width
                self._fitting = True
                self.setColumnWidth(keys.index(key), width)
                self._fitting = False
        self.fit_columns()

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
        self._jumps += 1   # the agent moved on: a jump still on its way does not take the row back
        tid = current.data(TicketIdRole) if current.isValid() else None
        if tid is not None:
            self._first_ticket.stop()
            self.ticket_requested.emit(tid)
