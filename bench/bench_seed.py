"""Demo seed benchmark (not a test): prints figure / budget / ratio for ``support-console seed``.

    .venv/bin/python bench/bench_seed.py [--tickets 1000000] [--runs 1] [--dir /tmp]

Each run seeds an empty scratch database in a child process (``--child``), so the child's CPU (the
process that draws the rows in a bulk load, console/demo/pipeline.py) and the writer's are each
measured. The writer's time inside ``executemany`` is the floor of this design: the rows cannot go in
faster than SQLite takes them. Printed per phase: the customers and scenarios (before the first ticket
batch), the drawing, and the tail (index builds, commit, statistics). The budget (issue 16) is 180 s
for a million tickets; for other counts it is scaled linearly.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from figures import print_table  # bench/figures.py, beside this script

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BUDGET_PER_MILLION = 180.0


def child(path: str, tickets: int) -> None:
    """One seed in this process; prints JSON with its timings."""
    from console.demo.seed import seed_workspace
    from console.server.db import connect

    conn = connect(path)
    inserts = [0.0]
    first_batch: list[float] = []
    started = time.perf_counter()

    class Timed:
        """The connection, with the time spent in ``executemany`` counted."""

        def executemany(self, sql, rows):
            then = time.perf_counter()
            conn.executemany(sql, rows)
            inserts[0] += time.perf_counter() - then

        def __getattr__(self, name):
            return getattr(conn, name)

    def progress(done, total):
        if not first_batch:
            first_batch.append(time.perf_counter() - started)
        if done == total:
            first_batch.append(time.perf_counter() - started)

    summary = seed_workspace(Timed(), tickets=tickets, seed=1, progress=progress)
    elapsed = time.perf_counter() - started
    conn.close()
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "seconds": elapsed, "inserts": inserts[0], "first_batch": first_batch[0] if first_batch else None,
        "drawn": first_batch[-1] if first_batch else None,
        "writer_cpu": me.ru_utime + me.ru_stime, "drawer_cpu": kids.ru_utime + kids.ru_stime,
        "writer_rss_mb": me.ru_maxrss / 1024, "rows": summary["tickets"] + summary["comments"] + summary["audits"]
        + summary["users"], "size_mb": os.path.getsize(path) / 1e6}))


def run_once(tickets: int, folder: str) -> dict:
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        path = str(Path(scratch) / "helpdesk.sqlite")
        out = subprocess.run([sys.executable, __file__, "--child", path, "--tickets", str(tickets)],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where the scratch databases go")
    parser.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.tickets)
        return
    runs = []
    for index in range(args.runs):
        os.sync()                      # the last run's 8 GB of dirty pages are not this run's I/O
        runs.append(run_once(args.tickets, args.dir))
        r = runs[-1]
        print(f"  run {index + 1}: {r['seconds']:.1f} s (drawn at {r['drawn']:.1f} s), writer inserting "
              f"{r['inserts']:.1f} s, writer CPU {r['writer_cpu']:.1f} s, drawer CPU {r['drawer_cpu']:.1f} s",
              flush=True)

    def median(key):
        return statistics.median(r[key] for r in runs)

    budget = BUDGET_PER_MILLION * args.tickets / 1_000_000
    seconds, inserts = median("seconds"), median("inserts")
    rows = [
        ("seed wall time (s)", f"{seconds:.1f}", f"{budget:.0f}", f"{seconds / budget:.2f}"),
        ("  customers and scenarios, to the first ticket batch (s)", f"{median('first_batch'):.1f}", "", ""),
        ("  drawing the tickets (s)", f"{median('drawn') - median('first_batch'):.1f}", "", ""),
        ("  tail: index builds, commit, statistics (s)", f"{seconds - median('drawn'):.1f}", "", ""),
        ("writer inside executemany, the floor (s)", f"{inserts:.1f}", "", f"wall = {seconds / inserts:.2f}x floor"),
        ("writer CPU (s)", f"{median('writer_cpu'):.1f}", "", ""),
        ("drawer CPU, the forked child (s)", f"{median('drawer_cpu'):.1f}", "", ""),
        ("rows written per second", f"{median('rows') / seconds:,.0f}", "", ""),
        ("writer peak RSS (MB)", f"{median('writer_rss_mb'):.0f}", "", ""),
        ("database size (MB)", f"{median('size_mb'):,.0f}", "", ""),
    ]
    print(f"\n{args.tickets:,} tickets, median of {len(runs)} run(s)")
    print_table(rows, value_width=10, budget_width=6)


if __name__ == "__main__":
    main()
