"""View conditions: SQL and Python evaluators agree with each other and with the expected queue."""

from __future__ import annotations

import pytest

from console.server.conditions import ticket_matches, view_where

AGENT, OTHER_AGENT = 7, 8
BILLING, TECH, AFFILIATES = 100, 200, 300


@pytest.fixture
def tickets(rows):
    """A small, varied queue; ticket 9 is deleted and must never show up."""
    made = [
        rows.ticket(1, status="new", priority="urgent", type="question", group_id=BILLING,
                    tags=["refund", "vip"], channel="email", requester_id=50),
        rows.ticket(2, status="open", priority="normal", type="problem", group_id=BILLING,
                    assignee_id=AGENT, tags=["invoice"], requester_id=51,
                    custom_fields=[{"id": 900, "value": "eur"}, {"id": 901, "value": True}]),
        rows.ticket(3, status="pending", priority=None, group_id=TECH, assignee_id=OTHER_AGENT,
                    tags=[], channel="web", requester_id=AGENT, organization_id=5),
        rows.ticket(4, status="hold", priority="high", type="task", group_id=None, assignee_id=AGENT,
                    tags=["login", "password"], custom_fields=[{"id": 900, "value": "usd"}]),
        rows.ticket(5, status="solved", priority="low", group_id=AFFILIATES, tags=["affiliate"],
                    custom_fields=[{"id": 901, "value": False}]),
        rows.ticket(6, status="closed", priority="urgent", group_id=TECH, assignee_id=AGENT,
                    tags=["vip"], channel="email"),
        rows.ticket(7, status="open", priority="low", type="incident", group_id=TECH, tags=["vip", "login"],
                    custom_fields=[{"id": 900, "value": ""}]),
    ]
    rows.ticket(9, status="open", group_id=BILLING, deleted=1)
    return made


def _cond(field, operator, value):
    return {"field": field, "operator": operator, "value": value}


CASES = [
    ("empty", {"all": [], "any": []}, {1, 2, 3, 4, 5, 6, 7}),
    ("unsolved", {"all": [_cond("status", "less_than", "solved")]}, {1, 2, 3, 4, 7}),
    ("after pending", {"all": [_cond("status", "greater_than", "pending")]}, {4, 5, 6}),
    ("status is open", {"all": [_cond("status", "is", "open")]}, {2, 7}),
    ("status is not open", {"all": [_cond("status", "is_not", "open")]}, {1, 3, 4, 5, 6}),
    ("above normal", {"all": [_cond("priority", "greater_than", "normal")]}, {1, 4, 6}),
    ("below high", {"all": [_cond("priority", "less_than", "high")]}, {2, 5, 7}),
    ("no priority", {"all": [_cond("priority", "is", "")]}, {3}),
    ("has priority", {"all": [_cond("priority", "is_not", "")]}, {1, 2, 4, 5, 6, 7}),
    ("type question", {"all": [_cond("type", "is", "question")]}, {1}),
    ("no type", {"all": [_cond("type", "is", "")]}, {3, 5, 6}),
    ("billing group", {"all": [_cond("group_id", "is", str(BILLING))]}, {1, 2}),
    ("not billing", {"all": [_cond("group_id", "is_not", str(BILLING))]}, {3, 4, 5, 6, 7}),
    ("no group", {"all": [_cond("group_id", "is", "")]}, {4}),
    ("my groups", {"all": [_cond("group_id", "is", "current_groups")]}, {1, 2, 3, 6, 7}),
    ("not my groups", {"all": [_cond("group_id", "is_not", "current_groups")]}, {4, 5}),
    ("mine", {"all": [_cond("assignee_id", "is", "current_user")]}, {2, 4, 6}),
    ("not mine", {"all": [_cond("assignee_id", "is_not", "current_user")]}, {1, 3, 5, 7}),
    ("unassigned", {"all": [_cond("assignee_id", "is", "")]}, {1, 5, 7}),
    ("requested by me", {"all": [_cond("requester_id", "is", "current_user")]}, {3}),
    ("requester 51", {"all": [_cond("requester_id", "is", "51")]}, {2}),
    ("organization", {"all": [_cond("organization_id", "is", "5")]}, {3}),
    ("tags any of", {"all": [_cond("current_tags", "includes", "refund login")]}, {1, 4, 7}),
    ("tags none of", {"all": [_cond("current_tags", "not_includes", "vip login")]}, {2, 3, 5}),
    ("via email", {"all": [_cond("via_id", "is", "4")]}, {1, 6}),
    ("via web by name", {"all": [_cond("via_id", "is", "web")]}, {3}),
    ("not via api", {"all": [_cond("via_id", "is_not", "5")]}, {1, 3, 6}),
    ("custom eur", {"all": [_cond("custom_fields_900", "is", "eur")]}, {2}),
    ("custom empty", {"all": [_cond("custom_fields_900", "is", "")]}, {1, 3, 5, 6, 7}),
    ("custom not usd", {"all": [_cond("custom_fields_900", "is_not", "usd")]}, {1, 2, 3, 5, 6, 7}),
    ("checkbox true", {"all": [_cond("custom_fields_901", "is", "true")]}, {2}),
    ("checkbox false", {"all": [_cond("custom_fields_901", "is", "false")]}, {5}),
    ("all and any (the doc's example)", {
        "all": [_cond("status", "less_than", "solved"), _cond("group_id", "is", str(TECH))],
        "any": [_cond("current_tags", "includes", "vip"), _cond("priority", "greater_than", "normal")],
    }, {7}),
    ("any only", {"any": [_cond("assignee_id", "is", "current_user"), _cond("status", "is", "new")]},
     {1, 2, 4, 6}),
    ("my unsolved queue", {"all": [_cond("status", "less_than", "solved"),
                                   _cond("assignee_id", "is", "current_user")]}, {2, 4}),
]


@pytest.mark.parametrize(("name", "conditions", "expected"), CASES, ids=[c[0] for c in CASES])
def test_sql_and_python_agree_with_expected(server_db, tickets, name, conditions, expected):
    where, params = view_where(conditions, current_user_id=AGENT, current_group_ids=[BILLING, TECH])
    sql_ids = {r[0] for r in server_db.execute(
        f"SELECT id FROM tickets WHERE deleted = 0 AND ({where})", params)}
    py_ids = {t["id"] for t in tickets
              if ticket_matches(conditions, t, current_user_id=AGENT, current_group_ids=[BILLING, TECH])}
    assert sql_ids == expected
    assert py_ids == expected


def test_no_groups_means_current_groups_matches_nothing(server_db, tickets):
    conditions = {"all": [_cond("group_id", "is", "current_groups")]}
    where, params = view_where(conditions, current_user_id=AGENT, current_group_ids=[])
    assert server_db.execute(f"SELECT count(*) FROM tickets WHERE deleted = 0 AND ({where})",
                             params).fetchone()[0] == 0
    assert not any(ticket_matches(conditions, t, current_user_id=AGENT, current_group_ids=[])
                   for t in tickets)


def test_where_works_with_a_table_alias(server_db, tickets):
    where, params = view_where({"all": [_cond("current_tags", "includes", "vip"),
                                        _cond("custom_fields_900", "is_not", "usd")]},
                               current_user_id=AGENT, current_group_ids=[])
    ids = {r[0] for r in server_db.execute(f"SELECT t.id FROM tickets t WHERE ({where})", params)}
    assert ids == {1, 6, 7}


@pytest.mark.parametrize(("conditions", "message"), [
    ({"all": [_cond("colour", "is", "red")]}, "unknown view condition field 'colour'"),
    ({"all": [_cond("status", "contains", "open")]}, "operator 'contains' is not supported for field 'status'"),
    ({"all": [_cond("group_id", "less_than", "5")]}, "operator 'less_than' is not supported"),
    ({"all": [_cond("status", "is", "reopened")]}, "unknown status 'reopened'"),
    ({"all": [_cond("priority", "less_than", "")]}, "unknown priority ''"),
    ({"all": [_cond("assignee_id", "is", "bob")]}, "'assignee_id' needs a numeric id"),
    ({"all": [_cond("group_id", "is", "current_user")]}, "'group_id' needs a numeric id"),
    ({"all": [_cond("current_tags", "includes", "  ")]}, "needs at least one tag"),
    ({"all": [{"field": "status"}]}, "needs 'field', 'operator' and 'value'"),
    ({"all": "status"}, "'all' must be a list"),
    ({"every": []}, "unknown key(s) in view conditions: every"),
])
def test_bad_conditions_raise_clear_value_errors(conditions, message):
    with pytest.raises(ValueError) as caught:
        view_where(conditions, current_user_id=AGENT, current_group_ids=[])
    assert message in str(caught.value)
    with pytest.raises(ValueError):
        ticket_matches(conditions, {"id": 1, "status": "open"}, current_user_id=AGENT,
                       current_group_ids=[])
