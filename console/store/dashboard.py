"""Read the supervisor dashboard's facts from the cache (read-only; the arithmetic is in domain.dashboard).

``dashboard_snapshot(reader, policy, now=None, tz=None) -> DashboardSnapshot`` is what the
window and ``support-console report`` call; ``load_facts(reader, windows)`` is the SQL part.

Only the existing indexes are used: status counts come from the covering status index, and
one pass over the tickets that can matter reads, per ticket and only where needed, the first
public agent reply and the time the customer has been waiting since (``domain.sla`` rules)
through short index-only walks of ``ix_comments_ticket_cover`` (ticket_id, created_at, id,
public, author_id; cache migration 2).
Comment and ticket times are compared as the API's ISO strings ("...Z"), which sort as time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, tzinfo

from console.domain.dashboard import (
    ActiveTicket,
    DashboardFacts,
    DashboardSnapshot,
    Windows,
    build_snapshot,
    local_zone,
)
from console.domain.sla import SlaPolicy
from console.domain.statuses import SOLVED, UNSOLVED
from console.domain.statuses import WAITING as WAITING_STATUSES

from .reader import CacheReader

_MARGIN_S = 86_400  # ISO-string prefilters reach a day further back; exact filtering is by epoch
_AGENTS = "SELECT id FROM users WHERE role IN ('agent', 'admin')"
_UNSOLVED_SQL = ", ".join(f"'{s}'" for s in UNSOLVED)
_WAITING_SQL = ", ".join(f"'{s}'" for s in WAITING_STATUSES)
_SOLVED_SQL = ", ".join(f"'{s}'" for s in SOLVED)

# Since when the customer has waited (domain.sla.waiting_since) for one ticket of ``cand`` (its
# id, created_at and last public agent comment ``la``): the first public comment after the last
# agent comment, that comment itself when an agent spoke last, or the creation time.
_WAITING_SINCE = """unixepoch(CASE WHEN la.id IS NULL
        THEN coalesce(t.created_at, (SELECT min(c.created_at) FROM comments AS c
                                     WHERE c.ticket_id = cand.id AND c.public = 1))
        ELSE coalesce((SELECT c.created_at FROM comments AS c WHERE c.ticket_id = cand.id AND c.public = 1
                       AND c.created_at >= la.created_at AND (c.created_at > la.created_at OR c.id > la.id)
                       ORDER BY c.created_at, c.id LIMIT 1), la.created_at) END)"""
_LAST_AGENT = """(SELECT c.id FROM comments AS c WHERE c.ticket_id = t.id AND c.created_at IS NOT NULL AND c.public = 1
             AND c.author_id IN (:agents) ORDER BY c.created_at DESC, c.id DESC LIMIT 1)"""

# One pass over the tickets that can matter: unsolved ones, those updated since the 7-day
# median window began (a reply updates its ticket) and those created/solved in the 14-day chart.
# Correlated subqueries walk ix_comments_ticket_cover only where needed: the opening comment (index
# only), the first public agent reply after it, the last public agent reply, and the first
# public comment after that one (domain.sla.first_reply_at / waiting_since, ordered by time, id).
_TICKETS_SQL = f"""
WITH cand AS MATERIALIZED (
    SELECT t.id, t.created_at, t.status,
        CASE WHEN t.status IN ({_UNSOLVED_SQL}) OR t.updated_at >= :since_median THEN
            (SELECT c.id FROM comments AS c WHERE c.ticket_id = t.id AND c.created_at IS NOT NULL
             ORDER BY c.created_at, c.id LIMIT 1) END AS opening_id,
        CASE WHEN t.status IN ({_WAITING_SQL}) THEN
            {_LAST_AGENT} END AS last_agent_id
    FROM tickets AS t
    WHERE t.deleted = 0 AND (t.status IN ({_UNSOLVED_SQL}) OR t.updated_at >= :since_chart
                             OR t.created_at >= :since_chart)
)
SELECT t.id, t.group_id, t.assignee_id, t.status, t.priority, unixepoch(t.created_at), unixepoch(t.updated_at),
    CASE WHEN cand.opening_id IS NOT NULL THEN unixepoch((
        SELECT c.created_at FROM comments AS c WHERE c.ticket_id = cand.id AND c.public = 1
        AND c.author_id IN (:agents) AND c.id <> cand.opening_id AND c.created_at >= coalesce(cand.created_at, '')
        ORDER BY c.created_at, c.id LIMIT 1)) END,
    CASE WHEN t.status IN ({_WAITING_SQL}) THEN {_WAITING_SINCE} END
FROM cand JOIN tickets AS t ON t.id = cand.id LEFT JOIN comments AS la ON la.id = cand.last_agent_id
"""


_WAITING_BY_IDS_SQL = f"""
WITH cand AS MATERIALIZED (
    SELECT t.id, t.created_at, {_LAST_AGENT} AS last_agent_id
    FROM tickets AS t WHERE t.id IN (SELECT value FROM json_each(:ids)) AND t.status IN ({_WAITING_SQL})
)
SELECT cand.id, {_WAITING_SINCE}
FROM cand JOIN tickets AS t ON t.id = cand.id LEFT JOIN comments AS la ON la.id = cand.last_agent_id
"""


def agent_ids(reader: CacheReader) -> list[int]:
    return [int(r[0]) for r in reader._all(_AGENTS)]


def waiting_since(reader: CacheReader, ticket_ids: list[int], agents: list[int] | None = None) -> dict[int, float]:
    """Since when (epoch) each of these tickets' customers has waited for us (``domain.sla.waiting_since``,
    the dashboard's rule: Zendesk's requester wait); tickets not waiting on us are left out.
    One query per call (the ticket list asks once per batch of rows, never per painted row);
    ``agents``: the agents' ids when the caller holds them (``agent_ids``), else read here."""
    if not ticket_ids:
        return {}
    inline = ",".join(str(int(a)) for a in (agents if agents is not None else agent_ids(reader))) or "NULL"
    rows = reader._all(_WAITING_BY_IDS_SQL.replace(":agents", inline),   # ints: safe inline
                       {"ids": "[" + ",".join(str(int(i)) for i in ticket_ids) + "]"})
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
    agent_ids = ",".join(str(int(r[0])) for r in reader._all(_AGENTS)) or "NULL"  # ints: safe inline
    sql = _TICKETS_SQL.replace(":agents", agent_ids)
    params = {"since_median": _iso(windows.median_start - _MARGIN_S), "since_chart": _iso(windows.chart_start - _MARGIN_S)}
    for tid, group, assignee, status, priority, created, updated, reply, waiting in reader._all(sql, params):
        if status in UNSOLVED:
            facts.active.append(ActiveTicket(tid, group, assignee, status, priority, created, reply, waiting))
        elif updated is not None:
            facts.solved.append((assignee, updated))
        if reply is not None:
            facts.first_replies.append((group, created, reply))
        if created is not None and created >= windows.chart_start:
            facts.created.append(created)
    since_today = _iso(windows.today_start - _MARGIN_S)
    facts.replies = [(r[0], r[1]) for r in reader._all(
        "SELECT c.author_id, unixepoch(c.created_at) FROM tickets AS t CROSS JOIN comments AS c ON c.ticket_id = t.id "
        "WHERE t.deleted = 0 AND t.updated_at >= :since AND c.created_at >= :since AND c.public = 1 "
        f"AND c.author_id IN ({agent_ids})", {"since": since_today}) if r[1] is not None]
    facts.ratings = [(r[0], r[1]) for r in reader._all(
        "SELECT group_id, json_extract(raw, '$.satisfaction_rating.score') AS score FROM tickets "
        "WHERE deleted = 0 AND status IN ('solved', 'closed') AND updated_at >= :since AND score IN ('good', 'bad')",
        {"since": params["since_chart"]})]
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
