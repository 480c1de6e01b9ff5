"""The search box: one field over the local FTS index, results grouped by kind as you type.

Constructor: ``SearchBox(search: console.ops.search.SearchOps, bus=None, parent=None, *,
debounce_ms=120)``. The results open as a popup over the window under the field (``popup``: a
child of the top-level window, raised above the panes, so it never pushes them down); it closes
with Escape, when a result is chosen, or when the field is emptied. Queries run on the read lane;
an answer to an older query than the one typed now is dropped. The syntax is the helpdesk's (one
tokenizer, ``console.domain.search_syntax``): field terms filter, a number finds that ticket first.

Slots / methods: ``focus_search()`` (for / and Ctrl+K), ``run_now()`` (skip the debounce); it
re-runs the shown query when the cache changes (``bus.cache_changed``).
Signals (Enter or a click on a result):
- ``ticket_requested(int)``: a ticket or comment hit (the comment's ticket);
- ``customer_requested(int)``: a customer (user id);
- ``canned_reply_requested(int)``: a canned reply (macro id).
Bad query syntax or an unknown field shows the message (``message_label``), never a traceback,
and clears the stale results; a search that finds nothing says "No matches"; Escape clears the
field and closes the popup.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QTreeView, QVBoxLayout, QWidget

from console.models.search import SearchResultModel
from console.store import Change, Kind

from . import theme

NO_MATCHES = "No matches in the local cache"


class SearchBox(QWidget):
    """Search field + grouped results."""

    ticket_requested = Signal(int)
    customer_requested = Signal(int)
    canned_reply_requested = Signal(int)

    searched = Signal(str)   # the query whose results (or message) are now shown

    def __init__(self, search, bus=None, parent=None, *, debounce_ms: int = 120) -> None:
        super().__init__(parent)
        self._search = search
        self._generation = 0
        self._answered = 0            # the generation whose answer is shown
        self._open_on_answer = False  # Enter was pressed before the results arrived
        self.model = SearchResultModel(parent=self)
        self.search_edit = QLineEdit(placeholderText="Search tickets, comments, customers, canned replies  (/)",
                                     clearButtonEnabled=True)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {theme.colours().error};")
        self.message_label.hide()
        theme.follow_theme(self, self.on_theme_changed)
        self.results = QTreeView()
        self.results.setModel(self.model)
        self.results.setHeaderHidden(True)
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # the field keeps the keyboard
        self.popup = QFrame(self)
        self.popup.setObjectName("searchPopup")
        self.popup.setFrameShape(QFrame.Shape.StyledPanel)
        self.popup.setAutoFillBackground(True)
        popup_layout = QVBoxLayout(self.popup)
        popup_layout.setContentsMargins(2, 2, 2, 2)
        popup_layout.addWidget(self.message_label)
        popup_layout.addWidget(self.results, 1)
        self.popup.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_edit)
        self._timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self.run_now)
        self.search_edit.textChanged.connect(lambda _text: self._timer.start())
        self.model.modelReset.connect(self._after_reset)
        self.results.activated.connect(self._open)
        self.results.clicked.connect(self._open)
        self.search_edit.installEventFilter(self)
        self._rerun = QTimer(self, singleShot=True, interval=400)
        self._rerun.timeout.connect(self.run_now)
        if bus is not None:
            bus.cache_changed.connect(self.on_cache_changed)

    def on_theme_changed(self) -> None:
        self.message_label.setStyleSheet(f"color: {theme.colours().error};")

    def close_popup(self) -> None:
        self.popup.hide()

    def _show_popup(self) -> None:
        """Over the window, under the field; parented to the top-level window once it exists."""
        window = self.window()
        if self.popup.parentWidget() is not window:
            self.popup.setParent(window)
            window.installEventFilter(self)
        where = self.search_edit.mapTo(window, QPoint(0, self.search_edit.height() + 2))
        width = max(self.search_edit.width(), min(640, window.width() - where.x() - 8))
        rows = sum(1 + self.model.rowCount(self.model.index(g, 0)) for g in range(self.model.rowCount()))
        line = max(18, self.results.sizeHintForRow(0) if self.model.rowCount() else 18)
        wanted = (rows * line + 12 if self.results.isVisibleTo(self.popup) else 0) \
            + (self.message_label.sizeHint().height() + 8 if self.message_label.text() else 0)
        height = max(32, min(wanted, window.height() - where.y() - 8, 460))
        self.popup.setGeometry(where.x(), where.y(), width, height)
        self.popup.show()
        self.popup.raise_()

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def run_now(self) -> None:
        self._timer.stop()
        query = self.search_edit.text()
        self._generation += 1
        generation = self._generation
        if not query.strip():
            self.model.clear()
            self._show_message("")
            self.close_popup()
            self.searched.emit(query)
            return

        def done(hits) -> None:
            if generation == self._generation:
                self._answered = generation
                self.model.set_hits(hits)
                self._show_message("" if hits else NO_MATCHES, error=False)
                self._show_popup()
                self.searched.emit(query)
                if self._open_on_answer:
                    self._open_on_answer = False
                    self._open(self._first_hit())

        def failed(error: Exception) -> None:
            if generation == self._generation:   # bad syntax: the message; stale results go
                self._answered = generation
                self._open_on_answer = False
                self.model.clear()
                self._show_message(str(error))
                self._show_popup()
                self.searched.emit(query)
        self._search.run(query, done=done, failed=failed)

    def on_cache_changed(self, change: Change, _initiator: object = None) -> None:
        if change.touches(Kind.TICKETS | Kind.COMMENTS | Kind.USERS | Kind.CANNED_REPLIES) \
                and self.search_edit.text().strip():
            self._rerun.start()   # a sync page burst → one re-run

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if watched is self.popup.parentWidget() and watched is not self and event.type() == QEvent.Type.Resize \
                and self.popup.isVisible():
            self._show_popup()
        if watched is self.search_edit and event.type() == QEvent.Type.ShortcutOverride \
                and event.key() == Qt.Key.Key_Escape and (self.popup.isVisible() or self.search_edit.text()):
            event.accept()   # Escape closes the results first (the window's Escape comes next time)
            return True
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._move(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():
                    self.run_now()
                if self._answered != self._generation:   # the results for what is typed are on their way
                    self._open_on_answer = True
                    return True
                current = self.results.currentIndex()
                self._open(current if current.isValid() else self._first_hit())
                return True
            if key == Qt.Key.Key_Escape:
                self.search_edit.clear()
                self.close_popup()
                return True
        return super().eventFilter(watched, event)

    # -- internals --------------------------------------------------------------------

    def _show_message(self, message: str, *, error: bool = True) -> None:
        colours = theme.colours()
        self.message_label.setStyleSheet(f"color: {colours.error if error else colours.muted};")
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))

    def _after_reset(self) -> None:
        self.results.expandAll()
        self.results.setVisible(self.model.rowCount() > 0)
        first = self._first_hit()
        if first.isValid():
            self.results.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _first_hit(self) -> QModelIndex:
        return self.model.index(0, 0, self.model.index(0, 0)) if self.model.rowCount() else QModelIndex()

    def _hit_rows(self) -> list[QModelIndex]:
        rows = []
        for group in range(self.model.rowCount()):
            parent = self.model.index(group, 0)
            rows.extend(self.model.index(r, 0, parent) for r in range(self.model.rowCount(parent)))
        return rows

    def _move(self, step: int) -> None:
        rows = self._hit_rows()
        if not rows:
            return
        current = self.results.currentIndex()
        at = next((n for n, ix in enumerate(rows) if ix == current), -1)
        target = rows[min(max(at + step, 0), len(rows) - 1)]
        self.results.selectionModel().setCurrentIndex(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _open(self, index: QModelIndex) -> None:
        hit = self.model.hit(index)
        if hit is None:
            return
        self.close_popup()
        if hit.kind in ("ticket", "comment", "customer_ticket") and hit.ticket_id is not None:
            self.ticket_requested.emit(int(hit.ticket_id))
        elif hit.kind == "customer":
            self.customer_requested.emit(int(hit.id))
        elif hit.kind == "canned_reply":
            self.canned_reply_requested.emit(int(hit.id))
