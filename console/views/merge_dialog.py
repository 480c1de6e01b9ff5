"""Merge tickets (Ticket ▸ Merge selected tickets…, or Merge… in the bulk bar).

    dialog = MergeDialog(ops.merges, [3, 8, 11], parent=window)
    dialog.show()

Lists the chosen tickets; the agent picks the one to keep (the oldest by default) and whether
the merge comments are public; Merge queues it (``MergeOps``: checked against the cache, sent
once through the outbox) and closes the dialog, or shows why it cannot be merged.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from console.domain.merge import MAX_SOURCES

from . import theme


class MergeDialog(QDialog):
    def __init__(self, merges, ticket_ids: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge tickets")
        self._merges, self._ids = merges, list(ticket_ids)
        self.summary = QLabel(f"Merge {len(ticket_ids)} tickets: the others are closed and point to the one kept.")
        self.summary.setWordWrap(True)
        self.target = QComboBox()
        self.public = QCheckBox("Make the merge comments public (the customers see them)")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {theme.colours().error};")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = self.buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.merge)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Keep this ticket (merge the others into it):"))
        layout.addWidget(self.target)
        layout.addWidget(self.public)
        layout.addWidget(QLabel(f"At most {MAX_SOURCES} tickets can be merged into one at a time."))
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        merges.describe(ticket_ids=self._ids, done=self._fill)

    def _fill(self, tickets: list[dict]) -> None:
        for ticket in sorted(tickets, key=lambda t: (t.get("created_at") or "", t["id"])):
            self.target.addItem(f"#{ticket['id']} {ticket.get('subject') or ''} ({ticket.get('status')})", ticket["id"])

    def merge(self) -> None:
        target = self.target.currentData()
        if target is None:
            self.problem.setText("Choose the ticket to keep.")
            return
        self.merge_button.setEnabled(False)

        def refused(message: str) -> None:
            self.merge_button.setEnabled(True)
            self.problem.setText(message)
        self._merges.merge(target_id=target, source_ids=[t for t in self._ids if t != target],
                           public=self.public.isChecked(), initiator=self, done=lambda _op: self.accept(),
                           refused=refused)
