"""``support-console suggest``: the JSON shape, the errors, the usage history it reads, no Qt/FastAPI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from console.store import CacheReader, CacheWriter
from tests.helpdesk import REPO, scenario_ticket_id

WITHIN = "Billing::Refund within the 30-day guarantee"


@pytest.fixture
def cache(demo_cache, tmp_path):
    target = tmp_path / "cache.sqlite"
    shutil.copyfile(demo_cache[0], target)
    return target


def suggest(*args: str) -> subprocess.CompletedProcess:
    probe = ("import sys, console.cli as c\n"
             "code = c.main(sys.argv[1:])\n"
             "heavy = sorted(m for m in ('PySide6', 'fastapi', 'uvicorn') if m in sys.modules)\n"
             "assert not heavy, heavy\n"
             "raise SystemExit(code)\n")
    return subprocess.run([sys.executable, "-c", probe, "suggest", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60)


def test_the_70_day_refund_ticket_as_json(cache):
    with CacheReader(cache) as reader:
        ticket_id = scenario_ticket_id(reader, "refund_outside_window")
    done = suggest("--cache", str(cache), "--ticket", str(ticket_id), "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {"department", "department_confidence", "replies"}
    assert answer["department"] == "Billing" and 0.5 <= answer["department_confidence"] <= 1
    replies = answer["replies"]
    assert all(set(r) == {"id", "title", "score", "warnings"} for r in replies)
    assert [r["score"] for r in replies] == sorted((r["score"] for r in replies), reverse=True)
    assert replies[0]["title"] == "Billing::Refund outside the guarantee" and replies[0]["warnings"] == []
    within = next(r for r in replies if r["title"] == WITHIN)
    assert any("outside guarantee" in w for w in within["warnings"])
    assert not any(r["title"].startswith("Fragment::") for r in replies)


def test_readable_output_without_json(cache):
    with CacheReader(cache) as reader:
        ticket_id = scenario_ticket_id(reader, "merchant_customer")
    done = suggest("--cache", str(cache), "--ticket", str(ticket_id))
    assert done.returncode == 0, done.stderr
    assert "merchant's customer" in done.stdout.splitlines()[0]
    assert "General::Merchant's customer — contact the seller" in done.stdout.splitlines()[1]


@pytest.mark.parametrize("which", ["ticket", "cache", "not a cache"])
def test_unknown_ticket_or_cache_exits_2_with_one_line(cache, tmp_path, which):
    path, ticket = str(cache), "999999"
    if which == "cache":
        path, ticket = str(tmp_path / "missing.sqlite"), "1"
    elif which == "not a cache":
        (tmp_path / "junk.sqlite").write_text("not sqlite at all " * 100)
        path, ticket = str(tmp_path / "junk.sqlite"), "1"
    done = suggest("--cache", path, "--ticket", ticket, "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("error: ")


def test_replies_sent_from_a_canned_reply_count_as_usage(cache):
    """The outbox payload's canned_reply_id (push.py's contract) is this console's usage history."""
    with CacheReader(cache) as reader:
        ticket_id = scenario_ticket_id(reader, "cancel_enough_notice")
        freeze = next(m["id"] for m in reader.all_macros() if m["title"] == "Billing::Freeze instead of cancel")
        ticket = reader.ticket(ticket_id)
    with CacheWriter(cache) as writer:
        for _ in range(3):
            change = writer.enqueue("reply", ticket_id, {"body": "x", "canned_reply_id": freeze}, ticket["updated_at"])
            writer.mark_sent(change.op_id, {"ticket_id": ticket_id})
        writer.enqueue("reply", ticket_id, {"body": "queued, not sent", "canned_reply_id": freeze},
                       ticket["updated_at"])
        writer.enqueue("reply", ticket_id, {"body": "typed by hand"}, ticket["updated_at"])
    with CacheReader(cache) as reader:
        [(macro_id, group_id, tags, count)] = reader.canned_reply_usage()
        assert (macro_id, group_id, count) == (freeze, ticket["group_id"], 3) and "cancellation" in tags
        plan = " | ".join(r[3] for r in reader._all("EXPLAIN QUERY PLAN " + _usage_sql(), (2000,)))
    assert "ix_outbox_state" in plan and "USING INTEGER PRIMARY KEY" in plan, plan


def _usage_sql() -> str:
    from console.store.outbox_queries import CANNED_REPLY_USAGE_SQL
    return CANNED_REPLY_USAGE_SQL


def test_the_push_never_sends_canned_reply_id():
    from console.store.records import OutboxEntry
    from console.sync.push import update_body

    entry = OutboxEntry("op", 1, 7, "reply", {"body": "Hi", "canned_reply_id": 12, "fields": {"status": "pending"}},
                        "2026-01-01T00:00:00Z", "queued", 0, None, 0.0, None, None, None)
    body = update_body(entry, "2026-01-01T00:00:00Z")["ticket"]
    assert "canned_reply_id" not in json.dumps(body) and body["comment"]["body"] == "Hi"
