"""Pacing under the helpdesk's rate limits: the token bucket, and consoles sharing one account's budget."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

import pytest

from console.store import CacheReader, CacheWriter
from console.sync.client import HelpdeskClient, Unreachable
from console.sync.engine import SyncEngine
from console.sync.pacing import Bucket, Report, account_report, export_report
from tests.helpdesk import AGENT, Helpdesk

REAL = Path("/work/shared/real-zendesk")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_recorded_zendesk_headers_are_read():
    headers = json.loads((REAL / "tickets_export.json").read_text())["headers"]
    report = account_report(headers, 200)
    assert (report.limit, report.remaining, report.reset) == (700, 698, 12.0)
    assert report.retry_after is None
    assert export_report(headers, 200) is None
    exports = export_report({"Zendesk-RateLimit-incremental-exports": "total=10; remaining=3; resets=42"}, 200)
    assert (exports.limit, exports.remaining, exports.reset) == (10, 3, 42.0)
    limited = account_report({"Retry-After": "17", "X-Rate-Limit": "200", "X-Rate-Limit-Remaining": "0"}, 429)
    assert limited.retry_after == 17.0 and limited.remaining == 0


def test_background_requests_spread_what_is_left_and_keep_a_reserve_for_the_agent():
    clock = Clock()
    bucket = Bucket(clock=clock)
    assert bucket.delay(interactive=False) == 0.0              # no report yet: nothing to pace by
    bucket.observe(Report(limit=200, remaining=150, reset=30))
    assert bucket.delay(interactive=False) == 0.0              # more than half left: at once
    bucket.observe(Report(limit=200, remaining=80, reset=30))  # other consoles spent: spread it
    bucket.spend(interactive=False)
    gap = bucket.delay(interactive=False)
    assert gap == pytest.approx(30 / (79 - 20), rel=0.01)
    bucket.observe(Report(limit=200, remaining=15, reset=20))  # inside the reserve
    assert bucket.delay(interactive=False) == pytest.approx(20)
    assert bucket.delay(interactive=True) == 0.0               # the agent's request still goes
    clock.now += 20                                            # the window starts again
    assert bucket.delay(interactive=False) == 0.0
    bucket.observe(Report(limit=200, remaining=0, reset=5, retry_after=9))   # a 429: everything waits
    assert bucket.delay(interactive=True) == pytest.approx(9)
    bucket.holding()
    assert bucket.paced


def test_an_interactive_request_does_not_wait_behind_paced_background_pulls(tmp_path):
    server = Helpdesk(tmp_path / "hd.sqlite", "--demo", "--tickets", "10", "--rate-limit", "40").start()
    client = HelpdeskClient(server.url, AGENT.email, server.token_for("agent"), max_retries=1)
    try:
        if 60 - time.time() % 60 < 12:   # the helpdesk's windows are clock minutes: not at the edge of one
            time.sleep(60 - time.time() % 60 + 0.5)
        client.get("tickets.json")
        for _ in range(35):       # other consoles drain the account into its reserve
            server.get("users/me.json")
        client.get("tickets.json")   # this console learns it
        background_done = threading.Event()

        def background():
            try:
                client.get("tickets.json")   # must wait for the window's reset
            except Unreachable:              # stopped by the test once it has seen enough
                return
            background_done.set()

        thread = threading.Thread(target=background)
        thread.start()
        time.sleep(0.3)
        started = time.monotonic()
        with client.interactive():
            client.get("tickets/1.json")
        took = time.monotonic() - started
        assert took < 1.0 and not background_done.is_set(), "the agent's request went first"
        assert client.paced
        client.interrupt()
        thread.join(5)
        assert client.rate_limited == 0
    finally:
        client.close()
        server.stop()


def test_five_consoles_sharing_200_requests_a_minute_never_meet_a_429_and_all_get_current(tmp_path):
    server = Helpdesk(tmp_path / "hd.sqlite", "--demo", "--tickets", "40", "--export-delay", "0",
                      "--rate-limit", "200").start()
    token = server.token_for("agent")
    clients = [HelpdeskClient(server.url, AGENT.email, token, max_retries=2) for _ in range(5)]
    writers = [CacheWriter(tmp_path / f"console-{i}.sqlite") for i in range(5)]
    paced_seen: list[bool] = []

    async def console(client, writer):
        engine = SyncEngine(client, writer)
        engine.subscribe(lambda event: paced_seen.append(event.status.paced))
        try:
            await engine.sync_once(resources=True)
        finally:
            await engine.close()

    async def all_five():
        await asyncio.gather(*(console(c, w) for c, w in zip(clients, writers, strict=True)))

    started = time.monotonic()
    try:
        asyncio.run(all_five())
        seconds = time.monotonic() - started
        requests = sum(c.requests_made for c in clients)
        refused = sum(c.rate_limited for c in clients)
        print(f"\n5 consoles, 200 req/min shared: {requests} requests in {seconds:.1f} s "
              f"({requests / seconds * 60:.0f} req/min), {refused} answered 429")
        assert refused == 0
        assert requests > 200, "more than one minute's budget was needed: pacing had to work"
        assert any(paced_seen), "the status said the sync was paced"
        conn = server.db_connection()
        open_on_server = conn.execute("SELECT count(*) FROM tickets WHERE deleted = 0").fetchone()[0]
        conn.close()
        for writer in writers:
            with CacheReader(writer.path) as reader:
                assert len(reader.tickets_by_ids(list(range(1, 41)))) == open_on_server
                assert reader.sync_state("last_synced_at")
    finally:
        for c in clients:
            c.close()
        for w in writers:
            w.close()
        server.stop()
