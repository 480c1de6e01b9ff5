"""Determinism, the ``support-console seed`` command and the speed of a mid-size seed."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from console.demo.seed import NotEmptyError, seed_workspace
from console.server.db import connect
from tests.demo.seed_helpers import ANCHOR, DAY


def dump(path) -> list[str]:
    conn = connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def seeded(path, **kwargs) -> dict:
    conn = connect(path)
    try:
        return seed_workspace(conn, **kwargs)
    finally:
        conn.close()


def test_same_seed_and_day_give_identical_databases(tmp_path):
    seeded(tmp_path / "a.sqlite", tickets=150, seed=3, anchor_ts=ANCHOR)
    seeded(tmp_path / "b.sqlite", tickets=150, seed=3, anchor_ts=ANCHOR)
    seeded(tmp_path / "c.sqlite", tickets=150, seed=4, anchor_ts=ANCHOR)
    seeded(tmp_path / "d.sqlite", tickets=150, seed=3, anchor_ts=ANCHOR + DAY)
    a = dump(tmp_path / "a.sqlite")
    assert a == dump(tmp_path / "b.sqlite")
    assert a != dump(tmp_path / "c.sqlite")
    assert a != dump(tmp_path / "d.sqlite")


def test_dates_follow_the_anchor_day(tmp_path):
    seeded(tmp_path / "a.sqlite", tickets=30, seed=1, anchor_ts=ANCHOR)
    seeded(tmp_path / "b.sqlite", tickets=30, seed=1, anchor_ts=ANCHOR + 10 * DAY)
    a, b = connect(tmp_path / "a.sqlite"), connect(tmp_path / "b.sqlite")
    query = "SELECT created_ts FROM tickets ORDER BY id"
    assert [r[0] + 10 * DAY for r in a.execute(query)] == [r[0] for r in b.execute(query)]
    a.close()
    b.close()


def test_refuses_a_database_that_is_not_empty(tmp_path):
    path = tmp_path / "h.sqlite"
    seeded(path, tickets=10, seed=1)
    conn = connect(path)
    with pytest.raises(NotEmptyError):
        seed_workspace(conn, tickets=10, seed=1)
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 10
    conn.close()


def test_small_counts_keep_the_first_scenarios(tmp_path):
    summary = seeded(tmp_path / "h.sqlite", tickets=5, seed=1, anchor_ts=ANCHOR)
    assert summary["tickets"] == summary["scenarios"] == 5


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console", "seed", *args], capture_output=True, text=True,
                          timeout=120)


def test_seed_command(tmp_path):
    path = str(tmp_path / "cli.sqlite")
    first = run_cli("--db", path, "--tickets", "60", "--seed", "2", "--admin-token", "tok-123")
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("\n") == 1
    assert "60 tickets" in first.stdout and " s" in first.stdout
    conn = connect(path)
    assert conn.execute("SELECT count(*) FROM api_tokens WHERE token = 'tok-123'").fetchone()[0] == 1
    conn.close()
    again = run_cli("--db", path, "--tickets", "60")
    assert again.returncode == 2
    assert "already holds a workspace" in again.stderr and "Traceback" not in again.stderr


def test_seed_command_bad_input(tmp_path):
    negative = run_cli("--db", str(tmp_path / "x.sqlite"), "--tickets", "-3")
    assert negative.returncode == 2 and "Traceback" not in negative.stderr
    folder = run_cli("--db", str(tmp_path), "--tickets", "3")
    assert folder.returncode == 2 and "cannot open database" in folder.stderr
    assert "Traceback" not in folder.stderr


def test_two_thousand_tickets_seed_fast(tmp_path):
    started = time.perf_counter()
    summary = seeded(tmp_path / "mid.sqlite", tickets=2000, seed=5)
    elapsed = time.perf_counter() - started
    assert summary["tickets"] == 2000 and summary["comments"] >= 9000
    assert elapsed < 5, f"2,000 tickets took {elapsed:.1f} s"


def test_account_dates_stay_midnights_for_any_anchor(tmp_path):
    seeded(tmp_path / "h.sqlite", tickets=25, seed=1, anchor_ts=ANCHOR + 5 * 3600 + 17)
    conn = connect(tmp_path / "h.sqlite")
    dates = [r[0] for r in conn.execute("SELECT json_extract(user_fields, '$.purchase_date') FROM users "
                                        "WHERE json_extract(user_fields, '$.purchase_date') IS NOT NULL")]
    conn.close()
    assert dates and all(d.endswith("T00:00:00Z") for d in dates)


def test_each_ticket_and_customer_is_written_with_its_catalog_facts(workspace):
    """Custom status, rating, brand, form and the customers' places come with each row (no UPDATE after
    the load); the rules, written here as the SQL the seed used to run, must hold for every row."""
    conn, _ = workspace
    groups = dict(conn.execute("SELECT name, id FROM groups").fetchall())
    wrong = conn.execute(
        "SELECT count(*) FROM tickets t WHERE t.custom_status_id IS NOT (CASE "
        " WHEN t.status = 'closed' THEN NULL"
        " WHEN t.status = 'pending' AND (SELECT count(*) FROM tickets p WHERE p.status = 'pending' AND p.id <= t.id)"
        "  % 2 = 1 THEN 7011"
        " ELSE (SELECT id FROM custom_statuses WHERE status_category = t.status AND is_default = 1) END)"
        " OR t.satisfaction_rating IS NOT (CASE WHEN t.status NOT IN ('solved', 'closed') THEN NULL"
        "  WHEN t.id % 5 = 0 THEN '{\"score\":\"bad\",\"comment\":\"Took three days to get an answer\"}'"
        "  WHEN t.id % 2 = 0 THEN '{\"score\":\"good\",\"comment\":\"Quick and kind, thanks\"}'"
        "  ELSE '{\"score\":\"offered\",\"comment\":null}' END)"
        " OR t.brand_id IS NOT (CASE WHEN t.group_id = ? THEN 9002 ELSE 9001 END)"
        " OR t.ticket_form_id IS NOT (CASE WHEN t.group_id = ? THEN 9102 ELSE 9101 END)",
        (groups["Affiliate Program"], groups["Billing"])).fetchone()[0]
    assert wrong == 0
    counts = dict(conn.execute("SELECT custom_status_id, count(*) FROM tickets WHERE status = 'pending' "
                               "GROUP BY custom_status_id").fetchall())
    assert counts[7011] >= 5 and abs(counts[7011] - counts[7003]) <= 1       # every other pending one
    assert tuple(conn.execute("SELECT count(DISTINCT brand_id), count(DISTINCT ticket_form_id) FROM tickets")
                 .fetchone()) == (2, 2)
    places = conn.execute("SELECT id % 6, time_zone, locale, count(*) FROM users WHERE role = 'end-user' "
                          "GROUP BY 1, 2, 3 ORDER BY 1").fetchall()
    assert [tuple(p)[:3] for p in places] == [(0, "America/New_York", "en-US"), (1, "Europe/Berlin", "de"),
                                       (2, "Europe/London", "en-GB"), (3, "Asia/Singapore", "en-US"),
                                       (4, "America/Sao_Paulo", "pt-BR"), (5, "Europe/Paris", "fr")]
    assert [tuple(r) for r in conn.execute("SELECT DISTINCT time_zone FROM users WHERE role != 'end-user'")] == [("UTC",)]
