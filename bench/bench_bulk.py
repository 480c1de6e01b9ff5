"""Bulk change benchmark against the embedded helpdesk (not a test): prints figure / budget / ratio.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_bulk.py [--tickets 1000] [--rounds 3]

A demo helpdesk with ``--tickets`` tickets, all made unsolved and put in one department, is synced
into a fresh cache; the real main window shows that department's queue. Each round selects all
(Ctrl+A), sets a status in the bulk bar and applies: the figure is the GUI thread's CPU time from
the click until the bar says the batch is queued (the list having re-read its rows), and the wall
time of the same. The earlier rounds' batches are cancelled (undo); the last one is then drained
by the real sync engine (``push_now``: update_many, 100 tickets a call, job status, show_many),
timed until every entry is sent; the helpdesk is checked to hold the change on every ticket.
Budgets: queue ≤ 200 ms of GUI time, drain ≤ 20 s.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from figures import print_table  # bench/figures.py, beside this script

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUEUE_BUDGET_MS = 200.0
DRAIN_BUDGET_S = 20.0
STATUSES = ("pending", "hold", "open")


def prepare_helpdesk(folder: Path, tickets: int) -> tuple[Path, int]:
    db = folder / "helpdesk.sqlite"
    subprocess.run([sys.executable, "-m", "console", "seed", "--db", str(db), "--tickets", str(tickets),
                    "--admin-token", "demo-admin-token"], check=True, cwd=REPO, capture_output=True)
    conn = sqlite3.connect(db)
    group = conn.execute("SELECT id FROM groups ORDER BY id LIMIT 1").fetchone()[0]
    conn.execute("UPDATE tickets SET status = 'open', group_id = ? WHERE deleted = 0", (group,))
    conn.commit()
    conn.close()
    return db, group


def wait(app, predicate, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.002)   # sleep between processEvents calls (PySide6 + tight loops of void calls)
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from console.sync.client import HelpdeskClient
    from console.sync.engine import SyncEngine
    from console.views.main_window import MainWindow
    from tests.helpdesk import AGENT, Helpdesk, sync_cache
    from tests.views.conftest import close_desk, open_desk

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    db, group = prepare_helpdesk(folder, args.tickets)
    server = Helpdesk(db, "--export-delay", "0", admin_token="demo-admin-token").start()
    try:
        cache = folder / "cache.sqlite"
        me = sync_cache(server.url, cache)
        desk = open_desk(cache, me)
        window = MainWindow(desk.workspace())
        window.resize(1500, 900)
        window.show()
        wait(app, lambda: window.queue_pane.select_key(f"group:{group}"))
        wait(app, lambda: window.ticket_model.rowCount() >= args.tickets * 0.95)
        shown = window.ticket_model.rowCount()
        bar, cpu_ms, wall_ms, batches = window.bulk_bar, [], [], []
        for round_ in range(args.rounds):
            window.ticket_list.selectAll()                       # Ctrl+A
            app.processEvents()
            status = STATUSES[round_ % len(STATUSES)]
            bar.status.setCurrentIndex(bar.status.findData(status))
            before = bar.batch_id
            wall, cpu = time.perf_counter(), time.thread_time()
            bar.apply_button.click()
            wait(app, lambda before=before: bar.batch_id != before and bar.progress.text().startswith(f"{shown} queued"))
            window.ticket_list.viewport().repaint()
            app.processEvents()
            cpu_ms.append((time.thread_time() - cpu) * 1000)
            wall_ms.append((time.perf_counter() - wall) * 1000)
            batches.append((bar.batch_id, status))
        for batch, _status in batches[:-1]:
            desk.writer.cancel_batch(batch)
        batch, status = batches[-1]
        window.close()
        close_desk(desk)

        from console.store import CacheWriter

        writer = CacheWriter(cache)
        client = HelpdeskClient(server.url, AGENT.email, AGENT.token)
        engine = SyncEngine(client, writer)
        started = time.perf_counter()
        asyncio.run(engine.push_now())
        drain = time.perf_counter() - started
        counts = writer.batch_counts(batch)
        requests_made = client.requests_made
        asyncio.run(engine.close())
        client.close()
        writer.close()
        conn = sqlite3.connect(db)
        landed = conn.execute("SELECT count(*) FROM tickets WHERE status = ? AND group_id = ?", (status, group)).fetchone()[0]
        conn.close()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"bulk change of {shown} tickets, {args.rounds} rounds; drained: {counts}; "
          f"{landed} tickets {status} on the helpdesk; {requests_made} requests")
    rows = [("queue: GUI-thread CPU, click → queued (ms, median)", statistics.median(cpu_ms), QUEUE_BUDGET_MS),
            ("queue: GUI-thread CPU (ms, max)", max(cpu_ms), QUEUE_BUDGET_MS),
            ("queue: wall, click → queued (ms, median)", statistics.median(wall_ms), None),
            ("drain against the embedded helpdesk (s)", drain, DRAIN_BUDGET_S)]
    print_table([(name, f"{value:.1f}", str(budget) if budget else "", f"{value / budget:.2f}" if budget else "(report)")
                 for name, value, budget in rows], value_width=10, budget_width=8)
    print("  rounds (cpu ms): " + " ".join(f"{v:.1f}" for v in cpu_ms)
          + " · (wall ms): " + " ".join(f"{v:.1f}" for v in wall_ms))
    return 0 if counts.get("sent") == shown and landed >= shown else 1


if __name__ == "__main__":
    raise SystemExit(main())
