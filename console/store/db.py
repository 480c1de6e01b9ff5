"""A thin SQLite wrapper for the cache: connection setup, migrations, transactions.

``connect(path)`` opens a connection in WAL mode with autocommit off-by-hand
(``isolation_level=None``: nothing is in a transaction unless ``transaction()`` starts
one) and brings the schema up to date. ``transaction(conn, durable=...)`` is a context
manager: BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on any exception.

Durability: in WAL mode a commit reaches the OS before ``COMMIT`` returns, so it
survives the process being killed (kill -9) with any ``synchronous`` setting; fsync
(``synchronous=FULL``) is what it takes to also survive a power cut. Local work the
agent typed (drafts, outbox, conflicts) is written with ``durable=True`` (FULL); sync
pages use NORMAL because they can always be fetched again and their cursor is lost
together with their rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .records import StoreError
from .schema import MIGRATIONS

Migration = Callable[[sqlite3.Connection], None]

BUSY_TIMEOUT_S = 10.0
# SQLite's page cache per connection, in KiB. The writer's is big (a sync writes many pages of
# the same indexes); a reader's is small: the OS keeps the file's pages cached anyway, and a
# window holds several readers (its own, the read lane's, the db lane's), which filled 32 MB
# each with the pages of the count and queue queries (resident memory, not speed). 2 MB rather
# than 4: bench_gui at 100k, 3 runs each, resident memory with a ticket open 151.1 -> 147.0 MB;
# open p95 30-33 -> 32-36 ms, search p95 and queue switch unchanged within the noise (1 MB: 144.7 MB,
# open p95 33-36 ms).
WRITER_CACHE_KIB = 32_000
READER_CACHE_KIB = 2_000


def connect(path: str | Path, *, readonly: bool = False,
            migrations: Sequence[Migration] = MIGRATIONS) -> sqlite3.Connection:
    """Open the cache at ``path`` (created if missing) and run pending ``migrations`` (the schema's)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"Cannot open the local cache {path}: {exc}") from exc
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB if readonly else WRITER_CACHE_KIB}")
        migrate(conn, migrations)
        if readonly:
            conn.execute("PRAGMA query_only = ON")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"The local cache {path} is not a usable database: {exc}") from exc
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def pending_migrations(path: str | Path, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """How many migrations opening the cache at ``path`` will run (0 for a new cache: making one is
    quick); read without writing, so the app can say so before a long upgrade starts."""
    path = Path(path)
    if not path.is_file():
        return 0
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            version = schema_version(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return 0   # not readable as a cache: opening it says why
    return max(0, len(migrations) - version) if version else 0


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Run the migrations the database has not seen yet, each in its own transaction.

    ``migrations[n - 1]`` brings version n-1 to n, so ``len(migrations)`` is the version it knows
    (``SCHEMA_VERSION`` for the schema's own list)."""
    known = len(migrations)
    version = schema_version(conn)
    if version > known:
        raise StoreError(
            f"The local cache was written by a newer Support Console (schema {version}, "
            f"this version knows {known}); update the app or use another --cache file.")
    for number in range(version + 1, known + 1):
        with transaction(conn, durable=True):
            migrations[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
    if version and any(getattr(m, "vacuum_after", False) for m in MIGRATIONS[version:]):
        try:  # give the space back to the disk; a cache that stays big still works
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass
    return schema_version(conn)


@contextmanager
def transaction(conn: sqlite3.Connection, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK if the block raises. Not re-entrant."""
    if durable:
        conn.execute("PRAGMA synchronous = FULL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
    finally:
        if durable:
            conn.execute("PRAGMA synchronous = NORMAL")
