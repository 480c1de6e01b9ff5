"""Answers cut off, undecodable or of the wrong shape (items 5 and 6): the client's own error types,
one line from the CLI, and a write with such an answer is checked in the audits, never guessed."""

from __future__ import annotations

import pytest

from console.store import CacheReader
from console.sync import client as hc
from tests.faultproxy import PERSISTENT, Fault, FaultProxy
from tests.sync.conftest import sync_cli
from tests.sync.test_push import comments_with, sync_until_sent, synced


@pytest.fixture
def proxy(helpdesk):
    p = FaultProxy(helpdesk.port)
    yield p
    p.close()


@pytest.mark.parametrize("mode", ["truncate_after", "gzip_after", "reset_after"])
def test_a_broken_answer_is_the_clients_own_error(helpdesk, proxy, mode):
    client = hc.HelpdeskClient(proxy.url, helpdesk.admin_email, helpdesk.admin_token, max_retries=1,
                               backoff_base=0.01)
    ticket = helpdesk.create_ticket(subject="Broken answers")
    proxy.add(Fault(mode, method="GET", path="/tickets/", count=PERSISTENT))
    with pytest.raises(hc.Unreachable) as got:
        client.get(f"tickets/{ticket['id']}.json")
    assert type(got.value).__module__ == hc.__name__ and "broken answer" in str(got.value) or mode == "reset_after"
    proxy.add(Fault(mode, method="PUT", path="/tickets/", count=1))
    with pytest.raises(hc.AmbiguousOutcome):
        client.put(f"tickets/{ticket['id']}.json", {"ticket": {"comment": {"body": "applied or not?"}}})
    assert comments_with(helpdesk, ticket["id"], "applied or not?") == 1  # it was applied: hence "ambiguous"


def test_the_cli_says_one_line_when_every_answer_is_cut_off(helpdesk, proxy, tmp_path):
    proxy.add(Fault("truncate_after", method="GET", path="/api/v2/", count=PERSISTENT))
    done = sync_cli(proxy.url, helpdesk.admin_email, helpdesk.admin_token, tmp_path / "c.sqlite", "--once")
    assert done.returncode == 3 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "broken answer" in done.stderr


@pytest.mark.parametrize("body", [b"[]", b'{"ticket": "yes", "audit": 7}', b'{"tickets": [1, 2', b"<html>ok</html>"],
                         ids=["list", "wrong-keys", "cut-json", "html"])
def test_a_reply_with_a_malformed_2xx_answer_is_verified_and_sent_once(helpdesk, proxy, account_factory, body):
    ticket = helpdesk.create_ticket(subject="Odd answers")
    account = account_factory(helpdesk, url=proxy.url)
    synced(account, ticket)
    proxy.add(Fault("body_after", method="PUT", path="/tickets/", status=200, body=body))
    text = f"Sent through an odd answer {body[:6].hex()}"
    entry = account.queue_reply(ticket["id"], text)
    sync_until_sent(account, entry.op_id)
    sent = account.writer.get_entry(entry.op_id)
    assert sent.state == "sent" and sent.result["audit_id"], sent
    assert comments_with(helpdesk, ticket["id"], text) == 1
    assert [s[2] for s in proxy.seen if s[0] == "PUT"] == ["body_after"]  # verified, never re-sent
    with CacheReader(account.cache) as reader:
        assert text in [c["body"] for c in reader.comments_for_ticket(ticket["id"])]


def test_a_wrong_shape_export_page_fails_the_round_with_a_clear_error(helpdesk, proxy, account_factory, tmp_path):
    account = account_factory(helpdesk, url=proxy.url)
    proxy.add(Fault("body_after", method="GET", path="/incremental/tickets", count=PERSISTENT,
                    status=200, body=b'{"tickets": {"id": 1}, "end_of_stream": true}'))
    with pytest.raises(hc.MalformedAnswer, match="'tickets' as dict"):
        account.sync()
    assert "not a list" in (account.engine.status.error or "")
    done = sync_cli(proxy.url, helpdesk.admin_email, helpdesk.admin_token, tmp_path / "c.sqlite", "--once")
    assert done.returncode == 3 and "Traceback" not in done.stderr and "not a list" in done.stderr
