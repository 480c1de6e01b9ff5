"""Read the supervisor dashboard's facts from the cache (read-only; the arithmetic is in domain.dashboard).

``dashboard_snapshot(reader, policy, now=None, tz=None) -> DashboardSnapshot`` is what the
window and ``support-console report`` call; ``load_facts(reader, windows)`` is the SQL part.

Per-ticket reply facts (the first public agent reply and the time the customer has been waiting
since, ``domain.sla`` rules) are kept by the writer in ``ticket_reply_facts`` (``reply_facts``); the
tickets are read from ranges of the covering ``ix_tickets_dashboard`` (cache migration 10), so no
ticket row and no thread is read, except today's agent comments of the tickets updated today.
Comment and ticket times are compared as the API's ISO strings ("...Z"), which sort as time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, tzinfo
from functools import partial

from console.domain.dashboard import (
    ActiveTicket,
    DashboardFacts,
    DashboardSnapshot,
    Windows,
    build_snapshot,
    local_zone,
)
from console.domain.sla import SlaPolicy
from console.domain.statuses import UNSOLVED
from console.domain.statuses import WAITING as WAITING_STATUSES

from .reader import CacheReader
from .reply_facts import AGENTS_SQL
from .schema import DASHBOARD_KEY_SQL, RATING_SQL

_MARGIN_S = 86_400  # ISO-string prefilters reach a day further back; exact filtering is by epoch
_UNSOLVED_SQL = ", ".join(f"'{s}'" for s in UNSOLVED)
_WAITING_SQL = ", ".join(f"'{s}'" for s in WAITING_STATUSES)

# Two ranges of ix_tickets_dashboard (covering: no ticket row is read) give the tickets that can
# matter: the unsolved ones (key '~'), then those updated or created since the 14-day chart began
# (the 7-day median window is inside it; a reply updates its ticket). Their reply facts are one
# primary-key look-up each in ticket_reply_facts (kept by the writer, see reply_facts).
_ACTIVE_SQL = f"""
SELECT t.id, t.group_id, t.assignee_id, t.status, t.priority, unixepoch(t.created_at), f.first_reply_at,
    CASE WHEN t.status IN ({_WAITING_SQL}) THEN coalesce(f.waiting_since, unixepoch(t.created_at)) END
FROM tickets AS t LEFT JOIN ticket_reply_facts AS f ON f.ticket_id = t.id
WHERE t.deleted = 0 AND {DASHBOARD_KEY_SQL} = '~'
"""
_RECENT_SQL = f"""
SELECT t.group_id, t.assignee_id, unixepoch(t.created_at), unixepoch(t.updated_at),
    CASE WHEN t.updated_at >= :since_median THEN f.first_reply_at END
FROM tickets AS t LEFT JOIN ticket_reply_facts AS f ON f.ticket_id = t.id
WHERE t.deleted = 0 AND {DASHBOARD_KEY_SQL} >= :since_chart AND {DASHBOARD_KEY_SQL} < '~'
"""

_WAITING_BY_IDS_SQL = f"""
SELECT t.id, coalesce(f.waiting_since, unixepoch(t.created_at))
FROM tickets AS t LEFT JOIN ticket_reply_facts AS f ON f.ticket_id = t.id
WHERE t.id IN (SELECT value FROM json_each(:ids)) AND t.status IN ({_WAITING_SQL})
"""

# Public agent comments made since :since on tickets updated since then (a range of the same index).
_REPLIES_SQL = f"""
SELECT c.author_id, unixepoch(c.created_at)
FROM (SELECT id FROM tickets WHERE deleted = 0 AND {DASHBOARD_KEY_SQL} >= :since AND updated_at >= :since) AS t
CROSS JOIN comments AS c ON c.ticket_id = t.id
WHERE c.created_at >= :since AND c.public = 1 AND c.author_id IN ({AGENTS_SQL})
"""


# ActiveTicket._make without its length check (the query has its fields, in order): 10k rows
_ACTIVE_TICKET = partial(tuple.__new__, ActiveTicket)


def waiting_since(reader: CacheReader, ticket_ids: list[int]) -> dict[int, float]:
    """Since when (epoch) each of these tickets' customers has waited for us (``domain.sla.waiting_since``,
    the dashboard's rule: Zendesk's requester wait); tickets not waiting on us are left out.
    One query per call (the ticket list asks once per batch of rows, never per painted row)."""
    if not ticket_ids:
        return {}
    rows = reader._all(_WAITING_BY_IDS_SQL, {"ids": "[" + ",".join(str(int(i)) for i in ticket_ids) + "]"})
    return {tid: since for tid, since in rows if since is not None}


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_facts(reader: CacheReader, windows: Windows) -> DashboardFacts:
    """Everything ``build_snapshot`` needs, read in a handful of indexed queries."""
    facts = DashboardFacts()
    facts.groups = {g["id"]: g.get("name") or f"Department {g['id']}" for g in reader.groups()}
    facts.agents = {r[0]: r[1] for r in reader._all(
        "SELECT id, name FROM users WHERE role IN ('agent', 'admin') AND active = 1")}
    facts.status_counts = reader._all(f"SELECT group_id, status, count(*) FROM tickets WHERE deleted = 0 "
                                      f"AND status IN ({_UNSOLVED_SQL}) GROUP BY group_id, status")
    params = {"since_median": _iso(windows.median_start - _MARGIN_S), "since_chart": _iso(windows.chart_start - _MARGIN_S),
              "since_today": _iso(windows.today_start - _MARGIN_S)}
    rows = reader._all(_ACTIVE_SQL)
    facts.active = list(map(_ACTIVE_TICKET, rows))
    facts.first_replies = [(group, created, reply) for _, group, _, _, _, created, reply, _ in rows
                           if reply is not None and created is not None]   # (no creation time: nothing to measure)
    chart_start = windows.chart_start
    facts.created = [created for _, _, _, _, _, created, _, _ in rows if created is not None and created >= chart_start]
    for group, assignee, created, updated, reply in reader._all(_RECENT_SQL, params):
        if updated is not None:
            facts.solved.append((assignee, updated))
        if reply is not None and created is not None:
            facts.first_replies.append((group, created, reply))
        if created is not None and created >= chart_start:
            facts.created.append(created)
    facts.replies = [(r[0], r[1]) for r in reader._all(_REPLIES_SQL, {"since": params["since_today"]}) if r[1] is not None]
    facts.ratings = [(r[0], r[1]) for r in reader._all(
        f"SELECT group_id, {RATING_SQL} FROM tickets WHERE deleted = 0 AND status IN ('solved', 'closed') "
        f"AND updated_at >= :since AND {RATING_SQL} IN ('good', 'bad')", {"since": params["since_chart"]})]
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
