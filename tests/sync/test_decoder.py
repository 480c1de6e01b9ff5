"""Big export pages are decoded in a helper process (``sync/decoder.py``): the same cache as decoding in
place, a malformed page is still the client's own error, and a helper that dies costs only time."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from console.store import rows
from console.sync import decoder as page_decoder
from console.sync.client import MalformedAnswer
from console.sync.decoder import PageDecoder
from console.sync.pull import comment_page, ticket_page
from tests.faultproxy import PERSISTENT, Fault, FaultProxy
from tests.helpdesk import REPO
from tests.sync.test_pull import assert_mirrors

TABLES = {"tickets": rows.TICKET_COLUMNS, "comments": rows.COMMENT_COLUMNS, "users": rows.USER_COLUMNS,
          "attachments": rows.ATTACHMENT_COLUMNS}   # what came from the helpdesk (not when it was received)


def table_rows(path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT {', '.join(c)} FROM {t}").fetchall(), key=repr)
                for t, c in TABLES.items()}
    finally:
        conn.close()


def test_big_pages_are_decoded_in_a_helper_process_into_the_same_cache(demo_helpdesk, account_factory):
    helper = account_factory(demo_helpdesk, "helper")
    helper.engine.puller.decoder.off_process_bytes = 0   # every page counts as big
    in_place = account_factory(demo_helpdesk, "in-place")
    in_place.engine.puller.decoder.off_process_bytes = 1 << 40

    helper.sync()
    in_place.sync()

    assert helper.engine.puller.decoder.pages_off_process >= 3   # tickets, users, comment events
    assert in_place.engine.puller.decoder.pages_off_process == 0
    assert not helper.engine.puller.decoder.running   # closed with the round: an idle session holds none
    assert_mirrors(demo_helpdesk, helper.cache)
    assert table_rows(helper.cache) == table_rows(in_place.cache)


def test_a_malformed_big_page_fails_the_round_as_the_clients_own_error(helpdesk, account_factory):
    helpdesk.create_ticket(subject="Cut off in the helper")
    proxy = FaultProxy(helpdesk.port)
    try:
        proxy.add(Fault("body_after", method="GET", path="/incremental/tickets/cursor.json", status=200,
                        body=b'{"tickets": [1, 2', count=PERSISTENT))
        account = account_factory(helpdesk, url=proxy.url)
        account.engine.puller.decoder.off_process_bytes = 0
        with pytest.raises(MalformedAnswer, match="malformed JSON"):
            account.sync(resources=False)
    finally:
        proxy.close()


def test_a_helper_that_dies_costs_only_time():
    body = {"tickets": [{"id": 7, "subject": "Still here", "status": "open", "updated_at": "2026-01-02T03:04:05Z",
                         "created_at": "2026-01-02T03:04:05Z", "generated_timestamp": 1767323045}],
            "after_cursor": "next", "end_of_stream": False}
    raw = orjson.dumps(body)
    decoder = PageDecoder(off_process_bytes=0)
    try:
        first = decoder.decode(raw, ticket_page, None)
        assert decoder.pages_off_process == 1 and first.bookmark == "next" and first.size == 1
        assert [r[0] for r in first.prepared.rows] == [7] and first.items == []   # rows only came back
        pid = decoder.helper_pid
        assert pid is not None and pid != os.getpid()
        os.kill(pid, signal.SIGKILL)
        # decoded in place when the death is met mid-page, by a new helper when it is seen before
        again = decoder.decode(raw, ticket_page, None)
        assert [r[0] for r in again.prepared.rows] == [7] and again.bookmark == "next"
        decoder.decode(orjson.dumps({"ticket_events": [], "end_time": 5, "end_of_stream": True}), comment_page, 0)
        assert decoder.pages_off_process in (2, 3) and decoder.helper_pid not in (None, pid)   # a new helper
    finally:
        decoder.close()
    assert not decoder.running


APP_KILLED_WHILE_DECODING = """
import os, signal, sys
import orjson
from console.sync import decoder as page_decoder
from console.sync.decoder import PageDecoder
from console.sync.pull import comment_page
if __name__ == "__main__":
    decoder = PageDecoder(off_process_bytes=0)
    decoder.decode(orjson.dumps({"ticket_events": [], "end_time": 5}), comment_page, 0)
    print(decoder.helper_pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_helper_exits_when_the_app_is_killed(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(APP_KILLED_WHILE_DECODING)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == -signal.SIGKILL, done.stderr
    helper = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{helper}").exists():
        time.sleep(0.1)
    assert not Path(f"/proc/{helper}").exists(), "the page decoder outlived the app, orphaned"


def test_a_stopped_helper_is_waited_for_a_while_then_replaced(monkeypatch):
    raw = orjson.dumps({"ticket_events": [], "end_time": 9, "end_of_stream": True})
    decoder = PageDecoder(off_process_bytes=0)
    try:
        decoder.decode(raw, comment_page, 0)   # a helper's start-up counts in the wait: start it unhurried
        stuck = decoder.helper_pid
        os.kill(stuck, signal.SIGSTOP)   # a frozen helper must not freeze the sync
        monkeypatch.setattr(page_decoder, "ANSWER_WAIT_S", 0.5)
        started = time.monotonic()
        page = decoder.decode(raw, comment_page, 0)
        assert page.bookmark == 9 and time.monotonic() - started < 5
        # the replacement starts a new interpreter: over 0.5 s once on a loaded 2-core CI machine
        monkeypatch.setattr(page_decoder, "ANSWER_WAIT_S", 60.0)
        decoder.decode(raw, comment_page, 0)
        assert decoder.helper_pid not in (None, stuck) and decoder.pages_off_process == 2
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and Path(f"/proc/{stuck}").exists():
            time.sleep(0.1)
        assert not Path(f"/proc/{stuck}").exists(), "the stopped helper was left behind"
    finally:
        decoder.close()
