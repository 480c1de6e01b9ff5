"""Read the supervisor dashboard's facts from the cache (read-only; the arithmetic is in domain.dashboard).

``dashboard_snapshot(reader, policy, now=None, tz=None) -> DashboardSnapshot`` is what the
window and ``support-console report`` call; ``load_facts(reader, windows, policy)`` is the SQL part.

Per-ticket reply facts (the first public agent reply and the time the customer has been waiting
since, ``domain.sla`` rules) are kept by the writer on the ticket row (``reply_facts``), with the
ticket's times as epoch numbers (``created_ts``, ``updated_ts``).

The unsolved tickets (10k at 100k, 100k at 1M) are counted, not read: by ranges of indexes (cache
migration 13's partial ones, and the queues' ``ix_tickets_status`` and ``ix_tickets_unsolved_assignee``)
whose bounds come from the domain rules (``sla.first_reply_bounds``, ``dashboard.backlog_cuts``, the
chart's day starts), so a ticket costs a few tens of nanoseconds inside SQLite and no Python object.
Row by row, only the tickets the medians need (replied to in the last 7 days) and the solved ones of
the chart's 14 days are read, from ranges of the covering ``ix_tickets_dashboard_row`` (migration
12), and today's public comments, from a range of ``ix_comments_public_time``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, tzinfo

from console.domain.dashboard import (
    CHART_DAYS,
    DashboardFacts,
    DashboardSnapshot,
    RecentTickets,
    ReplyTimes,
    Windows,
    backlog_cuts,
    build_snapshot,
    local_zone,
)
from console.domain.sla import SlaPolicy, first_reply_bounds
from console.domain.statuses import UNSOLVED

from .reader import CacheReader
from .reply_facts import AGENTS_SQL
from .rows import loads
from .schema import DASHBOARD_KEY_SQL, RATING_SQL, SLA_CLOCK_SQL, UNSOLVED_SQL, WAIT_KEY_SQL, WAITING_SQL

_MARGIN_S = 86_400  # comment times are ISO strings: their prefilter reaches a day further back
_UNSOLVED = f"deleted = 0 AND {UNSOLVED_SQL}"    # the partial indexes' own condition, for SQLite to use them

# -- counted: each count walks one range of one index (a GROUP BY over the same rows costs ~10x) --
_STATUS_SQL = "SELECT count(*) FROM tickets WHERE deleted = 0 AND status = ? AND group_id IS ?"   # ix_tickets_status
_ASSIGNEE_SQL = f"SELECT count(*) FROM tickets INDEXED BY ix_tickets_unsolved_assignee WHERE {_UNSOLVED} AND assignee_id = ?"
_UNASSIGNED_SQL = f"SELECT count(*) FROM tickets WHERE {_UNSOLVED} AND assignee_id IS NULL AND group_id IS ?"
_SLA_OF_KIND = f"FROM tickets WHERE {_UNSOLVED} AND group_id IS :group AND priority IS :priority"
_SLA_SQL = f"""SELECT
  (SELECT count(*) {_SLA_OF_KIND} AND (first_reply_at IS NULL) = 1 AND {SLA_CLOCK_SQL} < :breached_before)
+ (SELECT count(*) {_SLA_OF_KIND} AND (first_reply_at IS NULL) = 0 AND {SLA_CLOCK_SQL} > :target),
  (SELECT count(*) {_SLA_OF_KIND} AND (first_reply_at IS NULL) = 1 AND {SLA_CLOCK_SQL} >= :breached_before
   AND ({SLA_CLOCK_SQL} < :at_risk_before OR {SLA_CLOCK_SQL} = :breached_before))
"""
_OLDEST_SQL = (f"SELECT {WAIT_KEY_SQL}, id FROM tickets WHERE deleted = 0 AND {WAITING_SQL} AND group_id IS ? "
               f"AND {WAIT_KEY_SQL} IS NOT NULL ORDER BY {WAIT_KEY_SQL}, id LIMIT 1")
_CREATED = (f"SELECT count(*) FROM tickets INDEXED BY ix_tickets_unsolved_created "   # (SQLite would pick status)
            f"WHERE {_UNSOLVED} AND created_ts")
_CREATED_AFTER_SQL = f"{_CREATED} > ?"
_CREATED_KNOWN_SQL = f"{_CREATED} IS NOT NULL"
_CREATED_BETWEEN_SQL = f"{_CREATED} >= :start AND created_ts < :end AND created_ts <= :now"

# -- read row by row: ranges of ix_tickets_dashboard_row (covering: nothing else is read), as one row of
# JSON arrays, a column each (the same ticket at the same index): 10k tuples made by sqlite3 and
# collected by Python cost more than the dashboard's arithmetic. Times are epoch numbers.
# First replies since the 7-day median window began (a reply updates its ticket), any status:
_REPLIED_SQL = f"""
SELECT json_group_array(group_id), json_group_array(created_ts), json_group_array(first_reply_at) FROM (
  SELECT group_id, created_ts, first_reply_at FROM tickets WHERE deleted = 0 AND {DASHBOARD_KEY_SQL} = '~'
  AND updated_ts >= :since AND first_reply_at >= :since
  UNION ALL
  SELECT group_id, created_ts, first_reply_at FROM tickets WHERE deleted = 0 AND {DASHBOARD_KEY_SQL} >= :since
  AND {DASHBOARD_KEY_SQL} < '~' AND updated_ts >= :since AND first_reply_at >= :since)
"""
# the solved and closed tickets updated or created since the 14-day chart began:
_RECENT_SQL = f"""
SELECT json_group_array(created_ts), json_group_array(updated_ts)
FROM tickets WHERE deleted = 0 AND {DASHBOARD_KEY_SQL} >= :since_chart AND {DASHBOARD_KEY_SQL} < '~'
"""
# ... and of those, the ones solved today (their solve time is their update), by assignee:
_SOLVED_TODAY_SQL = f"""
SELECT assignee_id, count(*) FROM tickets WHERE deleted = 0 AND {DASHBOARD_KEY_SQL} >= :today
AND {DASHBOARD_KEY_SQL} < '~' AND updated_ts >= :today AND updated_ts < :tomorrow AND updated_ts <= :now
AND assignee_id IS NOT NULL GROUP BY assignee_id
"""

# Public agent comments made today, up to now, on tickets that are cached and not deleted, by author
# (a range of ix_comments_public_time: comment times are ISO strings, so :since_iso, a day earlier,
# bounds it).
_REPLIES_SQL = f"""
SELECT author_id, count(*) FROM comments AS c
WHERE created_at >= :since_iso AND public = 1 AND author_id IN ({AGENTS_SQL})
AND unixepoch(created_at) BETWEEN :today AND :now
AND EXISTS (SELECT 1 FROM tickets AS t WHERE t.id = c.ticket_id AND t.deleted = 0) GROUP BY author_id
"""


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _values(reader: CacheReader, column: str, where: str, params: tuple = ()) -> list:
    """The distinct values of ``column`` among the tickets ``where`` says (None last, when there is
    one), found by seeking an index ordered by it from one value to the next: a query per value,
    none per ticket."""
    smallest = f"SELECT min({column}) FROM tickets WHERE {where}"
    found = []
    value = (reader._one(smallest, params) or (None,))[0]
    while value is not None:
        found.append(value)
        value = (reader._one(f"{smallest} AND {column} > ?", (*params, value)) or (None,))[0]
    if reader._count(f"SELECT EXISTS (SELECT 1 FROM tickets WHERE {where} AND {column} IS NULL)", params):
        found.append(None)
    return found


def _count_unsolved(reader: CacheReader, facts: DashboardFacts, windows: Windows, policy: SlaPolicy) -> None:
    """The unsolved tickets' numbers, counted by ranges of indexes (cache migration 13)."""
    now = windows.now
    groups = _values(reader, "group_id", _UNSOLVED)    # ix_tickets_unsolved_group
    for group_id in groups:
        for status in UNSOLVED:
            if n := reader._count(_STATUS_SQL, (status, group_id)):
                facts.statuses[group_id, status] = n
        if n := reader._count(_UNASSIGNED_SQL, (group_id,)):
            facts.unassigned[group_id] = n
        if (oldest := reader._one(_OLDEST_SQL, (group_id,))) is not None:
            facts.oldest_waiting[group_id] = (oldest[0], oldest[1])
    for agent in facts.agents:
        if n := reader._count(_ASSIGNEE_SQL, (agent,)):
            facts.open_by_agent[agent] = n
    kinds = [(g, p) for g in groups
             for p in _values(reader, "priority", f"{_UNSOLVED} AND group_id IS ?", (g,))]   # ix_tickets_unsolved_sla
    for group_id, priority in kinds:
        minutes = policy.target_minutes(facts.groups.get(group_id) if group_id is not None else None, priority)
        if minutes is None:
            continue     # no target: neither breached nor at risk
        breached_before, at_risk_before = first_reply_bounds(minutes, now, policy.at_risk_fraction)
        row = reader._one(_SLA_SQL, {"group": group_id, "priority": priority, "target": minutes * 60,
                                     "breached_before": breached_before, "at_risk_before": at_risk_before})
        breached, at_risk = facts.sla.get(group_id, (0, 0))
        facts.sla[group_id] = (breached + row[0], at_risk + row[1]) if row else (breached, at_risk)
    younger = [reader._count(_CREATED_AFTER_SQL, (cut,)) for cut in backlog_cuts(now)]
    facts.backlog_ages = [*younger, reader._count(_CREATED_KNOWN_SQL)]
    starts = windows.day_starts
    facts.created_by_day = [reader._count(_CREATED_BETWEEN_SQL, {"start": starts[i], "end": starts[i + 1], "now": now})
                            for i in range(CHART_DAYS)]


def load_facts(reader: CacheReader, windows: Windows, policy: SlaPolicy) -> DashboardFacts:
    """Everything ``build_snapshot`` needs, counted and read by index ranges (see the module docstring)."""
    facts = DashboardFacts()
    facts.groups = {g["id"]: g.get("name") or f"Department {g['id']}" for g in reader.groups()}
    facts.agents = {r[0]: r[1] for r in reader._all(
        "SELECT id, name FROM users WHERE role IN ('agent', 'admin') AND active = 1")}
    _count_unsolved(reader, facts, windows, policy)
    facts.replied = ReplyTimes(*map(loads, reader._all(_REPLIED_SQL, {"since": windows.median_start})[0]))
    facts.recent = RecentTickets(*map(loads, reader._all(_RECENT_SQL, {"since_chart": windows.chart_start})[0]))
    today = {"today": windows.today_start, "tomorrow": windows.day_starts[-1], "now": windows.now}
    facts.solved_today = dict(reader._all(_SOLVED_TODAY_SQL, today))
    facts.replies_today = dict(reader._all(_REPLIES_SQL, {**today, "since_iso": _iso(windows.today_start - _MARGIN_S)}))
    facts.ratings = [(r[0], r[1]) for r in reader._all(
        f"SELECT group_id, {RATING_SQL} FROM tickets WHERE deleted = 0 AND status IN ('solved', 'closed') "
        f"AND updated_at >= :since AND {RATING_SQL} IN ('good', 'bad')",
        {"since": _iso(windows.chart_start - _MARGIN_S)})]
    states = reader.sync_states()
    try:
        last = states.get("last_success")
        facts.last_sync = float(last) if last else None
    except ValueError:
        facts.last_sync = None
    facts.last_error = states.get("last_error") or ""
    return facts


def dashboard_snapshot(reader: CacheReader, policy: SlaPolicy | None = None, *, now: float | None = None,
                       tz: tzinfo | None = None) -> DashboardSnapshot:
    """The dashboard as of ``now`` (default: the clock), local days in ``tz`` (default: this machine's)."""
    now = time.time() if now is None else now
    tz = tz or local_zone()
    with reader.snapshot():   # ~100 queries at 1M: one moment of the cache, even mid-sync
        facts = load_facts(reader, Windows.at(now, tz), policy or SlaPolicy())
    return build_snapshot(facts, now=now, tz=tz)
