"""The new-ticket dialog (Ctrl+N, Ticket ▸ New ticket…): to an existing or a new customer.

    dialog = NewTicketDialog(ops.new_tickets, ops.attachments, me=agent_id, parent=window, spelling=ops.spelling)
    dialog.created.connect(window.open_ticket)     # the stand-in's (negative) id
    dialog.show()

The customer is found by name or email in the cache (works offline), or typed as a new one;
then department, subject, the first message (public reply or internal note), priority, type
(question, incident, problem, task), tags, "assign to me" and the account's custom ticket fields
(from the cache: text, number, date, checkbox, drop-down), with files attached as on a reply. What is typed is kept as the new-ticket draft
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
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.domain.new_ticket import NewTicket
from console.domain.statuses import PRIORITIES, TICKET_TYPES
from console.domain.ticket_fields import CustomField, FieldValueError

from . import theme
from .attachment_strip import AttachingTextEdit, AttachmentStrip
from .spelling import EditorSpelling

NEW_TICKET_DRAFT = 0   # the new-ticket draft's ticket id (console/store/schema.py: drafts)
FIELD_HINTS = {"integer": "a whole number", "decimal": "a number, e.g. 12.50", "date": "YYYY-MM-DD"}


class NewTicketDialog(QDialog):
    created = Signal(int)

    def __init__(self, new_tickets, attachments=None, *, me: int | None = None, parent: QWidget | None = None,
                 debounce_ms: int = 400, spelling=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New ticket")
        self.setObjectName("newTicketDialog")
        self._ops, self._me = new_tickets, me
        self.requester_id: int | None = None
        self.custom: dict[int, tuple[CustomField, QWidget]] = {}   # the account's custom fields, by id
        self._entered: dict = {}   # custom field values restored before the fields arrived
        self._restoring = False
        self.spelling: EditorSpelling | None = None
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._search)
        self._save_timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._save_timer.timeout.connect(self.save_draft_now)
        self._build(attachments)
        # the first message is spell checked like a reply (ops.spelling; None: not checked)
        if spelling is not None:
            self.spelling = EditorSpelling(self.message, spelling)
        new_tickets.departments(done=self._fill_departments)
        new_tickets.ticket_fields(done=self._fill_custom_fields)
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
        self.ticket_type = QComboBox()
        self.ticket_type.addItem("—", None)
        for value in TICKET_TYPES:
            self.ticket_type.addItem(value.capitalize(), value)
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
        fields = QGridLayout()   # two label + field pairs a row: the dialog fits a 700-pixel-high screen
        fields.setColumnStretch(1, 1)
        fields.setColumnStretch(3, 1)
        fields.addWidget(QLabel("Priority"), 0, 0)
        fields.addWidget(self.priority, 0, 1)
        fields.addWidget(QLabel("Type"), 0, 2)
        fields.addWidget(self.ticket_type, 0, 3)
        fields.addWidget(QLabel("Tags"), 1, 0)
        fields.addWidget(self.tags, 1, 1)
        fields.addWidget(self.assign_to_me, 1, 3)
        layout.addLayout(fields)
        # the custom fields: same columns; past three rows they scroll (an account may have dozens)
        self.custom_box = QWidget()
        self.custom_grid = QGridLayout(self.custom_box)
        self.custom_grid.setContentsMargins(0, 0, 0, 0)
        self.custom_grid.setColumnStretch(1, 1)
        self.custom_grid.setColumnStretch(3, 1)
        self.custom_scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        self.custom_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.custom_scroll.setWidget(self.custom_box)
        self.custom_scroll.hide()
        layout.addWidget(self.custom_scroll)
        self._grid = fields
        self._form = form
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(600, 640)
        for edit in (self.new_name, self.new_email, self.subject, self.tags):
            edit.textEdited.connect(self._changed)
        self.message.textChanged.connect(self._changed)
        for combo in (self.department, self.kind, self.priority, self.ticket_type):
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

    def _fill_custom_fields(self, fields: list[CustomField]) -> None:
        """One editor per custom field, two to a row under priority and type."""
        for index, custom in enumerate(fields):
            row, column = index // 2, (index % 2) * 2
            widget: QWidget
            if custom.type == "checkbox":
                widget = QCheckBox(custom.title)
                widget.toggled.connect(self._changed)
                self.custom_grid.addWidget(widget, row, column + 1)
            else:
                if custom.type == "tagger":
                    widget = QComboBox()
                    widget.addItem("—", None)
                    for tag, name in custom.options:
                        widget.addItem(name, tag)
                    widget.currentIndexChanged.connect(self._changed)
                else:
                    widget = QLineEdit(placeholderText=FIELD_HINTS.get(custom.type, ""))
                    widget.textEdited.connect(self._changed)
                label = QLabel(custom.title + (" *" if custom.required else ""))
                label.setBuddy(widget)
                self.custom_grid.addWidget(label, row, column)
                self.custom_grid.addWidget(widget, row, column + 1)
            widget.setToolTip(custom.description)
            widget.setObjectName(f"customField{custom.id}")
            self.custom[custom.id] = (custom, widget)
        self._restoring = True
        self._set_custom(self._entered)
        self._restoring = False
        if fields:
            self.custom_scroll.show()
            rows = (len(fields) + 1) // 2
            row_height = self.custom_box.sizeHint().height() // rows
            self.custom_scroll.setFixedHeight(row_height * min(rows, 3) + (row_height // 2 if rows > 3 else 0))
        self._align_columns()

    def _align_columns(self) -> None:
        """The label columns of the form, the field grid and the custom fields line up."""
        first = [self._form.labelForField(self._form.itemAt(i, QFormLayout.ItemRole.FieldRole).widget()
                                          or self._form.itemAt(i, QFormLayout.ItemRole.FieldRole).layout())
                 for i in range(self._form.rowCount()) if self._form.itemAt(i, QFormLayout.ItemRole.FieldRole)]
        columns: dict[int, list[QWidget]] = {0: [w for w in first if isinstance(w, QLabel)], 2: []}
        for grid in (self._grid, self.custom_grid):
            for index in range(grid.count()):
                widget = grid.itemAt(index).widget()
                _row, column, _rows, _columns = grid.getItemPosition(index)
                if isinstance(widget, QLabel) and column in columns:
                    columns[column].append(widget)
        for labels in columns.values():
            width = max((label.sizeHint().width() for label in labels), default=0)
            for label in labels:
                label.setMinimumWidth(width)

    def _set_custom(self, entered: dict) -> None:
        for key, value in entered.items():
            found = self.custom.get(int(key)) if str(key).isdigit() else None
            if found is None:
                continue
            widget = found[1]
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif isinstance(widget, QLineEdit):
                widget.setText("" if value is None else str(value))

    def custom_entered(self) -> dict[str, object]:
        """What the agent entered in each custom field (as typed: checked by ``ticket()``)."""
        if not self.custom:
            return dict(self._entered)   # the fields have not arrived yet: keep what the draft held
        out: dict[str, object] = {}
        for field_id, (_custom, widget) in self.custom.items():
            if isinstance(widget, QCheckBox):
                value: object = widget.isChecked() or None
            elif isinstance(widget, QComboBox):
                value = widget.currentData()
            else:
                value = widget.text().strip() or None
            if value is not None:
                out[str(field_id)] = value
        return out

    def fields(self) -> dict:
        return {"requester_id": self.requester_id, "requester_label": self.chosen.text()[2:] if self.requester_id else "",
                "requester_name": self.new_name.text(), "requester_email": self.new_email.text(),
                "group_id": self.department.currentData(), "subject": self.subject.text(),
                "body": self.message.toPlainText(), "public": bool(self.kind.currentData()),
                "priority": self.priority.currentData(), "tags": self.tags.text(),
                "type": self.ticket_type.currentData(), "custom_fields": self.custom_entered()}

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
        self.ticket_type.setCurrentIndex(max(0, self.ticket_type.findData(draft.get("type"))))
        entered = draft.get("custom_fields")
        self._entered = {str(k): v for k, v in entered.items()} if isinstance(entered, dict) else {}
        self._set_custom(self._entered)
        group = draft.get("group_id")
        if group is not None:
            index = self.department.findData(group)
            if index < 0:
                self.department.addItem(f"#{group}", group)
                index = self.department.count() - 1
            self.department.setCurrentIndex(index)
        self._restoring = False

    def _changed(self, *_args) -> None:
        if not self._restoring and not (self.spelling is not None and self.spelling.rechecking):
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
        """The ticket as entered; raises FieldValueError naming a custom field's bad value."""
        f = self.fields()
        custom: dict[int, object] = {}
        for field_id, (field, _widget) in self.custom.items():
            value = field.value(f["custom_fields"].get(str(field_id)))
            if value is not None and not (field.type == "checkbox" and value is False):
                custom[field_id] = value
            elif field.required:
                raise FieldValueError(f"Fill in {field.title}.")
        return NewTicket(subject=f["subject"], body=f["body"], requester_id=f["requester_id"],
                         requester_name=f["requester_name"], requester_email=f["requester_email"],
                         group_id=f["group_id"], public=f["public"], priority=f["priority"],
                         ticket_type=f["type"], assignee_id=self._me if self.assign_to_me.isChecked() else None,
                         tags=tuple(self.tags.text().split()), custom_fields=custom)

    def create(self) -> None:
        self._save_timer.stop()
        self.problem.clear()
        try:
            ticket = self.ticket()
        except FieldValueError as error:
            self.problem.setText(str(error))
            self.save_draft_now()
            return
        self.create_button.setEnabled(False)

        def refused(message: str) -> None:
            self.create_button.setEnabled(True)
            self.problem.setText(message)
            self.save_draft_now()

        def queued(local_id: int) -> None:
            self.created.emit(local_id)
            self.accept()
        self._ops.create(ticket, initiator=self, done=queued, refused=refused)
