"""Account pane: account facts, one badge per policy rule on the demo scenario tickets, other tickets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from console.demo import data as demo_data
from console.views import theme
from console.views.account_pane import AccountPane
from tests.helpdesk import scenario_ticket_id
from tests.views.conftest import show_ticket

SCENARIOS = {s["name"]: s for s in demo_data.load("scenarios")["scenarios"]}


@pytest.fixture
def pane(qtbot, workspace, open_widgets):
    widget = AccountPane()
    qtbot.addWidget(widget)
    open_widgets.append(widget)
    widget.resize(340, 700)
    widget.show()
    return widget


def shown(pane, rule) -> QLabel:
    label = pane.findChild(QLabel, f"badge_{rule}")
    assert label is not None, f"no {rule} badge shown"
    return label


EXPECTED = [
    ("verified_sender", "sender_verification", "ok", "verified sender"),
    ("unverified_sender", "sender_verification", "bad", "not the account email"),
    ("refund_inside_window", "refund_guarantee", "ok", "within 30-day guarantee"),
    ("refund_outside_window", "refund_guarantee", "warn", "outside guarantee"),
    ("cancel_short_notice", "cancellation_notice", "warn", "until next invoice"),
    ("cancel_enough_notice", "cancellation_notice", "ok", "until next invoice"),
    ("cancel_short_notice", "account_freeze", "info", "offer account freeze"),
    ("security_reset_ok", "security_question_reset", "ok", "request valid"),
    ("security_reset_wrong_sender", "security_question_reset", "bad", "requirements missing"),
    ("security_reset_wrong_subject", "security_question_reset", "bad", "requirements missing"),
    ("security_reset_wrong_department", "security_question_reset", "bad", "requirements missing"),
    ("inactive_account", "inactive_account", "warn", "reinstatement"),
    ("username_change", "username", "warn", "username can't change"),
    ("merchant_customer", "merchant_customer", "info", "contact the seller"),
]


@pytest.mark.parametrize(("scenario", "rule", "tone", "text"), EXPECTED,
                         ids=[f"{e[0]}-{e[1]}" for e in EXPECTED])
def test_each_policy_badge_on_its_demo_ticket(pane, workspace, scenario, rule, tone, text):
    show_ticket(pane, workspace, scenario_ticket_id(workspace.reader, scenario))
    badge = next(b for b in pane.badges() if b.rule == rule)
    assert (badge.tone, badge.relevant) == (tone, True)
    label = shown(pane, rule)
    assert text in label.text()
    assert label.toolTip() == badge.detail
    background, colour = theme.colours().tones[tone]
    assert background in label.styleSheet() and colour in label.styleSheet()
    assert "bold" in label.styleSheet()


def test_days_left_and_days_to_invoice_follow_the_account(pane, workspace):
    inside = SCENARIOS["refund_inside_window"]["requester"]["account"]
    show_ticket(pane, workspace, scenario_ticket_id(workspace.reader, "refund_inside_window"))
    assert f"({30 - inside['purchase_days_ago']} days left)" in shown(pane, "refund_guarantee").text()
    short = SCENARIOS["cancel_short_notice"]["requester"]["account"]
    show_ticket(pane, workspace, scenario_ticket_id(workspace.reader, "cancel_short_notice"))
    assert shown(pane, "cancellation_notice").text().startswith(f"{short['next_invoice_in_days']} day")


def test_account_facts_are_listed(pane, workspace):
    ticket_id = scenario_ticket_id(workspace.reader, "refund_inside_window")
    ticket = workspace.reader.ticket(ticket_id)
    fields = workspace.reader.user(ticket["requester_id"])["user_fields"]
    show_ticket(pane, workspace, ticket_id)
    texts = [w.text() for w in pane.facts_box.findChildren(QLabel)]
    assert fields["account_email"] in texts
    assert fields["username"] in texts
    assert fields["next_invoice_date"][:10] in texts
    assert fields["currency"].upper() in texts
    assert pane.facts_box.isVisible() and not pane.no_account_label.isVisible()


def test_merchant_customer_gets_no_account_lookup(pane, workspace):
    show_ticket(pane, workspace, scenario_ticket_id(workspace.reader, "merchant_customer"))
    assert [b.rule for b in pane.badges()] == ["merchant_customer"]
    assert not pane.facts_box.isVisible()
    assert "no account to look up" in pane.no_account_label.text()


def test_other_tickets_are_clickable(qtbot, pane, workspace):
    reader = workspace.reader
    ticket_id = next(t for t in range(1, 61) if reader.ticket(t) and reader.requester_tickets(
        reader.ticket(t)["requester_id"], exclude_ticket_id=t))
    others = reader.requester_tickets(reader.ticket(ticket_id)["requester_id"], exclude_ticket_id=ticket_id)
    show_ticket(pane, workspace, ticket_id)
    assert pane.other_tickets.count() == len(others)
    item = pane.other_tickets.item(0)
    assert f"#{others[0]['id']}" in item.text()
    with qtbot.waitSignal(pane.ticket_requested) as requested:
        rect = pane.other_tickets.visualItemRect(item)
        qtbot.mouseClick(pane.other_tickets.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert requested.args == [others[0]["id"]]


def test_no_ticket_and_a_changed_requester_through_the_window(qtbot, main_window, desk):
    pane = main_window.account_pane
    show_ticket(pane, desk, None)
    assert pane.badges() == []
    ticket_id = scenario_ticket_id(desk.reader, "cancel_enough_notice")
    main_window.open_ticket(ticket_id)
    qtbot.waitUntil(lambda: pane.ticket_id == ticket_id)
    assert "inactive_account" not in [b.rule for b in pane.badges()]
    requester = desk.reader.user(desk.reader.ticket(ticket_id)["requester_id"])
    requester["user_fields"]["account_status"] = "inactive"
    requester["updated_at"] = "2099-01-01T00:00:00Z"
    desk.ops.runner.write(lambda cache: cache.writer.apply_user_page([requester], None))   # a sync page
    qtbot.waitUntil(lambda: "inactive_account" in [b.rule for b in pane.badges()])


def test_screenshot_account_pane(qtbot, pane, workspace):
    from tests.views.test_widget_screenshots import save
    show_ticket(pane, workspace, scenario_ticket_id(workspace.reader, "cancel_short_notice"))
    qtbot.wait(50)  # new rows are shown from the event loop
    assert save(pane, "work_account_pane").stat().st_size > 5_000


def test_a_long_value_goes_below_its_label_then_is_elided_and_copied_whole(pane, workspace, qtbot):
    """A long account email never makes the pane scroll sideways (badges were cut off at 1920x1080):
    too long beside its label it goes below it, whole; longer than the pane it is elided, and its
    tooltip and "Copy" give it whole. Given the room, it shows beside its label, selectable."""
    import dataclasses

    from PySide6.QtWidgets import QApplication

    from console.views.account_pane import FactValue

    show_ticket(pane, workspace, scenario_ticket_id(workspace.reader, "inactive_account"))
    full = "maria.teresa.giralt.reinstatement@billing.inbox.example.net"
    details = pane._details
    pane.on_ticket_shown(dataclasses.replace(details, account=dataclasses.replace(details.account,
                                                                                    account_email=full)))
    email = pane.findChildren(FactValue)[0]
    assert email.full_text == full
    label = pane.facts_layout.labelForField(email)
    width = email.fontMetrics().horizontalAdvance(full)

    pane.resize(width + 60, 700)   # room for the email, not for its label beside it
    qtbot.waitUntil(lambda: email.geometry().top() > label.geometry().top())
    assert not email.elided and email.text() == full
    assert not pane.horizontalScrollBar().isVisible()
    assert pane.widget().width() <= pane.viewport().width()
    badge = shown(pane, "inactive_account")
    assert badge.geometry().right() <= pane.viewport().width()   # the badge wraps inside the pane

    pane.resize(width * 2 // 3, 700)   # narrower than the email itself
    qtbot.waitUntil(lambda: email.elided)
    assert not pane.horizontalScrollBar().isVisible()
    assert email.geometry().right() <= pane.viewport().width()
    assert "…" in email.text() and email.text().endswith("example.net") and email.toolTip() == full
    assert email.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    email.copy()
    assert QApplication.clipboard().text() == full

    pane.resize(width + 300, 700)
    qtbot.waitUntil(lambda: not email.elided and email.geometry().top() == label.geometry().top())
    assert email.text() == full and email.toolTip() == ""
    assert email.textInteractionFlags() == Qt.TextInteractionFlag.TextSelectableByMouse
