"""The bulk-action bar over the ticket list: shown while two or more rows are selected.

    bar = BulkBar(ops.bulk, ticket_list, ops.bus)

Select rows with Shift/Ctrl+Click or Ctrl+A (Ticket ▸ Select all in this queue); the bar says how
many, and sets status, priority, department, assignee and tags (``+vip -spam``: add / remove), or
applies a canned reply's field actions, to all of them at once: queued as one outbox batch
(``BulkOps``); the bar then follows that batch: "197 sent · 3 conflicts".
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.statuses import PRIORITIES, STATUSES
from console.store import Change, Kind

from . import theme

STATE_WORDS = (("sent", "sent"), ("queued", "queued"), ("sending", "sending"), ("conflict", "conflicts"),
               ("failed", "failed"), ("cancelled", "cancelled"))


def selected_ticket_ids(view) -> list[int]:
    """The ticket ids of the selected rows, in list order (cheap for a select-all of a big queue)."""
    model, rows = view.model(), set()
    for selected in view.selectionModel().selection():
        rows.update(range(selected.top(), selected.bottom() + 1))
    return [t for t in (model.ticket_id_at(r) for r in sorted(rows)) if t is not None]


def tag_changes(text: str) -> dict[str, list[str]]:
    """``+vip -spam billing`` → add vip and billing, remove spam."""
    add, remove = [], []
    for word in text.lower().split():
        (remove if word.startswith("-") else add).append(word.lstrip("+-"))
    return {k: [w for w in v if w] for k, v in (("additional_tags", add), ("remove_tags", remove)) if any(v)}


class BulkBar(QFrame):
    merge_requested = Signal(list)   # the selected ticket ids

    def __init__(self, bulk, view, bus=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bulkBar")
        self._bulk, self._view = bulk, view
        self.batch_id: str | None = None
        self.count = QLabel()
        self.status = self._combo("Status", STATUSES)
        self.priority = self._combo("Priority", PRIORITIES)
        self.department = self._combo("Department", ())
        self.assignee = self._combo("Assignee", ())
        self.tags = QLineEdit(placeholderText="+tag −tag")
        self.tags.setMinimumWidth(80)
        self.tags.returnPressed.connect(self.apply)
        self.canned = self._combo("Canned reply fields…", ())
        self.canned.activated.connect(self.on_canned_chosen)
        self.apply_button = QPushButton("Apply")
        self.apply_button.clicked.connect(self.apply)
        self.merge_button = QPushButton("Merge…")
        self.merge_button.setToolTip("Merge the selected tickets into one")
        self.merge_button.clicked.connect(lambda: self.merge_requested.emit(self.selected()))
        self.clear_button = QToolButton(text="✕")
        self.clear_button.setToolTip("Clear the selection")
        self.clear_button.clicked.connect(view.clearSelection)
        self.progress = QLabel()
        self.progress.setWordWrap(True)
        head, fields = QHBoxLayout(), QHBoxLayout()
        for widget in (self.count, self.apply_button, self.merge_button):
            head.addWidget(widget)
        head.addWidget(self.progress, 1)
        head.addWidget(self.clear_button)
        for widget in (self.status, self.priority, self.department, self.assignee, self.tags, self.canned):
            fields.addWidget(widget, 1)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(6, 3, 6, 3)
        rows.setSpacing(3)
        rows.addLayout(head)
        rows.addLayout(fields)
        colours = theme.colours()
        self.setStyleSheet(f"#bulkBar {{ background: {colours.note_card}; border-bottom: 1px solid {colours.muted}; }}")
        view.selectionModel().selectionChanged.connect(self.on_selection_changed)
        if bus is not None:
            bus.cache_changed.connect(self.on_cache_changed)
        bulk.choices(done=self._fill)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setVisible(False)

    @staticmethod
    def _combo(title: str, values) -> QComboBox:
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)   # the bar never widens the list
        combo.addItem(title, None)
        for value in values:
            combo.addItem(str(value), value)
        return combo

    def _fill(self, choices) -> None:
        if not shiboken6.isValid(self):
            return
        for group in choices.departments:
            self.department.addItem(group.get("name") or f"#{group['id']}", group["id"])
        self.assignee.addItem("Unassigned", 0)
        for agent in choices.agents:
            self.assignee.addItem(agent.get("name") or f"#{agent['id']}", agent["id"])
        for macro in choices.canned_replies:
            self.canned.addItem(macro.get("title") or f"#{macro['id']}", macro["id"])

    def selected(self) -> list[int]:
        return selected_ticket_ids(self._view)

    def on_selection_changed(self, *_args) -> None:
        ids = self.selected()
        self.count.setText(f"<b>{len(ids)} selected</b>")
        self.setVisible(len(ids) >= 2)

    def fields(self) -> dict:
        fields: dict = {}
        for key, combo in (("status", self.status), ("priority", self.priority), ("group_id", self.department),
                           ("assignee_id", self.assignee)):
            if combo.currentIndex() > 0:
                value = combo.currentData()
                fields[key] = None if key == "assignee_id" and value == 0 else value
        return fields | tag_changes(self.tags.text())

    def _names(self, key: str, value):
        combo = {"group_id": self.department, "assignee_id": self.assignee}.get(key)
        if combo is None:
            return value
        index = combo.findData(value if value is not None else 0)
        return combo.itemText(index) if index > 0 else value

    def apply(self) -> None:
        fields, ids = self.fields(), self.selected()
        if not fields:
            self.progress.setText("Choose what to change first.")
            return
        self._bulk.apply(ticket_ids=ids, fields=fields, initiator=self, describe=self._names, done=self._queued)

    def on_canned_chosen(self, index: int) -> None:
        if index > 0:
            self._bulk.apply_canned_reply(ticket_ids=self.selected(), macro_id=self.canned.itemData(index),
                                          initiator=self, done=self._queued)
            self.canned.setCurrentIndex(0)

    def _queued(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        self.batch_id = result.batch_id
        for combo in (self.status, self.priority, self.department, self.assignee):
            combo.setCurrentIndex(0)
        self.tags.clear()
        self.progress.setText(f"{result.queued} queued: {result.text}")
        self.refresh_progress()

    def on_cache_changed(self, change: Change, _initiator: object = None) -> None:
        if self.batch_id is not None and change.kinds & Kind.OUTBOX:
            self.refresh_progress()

    def refresh_progress(self) -> None:
        batch_id = self.batch_id
        if batch_id is None:
            return

        def show(counts: dict[str, int]) -> None:
            if shiboken6.isValid(self) and batch_id == self.batch_id:
                self.progress.setText(" · ".join(f"{counts[k]} {word}" for k, word in STATE_WORDS if counts.get(k)))
        self._bulk.progress(batch_id, done=show)
