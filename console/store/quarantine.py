"""Records from the helpdesk that the cache could not read, kept aside and named (DESIGN.md
invariant 7: one unreadable record never stops the sync).

The writer converts each API object with its ``rows.*_row`` function; an object that raises
``BadPayloadError`` is put here (``kind``, its id if it has one, why, and the object itself) and
the rest of the page is stored as usual, bookmark included. A readable version of the same
record arriving later takes it out again. ``CacheReader.quarantined()`` lists them for the GUI.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from typing import Any

from .records import BadPayloadError, Change, Kind, QuarantinedRecord
from .rows import dumps

RAW_LIMIT = 20_000  # characters of the object kept for a look


def split(items: Iterable[Any], to_row: Callable[[Any], tuple]) -> tuple[list[tuple], list[tuple[Any, str]]]:
    """(rows of the readable items, (item, reason) of the others)."""
    good, bad = [], []
    for item in items:
        try:
            good.append(to_row(item))
        except BadPayloadError as exc:
            bad.append((item, str(exc)))
    return good, bad


def _object_id(item: Any) -> int | None:
    value = item.get("id") if isinstance(item, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def record(conn: Any, kind: str, bad: list[tuple[Any, str]]) -> Change:
    if not bad:
        return Change()
    now = time.time()
    rows = []
    for item, reason in bad:
        raw = dumps(item)[:RAW_LIMIT]
        object_id = _object_id(item)
        key = f"{kind}:{object_id}" if object_id is not None else f"{kind}:?{hashlib.sha1(raw.encode()).hexdigest()[:16]}"
        rows.append((key, kind, object_id, reason, raw, now))
    conn.executemany("INSERT INTO quarantine (key, kind, object_id, reason, raw, seen_at) VALUES (?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT(key) DO UPDATE SET reason = excluded.reason, raw = excluded.raw, "
                     "seen_at = excluded.seen_at", rows)
    return Change(Kind.QUARANTINE)


def release(conn: Any, kind: str, ids: Iterable[int]) -> Change:
    """These records were readable this time: take them out of the quarantine."""
    if conn.execute("SELECT 1 FROM quarantine LIMIT 1").fetchone() is None:
        return Change()
    keys = [f"{kind}:{i}" for i in ids]
    gone = 0
    for start in range(0, len(keys), 900):
        chunk = keys[start:start + 900]
        gone += conn.execute(f"DELETE FROM quarantine WHERE key IN ({','.join('?' * len(chunk))})", chunk).rowcount
    return Change(Kind.QUARANTINE) if gone else Change()


def listed(conn: Any, kind: str | None = None) -> list[QuarantinedRecord]:
    sql = "SELECT kind, object_id, reason, seen_at FROM quarantine"
    params: tuple = ()
    if kind is not None:
        sql += " WHERE kind = ?"
        params = (kind,)
    return [QuarantinedRecord(*r) for r in conn.execute(sql + " ORDER BY kind, object_id", params)]


def summary(records: list[QuarantinedRecord], shown: int = 10) -> str:
    """'2 tickets could not be read (#5, #9)' — for the log, the status bar and the CLI."""
    by_kind: dict[str, list[QuarantinedRecord]] = {}
    for r in records:
        by_kind.setdefault(r.kind, []).append(r)
    parts = []
    for kind, items in sorted(by_kind.items()):
        ids = [f"#{r.object_id}" for r in items if r.object_id is not None][:shown]
        more = len(items) - len(ids)
        named = ", ".join(ids) + ((" and " if ids else "") + f"{more} more" if more else "")
        noun = kind if len(items) == 1 else f"{kind}s"
        parts.append(f"{len(items)} {noun} could not be read ({named})")
    return "; ".join(parts)
