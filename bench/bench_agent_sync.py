"""The agent's first sync of a large account under a real rate limit (not a test): figure / budget / ratio.

    .venv/bin/python bench/bench_agent_sync.py [--tickets 100000] [--rate 400] [--run-seconds 90]

An agent's token cannot read the exports, so the first sync goes through the ticket lists. The
embedded helpdesk emulates Zendesk's account limit (``--rate-limit``); the console paces itself
under it (console/sync/pacing.py). Measured, with the real engine in this process:

- time until the agent's queues are usable: "My tickets", "Unassigned" and every department show
  their first screen (50 rows, newest first) exactly as the helpdesk has them, with requester
  names (the first screens come through search, before the walk);
- requests until then, and the request rate held afterwards (never a 429);
- the time to a complete cache of unsolved threads, projected from the requests it needs at the
  emulated rate (the walk of every list page, then one request per unsolved ticket's thread),
  and what the walk-first order of before would have taken until the queues were usable.

The seeded database is kept under /tmp (re-seeded only when missing) and copied for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from figures import print_table  # bench/figures.py, beside this script

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SCREEN = 50
ADMIN_TOKEN = "demo-admin-token"
UNSOLVED = "('new', 'open', 'pending', 'hold')"


def server_truth(server, me: int) -> dict[str, list[int]]:
    """Each of the agent's queues' first screen on the helpdesk, newest first."""
    conn = server.db_connection()
    try:
        order = f"AND deleted = 0 AND status IN {UNSOLVED} ORDER BY updated_ts DESC, id DESC LIMIT {SCREEN}"
        screens = {"mine": [r[0] for r in conn.execute(f"SELECT id FROM tickets WHERE assignee_id = ? {order}", (me,))],
                   "unassigned": [r[0] for r in conn.execute(f"SELECT id FROM tickets WHERE assignee_id IS NULL "
                                                             f"{order}")]}
        for (group_id,) in conn.execute("SELECT id FROM groups WHERE deleted = 0").fetchall():
            screens[f"group:{group_id}"] = [r[0] for r in conn.execute(
                f"SELECT id FROM tickets WHERE group_id = ? {order}", (group_id,))]
        return screens
    finally:
        conn.close()


def cache_screens(reader, me: int, keys) -> dict[str, list[int]]:
    from console.store import UNSOLVED as unsolved
    from console.store import QueueSpec

    specs = {"mine": QueueSpec(mine=True, me=me, statuses=unsolved),
             "unassigned": QueueSpec(unassigned=True, statuses=unsolved)}
    specs |= {k: QueueSpec.department(int(k.split(":")[1]), unsolved) for k in keys if k.startswith("group:")}
    return {k: reader.ticket_ids_for_queue(spec, "updated_at", True)[:SCREEN] for k, spec in specs.items()}


def usable(reader, me: int, truth: dict[str, list[int]]) -> bool:
    shown = cache_screens(reader, me, truth)
    if shown != truth:
        return False
    ids = sorted({i for ids in shown.values() for i in ids})
    rows = reader.tickets_by_ids(ids)
    people = sorted({r["requester_id"] for r in rows if r["requester_id"]})
    return len(reader.user_names(people)) == len(people)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--rate", type=int, default=400, help="requests per minute the helpdesk allows")
    parser.add_argument("--run-seconds", type=float, default=90, help="how long to let the background sync run")
    args = parser.parse_args()

    from console.store import CacheReader, CacheWriter, StoreError
    from console.sync.client import HelpdeskClient
    from console.sync.engine import SyncEngine
    from tests.helpdesk import AGENT, Helpdesk

    seeded = Path(tempfile.gettempdir()) / f"bench_agent_seed_{args.tickets // 1000}k.sqlite"
    if not seeded.exists():
        print(f"seeding {args.tickets} tickets into {seeded} (once)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "console", "seed", "--db", str(seeded), "--tickets", str(args.tickets),
                        "--admin-token", ADMIN_TOKEN], cwd=REPO, check=True)
    work = Path(tempfile.mkdtemp(prefix="bench_agent_"))
    db, cache = work / "helpdesk.sqlite", work / "cache.sqlite"
    shutil.copy(seeded, db)
    server = Helpdesk(db, "--export-delay", "0", "--rate-limit", str(args.rate), admin_token=ADMIN_TOKEN,
                      timeout=120).start()
    client = HelpdeskClient(server.url, AGENT.email, server.token_for("agent"))
    writer = CacheWriter(cache)
    engine = SyncEngine(client, writer, interval=5.0)
    loop = asyncio.new_event_loop()
    try:
        conn = server.db_connection()
        total = conn.execute("SELECT count(*) FROM tickets WHERE deleted = 0").fetchone()[0]
        unsolved = conn.execute(f"SELECT count(*) FROM tickets WHERE deleted = 0 AND status IN {UNSOLVED}"
                                ).fetchone()[0]
        me = conn.execute("SELECT id FROM users WHERE email = ?", (AGENT.email,)).fetchone()[0]
        agents = conn.execute("SELECT count(*) FROM users WHERE role != 'end-user'").fetchone()[0]
        conn.close()
        truth = server_truth(server, me)
        time.sleep(max(0.0, 60 - time.time() % 60 + 0.2) if 60 - time.time() % 60 < 20 else 0)  # a fresh window
        print(f"server: {total} tickets ({unsolved} unsolved), {len(truth) - 2} departments; "
              f"rate limit {args.rate}/min", file=sys.stderr)

        task = loop.create_task(engine.run())
        thread = threading.Thread(target=loop.run_until_complete, args=(task,), daemon=True)
        started = time.monotonic()
        thread.start()
        reader = CacheReader(cache)
        ready_at = ready_requests = None
        while time.monotonic() - started < args.run_seconds:
            time.sleep(0.1)
            if ready_at is None:
                try:
                    if usable(reader, me, truth):
                        ready_at, ready_requests = time.monotonic() - started, client.requests_made
                        print(f"queues usable after {ready_at:.1f} s, {ready_requests} requests", file=sys.stderr)
                except StoreError:   # the cache may be busy a moment
                    continue
        ran = time.monotonic() - started
        made = client.requests_made
        threads_cached = reader._one("SELECT count(DISTINCT ticket_id) FROM comments")[0]
        tickets_cached = reader._one("SELECT count(*) FROM tickets")[0]
        reader.close()
        loop.call_soon_threadsafe(engine.stop)
        thread.join(30)
        paced_waits = client.account_bucket.waited
    finally:
        try:
            loop.run_until_complete(engine.close())
        except Exception:  # noqa: BLE001 - best effort at the end of a bench
            pass
        writer.close()
        client.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    per_minute = made / ran * 60
    pages = math.ceil(total / 100)
    full_requests = (ready_requests or 0) + pages + math.ceil(agents / 100) + unsolved
    full_minutes = full_requests / args.rate
    walk_first = (8 + pages + math.ceil(agents / 100)) / args.rate * 60   # before: queues only after the walk
    budget = 10.0
    rows = [
        (f"time until the agent's queues are usable ({args.rate} req/min)",
         f"{ready_at:.1f} s" if ready_at is not None else f"> {ran:.0f} s", f"<= {budget:.0f} s",
         f"{ready_at / budget:.2f}" if ready_at is not None else "not reached"),
        ("  requests until then", str(ready_requests), "", f"{len(truth)} queues x {SCREEN} rows"),
        ("  walk-first order of before, until usable (projected)", f"{walk_first:.0f} s", "",
         f"{walk_first / ready_at:.0f}x longer" if ready_at else ""),
        (f"requests in the first {ran:.0f} s / rate held", f"{made} / {per_minute:.0f} per min",
         f"<= {args.rate}/min", f"{per_minute / args.rate:.2f}"),
        ("  429 answers", str(client.rate_limited), "0", ""),
        ("  background time held back by pacing", f"{paced_waits:.1f} s", "", ""),
        (f"  cached after {ran:.0f} s: tickets / threads", f"{tickets_cached} / {threads_cached}", "",
         f"of {total} / {unsolved} unsolved"),
        ("complete cache of unsolved threads (projected)", f"{full_minutes:.0f} min", "(report)",
         f"{full_requests} requests at {args.rate}/min"),
    ]
    print_table(rows, value_width=24, ratio="ratio/notes")


if __name__ == "__main__":
    main()
