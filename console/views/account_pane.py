"""The account pane beside a ticket: who is asking, their account facts, policy badges, other tickets.

Constructor: ``AccountPane(parent=None)``.

Slots / methods:
- ``on_ticket_shown(details)`` (a ``console.ops.tickets.TicketDetails``, loaded off the GUI
  thread, again whenever the ticket, its requester or its comments change): the ticket's
  requester (with their local time and language, from their profile), their account facts (DOMAIN.md), one badge per policy rule (computed with
  ``console.domain.policies.policy_badges`` when the details were loaded; coloured by tone from
  ``theme.colours().tones``, the detail as tooltip; badges this ticket is about are bold) and the
  requester's other tickets. A merchant's customer gets the "contact the seller" badge and no
  account lookup. ``clear()``: no ticket.
- ``badges() -> list[PolicyBadge]``: what is shown (for tests and the status line).

Signals: ``ticket_requested(int)``: the agent clicked (or pressed Enter on) one of the
requester's other tickets.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.domain.account import Account
from console.domain.local_time import customer_clock, language_name
from console.domain.policies import PolicyBadge

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

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._details = None
        self._badges: list[PolicyBadge] = []
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # never wider than the pane: long values are elided (FactValue), texts wrap
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        # a value too long beside its label goes below it, whole; only beyond the pane's width is it elided
        self.facts_layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
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
        self.clear()
        theme.follow_theme(self, self.on_theme_changed)

    def _room(self) -> int:
        margins = self._layout.contentsMargins()
        return self.viewport().width() - margins.left() - margins.right()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        for value in self.facts_box.findChildren(FactValue):
            value.updateGeometry()   # its room changed: beside its label, below it, or elided

    # -- inputs -------------------------------------------------------------------------

    @property
    def ticket_id(self) -> int | None:
        return self._details.ticket_id if self._details is not None else None

    def clear(self) -> None:
        self._details = None
        self.requester_label.setText(f"<span style='color:{theme.colours().muted}'>No ticket open.</span>")
        self._show_badges([])
        self._show_account(None, merchant=False)
        self.other_tickets.clear()

    def on_ticket_shown(self, details) -> None:
        self._details = details
        self._show_requester(details.requester)
        self._show_badges(details.badges)
        self._show_account(details.account, merchant=details.merchant)
        self._show_other_tickets(details.other_tickets)

    def on_theme_changed(self) -> None:
        """Badges and texts carry the old theme's colours: show the ticket again."""
        if self._details is not None:
            self.on_ticket_shown(self._details)
        else:
            self.clear()

    def badges(self) -> list[PolicyBadge]:
        return list(self._badges)

    # -- sections -----------------------------------------------------------------------

    def _show_requester(self, requester: dict | None) -> None:
        if requester is None:
            self.requester_label.setText("<b>Unknown requester</b>")
            return
        email = html.escape(requester.get("email") or "no email")
        muted = theme.colours().muted
        where = [part for part in (customer_clock(requester, datetime.now(UTC)), language_name(requester)) if part]
        local = f"<br><span style='color:{muted}'>{html.escape(' · '.join(where))}</span>" if where else ""
        self.requester_label.setText(f"<span style='font-size:13pt'><b>{html.escape(requester.get('name') or '')}"
                                     f"</b></span><br><span style='color:{muted}'>{email}</span>{local}")

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
            self.facts_layout.addRow(f"{label}:", FactValue(text, room=self._room))
        if account.problems:
            warn = QLabel("Unreadable: " + ", ".join(account.problems))
            warn.setStyleSheet(f"color: {theme.colours().error};")
            warn.setWordWrap(True)
            self.facts_layout.addRow(warn)

    def _show_other_tickets(self, others: list[dict]) -> None:
        self.other_tickets.clear()
        if self._details is None or not self._details.ticket.get("requester_id"):
            return
        for other in others:
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


class FactValue(QLabel):
    """An account fact's value in the room the pane has: elided when it is longer (an email in the
    middle, so that its domain shows), the whole value as the tooltip, and "Copy" (right click) copies the
    whole value, never the elided one. The pane never needs a horizontal scroll bar for it."""

    def __init__(self, text: str, room: Callable[[], int] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = text
        self._room = room   # the widest it may be (the pane's width): beyond that it is elided
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self._elide()

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self.full_text) + 2, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        """The whole value, up to the room there is: a form with ``WrapLongRows`` puts it below its
        label rather than beside it when that is too narrow."""
        width = self.fontMetrics().horizontalAdvance(self.full_text) + 2
        if self._room is not None:
            width = min(width, max(self.fontMetrics().horizontalAdvance("…"), self._room()))
        return QSize(width, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    @property
    def elided(self) -> bool:
        return self.text() != self.full_text

    def _elide(self) -> None:
        mode = Qt.TextElideMode.ElideMiddle if "@" in self.full_text else Qt.TextElideMode.ElideRight  # keep the domain
        shown = self.fontMetrics().elidedText(self.full_text, mode, max(1, self.width()))
        if shown != self.text():
            self.setText(shown)
        self.setToolTip(self.full_text if shown != self.full_text else "")
        # selecting would copy the elided text: only the whole value is selectable
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction if self.elided
                                     else Qt.TextInteractionFlag.TextSelectableByMouse)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.full_text)

    def _menu(self, at) -> None:
        menu = QMenu(self)
        menu.addAction("Copy", self.copy)
        menu.exec(self.mapToGlobal(at))


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
    """A section heading in the theme's own text colour: bold by font, not by a style sheet (a label
    with a style sheet keeps the palette it was polished with when the theme changes)."""
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)   # a narrow pane wraps it rather than scrolling sideways
    label.setContentsMargins(0, 8, 0, 0)
    return label
