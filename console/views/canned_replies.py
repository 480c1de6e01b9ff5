"""The canned-reply picker: search the department's canned replies, preview, insert.

Constructor: ``CannedReplyPicker(model: CannedReplyModel, me: int | None = None, parent=None)``.

Slots / methods:
- ``on_ticket_shown(details)`` (a ``console.ops.tickets.TicketDetails``) / ``clear()``: list the
  canned replies usable in the ticket's department (shared + that department's + the agent's
  own) and preview them for this ticket (its placeholder facts come with the details).
- ``on_macros_changed()``: re-read the list after a macros refresh.
- ``focus_search()``: put the cursor in the search field (for a shortcut).
- ``insert_current()``: emit ``insert_requested`` for the selected reply (also Enter in the
  search field or the list, a double-click, or the Insert button).

Signals: ``insert_requested(object)`` with a ``console.models.canned_replies.CannedReply``
(wire it to ``ReplyEditor.insert_canned_reply``; the editor renders it at the cursor and
carries the macro's field changes with the reply).

The preview shows the reply rendered for this ticket's requester and account; placeholders that
can't be filled stay as ``{{ ... }}`` on a red background, and the field changes are listed.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.domain.placeholders import render_preview
from console.models.canned_replies import CannedReply, CannedReplyModel, fill_template
from console.ops.tickets import describe_fields

from . import theme


class CannedReplyPicker(QWidget):
    """Search box, list and preview of canned replies for the open ticket."""

    insert_requested = Signal(object)

    def __init__(self, model: CannedReplyModel, me: int | None = None, parent=None) -> None:
        super().__init__(parent)
        self._me = me
        self._ticket: dict | None = None
        self._details = None
        self.model = model
        self.search_edit = QLineEdit(placeholderText="Search canned replies…", clearButtonEnabled=True)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"color: {theme.colours().error};")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.list_view = QListView()
        self.list_view.setModel(self.model)
        self.list_view.setUniformItemSizes(True)
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.insert_button = QPushButton("Insert")
        self.insert_button.setToolTip("Insert at the cursor in the reply (Enter)")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list_view)
        splitter.addWidget(self.preview)
        splitter.setSizes([200, 220])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.insert_button)

        self.search_edit.textChanged.connect(self.model.set_filter)
        self.model.filter_error_changed.connect(self._show_error)
        self.model.modelReset.connect(self._select_first)
        self.list_view.selectionModel().currentChanged.connect(lambda *_: self._show_preview())
        self.list_view.doubleClicked.connect(lambda *_: self.insert_current())
        self.insert_button.clicked.connect(self.insert_current)
        self.search_edit.installEventFilter(self)
        self.list_view.installEventFilter(self)
        self.clear()
        theme.follow_theme(self, self.on_theme_changed)

    def on_theme_changed(self) -> None:
        self.error_label.setStyleSheet(f"color: {theme.colours().error};")
        self._show_preview()

    # -- inputs -------------------------------------------------------------------------

    def clear(self) -> None:
        self._ticket, self._details = None, None
        self.setEnabled(False)
        self.model.set_department(None, self._me)

    def on_ticket_shown(self, details) -> None:
        department_changed = self._ticket is None or self._ticket.get("group_id") != details.ticket.get("group_id")
        self._ticket, self._details = details.ticket, details
        self.setEnabled(True)
        if department_changed:
            self.model.set_department(details.ticket.get("group_id"), self._me)
        else:
            self._show_preview()

    def on_macros_changed(self) -> None:
        self.model.refresh(only_if_changed=True)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
                self.insert_current()
                return True
            if watched is self.search_edit and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._move(1 if event.key() == Qt.Key.Key_Down else -1)
                return True
        return super().eventFilter(watched, event)

    # -- selection, preview, insert ---------------------------------------------------

    def current_reply(self) -> CannedReply | None:
        macro = self.model.macro_at(self.list_view.currentIndex().row())
        if macro is None:
            return None
        return CannedReply.from_macro(macro, self._ticket, self._me)

    def insert_current(self) -> None:
        reply = self.current_reply()
        if reply is not None and self._ticket is not None:
            self.insert_requested.emit(reply)

    def _move(self, step: int) -> None:
        rows = self.model.rowCount()
        if rows:
            row = min(max(self.list_view.currentIndex().row() + step, 0), rows - 1)
            self.list_view.setCurrentIndex(self.model.index(row, 0))

    def _select_first(self) -> None:
        if self.model.rowCount():
            self.list_view.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._show_preview()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _show_preview(self) -> None:
        reply = self.current_reply()
        if reply is None or self._ticket is None:
            self.preview.setHtml(f"<p style='color:{theme.colours().muted}'>No canned reply selected.</p>")
            return
        context = dict(self._details.context) if self._details is not None else {}
        text = fill_template(reply.template, context)
        _rendered, problems = render_preview(text, context)
        self.preview.setHtml(preview_html(reply, text, problems, describe_fields(reply.field_changes, self._names()),
                                          theme.colours()))

    def _names(self):
        return self._details.field_name if self._details is not None else None



def preview_html(reply: CannedReply, text: str, problems: list, changes: str = "",
                 colours: theme.Colours = theme.LIGHT_COLOURS) -> str:
    """The preview: title, the text with unfilled placeholders marked, the field changes."""
    parts, cut = [], 0
    mark_background, mark_ink = colours.tones["bad"]
    for problem in problems:
        parts.append(html.escape(text[cut:problem.start]))
        parts.append(f"<span style='background:{mark_background};color:{mark_ink}' "
                     f"title='{html.escape(problem.message)}'>"
                     f"{html.escape(text[problem.start:problem.end])}</span>")
        cut = problem.end
    parts.append(html.escape(text[cut:]))
    body = "".join(parts).replace("\n", "<br>")
    kind = "public reply" if reply.public else "internal note"
    extra = (f"<p style='color:{colours.muted}'><b>Also applies:</b> {html.escape(changes)}</p>"
             if changes else "")
    warning = (f"<p style='color:{colours.error}'>{len(problems)} placeholder(s) can't be filled for this ticket.</p>"
               if problems else "")
    return (f"<p><b>{html.escape(reply.title)}</b> <span style='color:{colours.muted}'>({kind})</span></p>"
            f"{warning}<p>{body}</p>{extra}")
