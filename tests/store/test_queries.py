"""GUI read queries: queues (incl. locally evaluated views), counts, index use."""

from __future__ import annotations

import pytest

from console.domain.statuses import UNSOLVED
from console.store import QueueSpec, UnsupportedViewError
from tests.store.store_records import make_ticket, make_user

ME = 7001


@pytest.fixture
def desk(writer, reader):
    tickets = [
        make_ticket(1, group_id=10, status="new", priority="urgent", updated_at="2025-10-05T00:00:00Z", tags=["vip"]),
        make_ticket(2, group_id=10, status="open", assignee_id=ME, updated_at="2025-10-04T00:00:00Z"),
        make_ticket(3, group_id=10, status="solved", assignee_id=ME, updated_at="2025-10-06T00:00:00Z"),
        make_ticket(4, group_id=11, status="pending", priority="low", updated_at="2025-10-03T00:00:00Z",
                    tags=["refund", "vip"]),
        make_ticket(5, group_id=11, status="hold", assignee_id=7002, priority=None,
                    updated_at="2025-10-07T00:00:00Z"),
        make_ticket(6, group_id=None, status="open", updated_at="2025-10-01T00:00:00Z", requester_id=9001),
        make_ticket(7, group_id=10, status="closed", updated_at="2025-09-01T00:00:00Z", requester_id=9001),
    ]
    writer.apply_ticket_page(tickets, "c", end_of_stream=True,
                             users=[make_user(ME, "Alex Agent", "alex@desk.example", role="agent"),
                                    make_user(7002, "Sam Agent", "sam@desk.example", role="admin")])
    writer.replace_memberships([{"id": 1, "user_id": ME, "group_id": 11}])
    writer.replace_views([
        {"id": 100, "title": "Billing unsolved", "active": True, "position": 1,
         "conditions": {"all": [{"field": "status", "operator": "less_than", "value": "solved"},
                                {"field": "group_id", "operator": "is", "value": "10"}], "any": []}},
        {"id": 101, "title": "Mine or VIP", "active": True, "position": 2,
         "conditions": {"all": [{"field": "status", "operator": "is_not", "value": "closed"}],
                        "any": [{"field": "assignee_id", "operator": "is", "value": "current_user"},
                                {"field": "current_tags", "operator": "includes", "value": "vip gold"}]}},
        {"id": 102, "title": "Unassigned, not low", "active": True, "position": 3,
         "conditions": {"all": [{"field": "assignee_id", "operator": "is", "value": ""},
                                {"field": "priority", "operator": "is_not", "value": "low"},
                                {"field": "status", "operator": "less_than", "value": "solved"}]}},
        {"id": 103, "title": "My groups", "active": True, "position": 4,
         "conditions": {"all": [{"field": "group_id", "operator": "is", "value": "current_groups"},
                                {"field": "current_tags", "operator": "not_includes", "value": "refund"}]}},
        {"id": 104, "title": "By satisfaction", "active": False, "position": 5,
         "conditions": {"all": [{"field": "satisfaction_score", "operator": "is", "value": "good"}]}},
    ])
    writer.replace_macros([
        {"id": 1, "title": "Everyone", "position": 1, "restriction": None, "actions": []},
        {"id": 2, "title": "Billing only", "position": 2, "restriction": {"type": "Group", "id": 10, "ids": [10]},
         "actions": []},
        {"id": 3, "title": "Alex's own", "position": 3, "restriction": {"type": "User", "id": ME}, "actions": []},
        {"id": 4, "title": "Retired", "position": 4, "active": False, "restriction": None, "actions": []},
    ])
    return reader


def test_department_queue_sorted_and_filtered(desk):
    assert desk.ticket_ids_for_queue(QueueSpec.department(10)) == [3, 1, 2, 7]
    assert desk.ticket_ids_for_queue(QueueSpec.department(10), "updated_at", descending=False) == [7, 2, 1, 3]
    unsolved = QueueSpec.department(10, ("new", "open", "pending", "hold"))
    assert desk.ticket_ids_for_queue(unsolved, "priority") == [1, 2]
    assert desk.ticket_ids_for_queue(QueueSpec(mine=True, me=ME)) == [3, 2]
    assert desk.ticket_ids_for_queue(QueueSpec(unassigned=True, statuses=("new", "open", "pending"))) == [1, 4, 6]
    with pytest.raises(ValueError, match="sort key"):
        desk.ticket_ids_for_queue(QueueSpec(), "color")


def test_lazy_rows_by_id_keep_order(desk):
    rows = desk.tickets_by_ids([4, 999, 1])
    assert [r["id"] for r in rows] == [4, 1]
    assert rows[0]["tags"] == ["refund", "vip"] and rows[0]["status"] == "pending" and rows[0]["seen"] is False
    assert [t["id"] for t in desk.requester_tickets(9001, exclude_ticket_id=6)] == [7, 4, 1]


def test_views_are_evaluated_locally(desk):
    assert desk.ticket_ids_for_queue(QueueSpec.view(100)) == [1, 2]
    assert desk.ticket_ids_for_queue(QueueSpec.view(101, me=ME)) == [3, 1, 2, 4]
    assert desk.ticket_ids_for_queue(QueueSpec.view(102)) == [1, 6]
    assert desk.ticket_ids_for_queue(QueueSpec.view(103, me=ME)) == [5]
    assert desk.view_count(100) == 2
    with pytest.raises(UnsupportedViewError, match="satisfaction_score"):
        desk.ticket_ids_for_queue(QueueSpec.view(104))
    with pytest.raises(UnsupportedViewError, match="current_user"):
        desk.ticket_ids_for_queue(QueueSpec.view(101))
    with pytest.raises(UnsupportedViewError, match="not in the cache"):
        desk.ticket_ids_for_queue(QueueSpec.view(555))
    assert [v["id"] for v in desk.views()] == [100, 101, 102, 103]


def test_counts(desk, writer):
    writer.save_draft(1, "reply", "x")
    writer.enqueue("note", 2, {"body": "y"}, None)
    counts = desk.queue_counts(me=ME)
    assert counts.by_department[10] == {"new": 1, "open": 1, "solved": 1, "closed": 1}
    assert counts.by_department[11] == {"pending": 1, "hold": 1} and counts.by_department[None] == {"open": 1}
    assert (counts.unassigned, counts.mine, counts.drafts, counts.outbox, counts.conflicts) == (3, 1, 1, 1, 0)
    writer.mark_seen([1, 2])
    assert [r["seen"] for r in desk.tickets_by_ids([1, 2, 3])] == [True, True, False]


def test_people_and_canned_replies(desk):
    assert desk.user(ME)["name"] == "Alex Agent" and desk.user(1) is None
    assert set(desk.users_by_ids([ME, 7002, 5])) == {ME, 7002}
    assert [a["id"] for a in desk.agents()] == [ME, 7002]
    assert [a["id"] for a in desk.agents(11)] == [ME] and desk.group_ids_of(ME) == [11]
    assert [m["id"] for m in desk.macros_for_department(10, me=ME)] == [1, 2, 3]
    assert [m["id"] for m in desk.macros_for_department(11)] == [1]
    assert desk.macro(4)["title"] == "Retired"


@pytest.mark.parametrize("spec, sort_key, covered", [
    (QueueSpec.department(10), "updated_at", True),
    (QueueSpec.department(10, ("new", "open", "pending", "hold")), "priority", True),
    (QueueSpec(mine=True, me=ME, statuses=("open",)), "created_at", True),
    (QueueSpec(unassigned=True), "updated_at", True),
    (QueueSpec(statuses=("open", "pending")), "status", True),
    (QueueSpec.view(100), "updated_at", True),
    (QueueSpec.view(102), "created_at", True),
    (QueueSpec.view(101, me=ME), "updated_at", False),  # tag tests read the row
])
def test_queue_queries_use_indexes(desk, spec, sort_key, covered):
    sql, params = desk.queue_sql(spec, sort_key)
    steps = [r[3] for r in desk._all(f"EXPLAIN QUERY PLAN {sql}", params)]
    assert not any(s.startswith("SCAN tickets") and "INDEX" not in s for s in steps), steps
    assert any("INDEX ix_tickets_" in s for s in steps), steps
    if covered:
        assert all("COVERING INDEX" in s for s in steps if s.startswith(("SEARCH tickets", "SCAN tickets"))), steps


@pytest.mark.parametrize("spec", [
    QueueSpec.department(10, UNSOLVED), QueueSpec(mine=True, me=ME, statuses=UNSOLVED),
    QueueSpec(unassigned=True, statuses=UNSOLVED)])
@pytest.mark.parametrize("descending", [False, True])
def test_unsolved_queues_sort_by_subject_off_an_index(desk, spec, descending):
    """The list's header sort by subject reads the queue in order off a covering index: no sort step."""
    sql, params = desk.queue_sql(spec, "subject", descending)
    steps = [r[3] for r in desk._all(f"EXPLAIN QUERY PLAN {sql}", params)]
    assert any("COVERING INDEX ix_tickets_unsolved_" in s and "_subject" in s for s in steps), steps
    assert not any("TEMP B-TREE" in s for s in steps), steps
    ids = desk.ticket_ids_for_queue(spec, "subject", descending)
    subjects = [(t["subject"] or "").lower() for t in desk.tickets_by_ids(ids)]
    assert subjects == sorted(subjects, reverse=descending) and ids


@pytest.mark.parametrize("sql, params", [
    ("SELECT id FROM comments WHERE ticket_id = ? ORDER BY created_at, id", (1,)),
    ("SELECT id FROM tickets WHERE requester_id = ? AND deleted = 0 ORDER BY created_at DESC", (9001,)),
    ("SELECT group_id, status, count(*) FROM tickets WHERE deleted = 0 GROUP BY group_id, status", ()),
    ("SELECT count(*) FROM tickets WHERE deleted = 0 AND assignee_id IS NULL AND status IN ('new', 'open')", ()),
    ("SELECT op_id FROM outbox WHERE state = 'queued' ORDER BY seq", ()),
    ("SELECT u.id FROM group_memberships AS m JOIN users AS u ON u.id = m.user_id WHERE m.group_id = ?", (10,)),
])
def test_other_gui_queries_use_indexes(desk, sql, params):
    plan = " | ".join(r[3] for r in desk._all(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "USING" in plan and not any(step.startswith("SCAN") and "USING" not in step for step in plan.split(" | ")), plan
