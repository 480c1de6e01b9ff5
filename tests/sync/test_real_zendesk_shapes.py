"""Two shapes real Zendesk sends (item 13), from recorded responses in /work/shared/real-zendesk."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from console.store import CacheReader, CacheWriter
from tests.faultproxy import PERSISTENT, Fault, FaultProxy

REAL = Path("/work/shared/real-zendesk")


def _real(name: str) -> dict:
    return json.loads((REAL / name).read_text())


def test_a_write_answer_with_generated_timestamp_0_does_not_demote_the_cached_row(tmp_path):
    answer = _real("write_responses.json")["post_ticket"]["body"]
    ticket = answer["ticket"]
    assert ticket["generated_timestamp"] == 0
    older = {**ticket, "updated_at": "2024-09-06T18:50:00Z", "generated_timestamp": 1725648600, "subject": "old"}
    with CacheWriter(tmp_path / "c.sqlite") as writer:
        writer.upsert_tickets([older])
        assert writer.upsert_tickets([ticket])  # the answer to our write is newer: it wins
        assert writer.cached_updated_at(ticket["id"]) == ticket["updated_at"]  # the next safe update's stamp
    with CacheReader(tmp_path / "c.sqlite") as reader:
        assert reader.ticket(ticket["id"])["subject"] == "example ticket"


def test_a_422_too_recent_start_time_on_ticket_events_is_caught_up_not_an_error(helpdesk, account_factory):
    recorded = _real("errors.json")["too_recent_start_time"]
    proxy = FaultProxy(helpdesk.port)
    try:
        account = account_factory(helpdesk, url=proxy.url)
        proxy.add(Fault("body_after", method="GET", path="/incremental/ticket_events", count=PERSISTENT,
                        status=recorded["status"], body=orjson.dumps(recorded["body"])))
        report = account.sync()  # no exception: nothing can be newer than the bookmark yet
        assert report.comments == 0 and account.engine.status.error is None
        assert any(s[2] == "body_after" for s in proxy.seen)
    finally:
        proxy.close()
