"""Every dashboard number against the hand-built desk (see tests/dashboard_desk.py for the working)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from console.domain.dashboard import Windows
from console.domain.sla import SlaPolicy, first_reply_at, first_reply_state, sla_state, waiting_since
from console.store.dashboard import dashboard_snapshot
from tests import dashboard_desk as dataset
from tests.dashboard_desk import ALICE, BILLING, BOB, NEW_YORK, NOW, SECURITY
from tests.dashboard_reference import unsolved_rows


def _dept(snapshot, group_id):
    return next(d for d in snapshot.departments if d.group_id == group_id)


def test_department_rows(snapshot):
    assert [d.name for d in snapshot.departments] == ["Billing", "Security", "(no department)"]
    billing, security, none = snapshot.departments
    assert (billing.new, billing.open, billing.pending, billing.hold, billing.unassigned) == (1, 2, 1, 0, 1)
    assert (security.new, security.open, security.pending, security.hold, security.unassigned) == (0, 1, 0, 1, 0)
    assert (none.new, none.open, none.pending, none.hold, none.unassigned) == (1, 0, 0, 0, 1)


def test_oldest_waiting(snapshot):
    # T3 (no public reply) waits since creation 03:00Z; T2 only since the customer's 06:00Z follow-up
    assert (_dept(snapshot, BILLING).oldest_waiting_ticket, _dept(snapshot, BILLING).oldest_waiting_seconds) == (3, 43200)
    # T6 was reopened at 12:00Z; Alice's later note is private and does not answer the customer
    assert (_dept(snapshot, SECURITY).oldest_waiting_ticket, _dept(snapshot, SECURITY).oldest_waiting_seconds) == (6, 10800)
    assert (_dept(snapshot, None).oldest_waiting_ticket, _dept(snapshot, None).oldest_waiting_seconds) == (10, 36000)


def test_first_reply_sla(snapshot):
    # Billing: T3 breached (note only); T1 has 15 of its 30 Billing-urgent minutes left: ok
    assert (_dept(snapshot, BILLING).sla_breached, _dept(snapshot, BILLING).sla_at_risk) == (1, 0)
    # Security: T5 has 10 of 60 minutes left; T7 replied late but is solved, so out of scope
    assert (_dept(snapshot, SECURITY).sla_breached, _dept(snapshot, SECURITY).sla_at_risk) == (0, 1)
    assert (_dept(snapshot, None).sla_breached, _dept(snapshot, None).sla_at_risk) == (1, 0)


def test_tickets_without_a_target_are_neither_breached_nor_at_risk(desk_reader):
    """Only Billing's urgent tickets have a target here (T1: 15 of 30 minutes left, ok; 3 of 18: at risk)."""
    snap = dashboard_snapshot(desk_reader, SlaPolicy({"Billing": {"urgent": 30}}), now=NOW, tz=NEW_YORK)
    assert [(d.sla_breached, d.sla_at_risk) for d in snap.departments] == [(0, 0)] * 3
    snap = dashboard_snapshot(desk_reader, SlaPolicy({"Billing": {"urgent": 18}}), now=NOW, tz=NEW_YORK)
    assert [(d.sla_breached, d.sla_at_risk) for d in snap.departments] == [(0, 1), (0, 0), (0, 0)]


def test_median_first_reply(snapshot):
    billing, security, none = snapshot.departments
    assert billing.median_first_reply_today == 3600          # T2 only (T9's reply was 23:59 yesterday)
    assert billing.median_first_reply_7d == 7200             # T2 3600, T4 7200, T9 32340
    assert security.median_first_reply_today == 178200       # T7: 49.5 h
    assert security.median_first_reply_7d == (3600 + 178200) / 2
    assert none.median_first_reply_today is None and none.median_first_reply_7d is None


def test_agent_rows(snapshot):
    assert [(a.user_id, a.name) for a in snapshot.agents] == [(ALICE, "Alice Agent"), (BOB, "Bob Admin")]
    alice, bob = snapshot.agents
    assert (alice.open_assigned, alice.solved_today, alice.replies_today) == (3, 2, 2)
    # T9 was solved (and replied) a minute before local midnight; Bob's T4 comment is at midnight
    assert (bob.open_assigned, bob.solved_today, bob.replies_today) == (2, 0, 1)


def test_created_vs_solved_chart(snapshot):
    days = {d.day: (d.created, d.solved) for d in snapshot.days}
    assert len(snapshot.days) == 14 and snapshot.days[0].day == date(2025, 10, 23)
    assert snapshot.days[-1].day == date(2025, 11, 5)
    assert days[date(2025, 11, 5)] == (3, 2)
    assert days[date(2025, 11, 4)] == (4, 1)
    assert days[date(2025, 11, 2)] == (1, 1)       # T7 created 23:30 EST on the 25-hour day
    assert days[date(2025, 10, 30)] == (1, 0)
    assert sum(c for c, _ in days.values()) == 9 and sum(s for _, s in days.values()) == 4


def test_backlog_age_histogram(snapshot):
    assert snapshot.backlog_ages == [("0-1d", 5), ("1-3d", 1), ("3-7d", 1), ("1-2w", 0), ("2-4w", 0),
                                     ("4w+", 0)]


def test_as_of_is_local_time_of_last_sync(snapshot, desk_reader, policy):
    assert snapshot.as_of() == "as of 09:58:07"
    tokyo = dashboard_snapshot(desk_reader, policy, now=NOW, tz=ZoneInfo("Asia/Tokyo"))
    assert tokyo.as_of() == "as of 23:58:07"


def test_other_time_zone_moves_today(desk_reader, policy):
    """In Tokyo it is already 00:00 on Nov 6: nothing was solved or replied 'today' there."""
    snap = dashboard_snapshot(desk_reader, policy, now=NOW, tz=ZoneInfo("Asia/Tokyo"))
    assert snap.days[-1].day == date(2025, 11, 6) and snap.days[-1] == snap.days[-1].__class__(date(2025, 11, 6), 0, 0)
    assert [(a.solved_today, a.replies_today) for a in snap.agents] == [(0, 0), (0, 0)]
    utc = dashboard_snapshot(desk_reader, policy, now=NOW, tz=ZoneInfo("UTC"))
    # in UTC T9 (04:59:59Z) and both midnight-ish Bob items fall on Nov 5
    assert [(a.solved_today, a.replies_today) for a in utc.agents] == [(2, 2), (1, 2)]


def test_day_windows_follow_dst():
    win = Windows.at(NOW, NEW_YORK)
    lengths = {d: win.day_starts[i + 1] - win.day_starts[i] for i, d in enumerate(win.chart_days)}
    assert lengths[date(2025, 11, 2)] == 25 * 3600
    assert all(v == 24 * 3600 for d, v in lengths.items() if d != date(2025, 11, 2))
    assert win.today_start == datetime.fromisoformat("2025-11-05T05:00:00+00:00").timestamp()


def test_sql_facts_match_domain_sla_functions(desk_reader):
    """The windowed SQL gives the same first reply and waiting time as domain.sla, ticket by ticket."""
    agents = {u["id"] for u in dataset.USERS if u["role"] in ("agent", "admin")}
    unsolved = unsolved_rows(desk_reader)
    assert {t.id for t in unsolved} == {1, 2, 3, 4, 5, 6, 10}
    for t in unsolved:
        api_ticket = desk_reader.ticket(t.id)
        comments = desk_reader.comments_for_ticket(t.id)
        reply, waiting = first_reply_at(api_ticket, comments, agents), waiting_since(api_ticket, comments, agents)
        assert t.first_reply == (reply.timestamp() if reply else None), t.id
        assert t.waiting_since == (waiting.timestamp() if waiting else None), t.id


@pytest.mark.parametrize("created_offset,reply_offset,target", [
    (0, None, 60), (-3000, None, 60), (-2700, None, 60), (-3600, None, 60), (-3601, None, 60),
    (-7200, -3000, 60), (-7200, -3600, 60), (-100, -50, 1),
])
def test_epoch_sla_rule_equals_domain_rule(created_offset, reply_offset, target):
    now = datetime.fromtimestamp(NOW, NEW_YORK)
    created = datetime.fromtimestamp(NOW + created_offset, NEW_YORK)
    reply = None if reply_offset is None else datetime.fromtimestamp(NOW + reply_offset, NEW_YORK)
    expected = sla_state(created, reply, target, now=now, at_risk_fraction=0.25)
    got = first_reply_state(NOW + created_offset, None if reply is None else NOW + reply_offset, target,
                            now=NOW, at_risk_fraction=0.25)
    assert got == expected


def test_default_policy_and_empty_cache(tmp_path):
    from console.store import CacheReader

    with CacheReader(tmp_path / "empty.sqlite") as reader:
        snap = dashboard_snapshot(reader, SlaPolicy(), now=NOW, tz=NEW_YORK)
    assert snap.departments == [] and snap.agents == [] and snap.as_of() == "never synced"
    assert [d.created for d in snap.days] == [0] * 14


def test_a_snapshot_is_one_moment_of_the_cache_even_mid_sync(desk_cache, policy, monkeypatch):
    """The dashboard runs ~100 queries; a sync page committed between two of them must not show in
    some numbers and not in others: it all comes from the moment the snapshot began."""
    from console.store import CacheReader, CacheWriter

    with CacheReader(desk_cache) as reader, CacheWriter(desk_cache) as writer:
        before = dashboard_snapshot(reader, policy, now=NOW, tz=NEW_YORK)
        real_one, wrote = reader._one, []

        def one(sql, params=()):
            if not wrote:   # a sync page lands after the first query: T1 (new) is opened and assigned
                wrote.append(writer.upsert_tickets([dict(dataset.TICKETS[0], status="open", assignee_id=ALICE,
                                                         updated_at="2025-11-05T14:55:00Z", generated_timestamp=9000)]))
            return real_one(sql, params)

        monkeypatch.setattr(reader, "_one", one)
        during = dashboard_snapshot(reader, policy, now=NOW, tz=NEW_YORK)
        monkeypatch.undo()
        after = dashboard_snapshot(reader, policy, now=NOW, tz=NEW_YORK)
    assert wrote and during == before
    billing = _dept(after, BILLING)
    assert (billing.new, billing.open, billing.unassigned) == (0, 3, 0)   # the page is there for the next one
