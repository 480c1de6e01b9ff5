"""Benchmark the supervisor dashboard on a generated cache and print figure, budget and ratio.

    .venv/bin/python bench/bench_dashboard.py [--tickets 100000] [--unsolved 0.10] [--path FILE]

The cache is written through CacheWriter like a sync would (1000-ticket pages, comment events);
with --path an existing file is reused. Tickets are spread over the last year; ``--unsolved`` of
them are unsolved (new/open/pending/hold), the rest solved/closed. About 4 comments per ticket,
alternating customer and agent, some private. Budgets for the whole snapshot (issue 16): 50 ms at
100k tickets, 200 ms at 1M (a cache of more than 150k tickets is held to the 1M budget).

The snapshot's cost also depends on the clock: the agents' replies and solves "today" are read row
by row, and a cache generated today has many tickets updated today (their last update is capped at
the generation time), one generated before midnight has none. The table says how many there are.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.domain.sla import SlaPolicy  # noqa: E402
from console.store import CacheReader, CacheWriter  # noqa: E402
from console.store.dashboard import dashboard_snapshot  # noqa: E402

BUDGETS_MS = {100_000: 50.0, 1_000_000: 200.0}   # by cache size (issue 16)
GROUPS = [{"id": g, "name": n} for g, n in ((101, "Billing"), (102, "Security"), (103, "Accounts"), (104, "Sales"))]
AGENTS = list(range(7000, 7040))
CUSTOMERS = range(100_000, 130_000)


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def build_cache(path: Path, tickets: int, unsolved: float, now: float) -> None:
    rng = random.Random(5)
    started = time.perf_counter()
    with CacheWriter(path) as writer:
        writer.apply_user_page([{"id": a, "name": f"Agent {a}", "email": f"a{a}@desk.example", "role": "agent"}
                                for a in AGENTS], None)
        writer.replace_groups(GROUPS)
        comment_id, page, events = 1, [], []
        for ticket_id in range(1, tickets + 1):
            created = now - rng.random() * 365 * 86_400
            if rng.random() < unsolved:
                status = rng.choice(["new", "open", "open", "pending", "hold"])
            else:
                status = "closed" if now - created > 5 * 86_400 and rng.random() < 0.9 else "solved"
            thread = [created + i * rng.randrange(600, 30_000) for i in range(rng.randint(1, 7))]
            updated = min(now, thread[-1] + rng.randrange(60, 4 * 86_400))
            page.append({"id": ticket_id, "subject": f"Ticket {ticket_id}", "status": status,
                         "priority": rng.choice([None, "low", "normal", "normal", "high", "urgent"]),
                         "requester_id": rng.choice(CUSTOMERS), "assignee_id": rng.choice(AGENTS + [None] * 8),
                         "group_id": rng.choice(GROUPS)["id"], "tags": [], "created_at": _iso(created),
                         "updated_at": _iso(updated), "generated_timestamp": int(updated)})
            for i, moment in enumerate(thread):
                author = rng.choice(AGENTS) if i % 2 else page[-1]["requester_id"]
                child = {"id": comment_id, "event_type": "Comment", "author_id": author, "body": "text",
                         "public": not (i % 2 and rng.random() < 0.2), "created_at": _iso(min(moment, updated))}
                events.append({"id": comment_id, "ticket_id": ticket_id, "child_events": [child]})
                comment_id += 1
            if len(page) == 1000:
                writer.apply_ticket_page(page, str(ticket_id), end_of_stream=False)
                page = []
            if len(events) >= 1000:
                writer.apply_comment_events(events, int(now))
                events = []
        if page:
            writer.apply_ticket_page(page, "end", end_of_stream=True)
        if events:
            writer.apply_comment_events(events, int(now))
        writer.record_sync_result()
        writer.checkpoint()
    print(f"built {tickets} tickets, {comment_id - 1} comments in {time.perf_counter() - started:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--unsolved", type=float, default=0.10, help="share of unsolved tickets")
    parser.add_argument("--path", help="cache file (reused when it exists)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    path = Path(args.path) if args.path else Path(tempfile.mkdtemp()) / "dashboard-bench.sqlite"
    now = time.time()
    if not path.exists():
        build_cache(path, args.tickets, args.unsolved, now)
    with CacheReader(path) as reader:
        timings, snap = [], None
        for _ in range(args.runs):
            started = time.perf_counter()
            snap = dashboard_snapshot(reader, SlaPolicy())
            timings.append((time.perf_counter() - started) * 1000)
        cached = reader._count("SELECT count(*) FROM tickets WHERE deleted = 0")
        today = reader._count("SELECT count(*) FROM tickets WHERE deleted = 0 AND updated_ts >= ?",
                              (time.time() - time.time() % 86_400,))
    unsolved = sum(d.unsolved for d in snap.departments)
    figure = statistics.median(timings)
    budget = BUDGETS_MS[100_000 if cached <= 150_000 else 1_000_000]
    print(f"cache {path}: {cached} tickets, {unsolved} unsolved, {today} updated today (UTC), "
          f"{len(snap.departments)} departments, {len(snap.agents)} agents")
    print(f"{'figure':<34} {'median':>8} {'min':>8} {'max':>8} {'budget':>8} {'ratio':>6}")
    print(f"{f'snapshot, {args.runs} runs (ms)':<34} {figure:>8.1f} {min(timings):>8.1f} {max(timings):>8.1f} "
          f"{budget:>8.0f} {figure / budget:>6.2f}  {'OK' if figure <= budget else 'OVER BUDGET'}")
    return 0 if figure <= budget else 1


if __name__ == "__main__":
    raise SystemExit(main())
