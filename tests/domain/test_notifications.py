"""What an agent is notified of: the decision rules over plain records (console/domain/notifications.py)."""

import pytest

from console.domain.notifications import (
    MAX_BUBBLES,
    NotificationMemory,
    NotifyRules,
    SyncNote,
    TicketFacts,
    decide_sync_notification,
    decide_ticket_notifications,
    tooltip_for,
)
from console.store.records import QueueCounts

ME, CUSTOMER, BILLING, AFFILIATES = 7, 900, 11, 12
START = "2025-06-01T10:00:00Z"


def ticket(tid, *, group=BILLING, assignee=None, created="2025-06-01T10:05:00Z", last_by=None,
           last_at=None, comment_id=None, publics=2, deleted=False):
    return TicketFacts(tid, f"Subject {tid}", "new", group, assignee, CUSTOMER, created, deleted,
                       comment_id, last_by, last_at, publics if comment_id else 0)


@pytest.fixture
def rules():
    return NotifyRules(me=ME, departments=frozenset({BILLING}))


@pytest.fixture
def memory():
    return NotificationMemory(watermark=START)


def test_new_ticket_in_my_department_once(rules, memory):
    notes = decide_ticket_notifications([ticket(1)], rules, memory)
    assert [(n.kind, n.ticket_id) for n in notes] == [("new_ticket", 1)]
    assert decide_ticket_notifications([ticket(1)], rules, memory) == [], "said once only"


def test_not_my_department_old_or_deleted_ticket_is_quiet(rules, memory):
    facts = [ticket(2, group=AFFILIATES), ticket(3, created="2025-06-01T09:59:59Z"), ticket(4, deleted=True)]
    assert decide_ticket_notifications(facts, rules, memory) == []


def test_customer_reply_on_my_ticket(rules, memory):
    old = "2025-05-01T00:00:00Z"
    mine = ticket(5, assignee=ME, created=old, last_by=CUSTOMER, last_at="2025-06-01T11:00:00Z", comment_id=50)
    notes = decide_ticket_notifications([mine], rules, memory)
    assert [(n.kind, n.ticket_id) for n in notes] == [("customer_reply", 5)]
    assert decide_ticket_notifications([mine], rules, memory) == []
    again = ticket(5, assignee=ME, created=old, last_by=CUSTOMER, last_at="2025-06-01T12:00:00Z", comment_id=51)
    assert [n.kind for n in decide_ticket_notifications([again], rules, memory)] == ["customer_reply"]


@pytest.mark.parametrize("facts", [
    ticket(6, assignee=99, created="2025-05-01T00:00:00Z", last_by=CUSTOMER, last_at="2025-06-01T11:00:00Z",
           comment_id=60),                                       # someone else's ticket
    ticket(6, assignee=ME, created="2025-05-01T00:00:00Z", last_by=ME, last_at="2025-06-01T11:00:00Z",
           comment_id=61),                                       # my own reply
    ticket(6, assignee=ME, created="2025-05-01T00:00:00Z", last_by=CUSTOMER, last_at="2025-05-30T00:00:00Z",
           comment_id=62),                                       # an old reply
    ticket(6, group=AFFILIATES, assignee=ME, created="2025-06-01T11:00:00Z", last_by=CUSTOMER,
           last_at="2025-06-01T11:00:00Z", comment_id=63, publics=1),  # the request itself, not a reply
])
def test_not_a_customer_reply_for_me(rules, memory, facts):
    assert decide_ticket_notifications([facts], rules, memory) == []


def test_switched_off_kinds(memory):
    off = NotifyRules(me=ME, departments=frozenset({BILLING}), new_tickets=False, customer_replies=False,
                      sync_problems=False)
    reply = ticket(8, assignee=ME, last_by=CUSTOMER, last_at="2025-06-01T11:00:00Z", comment_id=80)
    assert decide_ticket_notifications([ticket(7), reply], off, memory) == []
    assert decide_sync_notification(SyncNote("failed", "down"), off, memory) is None


def test_first_sync_of_empty_cache_says_nothing(rules):
    memory = NotificationMemory()
    assert decide_ticket_notifications([ticket(1), ticket(2)], rules, memory) == []
    memory.set_watermark("2025-06-01T10:00:00Z")
    memory.set_watermark("2025-01-01T00:00:00Z")   # never moves back
    assert memory.watermark == "2025-06-01T10:00:00Z"


def test_a_burst_becomes_one_summary(rules, memory):
    notes = decide_ticket_notifications([ticket(i) for i in range(10, 10 + MAX_BUBBLES + 2)], rules, memory)
    assert len(notes) == 1 and notes[0].kind == "summary"
    assert notes[0].message == f"{MAX_BUBBLES + 2} new tickets" and notes[0].ticket_id == 10


def test_sync_failures_once_until_recovered_and_conflicts(rules, memory):
    first = decide_sync_notification(SyncNote("failed", "cannot reach helpdesk"), rules, memory)
    assert first.kind == "sync_failed" and "cannot reach" in first.message
    assert decide_sync_notification(SyncNote("failed", "cannot reach helpdesk"), rules, memory) is None
    assert decide_sync_notification(SyncNote("ok"), rules, memory) is None
    assert decide_sync_notification(SyncNote("failed", "cannot reach helpdesk"), rules, memory) is not None
    conflict = decide_sync_notification(SyncNote("conflict", "status changed", 42), rules, memory)
    assert (conflict.kind, conflict.ticket_id, conflict.title) == ("conflict", 42, "Conflict on #42")
    assert decide_sync_notification(SyncNote("conflict", "status changed", 42), rules, memory) is None


def test_tooltip_counts():
    text = tooltip_for(QueueCounts(mine=3, unassigned=12, outbox=2, conflicts=1))
    assert "3 open assigned to me" in text and "12 unassigned" in text
    assert "2 waiting to send" in text and "1 conflict to resolve" in text
