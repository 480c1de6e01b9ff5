"""Keep the external-content FTS5 tables in step with their content tables.

The writer reads the indexed values of the rows it is about to change (``indexed``), writes
the rows, then calls ``reindex`` with the values now stored: a row whose indexed text
changed is removed from the index with its old text and added with its new text, in the
same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

FTS_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "tickets": ("ticket_fts", ("subject",)),
    "comments": ("comment_fts", ("body",)),
    "users": ("user_fts", ("name", "email", "username")),
    "macros": ("macro_fts", ("title", "body_text")),
}

Indexed = dict[int, tuple]


def indexed(conn: sqlite3.Connection, table: str, ids: Iterable[int] | None = None, *,
            where: str | None = None, params: tuple = ()) -> Indexed:
    """Indexed values of rows by id, or of the rows matching ``where``."""
    _, columns = FTS_TABLES[table]
    select = f"SELECT id, {', '.join(columns)} FROM {table}"
    if where is not None:
        return {r[0]: tuple(r[1:]) for r in conn.execute(f"{select} WHERE {where}", params)}
    out: Indexed = {}
    id_list = list(ids or ())
    for start in range(0, len(id_list), 900):
        chunk = id_list[start:start + 900]
        for r in conn.execute(f"{select} WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[r[0]] = tuple(r[1:])
    return out


def reindex(conn: sqlite3.Connection, table: str, old: Indexed, new: Indexed) -> None:
    """Index ``new`` (id -> values as stored now), replacing ``old`` where it differs."""
    stale = {i: v for i, v in old.items() if i in new and new[i] != v}
    fresh = [(i, *v) for i, v in new.items() if old.get(i) != v]
    unindex(conn, table, stale)
    if fresh:
        fts, columns = FTS_TABLES[table]
        marks = ", ".join("?" * (len(columns) + 1))
        conn.executemany(f"INSERT INTO {fts} (rowid, {', '.join(columns)}) VALUES ({marks})", fresh)


def unindex(conn: sqlite3.Connection, table: str, old: Indexed) -> None:
    """Remove rows from the index; ``old`` must hold exactly the values that were indexed."""
    if not old:
        return
    fts, columns = FTS_TABLES[table]
    marks = ", ".join("?" * (len(columns) + 2))
    conn.executemany(f"INSERT INTO {fts} ({fts}, rowid, {', '.join(columns)}) VALUES ({marks})",
                     [("delete", i, *v) for i, v in old.items()])


def clear(conn: sqlite3.Connection, table: str) -> None:
    fts, _ = FTS_TABLES[table]
    conn.execute(f"INSERT INTO {fts} ({fts}) VALUES ('delete-all')")


def rebuild(conn: sqlite3.Connection, table: str) -> None:
    """Index every row of ``table`` afresh (after a bulk load that skipped the index)."""
    fts, _ = FTS_TABLES[table]
    conn.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")
