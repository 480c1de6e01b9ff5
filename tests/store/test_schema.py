"""Opening the cache: migrations, WAL, schema version, default location."""

from __future__ import annotations

import sqlite3

import pytest

from console.store import SCHEMA_VERSION, CacheReader, CacheWriter, StoreError, default_cache_path
from console.store import schema as schema_module
from console.store.db import connect


def test_open_creates_schema_at_current_version_in_wal(cache_path):
    CacheWriter(cache_path).close()
    raw = sqlite3.connect(cache_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"tickets", "comments", "users", "groups", "group_memberships", "macros", "views", "user_fields",
            "attachments", "drafts", "outbox", "conflicts", "sync_state", "ticket_fts", "comment_fts",
            "user_fts", "macro_fts"} <= tables


def test_reopen_keeps_data_and_runs_no_migration_twice(cache_path):
    with CacheWriter(cache_path) as w:
        w.set_sync_state("tickets_cursor", "abc")
    with CacheWriter(cache_path) as w, CacheReader(cache_path) as r:
        assert r.sync_state("tickets_cursor") == "abc"
        assert w.pending_count() == 0


def test_new_migration_runs_once_on_open(cache_path):
    CacheWriter(cache_path).close()
    calls = []

    current = len(schema_module.MIGRATIONS)

    def migration_2(conn):
        calls.append(1)
        conn.execute("ALTER TABLE tickets ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")

    migrations = [*schema_module.MIGRATIONS, migration_2]
    connect(cache_path, migrations=migrations).close()
    conn = connect(cache_path, migrations=migrations)
    assert calls == [1]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == current + 1
    assert "pinned" in {r[1] for r in conn.execute("PRAGMA table_info(tickets)")}


def test_failing_migration_leaves_previous_version(cache_path):
    CacheWriter(cache_path).close()

    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    current = len(schema_module.MIGRATIONS)
    with pytest.raises(RuntimeError):
        connect(cache_path, migrations=[*schema_module.MIGRATIONS, broken])
    raw = sqlite3.connect(cache_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == current
    assert not raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchall()


def test_cache_from_a_newer_app_is_refused_clearly(cache_path):
    CacheWriter(cache_path).close()
    raw = sqlite3.connect(cache_path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(StoreError, match="newer Support Console"):
        CacheWriter(cache_path)


def test_garbage_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "not-a-db.sqlite"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable database"):
        CacheWriter(bad)


def test_default_cache_path_is_per_account_and_hides_the_email():
    a = default_cache_path("https://acme.zendesk.com", "Jane@Example.org")
    b = default_cache_path("https://acme.zendesk.com/", "jane@example.org")
    c = default_cache_path("http://127.0.0.1:8765", "jane@example.org")
    assert a == b and a != c
    assert a.parent.parts[-2:] == ("support-console", "caches")
    assert a.name.startswith("acme.zendesk.com-") and a.suffix == ".sqlite"
    assert "jane" not in a.name.lower() and c.name.startswith("127.0.0.1_8765-")


def test_unsolved_index_text_says_what_the_domain_calls_unsolved():
    from console.domain.statuses import UNSOLVED
    from console.store.schema import UNSOLVED_SQL

    assert "status IN (" + ", ".join(f"'{s}'" for s in UNSOLVED) + ")" == UNSOLVED_SQL


def test_the_waiting_index_says_what_the_domain_calls_waiting():
    from console.domain.statuses import WAITING
    from console.store.schema import WAITING_SQL

    assert "status IN (" + ", ".join(f"'{s}'" for s in WAITING) + ")" == WAITING_SQL


def test_dashboard_index_key_says_what_the_domain_calls_unsolved():
    from console.domain.statuses import UNSOLVED
    from console.store.schema import DASHBOARD_KEY_SQL

    assert DASHBOARD_KEY_SQL.startswith("(CASE WHEN status IN (" + ", ".join(f"'{s}'" for s in UNSOLVED) + ") ")


def test_every_dashboard_query_walks_index_ranges(desk_cache, monkeypatch):
    """Every query a dashboard snapshot runs reads covering indexes only (ranges, not scans of tickets
    or threads); a ticket row is read only by its id, to check a reply's ticket is not deleted, and
    for its satisfaction score once the partial index of rated tickets found it."""
    from console.domain.dashboard import Windows
    from console.domain.sla import SlaPolicy
    from console.store import dashboard
    from tests.dashboard_desk import NEW_YORK, NOW

    with CacheReader(desk_cache) as reader:
        run: list[tuple[str, object]] = []
        for name in ("_all", "_one"):
            real = getattr(reader, name)
            monkeypatch.setattr(reader, name, lambda sql, params=(), real=real: run.append((sql, params)) or real(sql, params))
        dashboard.load_facts(reader, Windows.at(NOW, NEW_YORK), SlaPolicy())
        monkeypatch.undo()
        for sql, params in run:
            if "FROM tickets" not in sql and "FROM comments" not in sql:
                continue
            for step in (r[3] for r in reader._all("EXPLAIN QUERY PLAN " + sql, params)):
                if step.startswith(("SEARCH", "SCAN")) and " users " not in step and "CONSTANT ROW" not in step \
                        and not step.startswith("SCAN (subquery"):
                    assert step.startswith("SEARCH"), (step, sql)
                    assert "COVERING INDEX" in step or "INDEX ix_tickets_rated " in step \
                        or step == "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)", (step, sql)
