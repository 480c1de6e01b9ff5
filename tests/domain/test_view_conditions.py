"""View conditions: the cache's SQL, the helpdesk's SQL and the Python evaluator agree on every condition.

The same tickets live in a real helpdesk database (written as the API layer stores them) and in a
real cache (the helpdesk's own JSON of them, written by the cache's writer); the Python evaluator
reads that JSON too.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from console.domain.view_conditions import ViewConditionError, Viewer, matches, parse_conditions
from console.server import serialize
from console.server.conditions import view_where
from console.server.db import connect
from console.store import CacheReader, CacheWriter, UnsupportedViewError
from console.store.viewsql import where_for_conditions
from tests.server.server_rows import ServerRows

AGENT, OTHER_AGENT = 7, 8
BILLING, TECH, AFFILIATES = 100, 200, 300
REAL_ZENDESK = Path("/work/shared/real-zendesk")
VIEWERS = {"two groups": (AGENT, (BILLING, TECH)), "one group": (AGENT, (BILLING,)), "no group": (AGENT, ())}


def _tickets(rows: ServerRows) -> None:
    """A varied queue: every field empty somewhere; ticket 9 is deleted and never shows up."""
    rows.ticket(1, status="new", priority="urgent", type="question", group_id=BILLING,
                tags=["refund", "vip"], channel="email", requester_id=50)
    rows.ticket(2, status="open", priority="normal", type="problem", group_id=BILLING,
                assignee_id=AGENT, tags=["invoice"], requester_id=51,
                custom_fields=[{"id": 900, "value": "eur"}, {"id": 901, "value": True}])
    rows.ticket(3, status="pending", priority=None, group_id=TECH, assignee_id=OTHER_AGENT,
                tags=[], channel="web", requester_id=AGENT, organization_id=5)
    rows.ticket(4, status="hold", priority="high", type="task", group_id=None, assignee_id=AGENT,
                tags=["login", "password"], custom_fields=[{"id": 900, "value": "usd"}])
    rows.ticket(5, status="solved", priority="low", group_id=AFFILIATES, tags=["affiliate"],
                custom_fields=[{"id": 901, "value": False}], organization_id=6)
    rows.ticket(6, status="closed", priority="urgent", group_id=TECH, assignee_id=AGENT,
                tags=["vip"], channel="email")
    rows.ticket(7, status="open", priority="low", type="incident", group_id=TECH, tags=["vip", "login"],
                custom_fields=[{"id": 900, "value": ""}])
    rows.ticket(8, status="new", type="", group_id=None, channel="chat", custom_fields=[{"id": 902, "value": 3}])
    rows.ticket(9, status="open", group_id=BILLING, deleted=1)
    rows.ticket(10, status="in_review", priority="normal", group_id=TECH)  # a status the console does not know


def _cond(field, operator, value):
    return {"field": field, "operator": operator, "value": value}


# Every supported field with every operator it takes, with plain values, "none" and the viewer's ids.
SINGLE = [
    *[("status", op, v) for op in ("is", "is_not", "less_than", "greater_than")
      for v in ("new", "open", "pending", "hold", "solved", "closed")],
    *[("priority", op, v) for op in ("is", "is_not", "less_than", "greater_than")
      for v in ("low", "normal", "high", "urgent")],
    ("priority", "is", ""), ("priority", "is_not", ""),
    *[("type", op, v) for op in ("is", "is_not") for v in ("question", "problem", "incident", "task", "")],
    *[("group_id", op, v) for op in ("is", "is_not") for v in (str(BILLING), str(TECH), "999", "", "current_groups")],
    *[("assignee_id", op, v) for op in ("is", "is_not") for v in (str(AGENT), "", "current_user")],
    *[("requester_id", op, v) for op in ("is", "is_not") for v in ("51", "current_user")],
    *[("organization_id", op, v) for op in ("is", "is_not") for v in ("5", "")],
    *[("current_tags", op, v) for op in ("includes", "not_includes")
      for v in ("vip", "refund login", "nothing-like-it")],
    *[("via_id", op, v) for op in ("is", "is_not") for v in ("4", "web", "5", "29")],
    *[("custom_fields_900", op, v) for op in ("is", "is_not") for v in ("eur", "usd", "")],
    *[("custom_fields_901", op, v) for op in ("is", "is_not") for v in ("true", "false")],
    ("custom_fields_902", "is", "3"),
]
COMBINED = {
    "all and any (the doc's example)": {
        "all": [_cond("status", "less_than", "solved"), _cond("group_id", "is", str(TECH))],
        "any": [_cond("current_tags", "includes", "vip"), _cond("priority", "greater_than", "normal")]},
    "any only": {"any": [_cond("assignee_id", "is", "current_user"), _cond("status", "is", "new")]},
    "my unsolved queue": {"all": [_cond("status", "less_than", "solved"),
                                  _cond("assignee_id", "is", "current_user")]},
    "not my groups, unsolved": {"all": [_cond("group_id", "is_not", "current_groups"),
                                        _cond("status", "less_than", "solved")]},
    "empty": {"all": [], "any": []},
    "nothing said": {},
}
EXPECTED = [  # (name, conditions, ids) for the agent in Billing and Tech
    ("empty", {"all": [], "any": []}, {1, 2, 3, 4, 5, 6, 7, 8, 10}),
    ("unsolved", {"all": [_cond("status", "less_than", "solved")]}, {1, 2, 3, 4, 7, 8}),
    ("after pending", {"all": [_cond("status", "greater_than", "pending")]}, {4, 5, 6}),
    ("status is open", {"all": [_cond("status", "is", "open")]}, {2, 7}),
    ("status is not open", {"all": [_cond("status", "is_not", "open")]}, {1, 3, 4, 5, 6, 8, 10}),
    ("above normal", {"all": [_cond("priority", "greater_than", "normal")]}, {1, 4, 6}),
    ("below high", {"all": [_cond("priority", "less_than", "high")]}, {2, 5, 7, 10}),
    ("no priority", {"all": [_cond("priority", "is", "")]}, {3, 8}),
    ("has priority", {"all": [_cond("priority", "is_not", "")]}, {1, 2, 4, 5, 6, 7, 10}),
    ("type question", {"all": [_cond("type", "is", "question")]}, {1}),
    ("no type", {"all": [_cond("type", "is", "")]}, {3, 5, 6, 8, 10}),
    ("billing group", {"all": [_cond("group_id", "is", str(BILLING))]}, {1, 2}),
    ("not billing", {"all": [_cond("group_id", "is_not", str(BILLING))]}, {3, 4, 5, 6, 7, 8, 10}),
    ("no group", {"all": [_cond("group_id", "is", "")]}, {4, 8}),
    ("my groups", {"all": [_cond("group_id", "is", "current_groups")]}, {1, 2, 3, 6, 7, 10}),
    ("not my groups", {"all": [_cond("group_id", "is_not", "current_groups")]}, {4, 5, 8}),
    ("mine", {"all": [_cond("assignee_id", "is", "current_user")]}, {2, 4, 6}),
    ("not mine", {"all": [_cond("assignee_id", "is_not", "current_user")]}, {1, 3, 5, 7, 8, 10}),
    ("unassigned", {"all": [_cond("assignee_id", "is", "")]}, {1, 5, 7, 8, 10}),
    ("requested by me", {"all": [_cond("requester_id", "is", "current_user")]}, {3}),
    ("requester 51", {"all": [_cond("requester_id", "is", "51")]}, {2}),
    ("organization", {"all": [_cond("organization_id", "is", "5")]}, {3}),
    ("tags any of", {"all": [_cond("current_tags", "includes", "refund login")]}, {1, 4, 7}),
    ("tags none of", {"all": [_cond("current_tags", "not_includes", "vip login")]}, {2, 3, 5, 8, 10}),
    ("via email", {"all": [_cond("via_id", "is", "4")]}, {1, 6}),
    ("via web by name", {"all": [_cond("via_id", "is", "web")]}, {3}),
    ("not via api", {"all": [_cond("via_id", "is_not", "5")]}, {1, 3, 6, 8}),
    ("custom eur", {"all": [_cond("custom_fields_900", "is", "eur")]}, {2}),
    ("custom empty", {"all": [_cond("custom_fields_900", "is", "")]}, {1, 3, 5, 6, 7, 8, 10}),
    ("custom not usd", {"all": [_cond("custom_fields_900", "is_not", "usd")]}, {1, 2, 3, 5, 6, 7, 8, 10}),
    ("checkbox true", {"all": [_cond("custom_fields_901", "is", "true")]}, {2}),
    ("checkbox false", {"all": [_cond("custom_fields_901", "is", "false")]}, {5}),
    ("all and any (the doc's example)", {
        "all": [_cond("status", "less_than", "solved"), _cond("group_id", "is", str(TECH))],
        "any": [_cond("current_tags", "includes", "vip"), _cond("priority", "greater_than", "normal")],
    }, {7}),
    ("any only", {"any": [_cond("assignee_id", "is", "current_user"), _cond("status", "is", "new")]},
     {1, 2, 4, 6, 8}),
    ("my unsolved queue", {"all": [_cond("status", "less_than", "solved"),
                                   _cond("assignee_id", "is", "current_user")]}, {2, 4}),
]

CONDITIONS = {f"{f} {op} {v!r}": {"all": [_cond(f, op, v)]} for f, op, v in SINGLE} | COMBINED


class ThreeWays(dict):
    server: object


@pytest.fixture(scope="module")
def three_ways(tmp_path_factory):
    """The three evaluators over the same tickets: ``{name: f(conditions, me, groups) -> set of ids}``."""
    folder = tmp_path_factory.mktemp("conditions")
    server = connect(folder / "helpdesk.sqlite3")
    _tickets(ServerRows(server))
    exported = [serialize.ticket_json(r, "http://helpdesk.test", export=True)
                for r in server.execute("SELECT * FROM tickets ORDER BY id")]
    with CacheWriter(folder / "cache.sqlite") as writer:
        writer.apply_ticket_page(exported, "c", end_of_stream=True)
    cache = CacheReader(folder / "cache.sqlite")
    live = [t for t in exported if t["status"] != "deleted"]

    def helpdesk_sql(conditions, me, groups):
        where, params = view_where(conditions, current_user_id=me, current_group_ids=list(groups))
        return {r[0] for r in server.execute(f"SELECT id FROM tickets WHERE deleted = 0 AND ({where})", params)}

    def cache_sql(conditions, me, groups):
        where, params = where_for_conditions(conditions, me, list(groups))
        return {r[0] for r in cache._all(f"SELECT id FROM tickets WHERE deleted = 0 AND ({where})", params)}

    def python(conditions, me, groups):
        return {t["id"] for t in live if matches(conditions, t, Viewer(me, groups))}

    ways = ThreeWays(helpdesk=helpdesk_sql, cache=cache_sql, python=python)
    ways.server = server
    yield ways
    cache.close()
    server.close()


@pytest.mark.parametrize("viewer", VIEWERS, ids=list(VIEWERS))
@pytest.mark.parametrize("name", CONDITIONS, ids=list(CONDITIONS))
def test_cache_helpdesk_and_python_agree(three_ways, name, viewer):
    me, groups = VIEWERS[viewer]
    found = {how: run(CONDITIONS[name], me, groups) for how, run in three_ways.items()}
    assert found["cache"] == found["helpdesk"] == found["python"], found


def test_not_my_groups_is_every_ticket_my_groups_leaves_out(three_ways):
    """The review's case: the cache dropped tickets in no group, and showed nothing to an agent in none."""
    mine, not_mine = ({"all": [_cond("group_id", op, "current_groups")]} for op in ("is", "is_not"))
    everything = three_ways["python"]({}, AGENT, ())
    for how, run in three_ways.items():
        assert run(not_mine, AGENT, (BILLING,)) == everything - run(mine, AGENT, (BILLING,)), how
        assert {4, 8} <= run(not_mine, AGENT, (BILLING,)), how  # tickets in no group
        assert (run(mine, AGENT, ()), run(not_mine, AGENT, ())) == (set(), everything), how


@pytest.mark.parametrize(("name", "conditions", "expected"), EXPECTED, ids=[c[0] for c in EXPECTED])
def test_each_condition_finds_the_tickets_it_names(three_ways, name, conditions, expected):
    for how, run in three_ways.items():
        assert run(conditions, AGENT, (BILLING, TECH)) == expected, how


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
    ([{"field": "status"}], "must be an object"),
    ({"all": ["status is open"]}, "needs 'field', 'operator' and 'value'"),
    ({"all": [_cond("status", "is", ["open"])]}, "unknown status '['open']'"),
    ({"any": [{"field": None, "operator": "is", "value": 1}]}, "unknown view condition field 'None'"),
])
def test_bad_conditions_are_refused_clearly_by_all_three(three_ways, conditions, message):
    with pytest.raises(ViewConditionError, match=re.escape(message)):
        parse_conditions(conditions)
    with pytest.raises(UnsupportedViewError, match=re.escape(message)):
        three_ways["cache"](conditions, AGENT, ())
    for how in ("helpdesk", "python"):
        with pytest.raises(ViewConditionError, match=re.escape(message)):
            three_ways[how](conditions, AGENT, ())


def test_the_cache_needs_to_know_the_agent_for_current_user(three_ways):
    mine = {"all": [_cond("assignee_id", "is", "current_user")]}
    with pytest.raises(UnsupportedViewError, match="current_user.*sign in"):
        three_ways["cache"](mine, None, ())
    assert three_ways["cache"]({"all": [_cond("group_id", "is", "current_groups")]}, None, ()) == set()


def test_recorded_zendesk_views_parse_or_name_what_is_missing():
    """Zendesk's default views (recorded from a real account) all parse, the time-based ones too."""
    recorded = json.loads((REAL_ZENDESK / "resources.json").read_text())["views"]["body"]["views"]
    refused = {}
    for view in recorded:
        try:
            parse_conditions(view["conditions"])
        except ViewConditionError as exc:
            refused[view["title"]] = str(exc)
    assert refused == {}
    with pytest.raises(ViewConditionError, match="'updated_at' needs a number of hours, not 'soon'"):
        parse_conditions({"all": [_cond("updated_at", "less_than", "soon")]})
    mine = next(v for v in recorded if v["title"] == "Your unsolved tickets")["conditions"]
    assert matches(mine, {"status": "hold", "assignee_id": AGENT}, Viewer(AGENT))
    assert not matches(mine, {"status": "solved", "assignee_id": AGENT}, Viewer(AGENT))


def test_helpdesk_sql_works_with_a_table_alias(three_ways):
    where, params = view_where({"all": [_cond("current_tags", "includes", "vip"),
                                        _cond("custom_fields_900", "is_not", "usd")]},
                               current_user_id=AGENT, current_group_ids=[])
    server = three_ways.server
    assert {r[0] for r in server.execute(f"SELECT t.id FROM tickets t WHERE deleted = 0 AND ({where})",
                                         params)} == {1, 6, 7}


def test_recorded_time_views_evaluate_locally_on_recorded_tickets(tmp_path):
    """"Recently updated tickets" (updated_at less_than 24 hours) and "Overdue tasks" (due_at greater_than
    0 hours) over the recorded real tickets: the cache's SQL answers what the Python rules answer."""
    views = {v["title"]: v["conditions"] for v in
             json.loads((REAL_ZENDESK / "resources.json").read_text())["views"]["body"]["views"]}
    data = json.loads((REAL_ZENDESK / "tickets_export.json").read_text())
    tickets = [t for page in data["pages"] for t in page["tickets"]] + data["extra_tickets"]
    tickets = [t for t in tickets if isinstance(t.get("id"), int) and t.get("status") != "deleted"]
    overdue = dict(next(t for t in tickets if t["id"] == 1), id=99001, type="task", due_at="2024-02-06T12:00:00Z")
    later = dict(overdue, id=99002, due_at="2024-02-09T12:00:00Z")
    tickets += [overdue, later]
    with CacheWriter(tmp_path / "c.sqlite") as writer:
        writer.apply_ticket_page(tickets, None, end_of_stream=True)
    now = datetime.fromisoformat("2024-02-07T12:00:00+00:00").timestamp()
    with CacheReader(tmp_path / "c.sqlite") as cache:
        for title, expected in (("Recently updated tickets", {1, 4044, 4045, 99001, 99002}),
                                ("Overdue tasks", {99001})):
            where, params = where_for_conditions(views[title], AGENT, [], now=now)
            found = {r[0] for r in cache._all(f"SELECT id FROM tickets WHERE deleted = 0 AND ({where})", params)}
            python = {t["id"] for t in tickets if matches(views[title], t, Viewer(AGENT, (), now))}
            assert found == python == expected, title
