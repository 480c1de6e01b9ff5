"""The demo workspace: ``seed_workspace`` fills an empty server database; ``support-console seed``.

Everything is drawn from one seeded Random (names from seeded Faker pools), and every date is
relative to the anchor day (midnight UTC), so the same seed and day give an identical database.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from console.demo.catalog import (
    TicketFacts,
    write_brands_and_forms,
    write_custom_statuses,
    write_macros,
    write_ticket_fields,
    write_views,
)
from console.demo.data import load
from console.demo.people import CustomerFactory, NamePool, write_customers, write_staff
from console.demo.pipeline import GeneratorFailed, run_forked
from console.demo.scenarios import ScenarioWriter
from console.demo.threads import ThreadWriter
from console.demo.tickets import TicketGenerator
from console.server.db import connect

CONTENT_TABLES = ("users", "groups", "tickets", "comments", "macros", "views", "api_tokens")
# the indexes a bulk load drops and builds again at its end (sorting once beats a random insert per row).
# The audits' and comments' stay: their rows come in (ticket_id, id) order and, tickets being drawn in
# the order they were opened, nearly in created_ts order, so each insert lands in the few pages last
# written, while the child draws; built at the end they were three scans of 6M big rows at a million
# (29 s), kept they cost the writer ~40 s more of the ~190 s it waits on the child anyway.
BULK_INDEXES = ("tickets_generated", "tickets_group_status",
                "tickets_assignee", "tickets_requester", "tickets_external_id", "tickets_updated",
                "users_external_id", "users_generated", "users_role")
BULK_FROM = 20000       # tickets from which indexes are rebuilt after the load and progress is shown


class NotEmptyError(Exception):
    """The target database already holds a workspace."""


def today_anchor() -> int:
    """Today's midnight, UTC, as epoch seconds."""
    now = datetime.now(UTC)
    return int(datetime(now.year, now.month, now.day, tzinfo=UTC).timestamp())


def is_empty(conn: sqlite3.Connection) -> bool:
    return not any(conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in CONTENT_TABLES)


def seed_workspace(conn: sqlite3.Connection, *, tickets: int, seed: int, admin_token: str | None = None,
                   anchor_ts: int | None = None,
                   progress: Callable[[int, int], None] | None = None) -> dict:
    """Fill an EMPTY server database with the demo workspace; returns counts of what was written.

    ``tickets`` is the total: the scenario tickets come first (ids 1..20), the rest are generated.
    """
    if tickets < 0:
        raise ValueError("the number of tickets cannot be negative")
    if not is_empty(conn):
        raise NotEmptyError("the database already holds a workspace")
    anchor_ts = today_anchor() if anchor_ts is None else int(anchor_ts)
    rng = random.Random(seed)
    bulk = tickets >= BULK_FROM
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    conn.execute("PRAGMA synchronous=OFF")
    if bulk:
        # One transaction into an empty file: a rollback journal in memory (new pages need none)
        # instead of the WAL, which would hold the whole database once more before its checkpoint
        # copies it (6 GB written twice at a million tickets); big sorts for the index builds.
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        conn.execute("PRAGMA journal_mode=MEMORY")
        conn.execute("PRAGMA cache_size=-262144")
        conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("BEGIN IMMEDIATE")
    try:
        dropped = _drop_indexes(conn) if bulk else []
        staff = write_staff(conn, anchor_ts=anchor_ts, admin_token=admin_token)
        macros = write_macros(conn, staff.group_ids, anchor_ts=anchor_ts)
        views = write_views(conn, staff.group_ids, anchor_ts=anchor_ts)
        write_custom_statuses(conn, anchor_ts=anchor_ts)
        write_ticket_fields(conn, anchor_ts=anchor_ts)
        factory = CustomerFactory(rng, NamePool(rng, seed), anchor_ts,
                                  first_id=1 + conn.execute("SELECT max(id) FROM users").fetchone()[0])
        writer = ThreadWriter(conn, anchor_ts=anchor_ts, facts=TicketFacts(staff.group_ids))
        scenario_specs = load("scenarios")["scenarios"][:tickets]
        scenarios = ScenarioWriter(rng, writer, factory, staff, anchor_ts).write_all(scenario_specs)
        writer.flush()

        def draw(sink, shown: Callable[[int, int], None] | None) -> dict:
            writer.conn = sink
            customers = write_customers(sink, factory, tickets=tickets)
            TicketGenerator(rng, staff, customers, anchor_ts=anchor_ts).write(
                writer, tickets - len(scenarios), shown)
            writer.flush()
            return writer.counts

        # a bulk load draws in a forked child while this process writes (console/demo/pipeline.py)
        writer.counts = run_forked(conn, draw, progress) if bulk else draw(conn, progress)
        for sql in dropped:
            conn.execute(sql)
        write_brands_and_forms(conn, anchor_ts=anchor_ts)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute(f"PRAGMA synchronous={int(synchronous)}")
        if bulk:
            conn.execute(f"PRAGMA journal_mode={journal}")
    # the planner's statistics for users, as before (PRAGMA optimize analyzes only the tables this
    # connection queried, and users was, when the customers' places were an UPDATE of every row)
    conn.execute("ANALYZE users")
    conn.execute("PRAGMA optimize")
    users = conn.execute("SELECT role, count(*) FROM users GROUP BY role").fetchall()
    return {"anchor_ts": anchor_ts, "seed": seed, "users": sum(n for _, n in users),
            "agents": sum(n for role, n in users if role != "end-user"),
            "end_users": sum(n for role, n in users if role == "end-user"),
            "groups": len(staff.group_ids), "macros": macros, "views": views,
            "scenarios": len(scenarios), **writer.counts}


def _drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the big child-table indexes for a bulk load; returns the SQL that recreates them."""
    rows = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type='index' AND name IN "
                        f"({','.join('?' * len(BULK_INDEXES))})", BULK_INDEXES).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


class ProgressLine:
    """Ticket progress on stderr: one rewritten line on a terminal, a line per 10% otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if self.tty:
            print(f"\rseeding tickets: {done:,}/{total:,} ({percent}%)", end="", file=sys.stderr, flush=True)
        elif percent // 10 > self.shown:
            self.shown = percent // 10
            print(f"seeding tickets: {done:,}/{total:,} ({percent}%)", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def run(args) -> int:
    """``support-console seed --db PATH --tickets N [--seed S] [--admin-token T]``."""
    if args.tickets < 0:
        print("error: --tickets must be zero or more", file=sys.stderr)
        return 2
    try:
        conn = connect(args.db)
    except (sqlite3.Error, OSError) as exc:
        print(f"error: cannot open database {args.db}: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        show = ProgressLine() if args.tickets >= BULK_FROM else None
        summary = seed_workspace(conn, tickets=args.tickets, seed=args.seed, admin_token=args.admin_token,
                                 progress=show)
    except NotEmptyError:
        print(f"error: {args.db} already holds a workspace; seed only writes into an empty database",
              file=sys.stderr)
        return 2
    except (sqlite3.Error, GeneratorFailed) as exc:
        print(f"error: seeding {args.db} failed: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    if show:
        show.finish()
    elapsed = time.perf_counter() - started
    print(f"seeded {args.db}: {summary['tickets']:,} tickets, {summary['comments']:,} comments, "
          f"{summary['audits']:,} audits, {summary['users']:,} users ({summary['agents']} staff), "
          f"{summary['macros']} canned replies, {summary['views']} views in {elapsed:.1f} s")
    return 0
