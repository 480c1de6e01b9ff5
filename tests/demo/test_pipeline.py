"""A bulk seed draws its rows in a forked child (console/demo/pipeline.py): same rows, errors surfaced."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

import console.demo.seed as seed_module
from console.demo.pipeline import GeneratorFailed, run_forked
from console.demo.seed import seed_workspace
from console.server.db import connect
from tests.demo.seed_helpers import ANCHOR

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the child is forked")


def table(tmp_path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "t.sqlite", isolation_level=None)
    conn.execute("CREATE TABLE t (n INTEGER, s TEXT)")
    return conn


def test_the_child_s_batches_are_written_here_in_order_with_progress_and_result(tmp_path):
    conn = table(tmp_path)
    shown = []

    def produce(sink, progress):
        for batch in range(6):
            sink.executemany("INSERT INTO t VALUES (?, ?)", [(batch * 2000 + i, "é" * 300) for i in range(2000)])
            progress(batch + 1, 6)
        return {"pid": os.getpid()}

    result = run_forked(conn, produce, lambda done, total: shown.append((done, total)))
    assert result["pid"] != os.getpid()                      # drawn in another process
    assert [n for (n,) in conn.execute("SELECT n FROM t ORDER BY rowid")] == list(range(12_000))
    assert conn.execute("SELECT DISTINCT s FROM t").fetchall() == [("é" * 300,)]
    assert shown == [(i, 6) for i in range(1, 7)]


def test_a_child_that_raises_fails_the_seed_with_its_traceback(tmp_path):
    conn = table(tmp_path)

    def produce(sink, progress):
        sink.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a")])
        raise ValueError("no names left in the pool")

    with pytest.raises(GeneratorFailed, match="no names left in the pool") as failed:
        run_forked(conn, produce)
    assert "Traceback" in str(failed.value)


def test_a_child_that_dies_mid_batch_fails_the_seed_instead_of_hanging(tmp_path):
    conn = table(tmp_path)

    def produce(sink, progress):
        sink.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a")])
        sink.close()              # what was queued reaches the pipe, then the process is gone (kill -9)
        os._exit(9)

    with pytest.raises(GeneratorFailed, match="ended without finishing"):
        run_forked(conn, produce)
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)


@pytest.mark.timeout(60)
def test_a_write_that_fails_here_stops_the_child_drawing_forever(tmp_path):
    conn = table(tmp_path)

    def produce(sink, progress):
        sink.executemany("INSERT INTO missing VALUES (?)", [(1,)])
        while True:                                           # would block on the full pipe forever
            sink.executemany("INSERT INTO t VALUES (?, ?)", [(2, "b" * 1000)] * 1000)

    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        run_forked(conn, produce)
    assert time.monotonic() - started < 30
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_a_bulk_seed_drawn_in_a_child_is_the_same_database_as_one_drawn_here(tmp_path, monkeypatch):
    monkeypatch.setattr(seed_module, "BULK_FROM", 100)       # the bulk road (fork, index rebuild) at 400
    seeds = {}
    for name, fork in (("forked", True), ("here", False)):
        if not fork:
            monkeypatch.delattr(os, "fork")
        conn = connect(tmp_path / f"{name}.sqlite")
        try:
            seeds[name] = seed_workspace(conn, tickets=400, seed=11, anchor_ts=ANCHOR)
            seeds[name + " dump"] = list(conn.iterdump())
        finally:
            conn.close()
    assert seeds["forked"] == seeds["here"]
    assert seeds["forked"]["tickets"] == 400 and seeds["forked"]["comments"] > 1500
    assert seeds["forked dump"] == seeds["here dump"]
