"""The new-ticket dialog (Ctrl+N, Ticket ▸ New ticket…): to an existing or a new customer.

    dialog = NewTicketDialog(ops.new_tickets, ops.attachments, me=agent_id, parent=window)
    dialog.created.connect(window.open_ticket)     # the stand-in's (negative) id
    dialog.show()

The customer is found by name or email in the cache (works offline), or typed as a new one;
then department, subject, the first message (public reply or internal note), priority, tags and
"assign to me", with files attached as on a reply. What is typed is kept as the new-ticket draft
(restored the next time the dialog opens); Create queues it in the outbox and closes the dialog,
and the lists show the ticket at once as "not yet on the helpdesk".
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.new_ticket import NewTicket
from console.domain.statuses import PRIORITIES

from . import theme
from .attachment_strip import AttachingTextEdit, AttachmentStrip

NEW_TICKET_DRAFT = 0   # the new-ticket draft's ticket id (console/store/schema.py: drafts)


class NewTicketDialog(QDialog):
    created = Signal(int)

    def __init__(self, new_tickets, attachments=None, *, me: int | None = None, parent: QWidget | None = None,
                 debounce_ms: int = 400) -> None:
        super().__init__(parent)
        self.setWindowTitle("New ticket")
        self.setObjectName("newTicketDialog")
        self._ops, self._me = new_tickets, me
        self.requester_id: int | None = None
        self._restoring = False
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._search)
        self._save_timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._save_timer.timeout.connect(self.save_draft_now)
        self._build(attachments)
        new_tickets.departments(done=self._fill_departments)
        new_tickets.load_draft(done=self._restore)

    def _build(self, attachments) -> None:
        self.customer = QLineEdit(placeholderText="Search customers by name or email…")
        self.customer.textEdited.connect(self._on_customer_edited)
        self.matches = QListWidget()
        self.matches.setMaximumHeight(90)
        self.matches.itemClicked.connect(self._on_match_chosen)
        self.matches.itemActivated.connect(self._on_match_chosen)
        self.matches.hide()
        self.chosen = QLabel()
        self.new_name = QLineEdit(placeholderText="Name (new customer)")
        self.new_email = QLineEdit(placeholderText="Email (new customer)")
        new_row = QHBoxLayout()
        new_row.addWidget(self.new_name)
        new_row.addWidget(self.new_email)
        self.department = QComboBox()
        self.department.addItem("No department", None)
        self.subject = QLineEdit(placeholderText="Subject")
        self.kind = QComboBox()
        self.kind.addItem("Public reply", True)
        self.kind.addItem("Internal note", False)
        self.message = AttachingTextEdit()
        self.message.setPlaceholderText("The first message…")
        self.message.setMinimumHeight(140)
        self.priority = QComboBox()
        self.priority.addItem("—", None)
        for value in PRIORITIES:
            self.priority.addItem(value, value)
        self.tags = QLineEdit(placeholderText="tags, separated by spaces")
        self.assign_to_me = QCheckBox("Assign to me", checked=self._me is not None)
        self.assign_to_me.setEnabled(self._me is not None)
        self.strip = AttachmentStrip(attachments) if attachments is not None else None
        if self.strip is not None:
            self.strip.show_for(NEW_TICKET_DRAFT, "new_ticket")
            self.message.files_dropped.connect(self.strip.attach_paths)
            self.message.image_pasted.connect(self.strip.attach_image)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {theme.colours().error};")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create ticket", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.create)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Customer", self.customer)
        form.addRow("", self.matches)
        form.addRow("", self.chosen)
        form.addRow("or new", new_row)
        form.addRow("Department", self.department)
        form.addRow("Subject", self.subject)
        form.addRow("First message", self.kind)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message, 1)
        if self.strip is not None:
            layout.addWidget(self.strip)
        fields = QFormLayout()
        fields.addRow("Priority", self.priority)
        fields.addRow("Tags", self.tags)
        fields.addRow("", self.assign_to_me)
        layout.addLayout(fields)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(560, 620)
        for edit in (self.new_name, self.new_email, self.subject, self.tags):
            edit.textEdited.connect(self._changed)
        self.message.textChanged.connect(self._changed)
        for combo in (self.department, self.kind, self.priority):
            combo.currentIndexChanged.connect(self._changed)

    # -- customer ---------------------------------------------------------------------------

    def _on_customer_edited(self, _text: str) -> None:
        self.requester_id = None
        self.chosen.clear()
        self._search_timer.start()
        self._changed()

    def _search(self) -> None:
        text = self.customer.text()
        self._ops.find_customers(text, done=lambda hits: text == self.customer.text() and self._show_matches(hits))

    def _show_matches(self, hits) -> None:
        self.matches.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.title} · {hit.snippet}" if hit.snippet else hit.title)
            item.setData(Qt.ItemDataRole.UserRole, (hit.id, hit.title, hit.snippet))
            self.matches.addItem(item)
        self.matches.setVisible(bool(hits))

    def _on_match_chosen(self, item: QListWidgetItem) -> None:
        user_id, name, snippet = item.data(Qt.ItemDataRole.UserRole)
        self.choose_customer(user_id, f"{name} · {snippet}" if snippet else name)

    def choose_customer(self, user_id: int, label: str) -> None:
        self.requester_id = user_id
        self.chosen.setText(f"✓ {label}")
        self.customer.setText(label)
        self.matches.hide()
        self._changed()

    # -- draft --------------------------------------------------------------------------------

    def _fill_departments(self, groups: list[dict]) -> None:
        current = self.department.currentData()
        for group in groups:
            self.department.addItem(group.get("name") or f"#{group['id']}", group["id"])
        if current is not None:
            self.department.setCurrentIndex(max(0, self.department.findData(current)))

    def fields(self) -> dict:
        return {"requester_id": self.requester_id, "requester_label": self.chosen.text()[2:] if self.requester_id else "",
                "requester_name": self.new_name.text(), "requester_email": self.new_email.text(),
                "group_id": self.department.currentData(), "subject": self.subject.text(),
                "body": self.message.toPlainText(), "public": bool(self.kind.currentData()),
                "priority": self.priority.currentData(), "tags": self.tags.text()}

    def _restore(self, draft: dict | None) -> None:
        if not draft:
            return
        self._restoring = True
        if isinstance(draft.get("requester_id"), int):
            self.choose_customer(draft["requester_id"], str(draft.get("requester_label") or draft["requester_id"]))
        self.new_name.setText(str(draft.get("requester_name") or ""))
        self.new_email.setText(str(draft.get("requester_email") or ""))
        self.subject.setText(str(draft.get("subject") or ""))
        self.message.setPlainText(str(draft.get("body") or ""))
        self.kind.setCurrentIndex(0 if draft.get("public", True) else 1)
        self.priority.setCurrentIndex(max(0, self.priority.findData(draft.get("priority"))))
        self.tags.setText(str(draft.get("tags") or ""))
        group = draft.get("group_id")
        if group is not None:
            index = self.department.findData(group)
            if index < 0:
                self.department.addItem(f"#{group}", group)
                index = self.department.count() - 1
            self.department.setCurrentIndex(index)
        self._restoring = False

    def _changed(self, *_args) -> None:
        if not self._restoring:
            self._save_timer.start()

    def save_draft_now(self) -> None:
        self._save_timer.stop()
        fields = self.fields()
        typed = any(fields[k] for k in ("subject", "body", "requester_email", "requester_id"))
        self._ops.save_draft(fields if typed else {})

    def reject(self) -> None:
        if self._save_timer.isActive():
            self.save_draft_now()
        super().reject()

    # -- create ---------------------------------------------------------------------------

    def ticket(self) -> NewTicket:
        f = self.fields()
        return NewTicket(subject=f["subject"], body=f["body"], requester_id=f["requester_id"],
                         requester_name=f["requester_name"], requester_email=f["requester_email"],
                         group_id=f["group_id"], public=f["public"], priority=f["priority"],
                         assignee_id=self._me if self.assign_to_me.isChecked() else None,
                         tags=tuple(self.tags.text().split()))

    def create(self) -> None:
        self._save_timer.stop()
        self.problem.clear()
        self.create_button.setEnabled(False)

        def refused(message: str) -> None:
            self.create_button.setEnabled(True)
            self.problem.setText(message)
            self.save_draft_now()

        def queued(local_id: int) -> None:
            self.created.emit(local_id)
            self.accept()
        self._ops.create(self.ticket(), initiator=self, done=queued, refused=refused)
