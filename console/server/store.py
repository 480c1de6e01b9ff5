"""The server's data access: a SQLite connection per thread and one serialized writer."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from console.server import db
from console.store.db import transaction


class Store:
    """Owns the database file; readers share WAL snapshots, writers take the lock in turn."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self.conn()  # opens (and migrates) the database once, up front

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (autocommit mode; see ``write`` for transactions)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = db.connect(self.path)
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction at a time: the lock, then the cache's ``transaction`` (BEGIN IMMEDIATE,
        commit, or roll back on any exception)."""
        conn = self.conn()
        with self._write_lock, transaction(conn):
            yield conn

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:
                    pass  # created in another thread; the process is ending anyway
            self._all.clear()
