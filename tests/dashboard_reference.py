"""The dashboard's unsolved-ticket facts worked out ticket by ticket with the domain rules: the reference
that store.dashboard's SQL counts (index ranges cut by the same rules) must equal.

``unsolved_rows(reader)`` reads each unsolved ticket's kept columns; ``unsolved_facts(facts, tickets,
policy, windows)`` fills the counted fields of a ``DashboardFacts`` from such records;
``replied_times`` picks the first replies the medians use, ``solved_today`` counts the agents' solves.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from itertools import accumulate
from typing import NamedTuple

from console.domain.dashboard import AGE_BUCKETS, DashboardFacts, ReplyTimes, Windows
from console.domain.sla import SlaPolicy, first_reply_state
from console.domain.statuses import WAITING


class Unsolved(NamedTuple):
    """An unsolved ticket as the dashboard sees it (epochs; None when unknown)."""

    id: int
    group_id: int | None
    assignee_id: int | None
    status: str
    priority: str | None
    created: float | None
    first_reply: float | None
    waiting_since: float | None


def unsolved_rows(reader) -> list[Unsolved]:
    """The unsolved tickets' columns as the writer keeps them, by id (no waiting time kept: waiting
    since creation, when the status says the customer waits, as ``domain.sla.waiting_since``)."""
    return [Unsolved(*r) for r in reader._all(
        "SELECT id, group_id, assignee_id, status, priority, created_ts, first_reply_at, "
        "CASE WHEN status IN ('new', 'open', 'hold') THEN coalesce(waiting_since, created_ts) END "
        "FROM tickets WHERE deleted = 0 AND status IN ('new', 'open', 'pending', 'hold') ORDER BY id")]


def unsolved_facts(facts: DashboardFacts, tickets: list[Unsolved], policy: SlaPolicy, windows: Windows) -> DashboardFacts:
    """``facts`` with its unsolved-ticket fields worked out from ``tickets``, one at a time."""
    now = windows.now
    facts.statuses = dict(Counter((t.group_id, t.status) for t in tickets))
    facts.unassigned = dict(Counter(t.group_id for t in tickets if t.assignee_id is None))
    facts.open_by_agent = dict(Counter(t.assignee_id for t in tickets if t.assignee_id in facts.agents))
    facts.sla, facts.oldest_waiting = {}, {}
    ages = [0] * len(AGE_BUCKETS)
    upper_bounds = [upper for _, upper in AGE_BUCKETS]
    for t in tickets:
        target = policy.target_minutes(facts.groups.get(t.group_id) if t.group_id is not None else None, t.priority)
        state = first_reply_state(t.created, t.first_reply, target, now, policy.at_risk_fraction)
        if state in ("breached", "at_risk"):
            breached, at_risk = facts.sla.get(t.group_id, (0, 0))
            facts.sla[t.group_id] = (breached + (state == "breached"), at_risk + (state == "at_risk"))
        since = t.waiting_since
        if t.status in WAITING and since is not None:
            facts.oldest_waiting[t.group_id] = min(facts.oldest_waiting.get(t.group_id, (since, t.id)), (since, t.id))
        if t.created is not None:
            ages[min(bisect_right(upper_bounds, now - t.created), len(AGE_BUCKETS) - 1)] += 1
    facts.backlog_ages = list(accumulate(ages))
    facts.created_by_day = windows.per_chart_day([t.created for t in tickets], now)
    return facts


def solved_today(recent: list[tuple], windows: Windows) -> dict[int, int]:
    """From (assignee, solve time) of the solved and closed tickets, how many each solved today, up to now."""
    today, tomorrow = windows.today_start, windows.day_starts[-1]
    return dict(Counter(a for a, moment in recent if a is not None and moment is not None
                        and today <= moment < tomorrow and moment <= windows.now))


def replied_times(replies: list[tuple], windows: Windows) -> ReplyTimes:
    """From (department, created, first reply) of every ticket, those replied to since the median window began."""
    replied = [r for r in replies if r[2] is not None and r[2] >= windows.median_start]
    return ReplyTimes(*map(list, zip(*replied, strict=True))) if replied else ReplyTimes()


def without_empty_sla(facts: DashboardFacts) -> DashboardFacts:
    """``facts`` with departments that have nothing breached or at risk left out of ``sla`` (the store
    keeps a (0, 0) entry for each department with a target, the reference only those with a count)."""
    facts.sla = {g: counts for g, counts in facts.sla.items() if counts != (0, 0)}
    return facts
