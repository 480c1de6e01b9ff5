"""The ticket pane: header, editable fields, the thread, and slots for the reply editor and account pane.

``TicketPane.show_ticket(details, groups, agents)`` with ``details`` from
``console.models.thread.load_ticket_details``. Field edits are collected and sent as one
``fields_change_requested(ticket_id, changes, updated_stamp)`` (the window queues an outbox
"fields" entry); ``attachment_requested(attachment_id)`` and ``link_requested(QUrl)`` ask the
window to open things. The thread browser loads nothing: ``loadResource`` answers None for
every URL, links are not followed by the widget itself. The thread is coloured from
``theme.colours()`` and re-rendered when the theme changes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.models.thread import thread_html

from . import theme

STATUSES = ("new", "open", "pending", "hold", "solved")
PRIORITIES = ("low", "normal", "high", "urgent")


class SafeThreadBrowser(QTextBrowser):
    """A QTextBrowser that never loads a resource (no remote images, no files)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.blocked_urls: list[str] = []

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 (Qt override)
        self.blocked_urls.append(url.toString())
        return None


class TicketPane(QWidget):
    fields_change_requested = Signal(int, object, object)   # ticket id, {field: value}, updated_stamp
    attachment_requested = Signal(int)
    link_requested = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ticket: dict | None = None
        self._details: dict | None = None
        self._loading = False
        self.subject = QLabel("Select a ticket")
        self.subject.setObjectName("ticketSubject")
        self.subject.setWordWrap(True)
        self.subject.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.subject.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.subject.setFont(font)
        self.meta = QLabel("")
        self.meta.setWordWrap(True)
        self.status = self._combo("Status")
        self.priority = self._combo("Priority")
        self.department = self._combo("Department")
        self.assignee = self._combo("Assignee")
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("tags, space separated")
        self.tags.setToolTip("Tags")
        self.save = QPushButton("Save fields")
        self.save.setToolTip("Queue the field changes in the outbox")
        self.save.setEnabled(False)
        self.thread = SafeThreadBrowser()
        self.thread.setObjectName("thread")
        self.reply_slot = QWidget()
        self.reply_slot.setLayout(QVBoxLayout())
        self.reply_slot.layout().setContentsMargins(0, 0, 0, 0)
        self.account_slot = QWidget()
        self.account_slot.setLayout(QVBoxLayout())
        self.account_slot.layout().setContentsMargins(0, 0, 0, 0)
        self._layout()
        for combo in (self.status, self.priority, self.department, self.assignee):
            combo.currentIndexChanged.connect(self.on_field_edited)
        self.tags.textEdited.connect(self.on_field_edited)
        self.tags.returnPressed.connect(self.on_save_clicked)
        self.save.clicked.connect(self.on_save_clicked)
        self.thread.anchorClicked.connect(self.on_anchor_clicked)
        theme.follow_theme(self, self.on_theme_changed)
        self.setEnabled(False)

    @staticmethod
    def _combo(tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setToolTip(tip)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    def _layout(self) -> None:
        fields = QHBoxLayout()
        for widget in (self.status, self.priority, self.department, self.assignee):
            fields.addWidget(widget)
        fields.addStretch(1)
        tags_row = QHBoxLayout()
        tags_row.addWidget(QLabel("Tags"))
        tags_row.addWidget(self.tags, 1)
        tags_row.addWidget(self.save)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(6, 6, 6, 0)
        column.addWidget(self.subject)
        column.addWidget(self.meta)
        column.addLayout(fields)
        column.addLayout(tags_row)
        self.vertical = QSplitter(Qt.Orientation.Vertical)
        self.vertical.addWidget(self.thread)
        self.vertical.addWidget(self.reply_slot)
        self.vertical.setStretchFactor(0, 3)
        self.vertical.setStretchFactor(1, 1)
        column.addWidget(self.vertical, 1)
        self.horizontal = QSplitter(Qt.Orientation.Horizontal)
        self.horizontal.addWidget(left)
        self.horizontal.addWidget(self.account_slot)
        self.horizontal.setStretchFactor(0, 1)   # the thread takes what the account pane leaves
        self.horizontal.setStretchFactor(1, 0)
        account = self.fontMetrics().averageCharWidth() * 56   # badges and "Account email: …" unclipped
        self.account_slot.setMinimumWidth(account)
        self.horizontal.setSizes([2 * account, account])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.horizontal)

    def set_reply_editor(self, widget: QWidget) -> None:
        self._fill_slot(self.reply_slot, widget)

    def set_account_pane(self, widget: QWidget) -> None:
        self._fill_slot(self.account_slot, widget)

    @staticmethod
    def _fill_slot(slot: QWidget, widget: QWidget) -> None:
        layout = slot.layout()
        while layout.count():
            old = layout.takeAt(0).widget()
            if old is not None:
                old.setParent(None)
        layout.addWidget(widget)

    # -- showing a ticket ------------------------------------------------------------------

    @property
    def ticket_id(self) -> int | None:
        return self.ticket["id"] if self.ticket else None

    def clear(self) -> None:
        self.ticket = None
        self._details = None
        self.subject.setText("Select a ticket")
        self.meta.setText("")
        self.thread.clear()
        self.setEnabled(False)

    def show_ticket(self, details: dict, groups: list[dict], agents: list[dict]) -> None:
        ticket = details["ticket"]
        same_ticket = self.ticket_id == ticket["id"]
        scroll = self.thread.verticalScrollBar().value() if same_ticket else None
        self.ticket = ticket
        self.setEnabled(True)
        self.subject.setText(f"#{ticket['id']}  {ticket.get('subject') or '(no subject)'}")
        requester = details.get("requester") or {}
        who = requester.get("name") or f"user #{ticket.get('requester_id')}"
        email = f" &lt;{requester['email']}&gt;" if requester.get("email") else ""
        deleted = " · <b>deleted on the helpdesk</b>" if ticket.get("_deleted") else ""
        self.meta.setText(f"{who}{email} · via {ticket.get('via', {}).get('channel', 'web')}{deleted}")
        self._fill_fields(ticket, groups, agents)
        self._details = details
        self._render_thread(keep_scroll=scroll)

    def _render_thread(self, keep_scroll: int | None = None) -> None:
        """The thread in the current theme's colours; scrolled to the end unless ``keep_scroll``."""
        if self._details is None:
            return
        details = self._details
        self.thread.setHtml(thread_html(details["comments"], details["users"],
                                        details["ticket"].get("requester_id"), theme.colours()))
        bar = self.thread.verticalScrollBar()
        bar.setValue(bar.maximum() if keep_scroll is None else keep_scroll)

    def on_theme_changed(self) -> None:
        """Re-render the open thread (its HTML carries the old theme's colours)."""
        self._render_thread(keep_scroll=self.thread.verticalScrollBar().value())

    def _fill_fields(self, ticket: dict, groups: list[dict], agents: list[dict]) -> None:
        self._loading = True
        try:
            self._set_items(self.status, [(s.capitalize(), s) for s in STATUSES], ticket.get("status"))
            if ticket.get("status") == "closed":
                self._set_items(self.status, [("Closed", "closed")], "closed")
            self.status.setEnabled(ticket.get("status") != "closed")
            self._set_items(self.priority, [("No priority", None)] + [(p.capitalize(), p) for p in PRIORITIES],
                            ticket.get("priority"))
            self._set_items(self.department, [("No department", None)] + [(g["name"], g["id"]) for g in groups],
                            ticket.get("group_id"))
            people = [("Unassigned", None)] + [(a.get("name") or a.get("email"), a["id"]) for a in agents]
            if ticket.get("assignee_id") and all(v != ticket["assignee_id"] for _, v in people):
                people.append((f"user #{ticket['assignee_id']}", ticket["assignee_id"]))
            self._set_items(self.assignee, people, ticket.get("assignee_id"))
            self.tags.setText(" ".join(ticket.get("tags") or []))
            self.save.setEnabled(False)
        finally:
            self._loading = False

    @staticmethod
    def _set_items(combo: QComboBox, items: list[tuple[str, object]], current: object) -> None:
        combo.blockSignals(True)
        combo.clear()
        for label, value in items:
            combo.addItem(label, value)
        index = next((i for i, (_, v) in enumerate(items) if v == current), 0)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)

    # -- editing ----------------------------------------------------------------------------

    def pending_changes(self) -> dict:
        """Fields whose editor differs from the cached ticket."""
        if not self.ticket:
            return {}
        t = self.ticket
        wanted = {"status": self.status.currentData(), "priority": self.priority.currentData(),
                  "group_id": self.department.currentData(), "assignee_id": self.assignee.currentData()}
        changes = {k: v for k, v in wanted.items() if v != t.get(k) and not (k == "status" and v == "closed")}
        tags = self.tags.text().split()
        if sorted(tags) != sorted(t.get("tags") or []):
            changes["tags"] = tags
        return changes

    def on_field_edited(self, *_: object) -> None:
        if not self._loading:
            self.save.setEnabled(bool(self.pending_changes()))

    def on_save_clicked(self) -> None:
        changes = self.pending_changes()
        if changes and self.ticket:
            self.fields_change_requested.emit(self.ticket["id"], changes, self.ticket.get("updated_at"))
            self.save.setEnabled(False)

    def request_status(self, status: str) -> None:
        """Set the status at once (keyboard): queues a fields change if it differs."""
        if not self.ticket or self.ticket.get("status") == "closed" or self.ticket.get("status") == status:
            return
        self.fields_change_requested.emit(self.ticket["id"], {"status": status}, self.ticket.get("updated_at"))

    def on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() == "attachment" and url.path().isdigit():
            self.attachment_requested.emit(int(url.path()))
        elif url.scheme() in ("http", "https", "mailto"):
            self.link_requested.emit(url)
