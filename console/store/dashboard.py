"""Read the supervisor dashboard's facts from the cache (read-only; the arithmetic is in domain.dashboard).

``dashboard_snapshot(reader, policy, now=None, tz=None) -> DashboardSnapshot`` is what the
window and ``support-console report`` call; ``load_facts(reader, windows)`` is the SQL part.

Per-ticket reply facts (the first public agent reply and the time the customer has been waiting
since, ``domain.sla`` rules) are kept by the writer on the ticket row (``reply_facts``), with the
ticket's times as epoch numbers (``created_ts``, ``updated_ts``); the tickets are read from ranges of
the covering ``ix_tickets_dashboard_row`` (cache migration 12), so no ticket row, no other table and
no thread is read, except today's agent comments of the tickets updated today, and nothing is parsed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, tzinfo

from console.domain.dashboard import (
    ActiveTickets,
    DashboardFacts,
    DashboardSnapshot,
    RecentTickets,
    Windows,
    build_snapshot,
    local_zone,
)
from console.domain.sla import SlaPolicy
from console.domain.statuses import WAITING as WAITING_STATUSES

from .reader import CacheReader
from .reply_facts import AGENTS_SQL
from .rows import loads
from .schema import DASHBOARD_KEY_SQL, RATING_SQL

_MARGIN_S = 86_400  # comment times are ISO strings: their prefilter reaches a day further back
_WAITING_SQL = ", ".join(f"'{s}'" for s in WAITING_STATUSES)

# Two ranges of ix_tickets_dashboard_row (covering: nothing else is read) give the tickets that can
# matter: the unsolved ones (key '~'), then those updated or created since the 14-day chart began
# (the 7-day median window is inside it; a reply updates its ticket). Times are epoch numbers. Each
# comes back as one row of JSON arrays, a column each (the same ticket at the same index): 10k
# tuples made by sqlite3 and collected by Python cost more than the dashboard's arithmetic.
_ACTIVE_SQL = f"""
SELECT json_group_array(id), json_group_array(group_id), json_group_array(assignee_id), json_group_array(status),
    json_group_array(priority), json_group_array(created_ts), json_group_array(first_reply_at),
    json_group_array(CASE WHEN status IN ({_WAITING_SQL}) THEN coalesce(waiting_since, created_ts) END)
FROM tickets WHERE deleted = 0 AND {DASHBOARD_KEY_SQL} = '~'
"""
_RECENT_SQL = f"""
SELECT json_group_array(group_id), json_group_array(assignee_id), json_group_array(created_ts),
    json_group_array(updated_ts), json_group_array(CASE WHEN updated_ts >= :since_median THEN first_reply_at END)
FROM tickets WHERE deleted = 0 AND {DASHBOARD_KEY_SQL} >= :since_chart AND {DASHBOARD_KEY_SQL} < '~'
"""

# Public agent comments made since :since_iso on tickets updated since :since (two ranges of the same
# index: the unsolved tickets by their update, the others by their key).
_REPLIES_SQL = f"""
SELECT c.author_id, unixepoch(c.created_at)
FROM (SELECT id FROM tickets WHERE deleted = 0 AND {DASHBOARD_KEY_SQL} = '~' AND updated_ts >= :since
      UNION ALL
      SELECT id FROM tickets WHERE deleted = 0 AND {DASHBOARD_KEY_SQL} >= :since AND {DASHBOARD_KEY_SQL} < '~'
      AND updated_ts >= :since) AS t
CROSS JOIN comments AS c ON c.ticket_id = t.id
WHERE c.created_at >= :since_iso AND c.public = 1 AND c.author_id IN ({AGENTS_SQL})
"""


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_facts(reader: CacheReader, windows: Windows) -> DashboardFacts:
    """Everything ``build_snapshot`` needs, read in a handful of indexed queries."""
    facts = DashboardFacts()
    facts.groups = {g["id"]: g.get("name") or f"Department {g['id']}" for g in reader.groups()}
    facts.agents = {r[0]: r[1] for r in reader._all(
        "SELECT id, name FROM users WHERE role IN ('agent', 'admin') AND active = 1")}
    chart_start = windows.chart_start
    facts.active = ActiveTickets(*map(loads, reader._all(_ACTIVE_SQL)[0]))
    facts.recent = RecentTickets(*map(loads, reader._all(
        _RECENT_SQL, {"since_median": windows.median_start, "since_chart": chart_start})[0]))
    facts.replies = [(r[0], r[1]) for r in reader._all(_REPLIES_SQL, {
        "since": windows.today_start, "since_iso": _iso(windows.today_start - _MARGIN_S)}) if r[1] is not None]
    facts.ratings = [(r[0], r[1]) for r in reader._all(
        f"SELECT group_id, {RATING_SQL} FROM tickets WHERE deleted = 0 AND status IN ('solved', 'closed') "
        f"AND updated_at >= :since AND {RATING_SQL} IN ('good', 'bad')", {"since": _iso(chart_start - _MARGIN_S)})]
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
    return build_snapshot(load_facts(reader, Windows.at(now, tz)), policy or SlaPolicy(), now=now, tz=tz)
