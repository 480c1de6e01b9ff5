"""Per-ticket reply facts, kept at write time on the ticket row (cache migrations 10 and 12).

For each ticket, from its cached thread, its ``created_at`` and who the agents are (users with role
agent or admin), as epoch seconds in two ``tickets`` columns:

- ``first_reply_at``: ``domain.sla.first_reply_at`` (the first public agent comment at or after
  creation that is not the opening comment; thread order is (created_at, id));
- ``waiting_since``: ``domain.sla.waiting_since`` as if the ticket were waiting (the first public
  comment after the last public agent comment, else that agent comment), NULL when that is simply
  the creation time (no public agent comment yet): readers take
  ``coalesce(waiting_since, created_ts)`` and apply the status rule themselves.

Both are NULL for a ticket without a thread; comments whose ticket is not cached yet have no row to
carry facts (the ticket's first write refreshes them). The writer calls ``refresh(conn, ticket_ids)``
in the transaction of every write that can change a fact: comments written or removed (their
tickets), a ticket first stored or whose ``created_at`` changed, and ``refresh_authors(conn,
user_ids)`` for users who became or stopped being agents (the tickets they commented on). Each is
one set-based statement over the touched tickets, walking ``ix_comments_ticket_cover`` only, and
rewrites only the rows whose facts moved. ``rebuild(conn)`` recomputes every ticket (the
migration's back-fill, and the end of an initial bulk load of comments, during which the writer
skips the page-by-page refreshes; tests compare it with the facts kept along the way).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from .rows import dumps

AGENT_ROLES = ("agent", "admin")
AGENTS_SQL = "SELECT id FROM users WHERE role IN ('agent', 'admin')"

# {ids}: a query of ticket ids (distinct). Comment times are compared as the API's ISO strings.
_FACTS_SQL = f"""
WITH x AS MATERIALIZED (
    SELECT ids.id, t.created_at,
        (SELECT c.id FROM comments AS c WHERE c.ticket_id = ids.id AND c.created_at IS NOT NULL
         ORDER BY c.created_at, c.id LIMIT 1) AS opening_id,
        (SELECT c.id FROM comments AS c WHERE c.ticket_id = ids.id AND c.created_at IS NOT NULL AND c.public = 1
         AND c.author_id IN ({AGENTS_SQL}) ORDER BY c.created_at DESC, c.id DESC LIMIT 1) AS last_agent_id
    FROM ({{ids}}) AS ids JOIN tickets AS t ON t.id = ids.id
), facts AS MATERIALIZED (
    SELECT x.id,
        unixepoch((SELECT c.created_at FROM comments AS c WHERE c.ticket_id = x.id AND c.public = 1
                   AND c.author_id IN ({AGENTS_SQL}) AND c.id <> x.opening_id
                   AND c.created_at >= coalesce(x.created_at, '') ORDER BY c.created_at, c.id LIMIT 1)) AS first_reply_at,
        unixepoch(CASE WHEN la.id IS NOT NULL THEN coalesce(
                (SELECT c.created_at FROM comments AS c WHERE c.ticket_id = x.id AND c.public = 1
                 AND c.created_at >= la.created_at AND (c.created_at > la.created_at OR c.id > la.id)
                 ORDER BY c.created_at, c.id LIMIT 1), la.created_at)
            WHEN x.created_at IS NULL THEN
                (SELECT min(c.created_at) FROM comments AS c WHERE c.ticket_id = x.id AND c.public = 1) END) AS waiting_since
    FROM x LEFT JOIN comments AS la ON la.id = x.last_agent_id
)
UPDATE tickets SET first_reply_at = f.first_reply_at, waiting_since = f.waiting_since
FROM facts AS f WHERE tickets.id = f.id
AND (tickets.first_reply_at IS NOT f.first_reply_at OR tickets.waiting_since IS NOT f.waiting_since)
"""
# the given tickets that have a thread (a page of new tickets mostly has none yet: nothing to walk)
_THREADS_OF = "SELECT value AS id FROM json_each(:ids) WHERE EXISTS (SELECT 1 FROM comments WHERE ticket_id = value)"
# ... and those without one (any more): no facts
_CLEAR_SQL = """
UPDATE tickets SET first_reply_at = NULL, waiting_since = NULL
WHERE id IN (SELECT value FROM json_each(:ids) WHERE NOT EXISTS (SELECT 1 FROM comments WHERE ticket_id = value))
AND (first_reply_at IS NOT NULL OR waiting_since IS NOT NULL)
"""


def refresh(conn: sqlite3.Connection, ticket_ids: Iterable[int]) -> None:
    """Recompute the facts of these tickets (inside the caller's transaction)."""
    ids = dumps(sorted({int(i) for i in ticket_ids}))
    if ids == "[]":
        return
    conn.execute(_CLEAR_SQL, {"ids": ids})
    conn.execute(_FACTS_SQL.format(ids=_THREADS_OF), {"ids": ids})


def refresh_authors(conn: sqlite3.Connection, user_ids: Iterable[int]) -> None:
    """These users became agents or stopped being agents: recompute the tickets they commented on
    (one pass over the comment index; a role change is rare, the first sight of an agent once each)."""
    users = dumps(sorted({int(u) for u in user_ids}))
    if users == "[]":
        return
    tickets = [r[0] for r in conn.execute(
        "SELECT DISTINCT ticket_id FROM comments INDEXED BY ix_comments_ticket_cover "
        "WHERE author_id IN (SELECT value FROM json_each(?))", (users,))]
    refresh(conn, tickets)


REBUILD_SPAN = 2_000  # ticket ids per statement: at 100k, a peak of ~60 MB instead of ~150 MB in one statement


def rebuild(conn: sqlite3.Connection) -> None:
    """Every ticket's facts from scratch, a span of ticket ids at a time."""
    conn.execute("UPDATE tickets SET first_reply_at = NULL, waiting_since = NULL "
                 "WHERE first_reply_at IS NOT NULL OR waiting_since IS NOT NULL")
    low, high = conn.execute("SELECT min(ticket_id), max(ticket_id) FROM comments").fetchone()
    for start in range(low or 0, (high or -1) + 1, REBUILD_SPAN):
        conn.execute(_FACTS_SQL.format(ids="SELECT DISTINCT ticket_id AS id FROM comments "
                                           "WHERE ticket_id >= :low AND ticket_id < :high"),
                     {"low": start, "high": start + REBUILD_SPAN})


def is_agent(role: object) -> bool:
    return role in AGENT_ROLES
