"""The embedded helpdesk's own SQLite database: schema, connection, clock.

This schema is the contract between the HTTP layer (``console/server/api/``), the demo
workspace seeder (``console/demo/``) and the query engines (views' conditions, search).

Conventions
- Ids are SQLite INTEGER PRIMARY KEYs (64-bit).
- Timestamps are stored twice where they are queried: an ISO string as the API shows it
  (``2025-10-03T11:40:51Z``) and an integer epoch (``*_ts``) for ordering and exports.
- ``tickets.generated_ts`` moves on every change (the export cursor's order key);
  ``tickets.updated_at`` moves only on changes that produce an audit (the ``updated_stamp``).
- JSON-valued columns hold compact JSON text (lists/dicts).
- A deleted ticket keeps its row with ``deleted = 1``: hidden from the API except in
  incremental exports, where it shows ``status: "deleted"``.
- Each comment is produced by one audit; ``audits.comment_id`` links them, and the audit's
  ``events`` column holds the non-comment events (Create/Change/…) only.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = 4   # 3: brands, ticket forms; 4: ticket_fields (created by SCHEMA's IF NOT EXISTS)

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT COLLATE NOCASE,
    role TEXT NOT NULL DEFAULT 'end-user',          -- end-user | agent | admin
    active INTEGER NOT NULL DEFAULT 1,
    verified INTEGER NOT NULL DEFAULT 1,
    suspended INTEGER NOT NULL DEFAULT 0,
    external_id TEXT,
    phone TEXT,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    locale TEXT NOT NULL DEFAULT 'en-US',
    signature TEXT,
    notes TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    user_fields TEXT NOT NULL DEFAULT '{}',
    default_group_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    generated_ts INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users(email) WHERE email IS NOT NULL;
CREATE INDEX IF NOT EXISTS users_external_id ON users(external_id);
CREATE INDEX IF NOT EXISTS users_generated ON users(generated_ts, id);
CREATE INDEX IF NOT EXISTS users_role ON users(role);

CREATE TABLE IF NOT EXISTS api_tokens (
    token TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS user_fields (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,                              -- text | dropdown | date | checkbox | integer
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0,
    custom_field_options TEXT NOT NULL DEFAULT '[]', -- [{id, name, value}]
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS ticket_fields (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,                              -- subject | description | status | tickettype | priority |
                                                     -- group | assignee (system) | text | textarea | tagger |
                                                     -- checkbox | integer | decimal | date (custom)
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    required INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0,
    custom_field_options TEXT NOT NULL DEFAULT '[]', -- tagger: [{id, name, value}]
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    is_default INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS group_memberships (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT,
    UNIQUE (user_id, group_id)
);

CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY,
    external_id TEXT,
    subject TEXT,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new',              -- new open pending hold solved closed
    priority TEXT,
    type TEXT,
    requester_id INTEGER NOT NULL,
    submitter_id INTEGER NOT NULL,
    assignee_id INTEGER,
    group_id INTEGER,
    organization_id INTEGER,
    tags TEXT NOT NULL DEFAULT '[]',
    custom_fields TEXT NOT NULL DEFAULT '[]',
    via TEXT NOT NULL DEFAULT '{"channel": "api", "source": {"from": {}, "to": {}, "rel": null}}',
    is_public INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL,
    generated_ts INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    custom_status_id INTEGER,                        -- kept in its status's category (triggers below)
    satisfaction_rating TEXT,                        -- JSON {score, comment} or NULL (not offered)
    brand_id INTEGER,                                -- brands.id (NULL: the account has none)
    ticket_form_id INTEGER                           -- ticket_forms.id
);
CREATE INDEX IF NOT EXISTS tickets_generated ON tickets(generated_ts, id);
CREATE INDEX IF NOT EXISTS tickets_group_status ON tickets(group_id, status);
CREATE INDEX IF NOT EXISTS tickets_assignee ON tickets(assignee_id, status);
CREATE INDEX IF NOT EXISTS tickets_requester ON tickets(requester_id);
CREATE INDEX IF NOT EXISTS tickets_external_id ON tickets(external_id);
CREATE INDEX IF NOT EXISTS tickets_updated ON tickets(updated_ts, id);

CREATE TABLE IF NOT EXISTS audits (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    via TEXT NOT NULL DEFAULT '{"channel": "api", "source": {"from": {}, "to": {}, "rel": null}}',
    metadata TEXT NOT NULL DEFAULT '{"system": {}, "custom": {}}',
    events TEXT NOT NULL DEFAULT '[]',               -- non-comment events: [{id, type, field_name, value, previous_value}]
    comment_id INTEGER                               -- the comment this audit added, if any
);
CREATE INDEX IF NOT EXISTS audits_ticket ON audits(ticket_id, id);
CREATE INDEX IF NOT EXISTS audits_created ON audits(created_ts, id);

CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL,
    audit_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    body TEXT NOT NULL,                              -- plain text (the API's plain_body)
    html_body TEXT NOT NULL,
    original_body TEXT,                              -- the API's body when it differs (an email's quoted trail)
    public INTEGER NOT NULL DEFAULT 1,
    via TEXT NOT NULL DEFAULT '{"channel": "api", "source": {"from": {}, "to": {}, "rel": null}}',
    created_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_ticket ON comments(ticket_id, id);

CREATE TABLE IF NOT EXISTS attachments (
    id INTEGER PRIMARY KEY,
    comment_id INTEGER,                              -- NULL until the upload is used in a comment
    upload_token TEXT,
    content_token TEXT NOT NULL UNIQUE,              -- the secret in content_url
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    inline INTEGER NOT NULL DEFAULT 0,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_ts INTEGER                               -- for unused uploads
);
CREATE INDEX IF NOT EXISTS attachments_comment ON attachments(comment_id);
CREATE INDEX IF NOT EXISTS attachments_upload ON attachments(upload_token);

CREATE TABLE IF NOT EXISTS macros (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0,
    restriction TEXT,                                -- JSON or NULL (everyone)
    actions TEXT NOT NULL DEFAULT '[]',              -- [{field, value}]
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS views (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0,
    restriction TEXT,
    conditions TEXT NOT NULL DEFAULT '{"all": [], "any": []}',
    execution TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    body_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response TEXT NOT NULL,                          -- the original JSON body
    created_ts INTEGER NOT NULL,
    PRIMARY KEY (key)
);

CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# Version 2: the account's custom ticket statuses (helpdesk-api.md: custom statuses). A ticket's
# ``custom_status_id`` names a status of its ``status`` category: a write that sets only the status
# gets the category's default (the trigger); a new ticket gets it from ``ticket_ops``, the demo
# workspace with each ticket (``console.demo.catalog.TicketFacts``).
CUSTOM_STATUSES = """
CREATE TABLE IF NOT EXISTS custom_statuses (
    id INTEGER PRIMARY KEY,
    status_category TEXT NOT NULL,                   -- new open pending hold solved
    agent_label TEXT NOT NULL,
    end_user_label TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS tickets_custom_status_update AFTER UPDATE OF status, custom_status_id ON tickets
WHEN NEW.status != 'closed' AND EXISTS (SELECT 1 FROM custom_statuses) AND (NEW.custom_status_id IS NULL
    OR NOT EXISTS (SELECT 1 FROM custom_statuses c WHERE c.id = NEW.custom_status_id
                   AND c.status_category = NEW.status))
BEGIN
    UPDATE tickets SET custom_status_id = (SELECT id FROM custom_statuses WHERE status_category = NEW.status
        AND is_default = 1 AND active = 1) WHERE id = NEW.id;
END;
"""
TICKET_COLUMNS_V2 = ("ALTER TABLE tickets ADD COLUMN custom_status_id INTEGER",
                     "ALTER TABLE tickets ADD COLUMN satisfaction_rating TEXT")

# Version 3: the account's brands and ticket forms (``GET brands``, ``GET ticket_forms``), each ticket's
# ``brand_id``/``ticket_form_id``, and a comment's original ``body`` where it differs from the plain text.
BRANDS_AND_FORMS = """
CREATE TABLE IF NOT EXISTS brands (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    subdomain TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ticket_forms (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    is_default INTEGER NOT NULL DEFAULT 0,
    end_user_visible INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""
COLUMNS_V3 = ("ALTER TABLE tickets ADD COLUMN brand_id INTEGER",
              "ALTER TABLE tickets ADD COLUMN ticket_form_id INTEGER",
              "ALTER TABLE comments ADD COLUMN original_body TEXT")


def now_ts() -> int:
    """The server's clock, epoch seconds (one place, so tests can reason about it)."""
    return int(time.time())


_DAY_PREFIXES: dict[int, str] = {}      # day number → "YYYY-MM-DDT"
_HOUR_MINUTES = [f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
_SECONDS = [f"{s:02d}Z" for s in range(60)]


def iso(ts: int | float) -> str:
    """Epoch seconds → the API's ISO form with a literal Z (``2025-10-01T08:30:00Z``).

    Pieced from a per-day prefix and two small tables: 7× faster than ``strftime``, which matters to a
    bulk seed (a million tickets stamp ~12M ticket, audit and comment rows)."""
    day, rest = divmod(int(ts), 86400)
    prefix = _DAY_PREFIXES.get(day)
    if prefix is None:
        if len(_DAY_PREFIXES) > 50_000:
            _DAY_PREFIXES.clear()
        prefix = _DAY_PREFIXES[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")
    minute, second = divmod(rest, 60)
    return prefix + _HOUR_MINUTES[minute] + _SECONDS[second]


def parse_iso(text: str) -> int:
    """The API's ISO form (``Z`` or an offset, date-only too) → epoch seconds."""
    text = text.strip()
    if len(text) == 10:
        text += "T00:00:00+00:00"
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp())


def connect(path: str | Path, *, check_same_thread: bool = False) -> sqlite3.Connection:
    """Open (and create or migrate) the server database. WAL; rows as sqlite3.Row."""
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=check_same_thread,
                           isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA foreign_keys=OFF")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version < SCHEMA_VERSION:
        conn.executescript(SCHEMA)
        if version == 1:
            for statement in TICKET_COLUMNS_V2:
                conn.execute(statement)
        if version in (1, 2):
            for statement in COLUMNS_V3:
                conn.execute(statement)
        conn.executescript(CUSTOM_STATUSES)
        conn.executescript(BRANDS_AND_FORMS)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return conn
