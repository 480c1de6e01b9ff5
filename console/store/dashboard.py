"""Read the supervisor dashboard's facts from the cache (read-only; the arithmetic is in domain.dashboard).

``dashboard_snapshot(reader, policy, now=None, tz=None) -> DashboardSnapshot`` is what the
window and ``support-console report`` call; ``load_facts(reader, windows)`` is the SQL part.

Only the existing indexes are used: status counts come from the covering status index, and
the comment work is limited to the tickets that can matter (unsolved ones, plus those updated
since the 7-day median window began, since a reply updates its ticket). Per ticket, one
windowed pass over its comments (by ``ix_comments_ticket``) yields the first public agent
reply and the time the customer has been waiting since, with the rules of ``domain.sla``.
Comment and ticket times are compared as the API's ISO strings ("...Z"), which sort as time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, tzinfo

from console.domain.dashboard import (
    SOLVED,
    UNSOLVED,
    WAITING_STATUSES,
    ActiveTicket,
    DashboardFacts,
    DashboardSnapshot,
    Windows,
    build_snapshot,
    local_zone,
)
from console.domain.sla import SlaPolicy

from .reader import CacheReader

_MARGIN_S = 86_400  # ISO-string prefilters reach a day further back; exact filtering is by epoch
_AGENTS = "SELECT id FROM users WHERE role IN ('agent', 'admin')"
_UNSOLVED_SQL = ", ".join(f"'{s}'" for s in UNSOLVED)
_WAITING_SQL = ", ".join(f"'{s}'" for s in WAITING_STATUSES)
_SOLVED_SQL = ", ".join(f"'{s}'" for s in SOLVED)

# Tickets that matter for SLA / waiting / first replies, with one pass over their comments.
# agents_after = public agent comments later in the thread, so the last agent reply is the
# agent row with agents_after = 0 and the customer rows after it are the others with 0.
_ACTIVE_SQL = f"""
WITH cand AS (
    SELECT id, created_at FROM tickets
    WHERE deleted = 0 AND (status IN ({_UNSOLVED_SQL}) OR updated_at >= :since)
),
thread AS (
    SELECT c.ticket_id, c.created_at, c.public, cand.created_at AS t_created,
           c.public AND c.author_id IN ({_AGENTS}) AS agent_reply,
           row_number() OVER w AS n,
           coalesce(sum(c.public AND c.author_id IN ({_AGENTS})) OVER (w ROWS BETWEEN 1 FOLLOWING
               AND UNBOUNDED FOLLOWING), 0) AS agents_after
    FROM cand JOIN comments AS c ON c.ticket_id = cand.id
    WHERE c.created_at IS NOT NULL
    WINDOW w AS (PARTITION BY c.ticket_id ORDER BY c.created_at, c.id)
),
facts AS (
    SELECT ticket_id,
           min(CASE WHEN n > 1 AND agent_reply AND (t_created IS NULL OR created_at >= t_created)
               THEN created_at END) AS first_reply,
           max(CASE WHEN agent_reply AND agents_after = 0 THEN created_at END) AS last_agent,
           min(CASE WHEN public AND NOT agent_reply AND agents_after = 0 THEN created_at END) AS after_agent,
           min(CASE WHEN public THEN created_at END) AS first_public
    FROM thread GROUP BY ticket_id
)
SELECT t.id, t.group_id, t.assignee_id, t.status, t.priority, unixepoch(t.created_at),
       unixepoch(f.first_reply),
       CASE WHEN t.status IN ({_WAITING_SQL}) THEN
           unixepoch(CASE WHEN f.last_agent IS NULL THEN coalesce(t.created_at, f.first_public)
                          ELSE coalesce(f.after_agent, f.last_agent) END) END
FROM cand JOIN tickets AS t ON t.id = cand.id LEFT JOIN facts AS f ON f.ticket_id = t.id
"""


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
    since_median = _iso(windows.median_start - _MARGIN_S)
    for row in reader._all(_ACTIVE_SQL, {"since": since_median}):
        if row[3] in UNSOLVED:
            facts.active.append(ActiveTicket(*row))
        if row[6] is not None:
            facts.first_replies.append((row[1], row[5], row[6]))
    since_chart = _iso(windows.chart_start - _MARGIN_S)
    facts.created = [r[0] for r in reader._all(
        "SELECT unixepoch(created_at) FROM tickets WHERE deleted = 0 AND created_at >= ?", (since_chart,))
        if r[0] is not None]
    facts.solved = [(r[0], r[1]) for r in reader._all(
        f"SELECT assignee_id, unixepoch(updated_at) FROM tickets WHERE deleted = 0 AND status IN ({_SOLVED_SQL}) "
        "AND updated_at >= ?", (since_chart,)) if r[1] is not None]
    since_today = _iso(windows.today_start - _MARGIN_S)
    facts.replies = [(r[0], r[1]) for r in reader._all(
        f"SELECT c.author_id, unixepoch(c.created_at) FROM tickets AS t JOIN comments AS c ON c.ticket_id = t.id "
        f"WHERE t.deleted = 0 AND t.updated_at >= :since AND c.created_at >= :since AND c.public = 1 "
        f"AND c.author_id IN ({_AGENTS})", {"since": since_today}) if r[1] is not None]
    states = reader.sync_states()
    try:
        facts.last_sync = float(states["last_success"]) if states.get("last_success") else None
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
