"""The conflict view: a change the helpdesk refused (409) because the ticket moved on; resend or discard.

Constructor: ``ConflictView(conflicts: console.ops.conflicts.ConflictOps, bus=None, parent=None)``,
a QDialog (open it from the status bar's conflicts badge with ``show()``/``exec()``).

Each open conflict is listed (read off the GUI thread, again when the bus says conflicts
changed); the selected one shows theirs (the helpdesk's ticket as the engine re-read it) against
yours (the queued change) field by field, differences highlighted, and the comment you wrote
beside their latest comment.
- "Resend mine" → ``conflicts.resolve(id, "resend", stamp=<their updated_at>)``: your change is
  re-queued on top of their version (it will overwrite the fields it sets) and pushed.
- "Discard mine" → ``conflicts.resolve(id, "discard")``.
Records as console/sync/push.py writes them: ``theirs = {"ticket", "comments", "changed_fields"}``,
``yours = {"kind", "payload", "updated_stamp", "fields"}`` (payload = the outbox payload).

Signals: ``conflict_resolved(object)``: the ``Change`` of a resolution (already broadcast).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.store import Change, Conflict, Kind

from . import theme

FIELDS = ("status", "priority", "type", "group_id", "assignee_id", "tags", "subject")


def their_ticket(conflict: Conflict) -> dict[str, Any]:
    theirs = conflict.theirs or {}
    return theirs.get("ticket") if isinstance(theirs.get("ticket"), dict) else theirs


def your_change(conflict: Conflict) -> dict[str, Any]:
    """Your change as ticket fields plus ``comment`` (from the engine's ``{"kind", "payload"}`` record)."""
    yours = conflict.yours or {}
    payload = yours.get("payload") if isinstance(yours.get("payload"), dict) else yours
    kind = yours.get("kind")
    fields = payload.get("fields") if isinstance(payload.get("fields"), dict) else {}
    if kind == "fields" and not fields:
        fields = {k: v for k, v in payload.items() if k in FIELDS}
    change = dict(fields)
    if "body" in payload or "html_body" in payload:
        change["comment"] = {"body": payload.get("body") or payload.get("html_body"), "public": kind != "note"}
    return change


def field_rows(conflict: Conflict) -> list[tuple[str, str, str, bool]]:
    """(field, theirs, yours, differs) for every field your change sets, plus the usual ones."""
    theirs, yours = their_ticket(conflict), your_change(conflict)
    names = [f for f in FIELDS if f in yours] + [f for f in FIELDS if f not in yours and f in theirs]
    rows = []
    for name in names:
        mine = yours.get(name, theirs.get(name))
        rows.append((name, _show(theirs.get(name)), _show(mine) if name in yours else "(unchanged)",
                     name in yours and mine != theirs.get(name)))
    return rows


def _show(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(map(str, value)) or "—"
    return "—" if value is None else str(value)


class ConflictView(QDialog):
    """Theirs vs yours for each open conflict, with resend / discard."""

    conflict_resolved = Signal(object)
    loaded = Signal()   # the list shows the cache's conflicts as of now

    def __init__(self, conflicts, bus=None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Conflicts: the ticket changed on the helpdesk")
        self._ops = conflicts
        self._conflicts: list[Conflict] = []
        self._refresh_soon = QTimer(self, singleShot=True, interval=50)
        self._refresh_soon.timeout.connect(self.refresh)
        if bus is not None:
            bus.cache_changed.connect(self.on_cache_changed)
        self.conflict_list = QListWidget()
        self.conflict_list.setWordWrap(True)
        self.fields_table = QTableWidget(0, 3)
        self.fields_table.setHorizontalHeaderLabels(["Field", "Theirs (helpdesk now)", "Yours (queued)"])
        self.fields_table.horizontalHeader().setStretchLastSection(True)
        self.fields_table.verticalHeader().hide()
        self.fields_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.their_comment = QTextBrowser()
        self.your_comment = QTextBrowser()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.resend_button = QPushButton("Resend mine")
        self.resend_button.setToolTip("Queue your change again on top of their version")
        self.discard_button = QPushButton("Discard mine")
        self.close_button = QPushButton("Close")

        comments = QSplitter(Qt.Orientation.Horizontal)
        comments.addWidget(_titled("Their latest comment", self.their_comment))
        comments.addWidget(_titled("Your comment", self.your_comment))
        detail = QSplitter(Qt.Orientation.Vertical)
        detail.addWidget(self.fields_table)
        detail.addWidget(comments)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.conflict_list)
        main.addWidget(detail)
        main.setSizes([220, 600])
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        for button in (self.resend_button, self.discard_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(main, 1)
        layout.addLayout(buttons)
        self.resize(900, 520)

        self.conflict_list.currentRowChanged.connect(lambda _row: self._show_selected())
        self.resend_button.clicked.connect(lambda: self.resolve("resend"))
        self.discard_button.clicked.connect(lambda: self.resolve("discard"))
        self.close_button.clicked.connect(self.close)
        self.refresh()

    # -- data ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self._ops.list(done=self._show_conflicts)

    def _show_conflicts(self, conflicts: list[Conflict]) -> None:
        keep = self.current_conflict().id if self.current_conflict() else None
        self._conflicts = conflicts
        self.conflict_list.blockSignals(True)
        self.conflict_list.clear()
        for conflict in self._conflicts:
            ticket = their_ticket(conflict)
            kind = "reply" if "comment" in your_change(conflict) else "field change"
            item = QListWidgetItem(f"#{conflict.ticket_id}  {ticket.get('subject') or ''}\n{kind}")
            item.setData(Qt.ItemDataRole.UserRole, conflict.id)
            self.conflict_list.addItem(item)
        self.conflict_list.blockSignals(False)
        rows = [c.id for c in self._conflicts]
        self.conflict_list.setCurrentRow(rows.index(keep) if keep in rows else (0 if rows else -1))
        self._show_selected()
        self.loaded.emit()

    def on_cache_changed(self, change: Change, _initiator: object = None) -> None:
        if change.touches(Kind.CONFLICTS):
            self._refresh_soon.start()

    def current_conflict(self) -> Conflict | None:
        row = self.conflict_list.currentRow() if hasattr(self, "_conflicts") else -1
        return self._conflicts[row] if 0 <= row < len(self._conflicts) else None

    def resolve(self, action: str) -> None:
        conflict = self.current_conflict()
        if conflict is None:
            return
        self.resend_button.setEnabled(False)
        self.discard_button.setEnabled(False)

        def done(change: Change) -> None:
            self.message_label.setText("Queued again on top of their version." if action == "resend"
                                       else "Your change was discarded.")
            self.refresh()
            self.conflict_resolved.emit(change)

        def failed(exc: Exception) -> None:
            self.message_label.setText(str(exc))
            self.refresh()

        self._ops.resolve(conflict_id=conflict.id, action=action, stamp=their_ticket(conflict).get("updated_at"),
                          initiator=self, done=done, failed=failed)

    # -- display ------------------------------------------------------------------------

    def _show_selected(self) -> None:
        conflict = self.current_conflict()
        self.resend_button.setEnabled(conflict is not None)
        self.discard_button.setEnabled(conflict is not None)
        self.fields_table.setRowCount(0)
        if conflict is None:
            self.their_comment.setHtml(f"<p style='color:{theme.colours().muted}'>No open conflicts.</p>")
            self.your_comment.clear()
            return
        rows = field_rows(conflict)
        self.fields_table.setRowCount(len(rows))
        for row, (name, theirs, yours, differs) in enumerate(rows):
            for column, text in enumerate((name, theirs, yours)):
                item = QTableWidgetItem(text)
                if differs and column:
                    background, ink = theme.colours().tones["warn"]
                    item.setBackground(QBrush(QColor(background)))
                    item.setForeground(QBrush(QColor(ink)))
                self.fields_table.setItem(row, column, item)
        self.fields_table.resizeColumnsToContents()
        self.their_comment.setHtml(_comment_html(_their_latest_comment(conflict)))
        mine = your_change(conflict).get("comment") or {}
        self.your_comment.setHtml(_comment_html(mine if mine else None))


def _their_latest_comment(conflict: Conflict) -> dict | None:
    theirs = conflict.theirs or {}
    comments = theirs.get("comments") if isinstance(theirs.get("comments"), list) else None
    if comments:
        return comments[-1]
    return None


def _comment_html(comment: dict | None) -> str:
    muted = theme.colours().muted
    if not comment:
        return f"<p style='color:{muted}'>No comment.</p>"
    kind = "public reply" if comment.get("public", True) else "internal note"
    body = html.escape(str(comment.get("body") or comment.get("plain_body") or "")).replace("\n", "<br>")
    return f"<p style='color:{muted}'>{kind}</p><p>{body}</p>"


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(title)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return box
