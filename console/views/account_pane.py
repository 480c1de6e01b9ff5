"""The account pane beside a ticket: who is asking, their account facts, policy badges, other tickets.

Constructor: ``AccountPane(reader: CacheReader, parent=None, *, clock=None)``; ``clock`` is a
callable returning an aware UTC ``datetime`` (tests pin it; default: now).

Slots / methods:
- ``set_ticket(ticket_id | None)``: show the ticket's requester, their account facts
  (DOMAIN.md), one badge per policy rule from ``console.domain.policies.policy_badges``
  (coloured by tone from ``theme.colours().tones``, the detail as tooltip; badges this ticket
  is about are bold) and the
  requester's other tickets. A merchant's customer gets the "contact the seller" badge and no
  account lookup.
- ``on_cache_changed(change: Change)``: re-read when the open ticket, its requester or its
  comments changed.
- ``badges() -> list[PolicyBadge]``: what is shown (for tests and the status line).

Signals: ``ticket_requested(int)``: the agent clicked (or pressed Enter on) one of the
requester's other tickets.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.domain.account import Account, account_from_user
from console.domain.policies import PolicyBadge, policy_badges
from console.store import CacheReader, Change

from . import theme

STATUS_LABELS = {"canceled": "canceled", "inactive": "inactive (subscription lapsed)"}


def account_rows(account: Account) -> list[tuple[str, str]]:
    """The facts an agent reads, as (label, text); unknown facts are shown as "—"."""
    def day(value):
        return value.isoformat() if value else "—"
    language = account.checkout_language or "—"
    if account.checkout_language_mode == "visitor_location":
        language = "by visitor location"
    security = {True: "set", False: "not set", None: "—"}[account.security_question_set]
    return [
        ("Account email", account.account_email or "—"),
        ("Username", account.username or "—"),
        ("Plan", (account.plan or "—").replace("_", " ")),
        ("Status", STATUS_LABELS.get(account.status or "", account.status or "—")),
        ("Purchased", day(account.purchase_date)),
        ("Next invoice", day(account.next_invoice_date)),
        ("Currency", (account.currency or "—").upper()),
        ("Checkout language", language),
        ("Custom domain", account.custom_domain or "none"),
        ("Security question", security),
        ("Affiliate", account.affiliate_status or "—"),
    ]


class AccountPane(QScrollArea):
    """Requester, account facts, policy badges and other tickets for the open ticket."""

    ticket_requested = Signal(int)

    def __init__(self, reader: CacheReader, parent=None, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        self._reader = reader
        self._clock = clock or (lambda: datetime.now(UTC))
        self._ticket_id: int | None = None
        self._requester_id: int | None = None
        self._badges: list[PolicyBadge] = []
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self.requester_label = QLabel()
        self.requester_label.setTextFormat(Qt.TextFormat.RichText)
        self.requester_label.setWordWrap(True)
        self.requester_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badges_box = QWidget()
        self.badges_layout = QVBoxLayout(self.badges_box)
        self.badges_layout.setContentsMargins(0, 0, 0, 0)
        self.badges_layout.setSpacing(4)
        self.facts_box = QWidget()
        self.facts_layout = QFormLayout(self.facts_box)
        self.facts_layout.setContentsMargins(0, 0, 0, 0)
        self.no_account_label = QLabel()
        self.no_account_label.setWordWrap(True)
        self.other_tickets = QListWidget()
        self.other_tickets.setMinimumHeight(60)
        self.other_tickets.setMaximumHeight(160)
        self.other_tickets.itemActivated.connect(self._on_other_ticket)
        self.other_tickets.itemClicked.connect(self._on_other_ticket)
        for widget in (self.requester_label, _heading("Policy checks"), self.badges_box,
                       _heading("Account"), self.no_account_label, self.facts_box,
                       _heading("Other tickets from this requester"), self.other_tickets):
            self._layout.addWidget(widget)
        self._layout.addStretch(1)
        self.setWidget(body)
        self.set_ticket(None)
        theme.follow_theme(self, self.on_theme_changed)

    # -- inputs -------------------------------------------------------------------------

    def set_ticket(self, ticket_id: int | None) -> None:
        self._ticket_id = ticket_id
        ticket = self._reader.ticket(ticket_id) if ticket_id is not None else None
        requester = self._reader.user(ticket["requester_id"]) if ticket and ticket.get("requester_id") else None
        self._requester_id = requester.get("id") if requester else None
        if ticket is None:
            self.requester_label.setText(f"<span style='color:{theme.colours().muted}'>No ticket open.</span>")
            self._show_badges([])
            self._show_account(None, merchant=False)
            self.other_tickets.clear()
            return
        group = next((g for g in self._reader.groups(include_deleted=True) if g["id"] == ticket.get("group_id")), None)
        comments = self._reader.comments_for_ticket(ticket["id"])
        badges = policy_badges(ticket, requester, group["name"] if group else None, comments, now=self._clock())
        self._show_requester(requester)
        self._show_badges(badges)
        merchant = any(b.rule == "merchant_customer" for b in badges)
        self._show_account(None if merchant else account_from_user(requester), merchant=merchant)
        self._show_other_tickets(ticket)

    def on_cache_changed(self, change: Change) -> None:
        if self._ticket_id is None:
            return
        if self._ticket_id in change.ticket_ids or (self._requester_id in change.user_ids):
            self.set_ticket(self._ticket_id)

    def on_theme_changed(self) -> None:
        """Badges and texts carry the old theme's colours: show the ticket again."""
        self.set_ticket(self._ticket_id)

    def badges(self) -> list[PolicyBadge]:
        return list(self._badges)

    # -- sections -----------------------------------------------------------------------

    def _show_requester(self, requester: dict | None) -> None:
        if requester is None:
            self.requester_label.setText("<b>Unknown requester</b>")
            return
        email = html.escape(requester.get("email") or "no email")
        self.requester_label.setText(f"<span style='font-size:13pt'><b>{html.escape(requester.get('name') or '')}"
                                     f"</b></span><br><span style='color:{theme.colours().muted}'>{email}</span>")

    def _show_badges(self, badges: list[PolicyBadge]) -> None:
        self._badges = badges
        while self.badges_layout.count():
            item = self.badges_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        if not badges:
            self.badges_layout.addWidget(QLabel(f"<span style='color:{theme.colours().muted}'>No rule applies.</span>"))
        for badge in badges:
            self.badges_layout.addWidget(badge_label(badge, theme.colours()))

    def _show_account(self, account: Account | None, *, merchant: bool) -> None:
        while self.facts_layout.rowCount():
            self.facts_layout.removeRow(0)
        if merchant:
            self.no_account_label.setText("Not a platform customer: they bought from a business that uses the "
                                          "platform. There is no account to look up.")
        elif account is None:
            self.no_account_label.setText("No account facts on this requester.")
        self.no_account_label.setVisible(account is None)
        self.facts_box.setVisible(account is not None)
        if account is None:
            return
        for label, text in account_rows(account):
            value = QLabel(text)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts_layout.addRow(f"{label}:", value)
        if account.problems:
            warn = QLabel("Unreadable: " + ", ".join(account.problems))
            warn.setStyleSheet(f"color: {theme.colours().error};")
            warn.setWordWrap(True)
            self.facts_layout.addRow(warn)

    def _show_other_tickets(self, ticket: dict) -> None:
        self.other_tickets.clear()
        if not ticket.get("requester_id"):
            return
        for other in self._reader.requester_tickets(ticket["requester_id"], exclude_ticket_id=ticket["id"], limit=20):
            item = QListWidgetItem(f"#{other['id']}  {other['subject'] or '(no subject)'}  · {other['status']}")
            item.setData(Qt.ItemDataRole.UserRole, other["id"])
            self.other_tickets.addItem(item)
        if not self.other_tickets.count():
            item = QListWidgetItem("No other tickets")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.other_tickets.addItem(item)

    def _on_other_ticket(self, item: QListWidgetItem) -> None:
        ticket_id = item.data(Qt.ItemDataRole.UserRole)
        if ticket_id is not None:
            self.ticket_requested.emit(int(ticket_id))


def badge_label(badge: PolicyBadge, colours: theme.Colours) -> QLabel:
    """One badge in its tone's colours; the rule's detail is the tooltip; relevant badges are bold."""
    background, colour = colours.tones.get(badge.tone, colours.tones["info"])
    label = QLabel(badge.label)
    label.setObjectName(f"badge_{badge.rule}")
    label.setWordWrap(True)
    label.setToolTip(badge.detail)
    label.setProperty("tone", badge.tone)
    weight = "bold" if badge.relevant else "normal"
    border = colour if badge.relevant else background
    label.setStyleSheet(f"QLabel {{ background: {background}; color: {colour}; border: 1px solid {border}; "
                        f"border-radius: 8px; padding: 3px 8px; font-weight: {weight}; }}")
    return label


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: bold; margin-top: 8px;")   # the theme's own text colour
    return label
