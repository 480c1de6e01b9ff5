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

- ``on_suggestions(suggestions)`` (a ``console.ops.suggestions.ReplySuggestions``, computed off the
  GUI thread): the list is ranked for this ticket, best first; the best reply is preselected only
  when the ranking is confident (else nothing is selected, so Enter inserts nothing blindly). A
  reply whose assumptions the account's badges contradict is marked ⚠ with the warning in the
  preview; a reply whose fragments don't resolve shows the error and can't be inserted. A reply
  that would solve or reassign the ticket shows its "also applies" strip first and is inserted
  only by "Insert and apply". The language switch offers the replies in another language.

Signals: ``insert_requested(object)`` with a ``console.models.canned_replies.CannedReply``
(wire it to ``ReplyEditor.insert_canned_reply``; the editor renders it at the cursor and
carries the macro's field changes with the reply); ``language_requested(object)`` (a language
code, None for the customer's: wire it to ``SuggestedForTicket.set_language``).

The preview shows the reply rendered for this ticket's requester and account; placeholders that
can't be filled stay as ``{{ ... }}`` on a red background, and the field changes are listed.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.domain.languages import CHECKOUT_LANGUAGES
from console.domain.placeholders import render_preview
from console.models.canned_replies import CannedReply, CannedReplyModel, fill_template
from console.ops.tickets import describe_fields

from . import theme


class CannedReplyPicker(QWidget):
    """Search box, list and preview of canned replies for the open ticket."""

    insert_requested = Signal(object)
    language_requested = Signal(object)

    def __init__(self, model: CannedReplyModel, me: int | None = None, *, resolve=None, warn=None,
                 parent=None) -> None:
        super().__init__(parent)
        self._me = me
        self._resolve, self._warn = resolve, warn   # ops.suggestions.canned_reply, ops.bus.warn
        self._ticket: dict | None = None
        self._details = None
        self._suggestions = None
        self._chosen = False          # the agent picked a row (a re-ranking keeps it)
        self.model = model
        self.model.warning_colour = theme.colours().error
        self.search_edit = QLineEdit(placeholderText="Search canned replies…", clearButtonEnabled=True)
        self.ranking_label = QLabel()
        self.ranking_label.setWordWrap(True)
        self.ranking_label.setStyleSheet(f"color: {theme.colours().muted};")
        self.language_box = QComboBox()
        self.language_box.setToolTip("Offer the canned replies in this language")
        self.language_box.activated.connect(self._on_language_chosen)
        self.applies_label = QLabel()
        self.applies_label.setWordWrap(True)
        self.applies_button = QPushButton("Insert and apply")
        self.applies_cancel = QPushButton("Cancel")
        self.applies_bar = QWidget()
        self.applies_bar.setObjectName("appliesBar")
        bar = QHBoxLayout(self.applies_bar)
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.applies_label, 1)
        bar.addWidget(self.applies_button)
        bar.addWidget(self.applies_cancel)
        self.applies_bar.hide()
        self.applies_button.clicked.connect(lambda: self.insert_current(confirmed=True))
        self.applies_cancel.clicked.connect(self.applies_bar.hide)
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
        top = QHBoxLayout()
        top.addWidget(self.ranking_label, 1)
        top.addWidget(self.language_box)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.applies_bar)
        layout.addWidget(self.insert_button)

        self.search_edit.textChanged.connect(self.model.set_filter)
        self.model.filter_error_changed.connect(self._show_error)
        self.model.modelReset.connect(self._select_first)
        self.list_view.selectionModel().currentChanged.connect(lambda *_: self._on_current_changed())
        self.list_view.clicked.connect(lambda *_: setattr(self, "_chosen", True))
        self.list_view.doubleClicked.connect(lambda *_: self.insert_current())
        self.insert_button.clicked.connect(self.insert_current)
        self.search_edit.installEventFilter(self)
        self.list_view.installEventFilter(self)
        self.clear()
        theme.follow_theme(self, self.on_theme_changed)

    def on_theme_changed(self) -> None:
        self.error_label.setStyleSheet(f"color: {theme.colours().error};")
        self.ranking_label.setStyleSheet(f"color: {theme.colours().muted};")
        self.model.warning_colour = theme.colours().error
        self._show_preview()

    # -- inputs -------------------------------------------------------------------------

    def clear(self) -> None:
        self._ticket, self._details, self._suggestions, self._chosen = None, None, None, False
        self.setEnabled(False)
        self.applies_bar.hide()
        self.ranking_label.setText("")
        self.language_box.clear()
        self.language_box.hide()
        self.model.set_ranking(None)
        self.model.set_department(None, self._me)

    def on_ticket_shown(self, details) -> None:
        another = self._ticket is None or self._ticket.get("id") != details.ticket.get("id")
        # compared with the department last listed (the ticket dict is shared: the pane edits it in place)
        department_changed = self._ticket is None or self.model.group_id != details.ticket.get("group_id")
        self._ticket, self._details = details.ticket, details
        self.setEnabled(True)
        if another:
            self._suggestions, self._chosen = None, False
            if self.search_edit.text():
                self.search_edit.blockSignals(True)   # a search is for one ticket: the next starts ranked
                self.search_edit.clear()
                self.search_edit.blockSignals(False)
                self.model.set_filter("")
            self.applies_bar.hide()
            self.ranking_label.setText("Ranking the canned replies for this ticket…")
            self.language_box.hide()
            self.model.set_ranking(None)
        if department_changed:
            self.model.set_department(details.ticket.get("group_id"), self._me)
        else:
            self._show_preview()

    def insert_by_id(self, macro_id: int) -> None:
        """A canned reply picked elsewhere (search): made for the shown ticket off the GUI thread (its
        fragments inlined, or a message: never half a reply), then ``insert_requested`` as if picked here."""
        details = self._details
        if details is None or self._resolve is None:
            return
        ticket_id = details.ticket_id

        def resolved(reply) -> None:
            if self._details is not None and self._details.ticket_id == ticket_id:   # still that ticket
                self.insert_requested.emit(reply)
        self._resolve(macro_id, details.ticket, done=resolved, failed=self._warn or (lambda _message: None))

    def on_suggestions(self, suggestions) -> None:
        """The ranking for the shown ticket arrived: order the list, preselect only a confident best."""
        if self._ticket is None or suggestions.ticket_id != self._ticket.get("id"):
            return
        keep = self.current_macro_id() if self._chosen or self.search_edit.text().strip() else None
        self._suggestions = suggestions
        best = suggestions.preselected.macro_id if suggestions.preselected is not None else None
        self.model.set_ranking(suggestions.replies, best)
        if keep is not None and self.model.row_of(keep) >= 0:
            self._select_row(self.model.row_of(keep))
        self._show_ranking(suggestions)

    def _show_ranking(self, suggestions) -> None:
        best = suggestions.preselected
        if best is not None and self.model.row_of(best.macro_id) < 0:   # e.g. a reply of the right department
            title = best.title.split("::", 1)[-1]
            text = f"Best match “{title}” is not offered in this department"
            if suggestions.misrouted:
                text += f": move the ticket to {suggestions.department.name} first"
        elif best is not None:
            text = "Ranked for this ticket: ★ best match preselected"
        elif suggestions.replies:
            text = "Ranked for this ticket: no confident match, pick one"
        else:
            text = "No canned reply fits this ticket"
        warned = sum(1 for r in suggestions.replies if r.contradicted)
        if warned:
            text += f" · ⚠ {warned} contradict the policy"
        self.ranking_label.setText(text)
        languages = sorted({code for r in suggestions.replies for code in r.languages}, key=lambda c: (c != "en", c))
        self.language_box.blockSignals(True)
        self.language_box.clear()
        for code in languages:
            name = CHECKOUT_LANGUAGES.get(code, code)
            self.language_box.addItem(f"{name} (customer's)" if code == suggestions.customer_language else name, code)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(suggestions.language)))
        self.language_box.blockSignals(False)
        self.language_box.setVisible(len(languages) > 1)

    def _on_language_chosen(self, index: int) -> None:
        code = self.language_box.itemData(index)
        if self._suggestions is not None:
            self.language_requested.emit(None if code == self._suggestions.customer_language else code)

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

    def current_macro_id(self) -> int | None:
        macro = self.model.macro_at(self.list_view.currentIndex().row())
        return macro["id"] if macro is not None else None

    def current_ranked(self):
        """The current row's ``RankedReply`` (None before the ranking arrived)."""
        return self.model.ranked_at(self.list_view.currentIndex().row())

    def insert_current(self, confirmed: bool = False) -> None:
        """Insert the selected reply; one that solves or reassigns the ticket asks first (the strip)."""
        reply = self.current_reply()
        if reply is None or self._ticket is None:
            return
        row = self.list_view.currentIndex().row()
        error = self.model.fragment_error_at(row) or getattr(self.model.ranked_at(row), "fragment_error", None)
        if error:
            self._show_error(f"Can't insert this reply: {error}")
            return
        ranked = self.model.ranked_at(row)
        if ranked is not None and ranked.needs_confirmation and not confirmed:
            changes = describe_fields(reply.field_changes, self._names()) or ", ".join(ranked.applies)
            self.applies_label.setText(f"<b>Also applies:</b> {html.escape(changes)}")
            self.applies_bar.show()
            self.applies_button.setFocus()
            return
        self.applies_bar.hide()
        self.insert_requested.emit(reply)

    def _move(self, step: int) -> None:
        rows = self.model.rowCount()
        if rows:
            current = self.list_view.currentIndex().row()
            row = min(max(current + step, 0), rows - 1) if current >= 0 else 0
            self._select_row(row)
            self._chosen = True

    def _select_row(self, row: int) -> None:
        self.list_view.selectionModel().setCurrentIndex(
            self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _select_first(self) -> None:
        """After the list changed: the row a search put first, else the confident best, else none."""
        if self.search_edit.text().strip() and self.model.rowCount():
            self._select_row(0)
        elif self.model.row_of(self.model.best_id) >= 0:
            self._select_row(self.model.row_of(self.model.best_id))
        else:
            self.list_view.selectionModel().clearCurrentIndex()
            self.list_view.selectionModel().clearSelection()
        if self._suggestions is not None:
            self._show_ranking(self._suggestions)
        self._show_preview()

    def _on_current_changed(self) -> None:
        if self.list_view.hasFocus():
            self._chosen = True
        self.applies_bar.hide()
        self._show_preview()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _show_preview(self) -> None:
        reply = self.current_reply()
        if reply is None or self._ticket is None:
            self.preview.setHtml(f"<p style='color:{theme.colours().muted}'>No canned reply selected.</p>")
            self.insert_button.setEnabled(False)
            return
        row = self.list_view.currentIndex().row()
        ranked = self.model.ranked_at(row)
        error = self.model.fragment_error_at(row) or (ranked.fragment_error if ranked is not None else None)
        self.insert_button.setEnabled(not error)
        warnings = list(ranked.warnings) if ranked is not None else ([error] if error else [])
        if error:
            self.preview.setHtml(preview_html(reply, "", [], "", theme.colours(), warnings,
                                              blocked=f"Can't insert this reply: {error}"))
            return
        context = dict(self._details.context) if self._details is not None else {}
        text = fill_template(reply.template, context)
        _rendered, problems = render_preview(text, context)
        self.preview.setHtml(preview_html(reply, text, problems, describe_fields(reply.field_changes, self._names()),
                                          theme.colours(), warnings))

    def _names(self):
        return self._details.field_name if self._details is not None else None



def preview_html(reply: CannedReply, text: str, problems: list, changes: str = "",
                 colours: theme.Colours = theme.LIGHT_COLOURS, warnings: list[str] | tuple[str, ...] = (),
                 blocked: str = "") -> str:
    """The preview: title, the policy warnings, the text with unfilled placeholders marked, the field changes
    (``blocked``: why the reply can't be inserted at all, shown instead of the text)."""
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
    policy = "".join(f"<p style='color:{colours.error}'>⚠ {html.escape(w)}</p>" for w in warnings)
    head = f"<p><b>{html.escape(reply.title)}</b> <span style='color:{colours.muted}'>({kind})</span></p>"
    if blocked:
        return f"{head}<p style='color:{colours.error}'><b>{html.escape(blocked)}</b></p>"
    return f"{head}{policy}{warning}<p>{body}</p>{extra}"
