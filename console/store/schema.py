"""Numbered schema migrations of the local cache.

``MIGRATIONS[n - 1]`` brings a database from version n-1 to n; the version lives in
``PRAGMA user_version``. Add a new function at the end, never edit one that has shipped; one
that frees much space sets ``vacuum_after = True`` and ``migrate`` vacuums once it has run.

Conventions: ids are the helpdesk's 64-bit ids; ``raw`` columns hold the API object as
JSON (tickets and users: only what their columns do not hold, see migration 4); ``tags`` hold the ticket's tags as `` a b c `` (spaces around every tag) so a tag
test is ``instr(tags, ' vip ')``; local times (``changed_at``, ``created_at`` of local
rows) are epoch seconds from this machine's clock and are never sent to the helpdesk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

_INITIAL_SCHEMA = """
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    status_rank INTEGER NOT NULL,             -- new 0 .. closed 5, deleted 9
    priority TEXT,
    priority_rank INTEGER NOT NULL DEFAULT 0, -- none 0, low 1 .. urgent 4
    type TEXT,
    requester_id INTEGER,
    submitter_id INTEGER,
    assignee_id INTEGER,
    group_id INTEGER,
    organization_id INTEGER,
    external_id TEXT,
    tags TEXT NOT NULL DEFAULT ' ',
    created_at TEXT,
    updated_at TEXT,                          -- verbatim: the updated_stamp for safe updates
    generated_ts INTEGER NOT NULL,            -- row version
    deleted INTEGER NOT NULL DEFAULT 0,       -- tombstone
    changed_at REAL NOT NULL,                 -- local time this row last changed
    seen INTEGER NOT NULL DEFAULT 0,
    raw TEXT NOT NULL
);
-- queue indexes cover every sort key but subject, so a queue never reads the table itself
CREATE INDEX ix_tickets_group ON tickets (group_id, status, updated_at, created_at, priority_rank, status_rank, deleted)
    WHERE deleted = 0;
CREATE INDEX ix_tickets_assignee ON tickets (assignee_id, status, updated_at, created_at, priority_rank, status_rank, deleted)
    WHERE deleted = 0;
CREATE INDEX ix_tickets_status ON tickets (status, group_id, updated_at, created_at, priority_rank, status_rank, deleted)
    WHERE deleted = 0;
CREATE INDEX ix_tickets_requester ON tickets (requester_id, created_at);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL,
    author_id INTEGER,
    public INTEGER NOT NULL DEFAULT 1,
    body TEXT NOT NULL DEFAULT '',
    html_body TEXT,
    created_at TEXT,
    attachments TEXT NOT NULL DEFAULT '[]',
    audit_id INTEGER,
    via TEXT
);
CREATE INDEX ix_comments_ticket ON comments (ticket_id, created_at);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    comment_id INTEGER,
    ticket_id INTEGER,
    file_name TEXT,
    content_type TEXT,
    size INTEGER,
    content_url TEXT,
    inline INTEGER NOT NULL DEFAULT 0,
    local_path TEXT                           -- set once downloaded
);
CREATE INDEX ix_attachments_comment ON attachments (comment_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    email TEXT COLLATE NOCASE,
    username TEXT,                            -- user_fields.username, searchable
    role TEXT NOT NULL DEFAULT 'end-user',
    active INTEGER NOT NULL DEFAULT 1,
    organization_id INTEGER,
    user_fields TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT,
    changed_at REAL NOT NULL,
    raw TEXT NOT NULL
);
CREATE INDEX ix_users_role ON users (role, name);
CREATE INDEX ix_users_email ON users (email);

CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    raw TEXT NOT NULL
);

CREATE TABLE group_memberships (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_memberships_group ON group_memberships (group_id, user_id);
CREATE INDEX ix_memberships_user ON group_memberships (user_id, group_id);

CREATE TABLE macros (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body_text TEXT NOT NULL DEFAULT '',       -- the reply text, tags stripped, for search
    active INTEGER NOT NULL DEFAULT 1,
    position INTEGER,
    restriction_type TEXT,                    -- NULL (everyone) | Group | User
    restriction_ids TEXT NOT NULL DEFAULT '[]',
    raw TEXT NOT NULL
);

CREATE TABLE views (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    position INTEGER,
    conditions TEXT NOT NULL DEFAULT '{}',
    execution TEXT NOT NULL DEFAULT '{}',
    raw TEXT NOT NULL
);

CREATE TABLE user_fields (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    type TEXT,
    title TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    position INTEGER,
    options TEXT NOT NULL DEFAULT '[]',
    raw TEXT NOT NULL
);

CREATE TABLE drafts (
    ticket_id INTEGER NOT NULL,               -- 0 for a new ticket
    kind TEXT NOT NULL,                       -- reply | note | new_ticket
    body TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (ticket_id, kind)
);

CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,                  -- send order
    op_id TEXT NOT NULL UNIQUE,               -- client UUID, the Idempotency-Key
    ticket_id INTEGER,                        -- NULL for a new ticket
    kind TEXT NOT NULL,                       -- reply | note | fields | new_ticket
    payload TEXT NOT NULL,
    updated_stamp TEXT,
    state TEXT NOT NULL DEFAULT 'queued',     -- queued | sending | sent | failed | conflict
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at REAL NOT NULL,
    sent_at REAL,
    retry_at REAL,
    result TEXT                               -- the server's ids (ticket, audit, comment)
);
CREATE INDEX ix_outbox_state ON outbox (state, seq);
CREATE INDEX ix_outbox_ticket ON outbox (ticket_id, seq);

CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY,
    op_id TEXT NOT NULL,
    ticket_id INTEGER,
    theirs TEXT NOT NULL,
    yours TEXT NOT NULL,
    created_at REAL NOT NULL,
    resolved INTEGER NOT NULL DEFAULT 0,
    resolution TEXT                           -- resend | discard
);
CREATE INDEX ix_conflicts_open ON conflicts (resolved, created_at);

CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT
);
"""

# No prefix indexes: only the word being typed is a prefix query, and term-range scans
# stay in single milliseconds at 500k comments while writes get about twice as cheap.
_TOKENIZER = "tokenize = 'unicode61 remove_diacritics 2'"

# External-content FTS5 tables. The writer keeps them in step with their tables inside the
# same transaction (fts.py); triggers would be simpler but make every row insert flush the
# FTS buffer (a statement savepoint per row), several times slower on 1000-row pages.
_FTS_SCHEMA = f"""
CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, content='tickets', content_rowid='id', {_TOKENIZER});
CREATE VIRTUAL TABLE comment_fts USING fts5(body, content='comments', content_rowid='id', {_TOKENIZER});
CREATE VIRTUAL TABLE user_fts USING fts5(name, email, username, content='users', content_rowid='id', {_TOKENIZER});
CREATE VIRTUAL TABLE macro_fts USING fts5(title, body_text, content='macros', content_rowid='id', {_TOKENIZER});
"""


def _migration_1_initial(conn: sqlite3.Connection) -> None:
    """The initial schema: cache tables, indexes and the search index."""
    for script in (_INITIAL_SCHEMA, _FTS_SCHEMA):
        for statement in _split(script):
            conn.execute(statement)


def _split(script: str) -> list[str]:
    """Split a script into statements (executescript would commit on its own)."""
    return [s.strip() + ";" for s in script.split(";") if s.strip()]


def _migration_2_covering_comment_index(conn: sqlite3.Connection) -> None:
    """The dashboard reads each comment's author and visibility per ticket: cover them in the
    thread index so the 100k-ticket aggregation never touches the comment rows (bodies)."""
    conn.execute("DROP INDEX IF EXISTS ix_comments_ticket")
    conn.execute("CREATE INDEX ix_comments_ticket_cover ON comments (ticket_id, created_at, id, public, author_id)")


# ``console.domain.statuses.UNSOLVED`` spelled out: migration 3's partial indexes were made with this text,
# so it stays literal (tests/store/test_schema.py checks that the two still say the same).
UNSOLVED_SQL = "status IN ('new', 'open', 'pending', 'hold')"


def _migration_3_unsolved_queue_indexes(conn: sqlite3.Connection) -> None:
    """Department / assignee queues of unsolved tickets by last update (the default list) are read
    straight off these partial indexes in order: no sort step for a 12k-ticket queue. Queries must
    spell the status test as ``UNSOLVED_SQL`` (literal values) for SQLite to pick them."""
    for column in ("group_id", "assignee_id"):
        name = "group" if column == "group_id" else "assignee"
        conn.execute(f"CREATE INDEX ix_tickets_unsolved_{name} ON tickets ({column}, updated_at, id, status, deleted) "
                     f"WHERE deleted = 0 AND {UNSOLVED_SQL}")


def _migration_4_each_value_once(conn: sqlite3.Connection) -> None:
    """The cache held most values twice (705 MB at 100k tickets, more than the helpdesk's own
    database): ``tickets.raw``/``users.raw`` repeated every column (and ``fields`` repeated
    ``custom_fields``, ``users.raw`` the ``user_fields``), and ``comments.html_body`` was, for
    every plain-text comment, just the body rendered the way Zendesk renders it. ``raw`` now
    keeps only what the columns do not, and such an ``html_body`` is kept as the rule
    (``rows.DERIVED_HTML``); readers put both back (``rows.ticket_from_row``, ``user_from_row``,
    ``html_body_of``). A full ``raw`` stays readable, so this only saves space. Vacuums after."""
    from . import rows

    for table, source, slim in (("tickets", rows.TICKET_SOURCE, rows.slim_ticket_raw),
                                ("users", rows.USER_SOURCE, rows.slim_user_raw)):
        cursor = conn.execute(f"SELECT {', '.join(source)} FROM {table}")
        while batch := cursor.fetchmany(2000):
            conn.executemany(f"UPDATE {table} SET raw = ? WHERE id = ?", [(slim(r), r[0]) for r in batch])
    conn.create_function("stored_html", 2, rows.stored_html, deterministic=True)
    conn.execute("UPDATE comments SET html_body = stored_html(body, html_body) WHERE html_body IS NOT NULL")


_migration_4_each_value_once.vacuum_after = True  # type: ignore[attr-defined]

def _migration_5_quarantine(conn: sqlite3.Connection) -> None:
    """Records from the helpdesk the cache could not read (no id, a timestamp that is not one, a
    value of the wrong type): kept aside and named, so one bad record never stops a sync.
    ``key`` is ``kind:id`` (or ``kind:?<hash>`` without a readable id); a later readable version of
    the same record removes its row."""
    conn.execute("CREATE TABLE quarantine (key TEXT PRIMARY KEY, kind TEXT NOT NULL, object_id INTEGER, "
                 "reason TEXT NOT NULL, raw TEXT NOT NULL, seen_at REAL NOT NULL)")


def _migration_6_outgoing_files(conn: sqlite3.Connection) -> None:
    """Files the agent attached to a reply, note or new ticket, copied into the cache folder when
    added (so a crash or going offline loses nothing). ``op_id`` is NULL while the file belongs to
    the draft (``ticket_id``, ``kind``; 0 for the new-ticket draft) and names the outbox entry
    once sent; ``upload_token`` is the helpdesk's ``POST /uploads`` token once uploaded, so an
    interrupted delivery reuses it instead of uploading again."""
    conn.execute("CREATE TABLE outgoing_files (id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, "
                 "kind TEXT NOT NULL, op_id TEXT, file_name TEXT NOT NULL, content_type TEXT NOT NULL, "
                 "size INTEGER NOT NULL, path TEXT NOT NULL, upload_token TEXT, created_at REAL NOT NULL)")
    conn.execute("CREATE INDEX ix_outgoing_files_draft ON outgoing_files (ticket_id, kind, op_id)")
    conn.execute("CREATE INDEX ix_outgoing_files_op ON outgoing_files (op_id)")


def _migration_7_custom_statuses(conn: sqlite3.Connection) -> None:
    """The account's custom ticket statuses (``GET custom_statuses``), replaced whole like groups.
    A ticket's ``custom_status_id`` stays in its ``raw``; the expression index serves views and
    queues that filter on it."""
    conn.execute("CREATE TABLE custom_statuses (id INTEGER PRIMARY KEY, status_category TEXT NOT NULL, "
                 "agent_label TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, "
                 "is_default INTEGER NOT NULL DEFAULT 0, raw TEXT NOT NULL)")
    conn.execute("CREATE INDEX ix_tickets_custom_status ON tickets (json_extract(raw, '$.custom_status_id')) "
                 "WHERE deleted = 0")


def _migration_8_unsolved_queues_by_subject(conn: sqlite3.Connection) -> None:
    """The same queues sorted by subject (the list's header) read off covering indexes too:
    sorting a 12k-ticket department queue by subject took ~46 ms reading the table, ~3 ms so."""
    for column in ("group_id", "assignee_id"):
        name = "group" if column == "group_id" else "assignee"
        conn.execute(f"CREATE INDEX ix_tickets_unsolved_{name}_subject ON tickets "
                     f"({column}, subject COLLATE NOCASE, id, status, deleted) WHERE deleted = 0 AND {UNSOLVED_SQL}")


def _migration_9_brands_forms_and_comment_details(conn: sqlite3.Connection) -> None:
    """The account's brands and ticket forms (``GET brands``, ``GET ticket_forms``), replaced whole like
    groups (a ticket's ``brand_id``/``ticket_form_id`` stay in its ``raw``); and ``comments.raw``: what a
    comment carries beyond its columns, NULL when nothing: its original ``body`` where that says more
    than the plain text (an email's quoted trail) and its ``metadata`` (client, IP address, place)."""
    for table in ("brands", "ticket_forms"):
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                     "active INTEGER NOT NULL DEFAULT 1, is_default INTEGER NOT NULL DEFAULT 0, raw TEXT NOT NULL)")
    conn.execute("ALTER TABLE comments ADD COLUMN raw TEXT")


# Migration 10's dashboard key (its index is replaced by migration 12's): the ISO strings.
_DASHBOARD_KEY_V10 = ("(CASE WHEN status IN ('new', 'open', 'pending', 'hold') THEN '~' "
                      "ELSE max(coalesce(updated_at, ''), coalesce(created_at, '')) END)")


# A ticket's satisfaction score (in ``raw``); the dashboard reads only rated tickets (partial index).
RATING_SQL = "json_extract(raw, '$.satisfaction_rating.score')"


def _migration_10_dashboard_facts(conn: sqlite3.Connection) -> None:
    """The dashboard (100k tickets) read each ticket's first agent reply and waiting time through
    correlated walks of its thread, and each ticket row for a few columns. Now the writer keeps
    those per-ticket facts at write time (``ticket_reply_facts``, see ``reply_facts``; back-filled
    here until migration 12 moved the facts onto the ticket row and took the back-fill along); one
    covering partial index holds, in dashboard order, every ticket column it reads, and another only
    the rated tickets (the CSAT column read each solved ticket's ``raw``)."""
    conn.execute("CREATE TABLE ticket_reply_facts (ticket_id INTEGER PRIMARY KEY, first_reply_at INTEGER, "
                 "waiting_since INTEGER)")
    # (its back-fill, ``reply_facts.rebuild``, moved to migration 12 with the facts themselves)
    conn.execute(f"CREATE INDEX ix_tickets_dashboard ON tickets ({_DASHBOARD_KEY_V10}, updated_at, group_id, "
                 "assignee_id, status, priority, created_at, deleted) WHERE deleted = 0")
    conn.execute(f"CREATE INDEX ix_tickets_rated ON tickets (status, updated_at, group_id) "
                 f"WHERE deleted = 0 AND {RATING_SQL} IN ('good', 'bad')")


# The dashboard's tickets (store.dashboard): unsolved ones and those updated or created since the chart
# began are exactly the tickets whose key is >= that instant's epoch ('~', text, sorts after every
# number in SQLite). Spelled once here: the query must repeat this text for SQLite to use the index.
DASHBOARD_KEY_SQL = ("(CASE WHEN status IN ('new', 'open', 'pending', 'hold') THEN '~' "
                     "ELSE max(coalesce(updated_ts, 0), coalesce(created_ts, 0)) END)")
# Every ticket column the dashboard reads, after the key: its queries read this index only.
DASHBOARD_INDEX_SQL = (f"CREATE INDEX ix_tickets_dashboard_row ON tickets ({DASHBOARD_KEY_SQL}, updated_ts, "
                       "group_id, assignee_id, status, priority, created_ts, first_reply_at, waiting_since, deleted) "
                       "WHERE deleted = 0")


def _migration_11_ticket_fields(conn: sqlite3.Connection) -> None:
    """The account's ticket fields (``GET ticket_fields``), replaced whole like groups; the custom
    ones are offered in the new-ticket dialog."""
    conn.execute("CREATE TABLE ticket_fields (id INTEGER PRIMARY KEY, type TEXT NOT NULL, title TEXT NOT NULL, "
                 "active INTEGER NOT NULL DEFAULT 1, position INTEGER, raw TEXT NOT NULL)")


def _migration_12_dashboard_row(conn: sqlite3.Connection) -> None:
    """The dashboard (100k tickets) spent its time on rows, not on rules: 10k unsolved tickets each
    looked up in ``ticket_reply_facts`` (~11 ms) and read through an index of ISO strings. Now each
    ticket row carries its times as numbers, ``created_ts``/``updated_ts`` (``unixepoch`` of
    ``created_at``/``updated_at``, kept by the ticket upsert), and its reply facts ``first_reply_at``/
    ``waiting_since`` (kept by ``reply_facts``, same meaning as migration 10's table, which goes);
    one covering index holds all of it in dashboard order, so the dashboard reads one index walk."""
    from . import reply_facts

    for column in ("created_ts", "updated_ts", "first_reply_at", "waiting_since"):
        conn.execute(f"ALTER TABLE tickets ADD COLUMN {column} INTEGER")
    conn.execute("UPDATE tickets SET created_ts = unixepoch(created_at), updated_ts = unixepoch(updated_at)")
    reply_facts.rebuild(conn)   # from the threads, like migration 10 did (not copied: a fresh start)
    conn.execute("DROP TABLE ticket_reply_facts")
    conn.execute("DROP INDEX ix_tickets_dashboard")
    conn.execute(DASHBOARD_INDEX_SQL)


# The dashboard's unsolved tickets, counted by index ranges (store.dashboard) rather than read row by
# row: 10k rows read at 100k, 100k at 1M, cost more than the budget; a count over a range of an index
# costs a few tens of nanoseconds per ticket. The texts are spelled once here: the queries repeat them.
WAITING_SQL = "status IN ('new', 'open', 'hold')"            # console.domain.statuses.WAITING
# The first-reply clock: an unreplied ticket's creation time (compared with ``sla.first_reply_bounds``),
# a replied one's reply delay (compared with the target).
SLA_CLOCK_SQL = "(CASE WHEN first_reply_at IS NULL THEN created_ts ELSE first_reply_at - created_ts END)"
WAIT_KEY_SQL = "coalesce(waiting_since, created_ts)"
DASHBOARD_RANGE_INDEXES = (
    f"CREATE INDEX ix_tickets_unsolved_sla ON tickets (group_id, priority, first_reply_at IS NULL, "
    f"{SLA_CLOCK_SQL}, status, deleted, first_reply_at, created_ts) WHERE deleted = 0 AND {UNSOLVED_SQL}",
    f"CREATE INDEX ix_tickets_unsolved_created ON tickets (created_ts, status, deleted) WHERE deleted = 0 AND {UNSOLVED_SQL}",
    f"CREATE INDEX ix_tickets_unassigned ON tickets (group_id, assignee_id, status, deleted) "
    f"WHERE deleted = 0 AND {UNSOLVED_SQL} AND assignee_id IS NULL",
    f"CREATE INDEX ix_tickets_waiting ON tickets (group_id, {WAIT_KEY_SQL}, id, status, deleted, waiting_since, "
    f"created_ts) "
    f"WHERE deleted = 0 AND {WAITING_SQL}",
    # today's public comments, for each agent's replies today (rather than every ticket updated today)
    "CREATE INDEX ix_comments_public_time ON comments (created_at, author_id, ticket_id, public) WHERE public = 1",
)


def _migration_13_dashboard_counts(conn: sqlite3.Connection) -> None:
    """At 1M tickets the dashboard read 100k unsolved rows and did its arithmetic in Python (~700 ms);
    these four partial indexes (unsolved tickets only) let it count them by ranges instead: by SLA
    clock within department and priority, by creation time, the unassigned ones by department, and
    by waiting time within department. A fifth, of public comments by time, gives today's replies
    (seeking each ticket updated today in the comments index cost ~50 ms at 1M)."""
    for sql in DASHBOARD_RANGE_INDEXES:
        conn.execute(sql)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migration_1_initial,
    _migration_2_covering_comment_index,
    _migration_3_unsolved_queue_indexes,
    _migration_4_each_value_once,
    _migration_5_quarantine,
    _migration_6_outgoing_files,
    _migration_7_custom_statuses,
    _migration_8_unsolved_queues_by_subject,
    _migration_9_brands_forms_and_comment_details,
    _migration_10_dashboard_facts,
    _migration_11_ticket_fields,
    _migration_12_dashboard_row,
    _migration_13_dashboard_counts,
]

SCHEMA_VERSION = len(MIGRATIONS)
