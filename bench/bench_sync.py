"""Sync engine benchmark against the embedded helpdesk (not a test): prints figure / budget / ratio.

    .venv/bin/python bench/bench_sync.py [--tickets 100000] [--peer-slice 500] [--profile DIR]

The seeded server database is cached under /tmp (re-seeded only when missing) and copied to a
scratch file for each run. Each sync runs in a child process (``--child``) so its peak RSS and
its requests per endpoint are its own. The floor is what the machine can do with the same rows: copy the seeded helpdesk's tickets, users and
comments into an empty cache schema with ``executemany`` in one transaction (``--floor``, a child
process too); the sync is quoted as a multiple of it. The peer is a naive zenpy mirror (list tickets, then
comments ticket by ticket) over the same server, on a slice, scaled per ticket.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from figures import print_table  # bench/figures.py, beside this script

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ADMIN_TOKEN = "demo-admin-token"


def child(url: str, email: str, cache: str) -> None:
    """One sync round in this process; prints JSON (seconds, requests per endpoint, items, peak RSS)."""
    from console.store import CacheWriter
    from console.sync.client import HelpdeskClient
    from console.sync.engine import SyncEngine

    client = HelpdeskClient(url, email, ADMIN_TOKEN)
    by_path: dict[str, int] = {}
    real = client.request

    def counting(method, path, **kwargs):
        parts = urlsplit(client.url_for(path)).path.removeprefix("/api/v2/").split("/")
        key = "/".join(parts[:2]) if parts[0] == "incremental" else parts[0]
        by_path[key] = by_path.get(key, 0) + 1
        return real(method, path, **kwargs)

    client.request = counting
    writer = CacheWriter(cache)
    engine = SyncEngine(client, writer)

    async def main():
        try:
            return await engine.sync_once(resources=True)
        finally:
            await engine.close()

    report = asyncio.run(main())
    writer.close()
    time.sleep(0.5)   # the page decoder (sync/decoder.py) has ended with the round: reaped, its CPU counted
    helper = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": report.seconds, "requests": report.requests, "by_path": by_path,
                      "tickets": report.tickets, "users": report.users, "comments": report.comments,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "cpu_s": _cpu_seconds(), "helper_cpu_s": helper.ru_utime + helper.ru_stime}))


def _cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of this process (or of ``pid``): the figure a noisy machine moves least."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def py_spy() -> str | None:
    found = shutil.which("py-spy") or Path(sys.executable).with_name("py-spy")
    return str(found) if found and Path(found).exists() else None


def run_child(url: str, email: str, cache: Path, profile: Path | None = None) -> dict:
    """One sync in a child process; with ``profile`` (and py-spy) sampled into that file, every thread."""
    spy = [py_spy() or "", "record", "--nonblocking", "--format", "raw", "-o", str(profile), "--"] if profile and py_spy() else []
    out = subprocess.run([*spy, sys.executable, __file__, "--child", url, email, str(cache)], cwd=REPO,
                         capture_output=True, text=True, check=True)
    return json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])


FLOOR_COPIES = (  # cache table, its columns, the SELECT on the helpdesk's database giving them
    ("tickets", "id, subject, status, status_rank, priority, priority_rank, type, requester_id, submitter_id, "
                "assignee_id, group_id, organization_id, external_id, tags, created_at, updated_at, generated_ts, "
                "deleted, changed_at, raw",
     "SELECT id, coalesce(subject, ''), status, 0, priority, 0, type, requester_id, submitter_id, assignee_id, "
     "group_id, organization_id, external_id, tags, created_at, updated_at, generated_ts, deleted, 0, "
     "custom_fields FROM tickets"),
    ("users", "id, name, email, role, active, user_fields, updated_at, changed_at, raw",
     "SELECT id, name, email, role, active, user_fields, updated_at, 0, tags FROM users"),
    ("comments", "id, ticket_id, author_id, public, body, html_body, created_at, audit_id, via",
     "SELECT id, ticket_id, author_id, public, body, html_body, created_at, audit_id, via FROM comments"),
)


def floor(helpdesk: str, cache: str) -> None:
    """The SQLite-copy floor: the helpdesk's rows into an empty cache schema, executemany, one
    transaction; then the same rows into the search index (FTS5 'rebuild'). Prints JSON seconds."""
    import sqlite3

    from console.store.db import connect

    source = sqlite3.connect(f"file:{helpdesk}?mode=ro", uri=True)
    target = connect(cache)
    started = time.perf_counter()
    target.execute("BEGIN")
    for table, columns, select in FLOOR_COPIES:
        marks = ", ".join("?" * len(columns.split(", ")))
        cursor = source.execute(select)
        while batch := cursor.fetchmany(5000):
            target.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
    target.execute("COMMIT")
    rows_s = time.perf_counter() - started
    target.execute("BEGIN")
    for fts in ("ticket_fts", "user_fts", "comment_fts"):
        target.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")
    target.execute("COMMIT")
    print(json.dumps({"rows_s": rows_s, "with_fts_s": time.perf_counter() - started}))
    target.close()


def run_floor(helpdesk: Path, work: Path) -> dict:
    cache = work / "floor.sqlite"
    out = subprocess.run([sys.executable, __file__, "--floor", str(helpdesk), str(cache)], cwd=REPO,
                         capture_output=True, text=True, check=True)
    for path in (cache, Path(f"{cache}-wal"), Path(f"{cache}-shm")):
        path.unlink(missing_ok=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def peer(url: str, email: str, slice_size: int) -> tuple[float, int]:
    """zenpy: list tickets, then each ticket's comments; seconds and tickets for the slice."""
    import zenpy

    os.environ["ZENPY_FORCE_NETLOC"] = urlsplit(url).netloc
    os.environ["ZENPY_FORCE_SCHEME"] = "http"
    client = zenpy.Zenpy(subdomain="local", email=email, token=ADMIN_TOKEN, disable_cache=True)
    started = time.monotonic()
    mirrored = {}
    for ticket in client.tickets():
        mirrored[ticket.id] = (ticket.to_dict(), [c.to_dict() for c in client.tickets.comments(ticket=ticket.id)])
        if len(mirrored) >= slice_size:
            break
    return time.monotonic() - started, len(mirrored)


def disk_mb(path: Path) -> float:
    """A SQLite database's size on disk, its WAL included."""
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()) / 2**20


def change_tickets(server, count: int) -> None:
    conn = server.db_connection()
    ids = [r[0] for r in conn.execute("SELECT id FROM tickets WHERE deleted = 0 AND status NOT IN ('closed') "
                                      "ORDER BY id DESC LIMIT ?", (count,))]
    conn.close()
    for n, ticket_id in enumerate(ids):
        body = {"ticket": {"priority": ["low", "normal", "high"][n % 3],
                           "comment": {"body": f"Benchmark follow-up {n}", "public": n % 2 == 0}}}
        server.put(f"tickets/{ticket_id}.json", json=body).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--peer-slice", type=int, default=500)
    parser.add_argument("--child", nargs=3, metavar=("URL", "EMAIL", "CACHE"))
    parser.add_argument("--profile", type=Path, help="sample the initial sync with py-spy: client.txt (the sync "
                        "process) and helpdesk.txt (the helpdesk meanwhile), collapsed stacks")
    parser.add_argument("--floor", nargs=2, metavar=("HELPDESK_DB", "CACHE"))
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    if args.floor:
        return floor(*args.floor)

    from tests.helpdesk import Helpdesk

    seeded = Path(tempfile.gettempdir()) / f"bench_sync_seed_{args.tickets // 1000}k.sqlite"
    if not seeded.exists():
        print(f"seeding {args.tickets} tickets into {seeded} (once)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "console", "seed", "--db", str(seeded), "--tickets", str(args.tickets)],
                       cwd=REPO, check=True)
    work = Path(tempfile.mkdtemp(prefix="bench_sync_"))
    db, cache = work / "helpdesk.sqlite", work / "cache.sqlite"
    shutil.copy(seeded, db)
    server = Helpdesk(db, "--export-delay", "0", admin_token=ADMIN_TOKEN, timeout=120).start()
    try:
        conn = server.db_connection()
        total = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        comments = conn.execute("SELECT count(*) FROM comments").fetchone()[0]
        users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        conn.close()
        print(f"server: {total} tickets, {comments} comments, {users} users", file=sys.stderr)

        copy = run_floor(db, work)
        print(f"floor: {json.dumps(copy)}", file=sys.stderr)
        spy = None
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            if py_spy():
                spy = subprocess.Popen([py_spy() or "", "record", "--pid", str(server.proc.pid), "--format", "raw", "--nonblocking",
                                        "-o", str(args.profile / "helpdesk.txt")],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server_cpu = _cpu_seconds(server.proc.pid)
        first = run_child(server.url, server.admin_email, cache, args.profile / "client.txt" if args.profile else None)
        server_cpu = _cpu_seconds(server.proc.pid) - server_cpu
        if spy:
            spy.send_signal(2)
            spy.wait(timeout=60)
        print(f"initial sync: {json.dumps(first)}", file=sys.stderr)
        cache_mb, helpdesk_mb = disk_mb(cache), disk_mb(db)
        metadata_requests = sum(v for k, v in first["by_path"].items() if k.startswith(("incremental/tickets",
                                                                                          "incremental/users")))
        peer_seconds, peer_tickets = peer(server.url, server.admin_email, args.peer_slice)
        ours_per_ticket = first["seconds"] / max(1, first["tickets"])
        peer_per_ticket = peer_seconds / max(1, peer_tickets)

        change_tickets(server, 100)
        time.sleep(1.1)  # the export leaves out the current second
        again = run_child(server.url, server.admin_email, cache)
        print(f"incremental sync: {json.dumps(again)}", file=sys.stderr)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    rows = [
        ("initial sync, all tickets+users+comments (s)", f"{first['seconds']:.1f}", "<= 25",
         f"{first['seconds'] / copy['rows_s']:.1f}x floor (<= 3x)"),
        ("  floor: SQLite-to-SQLite copy, executemany, one transaction (s)", f"{copy['rows_s']:.1f}", "", ""),
        ("  floor with the search index built after (s)", f"{copy['with_fts_s']:.1f}", "",
         f"sync {first['seconds'] / copy['with_fts_s']:.1f}x"),
        ("  CPU: sync process / helpdesk (s)", f"{first['cpu_s']:.1f} / {server_cpu:.1f}", "", "wall time moves "
         "with the machine's load; CPU less"),
        ("  received: tickets / users / comments", f"{first['tickets']} / {first['users']} / {first['comments']}",
         "", ""),
        ("  requests in total", str(first["requests"]), "", ""),
        ("requests per 1,000 tickets of metadata", f"{1000 * metadata_requests / max(1, first['tickets']):.2f}",
         "<= 3", ""),
        ("  all requests per 1,000 tickets (incl. comments)", f"{1000 * first['requests'] / max(1, first['tickets']):.2f}",
         "", ""),
        ("ours per ticket (ms)", f"{1000 * ours_per_ticket:.3f}", "", ""),
        (f"peer zenpy naive mirror per ticket (ms, {peer_tickets}-ticket slice)", f"{1000 * peer_per_ticket:.2f}",
         ">= 20x ours", f"{peer_per_ticket / ours_per_ticket:.0f}x"),
        ("incremental sync after 100 changed tickets (s)", f"{again['seconds']:.2f}", "<= 0.5",
         f"{again['tickets']} tickets, {again['comments']} comments"),
        ("peak RSS of the sync process, initial (MB)", f"{first['peak_rss_mb']:.0f}", "(report)", ""),
        ("cache on disk after the initial sync (MB)", f"{cache_mb:.0f}", "<= 1.2x helpdesk",
         f"{cache_mb / helpdesk_mb:.2f}x"),
        ("  the helpdesk's database, same data (MB)", f"{helpdesk_mb:.0f}", "", "it also keeps audits"),
    ]
    print_table(rows, value_width=22, ratio="ratio/notes")


if __name__ == "__main__":
    main()
