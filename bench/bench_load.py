"""Loopback load on the embedded helpdesk (not a test): 20 clients reading tickets and comments.

    .venv/bin/python bench/bench_load.py [--tickets 100000] [--clients 20] [--seconds 10] [--url URL]

Each client keeps one connection alive (as every Zendesk client does) and loops over random
tickets: the ticket by id, then its comments. A second mix makes every fifth request a page of
100 tickets of the ticket list (~120 KB). Each run lasts ``--seconds`` (at most 60) after a short
warm-up and stops by itself; the mixes alternate for ``--rounds``. The clients run in ``--procs``
child processes so that the client side (Python too) is not one GIL's worth of work. Prints
requests/s and p50/p99 latency against the budgets (>= 1,000/s, p99 <= 50 ms), and errors (0).

The seeded database is the one bench_sync.py caches under /tmp (made once when missing);
``--url`` loads a helpdesk that is already running instead.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from figures import print_table as print_figures  # bench/figures.py, beside this script

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ADMIN_TOKEN = "demo-admin-token"
ADMIN_EMAIL = "admin@demo.support-console.test"
WARMUP = 1.0
BUDGET_RPS, BUDGET_P99_MS = 1000, 50


def client_loop(url: str, max_id: int, seconds: float, seed: int, list_every: int, out: list) -> None:
    """One client: a kept-alive connection, requests until the time is up; appends (latencies, errors)."""
    parts = urlsplit(url)
    auth = "Basic " + base64.b64encode(f"{ADMIN_EMAIL}/token:{ADMIN_TOKEN}".encode()).decode()
    headers = {"Authorization": auth, "Accept": "application/json"}
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    measure_from, stop_at = start + WARMUP, start + WARMUP + seconds
    n = 0
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        ticket = rng.randint(1, max_id)
        path = ("/api/v2/tickets.json?page[size]=100" if list_every and n % list_every == list_every - 1 else
                f"/api/v2/tickets/{ticket}/comments.json" if n % 2 else f"/api/v2/tickets/{ticket}.json")
        n += 1
        sent = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status in (200, 404)
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        done = time.perf_counter()
        if sent >= measure_from:
            latencies.append(done - sent)
            errors += not ok
    conn.close()
    out.append((latencies, errors))


def proc_main(url: str, max_id: int, seconds: float, threads: int, first_seed: int, list_every: int,
              queue) -> None:
    out: list = []
    workers = [threading.Thread(target=client_loop, args=(url, max_id, seconds, first_seed + i, list_every, out))
               for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put(out)


def run_load(url: str, max_id: int, clients: int, procs: int, seconds: float,
             list_every: int = 5) -> tuple[list[float], int]:
    queue = multiprocessing.get_context("spawn").Queue()
    per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    children = [multiprocessing.get_context("spawn").Process(
        target=proc_main, args=(url, max_id, seconds, n, 1000 * i, list_every, queue), daemon=True) for i, n in enumerate(per)]
    for c in children:
        c.start()
    results = [queue.get(timeout=seconds + 60) for _ in children]
    for c in children:
        c.join(timeout=10)
    latencies = [x for out in results for lat, _ in out for x in lat]
    errors = sum(e for out in results for _, e in out)
    return latencies, errors


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


MIXES = (("a ticket, then its comments", 0), ("same, every 5th request a 100-ticket list page", 5))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--procs", type=int, default=2, help="client processes the clients are spread over")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3, help="runs per mix; the table shows the median run")
    parser.add_argument("--serve-arg", action="append", default=[], help="extra argument for serve (repeatable)")
    parser.add_argument("--url", help="load this running helpdesk (its tickets 1..--tickets) instead of serving one")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 60.0)  # bounded whatever is asked
    if args.url:
        return print_table(args, measure_mixes(args.url, args.tickets, args))

    from tests.helpdesk import Helpdesk

    seeded = Path(tempfile.gettempdir()) / f"bench_sync_seed_{args.tickets // 1000}k.sqlite"
    if not seeded.exists():
        print(f"seeding {args.tickets} tickets into {seeded} (once)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "console", "seed", "--db", str(seeded), "--tickets", str(args.tickets)],
                       cwd=REPO, check=True)
    work = Path(tempfile.mkdtemp(prefix="bench_load_"))
    db = work / "helpdesk.sqlite"
    shutil.copy(seeded, db)
    server = Helpdesk(db, "--export-delay", "0", *args.serve_arg, admin_token=ADMIN_TOKEN, timeout=120).start()
    try:
        conn = server.db_connection()
        max_id = conn.execute("SELECT max(id) FROM tickets").fetchone()[0]
        conn.close()
        results = measure_mixes(server.url, max_id, args)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print_table(args, results)


def measure_mixes(url: str, max_id: int, args) -> dict:
    """Runs per mix, the mixes alternating (machine noise falls on both alike)."""
    results: dict = {name: [] for name, _ in MIXES}
    for _ in range(args.rounds):
        for name, list_every in MIXES:
            latencies, errors = run_load(url, max_id, args.clients, args.procs, args.seconds, list_every)
            run = (len(latencies) / args.seconds, 1000 * percentile(latencies, 0.5),
                   1000 * percentile(latencies, 0.99), errors, len(latencies))
            print(f"{name}: {json.dumps(run)}", file=sys.stderr)
            results[name].append(run)
    return results


def print_table(args, results: dict) -> None:
    rows = []
    for name, runs in results.items():
        rps, p50, p99, errors, count = sorted(runs)[(len(runs) - 1) // 2]  # even count: the lower middle
        rows += [
            (f"{name}: requests/s", f"{rps:.0f}", f">= {BUDGET_RPS}", f"{rps / BUDGET_RPS:.2f}x budget"),
            ("  latency p50 / p99 (ms)", f"{p50:.1f} / {p99:.1f}", f"p99 <= {BUDGET_P99_MS}",
             f"{p99 / BUDGET_P99_MS:.2f}x budget"),
            ("  requests measured / errors", f"{count} / {errors}", "0 errors", ""),
            ("  every run: requests/s | p99 ms", " ".join(f"{r[0]:.0f}" for r in runs) + " | " +
             " ".join(f"{r[2]:.0f}" for r in runs), "", ""),
        ]
    title = f"figure ({args.clients} kept-alive clients, {args.seconds:g} s a run, median of {args.rounds})"
    print_figures(rows, title=title)


if __name__ == "__main__":
    main()
