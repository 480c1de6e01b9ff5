"""The ticket pane: header, editable fields, the thread, and slots for the reply editor and account pane.

``TicketPane.show_details(details)`` with a ``console.ops.tickets.TicketDetails`` (an
``OpenTicket`` loads them off the GUI thread). Field edits have one model: every change in a
combo box is queued at once, like Alt+1…4 (``fields_change_requested(ticket_id, changes,
updated_stamp, previous)``: the window queues an outbox "fields" entry, undoable), and the tags
line is queued when the agent presses Enter or leaves it (``flush_tags()`` before another ticket
is shown), so no edit is ever lost silently. Field changes still in the outbox are shown at once,
marked *queued*. Under the requester line: the ticket's type and the custom fields that have a
value ("Type: Incident · Order number: 1182"). ``attachment_requested(attachment_id)`` and ``link_requested(QUrl)`` ask the
window to open things. The thread browser loads nothing: ``loadResource`` answers None for every
URL, links are not followed by the widget itself. The thread is coloured from
``theme.colours()`` and re-rendered when the theme changes. Each message's "Details" and "Show
original" links open and close in place (the scroll position stays); a newly shown ticket starts
with all closed. The header names the ticket's brand and form when the account has more than one.
``show_suggestion(suggestions)`` (a ``console.ops.suggestions.ReplySuggestions``): on a new,
unassigned or probably misrouted ticket, "Suggested: Billing — refund, cancel" with the words that
decided it, and a "Move to Billing" button (Alt+M) that queues the department change like the combo.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QImage
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

from console.domain.brands import ticket_origin
from console.domain.channels import channel_of
from console.domain.satisfaction import rating_text
from console.domain.statuses import PRIORITIES, StatusChoice, choice_key, status_choices
from console.models.thread import DETAILS_SCHEME, ORIGINAL_SCHEME, Opened, inline_images, thread_html

from . import theme

FIELD_WIDGETS = ("status", "priority", "group_id", "assignee_id")


class SafeThreadBrowser(QTextBrowser):
    """A QTextBrowser that never loads a resource (no remote images, no files)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.blocked_urls: list[str] = []
        self.cached_images: dict[int, str] = {}   # attachment id → cached file (thread.inline_images)

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 (Qt override)
        path = self.cached_images.get(int(url.path())) if url.scheme() == "cached-image" \
            and url.path().isdigit() else None
        if path is not None:   # a received image the cache holds: shown inline, nothing fetched
            image = QImage(path)
            if not image.isNull():
                return image
        self.blocked_urls.append(url.toString())
        return None


class TicketPane(QWidget):
    fields_change_requested = Signal(int, object, object, object)   # ticket id, changes, updated_stamp, previous
    attachment_requested = Signal(int)
    link_requested = Signal(QUrl)
    account_shown_changed = Signal(bool)   # the account pane collapsed (False) or shown again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ticket: dict | None = None
        self.details = None
        self._loading = False
        self.opened = Opened()   # messages whose details / original body the agent opened
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
        self.facts = QLabel("")   # the ticket's type and custom fields that have a value
        self.facts.setObjectName("ticketFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.hide()
        self.status = self._combo("Status")
        self.priority = self._combo("Priority")
        self.department = self._combo("Department")
        self.assignee = self._combo("Assignee")
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("tags, space separated (Enter queues them)")
        self.tags.setToolTip("Tags: Enter, or leaving the field, queues the change")
        self.queued_label = QLabel("")
        self.queued_label.setObjectName("queuedFields")
        self.suggestion_label = QLabel("")
        self.suggestion_label.setObjectName("departmentSuggestion")
        self.suggestion_label.setWordWrap(True)
        self.move_button = QPushButton("Move")
        self.move_button.setShortcut("Alt+M")
        self.move_button.clicked.connect(self.move_to_suggested)
        self._suggested_id: int | None = None
        self.thread = SafeThreadBrowser()
        self.thread.setObjectName("thread")
        self.reply_slot = QWidget()
        self.reply_slot.setLayout(QVBoxLayout())
        self.reply_slot.layout().setContentsMargins(0, 0, 0, 0)
        self.account_slot = QWidget()
        self.account_slot.setLayout(QVBoxLayout())
        self.account_slot.layout().setContentsMargins(0, 0, 0, 0)
        self._layout()
        for name, combo in self._combos().items():
            combo.currentIndexChanged.connect(lambda _i, n=name: self.on_field_edited(n))
        self.tags.editingFinished.connect(self.flush_tags)
        self.thread.anchorClicked.connect(self.on_anchor_clicked)
        theme.follow_theme(self, self.on_theme_changed)
        self.setEnabled(False)

    def _combos(self) -> dict[str, QComboBox]:
        return {"status": self.status, "priority": self.priority, "group_id": self.department,
                "assignee_id": self.assignee}

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
        tags_row.addWidget(self.queued_label)
        suggestion_row = QHBoxLayout()
        suggestion_row.addWidget(self.suggestion_label, 1)
        suggestion_row.addWidget(self.move_button)
        self.suggestion_label.hide()
        self.move_button.hide()
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(6, 6, 6, 0)
        column.addWidget(self.subject)
        column.addWidget(self.meta)
        column.addWidget(self.facts)
        column.addLayout(fields)
        column.addLayout(tags_row)
        column.addLayout(suggestion_row)
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
        self.account_slot.setMinimumWidth(account // 2)   # narrower on a small screen; it can also collapse
        self.horizontal.setCollapsible(0, False)
        self.horizontal.setCollapsible(1, True)
        self.horizontal.splitterMoved.connect(lambda *_: self.account_shown_changed.emit(self.account_shown))
        self._account_width = account
        self.horizontal.setSizes([2 * account, account])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.horizontal)

    def set_reply_editor(self, widget: QWidget) -> None:
        self._fill_slot(self.reply_slot, widget)

    def set_account_pane(self, widget: QWidget) -> None:
        self._fill_slot(self.account_slot, widget)

    @property
    def account_shown(self) -> bool:
        return self.horizontal.sizes()[1] > 0

    def set_account_shown(self, shown: bool) -> None:
        """Collapse the account pane (the thread takes its room) or bring it back at its last width."""
        sizes = self.horizontal.sizes()
        total = sum(sizes)
        if shown and sizes[1] == 0:
            account = min(self._account_width, total // 2)
            self.horizontal.setSizes([total - account, account])
        elif not shown and sizes[1] > 0:
            self._account_width = sizes[1]
            self.horizontal.setSizes([total, 0])
        self.account_shown_changed.emit(self.account_shown)

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
        self.flush_tags()
        self.ticket = None
        self.details = None
        self.subject.setText("Select a ticket")
        self.meta.setText("")
        self._show_facts([])
        self.queued_label.setText("")
        self._hide_suggestion()
        self.thread.clear()
        self.setEnabled(False)

    def show_details(self, details) -> None:
        """Show a ``TicketDetails`` (again, when the same ticket changed: the scroll position stays)."""
        ticket = details.ticket
        same_ticket = self.ticket_id == ticket["id"]
        if not same_ticket:
            self.flush_tags()
            self._hide_suggestion()
            self.opened = Opened()
        bar = self.thread.verticalScrollBar()
        scroll = bar.value() if same_ticket and bar.value() < bar.maximum() else None
        self.ticket = ticket
        self.details = details
        self.setEnabled(True)
        self.subject.setText(f"#{ticket['id']}  {ticket.get('subject') or '(no subject)'}")
        requester = details.requester or {}
        who = requester.get("name") or f"user #{ticket.get('requester_id')}"
        email = f" &lt;{requester['email']}&gt;" if requester.get("email") else ""
        deleted = " · <b>deleted on the helpdesk</b>" if ticket.get("_deleted") else ""
        channel = channel_of(ticket.get("via")) or "web"
        rating = rating_text(ticket.get("satisfaction_rating"))
        rated = f" · {html.escape(rating)}" if rating else ""
        origin = "".join(f" · {html.escape(part)}" for part in ticket_origin(ticket, details.origins))
        self.meta.setText(f"{who}{email} · via {channel}{origin}{deleted}{rated}")
        self._show_facts(details.field_facts())
        self._fill_fields(ticket, details.departments, details.agents, keep_tags=same_ticket)
        self._render_thread(keep_scroll=scroll)

    def _show_facts(self, facts: list[tuple[str, str]]) -> None:
        self.facts.setText(" · ".join(f"{html.escape(title)}: <b>{html.escape(value)}</b>" for title, value in facts))
        self.facts.setVisible(bool(facts))

    def _render_thread(self, keep_scroll: int | None = None) -> None:
        """The thread in the current theme's colours; scrolled to the end unless ``keep_scroll``."""
        details = self.details
        if details is None:
            return
        me = (details.me or {}).get("id")
        self.thread.cached_images = inline_images(details.comments)
        self.thread.setHtml(thread_html(details.comments, details.users, details.ticket.get("requester_id"),
                                        theme.colours(), details.pending_replies, me, self.opened))
        bar = self.thread.verticalScrollBar()
        bar.setValue(bar.maximum() if keep_scroll is None else keep_scroll)

    def on_theme_changed(self) -> None:
        """Re-render the open thread (its HTML carries the old theme's colours)."""
        self._render_thread(keep_scroll=self.thread.verticalScrollBar().value())
        if self.ticket is not None:
            self._show_queued(self.ticket)

    def _fill_fields(self, ticket: dict, departments: list[dict], agents: list[dict], *, keep_tags: bool) -> None:
        self._loading = True
        try:
            self._set_status_items(ticket)
            self.status.setEnabled(ticket.get("status") != "closed")
            self._set_items(self.priority, [("No priority", None)] + [(p.capitalize(), p) for p in PRIORITIES],
                            ticket.get("priority"))
            self._set_items(self.department,
                            [("No department", None)] + [(g["name"], g["id"]) for g in departments],
                            ticket.get("group_id"))
            people = [("Unassigned", None)] + [(a.get("name") or a.get("email"), a["id"]) for a in agents]
            if ticket.get("assignee_id") and all(v != ticket["assignee_id"] for _, v in people):
                people.append((f"user #{ticket['assignee_id']}", ticket["assignee_id"]))
            self._set_items(self.assignee, people, ticket.get("assignee_id"))
            typing = keep_tags and self.tags.hasFocus() and self.tags.isModified()
            if not typing:   # never overwrite tags the agent is still typing
                self.tags.setText(" ".join(ticket.get("tags") or []))
                self.tags.setModified(False)
            self._show_queued(ticket)
        finally:
            self._loading = False

    def _show_queued(self, ticket: dict) -> None:
        queued = set(ticket.get("_queued") or ())
        if "custom_status_id" in queued:   # set from the status selector
            queued = (queued - {"custom_status_id"}) | {"status"}
        colours = theme.colours()
        for name, combo in self._combos().items():
            combo.setStyleSheet(f"QComboBox {{ color: {colours.warning}; font-style: italic; }}"
                                if name in queued else "")
            base = {"status": "Status", "priority": "Priority", "group_id": "Department",
                    "assignee_id": "Assignee"}[name]
            combo.setToolTip(f"{base}: changed here, queued — not on the helpdesk yet" if name in queued else base)
        self.queued_label.setText("⏳ queued: " + ", ".join(
            {"group_id": "department", "assignee_id": "assignee"}.get(n, n) for n in sorted(queued)) if queued else "")
        self.queued_label.setStyleSheet(f"color: {colours.warning};")

    def _status_choices(self) -> list[StatusChoice]:
        return status_choices(self.details.custom_statuses if self.details is not None else {})

    def _set_status_items(self, ticket: dict) -> None:
        """Every status the agent can set, grouped by category (separators between them); a closed
        ticket shows only "Closed"."""
        combo = self.status
        if ticket.get("status") == "closed":
            self._set_items(combo, [("Closed", "closed")], "closed")
            return
        current = choice_key(ticket, self.details.custom_statuses if self.details is not None else {})
        combo.blockSignals(True)
        combo.clear()
        category = None
        for choice in self._status_choices():
            if category is not None and choice.category != category:
                combo.insertSeparator(combo.count())
            category = choice.category
            combo.addItem(choice.label, choice.key)
            combo.setItemData(combo.count() - 1, choice.label, Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    @staticmethod
    def _set_items(combo: QComboBox, items: list[tuple[str, object]], current: object) -> None:
        combo.blockSignals(True)
        combo.clear()
        for label, value in items:
            combo.addItem(label, value)
        index = next((i for i, (_, v) in enumerate(items) if v == current), 0)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)

    # -- department suggestion ------------------------------------------------------------

    def show_suggestion(self, suggestions) -> None:
        """The department suggestion for the shown ticket (see the module docstring)."""
        if self.ticket is None or suggestions.ticket_id != self.ticket_id:
            return
        suggestion, ticket = suggestions.department, self.ticket
        fresh = ticket.get("status") == "new" or not ticket.get("assignee_id") or not ticket.get("group_id")
        target = suggestions.department_ids.get(suggestion.name) if suggestion.name else None
        moves = bool(target is not None and suggestion.confident and target != ticket.get("group_id"))
        if suggestion.merchant_customer:
            shown = fresh or suggestions.misrouted
        else:
            shown = moves and (fresh or suggestions.misrouted)
        if not shown:
            self._hide_suggestion()
            return
        colours = theme.colours()
        prefix = "<b>Probably misrouted.</b> " if suggestions.misrouted else ""
        self.suggestion_label.setText(f"{prefix}{html.escape(suggestion.label(), quote=False)}")
        self.suggestion_label.setStyleSheet(f"color: {colours.warning if suggestions.misrouted else colours.muted};")
        self.suggestion_label.setToolTip(f"Confidence {suggestion.confidence:.0%}")
        self.suggestion_label.show()
        self._suggested_id = target if moves else None
        self.move_button.setText(f"Move to {suggestion.name}")
        self.move_button.setShortcut("Alt+M")   # (setText resets a button's shortcut to its mnemonic)
        self.move_button.setToolTip(f"Queue the move to {suggestion.name} (Alt+M)")
        self.move_button.setVisible(self._suggested_id is not None)

    def move_to_suggested(self) -> None:
        if self._suggested_id is not None and self.ticket and self._suggested_id != self.ticket.get("group_id"):
            self._request({"group_id": self._suggested_id})
            self._loading = True
            self._set_items(self.department, [(self.department.itemText(i), self.department.itemData(i))
                                              for i in range(self.department.count())], self._suggested_id)
            self._loading = False
            self._hide_suggestion()

    def _hide_suggestion(self) -> None:
        self._suggested_id = None
        self.suggestion_label.hide()
        self.move_button.hide()

    # -- editing ----------------------------------------------------------------------------

    def _request(self, changes: dict) -> None:
        if not changes or not self.ticket:
            return
        t = self.ticket
        previous = {k: t.get(k) for k in changes}
        self.fields_change_requested.emit(t["id"], changes, t.get("_seen_version") or t.get("updated_at"), previous)
        t.update(changes)   # shown as it will be; the reload after the queue marks it queued

    def on_field_edited(self, name: str) -> None:
        if self._loading or not self.ticket:
            return
        value = self._combos()[name].currentData()
        if name == "status":
            self._request_status_choice(value)
            return
        if value == self.ticket.get(name):
            return
        self._request({name: value})

    def _request_status_choice(self, key: object) -> None:
        """The status selector moved: send its status, and its custom status when it is one."""
        custom = self.details.custom_statuses if self.details is not None else {}
        if key == "closed" or key == choice_key(self.ticket or {}, custom):
            return
        choice = next((c for c in self._status_choices() if c.key == key), None)
        if choice is not None:
            self._request(dict(choice.fields))

    def flush_tags(self) -> None:
        """Queue the tags line if it differs from the ticket (Enter, leaving the field, another ticket)."""
        if self._loading or not self.ticket:
            return
        tags = self.tags.text().split()
        if sorted(tags) != sorted(self.ticket.get("tags") or []):
            self._request({"tags": tags})
        self.tags.setModified(False)

    def pending_changes(self) -> dict:
        """Edits not queued yet: only the tags line can hold one (combo changes queue at once)."""
        if not self.ticket:
            return {}
        tags = self.tags.text().split()
        return {"tags": tags} if sorted(tags) != sorted(self.ticket.get("tags") or []) else {}

    def request_status(self, status: str) -> None:
        """Set the status at once (keyboard): queues a fields change if it differs."""
        if not self.ticket or self.ticket.get("status") in ("closed", status):
            return
        self._request({"status": status})
        self._loading = True
        self._set_status_items({**self.ticket, "status": status, "custom_status_id": None})
        self._loading = False

    def on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() == "attachment" and url.path().isdigit():
            self.attachment_requested.emit(int(url.path()))
        elif url.scheme() in (DETAILS_SCHEME, ORIGINAL_SCHEME) and url.path().isdigit():
            self.toggle_message(int(url.path()), original=url.scheme() == ORIGINAL_SCHEME)
        elif url.scheme() in ("http", "https", "mailto"):
            self.link_requested.emit(url)

    def toggle_message(self, comment_id: int, *, original: bool = False) -> None:
        """Open or close one message's details (or its original body), where the agent is reading."""
        if original:
            self.opened = Opened(self.opened.details, self.opened.originals ^ {comment_id})
        else:
            self.opened = Opened(self.opened.details ^ {comment_id}, self.opened.originals)
        self._render_thread(keep_scroll=self.thread.verticalScrollBar().value())


def queue_field_changes(pane: TicketPane, shown, tickets) -> None:
    """Queue the pane's field edits through ``tickets`` (``ops.tickets``), described with the names
    the shown ticket (an ``OpenTicket``) has for their values; the pane is the change's initiator."""
    def queue(ticket_id: int, changes: dict, stamp, previous) -> None:
        details = shown.details
        names = details.field_name if details is not None and details.ticket_id == ticket_id else None
        tickets.change_fields(ticket_id=ticket_id, fields=changes, stamp=stamp, previous=previous,
                              initiator=pane, describe=names)
    pane.fields_change_requested.connect(queue)
