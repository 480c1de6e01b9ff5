"""A cache written by an older version is upgraded at start on a worker thread: the event loop keeps
running, and an upgrade that takes a while (a 1M-ticket cache: ~20 s) is announced in a small window
that goes away once it is done. A current or new cache opens at once, with no notice."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from console import app as app_module
from console.store import CacheReader, CacheWriter, schema
from console.store.db import pending_migrations


def _older_cache(path) -> None:
    """A cache of the previous schema: migration 13 undone, its groups kept."""
    with CacheWriter(path) as writer:
        writer.replace_groups([{"id": 1, "name": "Billing"}])
    with sqlite3.connect(path) as conn:
        for sql in schema.DASHBOARD_RANGE_INDEXES:
            conn.execute(f"DROP INDEX {sql.split()[2]}")
        conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION - 1}")


def _notices() -> list[QProgressDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def _open_watching(qapp, path) -> tuple[CacheWriter, list[tuple[float, int]], int]:
    """``app.open_cache(path)`` in a qasync loop; every 50 ms, how many notices were visible; the ticks."""
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    seen: list[tuple[float, int]] = []
    started = time.monotonic()
    ticker = QTimer(interval=50)
    ticker.timeout.connect(lambda: seen.append((time.monotonic() - started, len(_notices()))))
    ticker.start()
    try:
        writer = loop.run_until_complete(app_module.open_cache(path))
        loop.run_until_complete(asyncio.sleep(0.6))   # past the notice's delay: it must not show now
    finally:
        ticker.stop()
        loop.close()
        asyncio.set_event_loop(None)
    return writer, seen, len(seen)


def test_pending_migrations(tmp_path):
    assert pending_migrations(tmp_path / "new.sqlite") == 0          # making a new cache is quick
    (tmp_path / "junk.sqlite").write_bytes(b"not a database" * 100)
    assert pending_migrations(tmp_path / "junk.sqlite") == 0         # opening it says what is wrong
    _older_cache(tmp_path / "old.sqlite")
    assert pending_migrations(tmp_path / "old.sqlite") == 1
    CacheWriter(tmp_path / "old.sqlite").close()
    assert pending_migrations(tmp_path / "old.sqlite") == 0


def test_a_long_upgrade_is_announced_and_the_loop_keeps_running(qapp, tmp_path):
    path = tmp_path / "old.sqlite"
    _older_cache(path)
    last = schema.MIGRATIONS[-1]

    def slow(conn) -> None:   # as a big cache's index builds take their time
        time.sleep(1.2)
        last(conn)

    schema.MIGRATIONS[-1] = slow   # (the list connect() runs by default)
    try:
        writer, seen, ticks = _open_watching(qapp, path)
    finally:
        schema.MIGRATIONS[-1] = last
    writer.close()
    upgrading = [n for at, n in seen if at < 1.2]
    assert ticks >= 20, "the event loop stood still while the cache was upgraded"
    assert not any(n for at, n in seen if at < app_module.UPGRADE_NOTICE_MS / 1000 - 0.1)   # not at once...
    assert any(upgrading), "a long upgrade was never announced"                            # ...but soon
    assert seen[-1][1] == 0 and not _notices(), "the notice stayed after the upgrade"
    with CacheReader(path) as reader:
        assert reader._count("PRAGMA user_version") == schema.SCHEMA_VERSION
        assert [g["name"] for g in reader.groups()] == ["Billing"]   # nothing lost on the way
        assert reader._count("SELECT count(*) FROM sqlite_schema WHERE name = 'ix_tickets_unsolved_sla'") == 1


@pytest.mark.parametrize("older", [False, True])
def test_a_quick_open_shows_no_notice(qapp, tmp_path, older):
    path = tmp_path / "cache.sqlite"
    if older:
        _older_cache(path)   # a small cache: its upgrade takes milliseconds
    writer, seen, _ticks = _open_watching(qapp, path)
    writer.close()
    assert seen and not any(n for _at, n in seen)
