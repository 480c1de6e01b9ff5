"""Pushing the outbox: exactly once across restarts, resets, 503s, timeouts and a killed process;
conflicts recorded for the agent, never overwritten; closed tickets surfaced."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time

import pytest

from console.store import CacheWriter
from console.sync import status as ev
from console.sync.client import Unreachable
from tests.faultproxy import Fault, FaultProxy
from tests.helpdesk import REPO
from tests.sync.conftest import sync_cli


def comments_with(server, ticket_id: int, text: str) -> int:
    conn = server.db_connection()
    n = conn.execute("SELECT count(*) FROM comments WHERE ticket_id = ? AND body = ?", (ticket_id, text)).fetchone()[0]
    conn.close()
    return n


def ticket_row(server, ticket_id: int):
    conn = server.db_connection()
    row = dict(conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone())
    conn.close()
    return row


def synced(account, *tickets) -> None:
    """First sync, then open each ticket (tickets made this very second are not exported yet)."""
    account.sync()
    for ticket in tickets:
        asyncio.run(account.engine.refresh_ticket(ticket["id"]))


def sync_until_sent(account, op_id: str, rounds: int = 20) -> None:
    for _ in range(rounds):
        try:
            account.sync(resources=False)
        except Unreachable:
            pass
        if account.writer.get_entry(op_id).state == "sent":
            return
        time.sleep(0.05)
    raise AssertionError(f"not sent after {rounds} rounds: {account.writer.get_entry(op_id)}")


@pytest.fixture
def proxy(helpdesk):
    p = FaultProxy(helpdesk.port)
    yield p
    p.close()


def test_reply_survives_a_server_restart_and_is_sent_once(helpdesk, account_factory):
    ticket = helpdesk.create_ticket(subject="Where is my refund?")
    account = account_factory(helpdesk)
    synced(account, ticket)
    helpdesk.stop()
    text = "Your refund left our bank today."
    events = []
    account.engine.subscribe(events.append)
    entry = account.queue_reply(ticket["id"], text)
    with pytest.raises(Unreachable):
        account.sync()
    assert account.engine.status.online is False and account.engine.status.pending == 1
    assert account.writer.get_entry(entry.op_id).state == "queued"
    helpdesk.restart(same_port=True)
    account.sync()
    assert account.writer.get_entry(entry.op_id).state == "sent"
    assert account.engine.status.online is True and account.engine.status.pending == 0
    assert comments_with(helpdesk, ticket["id"], text) == 1
    assert any(e.kind == ev.SENT and e.op_id == entry.op_id for e in events)


@pytest.mark.parametrize("fault", [
    Fault("reset_before", path="/tickets/"),          # never reached the helpdesk
    Fault("reset_after", path="/tickets/"),           # committed, then the connection reset
    Fault("status_after", path="/tickets/", status=503),  # committed, then a 503
    Fault("delay_after", path="/tickets/", delay=2.5),    # committed, answer later than the read timeout
])
def test_reply_is_delivered_exactly_once_through_network_faults(helpdesk, proxy, account_factory, fault):
    ticket = helpdesk.create_ticket(subject="App crashes on start")
    account = account_factory(helpdesk, url=proxy.url, timeout=(2.0, 1.0))
    synced(account, ticket)
    proxy.add(fault)
    text = f"Please update to the latest version ({fault.mode})."
    entry = account.queue_reply(ticket["id"], text)
    sync_until_sent(account, entry.op_id)  # a failed attempt waits its (short, in tests) backoff
    time.sleep(fault.delay)
    assert comments_with(helpdesk, ticket["id"], text) == 1
    puts = [s for s in proxy.seen if s[0] == "PUT"]
    assert puts[0][2] == fault.mode
    if fault.mode != "reset_before":  # the op landed: found in the audits, never re-sent
        assert len(puts) == 1 and any("/audits" in s[1] for s in proxy.seen)


def test_server_switch_drop_after_commit_is_checked_in_the_audits(fault_helpdesk, account_factory):
    helpdesk = fault_helpdesk
    ticket = helpdesk.create_ticket(subject="Change my plan")
    account = account_factory(helpdesk)
    synced(account, ticket)
    helpdesk.post("x-console/faults", json={"drop_response_after_commit": 1}).raise_for_status()
    text = "Your plan is now the yearly one."
    entry = account.queue_reply(ticket["id"], text, fields={"status": "pending"})
    account.sync(resources=False)
    assert account.writer.get_entry(entry.op_id).state == "sent"
    assert account.writer.get_entry(entry.op_id).result["audit_id"]
    assert comments_with(helpdesk, ticket["id"], text) == 1
    assert ticket_row(helpdesk, ticket["id"])["status"] == "pending"


def test_new_ticket_is_created_once_with_idempotency_key(helpdesk, proxy, account_factory):
    account = account_factory(helpdesk, url=proxy.url)
    account.sync()
    proxy.add(Fault("reset_after", method="POST", path="/tickets"))
    entry = account.queue_new_ticket({"subject": "Phone order follow-up",
                                                        "comment": {"body": "Customer called about order 1182."}})
    account.sync(resources=False)
    sent = account.writer.get_entry(entry.op_id)
    assert sent.state == "sent" and sent.result["ticket_id"]
    conn = helpdesk.db_connection()
    made = conn.execute("SELECT id, external_id FROM tickets WHERE subject = 'Phone order follow-up'").fetchall()
    conn.close()
    assert [tuple(r) for r in made] == [(sent.result["ticket_id"], entry.op_id)]


def test_429_retry_after_is_honoured(helpdesk, proxy, account_factory):
    ticket = helpdesk.create_ticket(subject="Slow down")
    account = account_factory(helpdesk, url=proxy.url)
    synced(account, ticket)
    proxy.add(Fault("status_before", status=429, retry_after=1))
    text = "Thanks for waiting."
    started = time.monotonic()
    account.queue_reply(ticket["id"], text)
    account.sync(resources=False)
    assert time.monotonic() - started >= 1.0
    assert comments_with(helpdesk, ticket["id"], text) == 1


def test_kill_between_sent_and_recorded_does_not_send_twice(helpdesk, tmp_path):
    ticket = helpdesk.create_ticket(subject="Account locked")
    time.sleep(1.1)  # so that the first export includes it
    cache = tmp_path / "cache.sqlite"
    first = sync_cli(helpdesk.url, helpdesk.admin_email, helpdesk.admin_token, cache, "--once")
    assert first.returncode == 0, first.stderr
    text = "I unlocked your account; please sign in again."
    with CacheWriter(cache) as writer:
        entry = writer.enqueue("reply", ticket["id"], {"body": text}, ticket["updated_at"])
    crashed = subprocess.run([sys.executable, "-m", "tests.sync.crash_after_send", "--url", helpdesk.url,
                              "--email", helpdesk.admin_email, "--token", helpdesk.admin_token, "--cache", str(cache)],
                             cwd=REPO, capture_output=True, text=True, timeout=60)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert comments_with(helpdesk, ticket["id"], text) == 1
    with CacheWriter(cache) as writer:
        assert writer.get_entry(entry.op_id).state == "sending"  # outcome unknown to the cache
    again = sync_cli(helpdesk.url, helpdesk.admin_email, helpdesk.admin_token, cache, "--once")
    assert again.returncode == 0, again.stderr
    assert "1 sent" in again.stdout
    assert comments_with(helpdesk, ticket["id"], text) == 1
    with CacheWriter(cache) as writer:
        done = writer.get_entry(entry.op_id)
        assert done.state == "sent" and done.result["audit_id"]


def test_two_clients_the_loser_gets_a_conflict_not_an_overwrite(helpdesk, account_factory):
    ticket = helpdesk.create_ticket(subject="Wrong shipping address", priority="normal")
    alice, bob = account_factory(helpdesk, "alice"), account_factory(helpdesk, "bob")
    synced(alice, ticket)
    synced(bob, ticket)
    time.sleep(1.1)  # a different updated_at second for the winner's change
    alice.queue_fields(ticket["id"], {"priority": "high"})
    alice.push()
    events = []
    bob.engine.subscribe(events.append)
    mine = bob.queue_fields(ticket["id"], {"priority": "low"})
    bob.push()
    assert ticket_row(helpdesk, ticket["id"])["priority"] == "high"  # not overwritten
    assert bob.writer.get_entry(mine.op_id).state == "conflict"
    [conflict] = bob.writer.list_conflicts()
    assert conflict.op_id == mine.op_id
    assert conflict.theirs["ticket"]["priority"] == "high" and "priority" in conflict.theirs["changed_fields"]
    assert conflict.yours["payload"] == {"fields": {"priority": "low"}}
    assert any(e.kind == ev.CONFLICT and e.op_id == mine.op_id for e in events)
    assert bob.engine.status.conflicts == 1
    # a reply on a stale stamp is never rebased silently either
    reply = bob.queue_reply(ticket["id"], "Address updated.", updated_stamp=ticket["updated_at"])
    bob.push()
    assert bob.writer.get_entry(reply.op_id).state in ("queued", "conflict")  # waits behind the open conflict
    assert comments_with(helpdesk, ticket["id"], "Address updated.") == 0


def test_disjoint_field_edits_are_rebased_automatically(helpdesk, account_factory):
    ticket = helpdesk.create_ticket(subject="Refund request", priority="normal")
    alice, bob = account_factory(helpdesk, "alice"), account_factory(helpdesk, "bob")
    synced(alice, ticket)
    synced(bob, ticket)
    time.sleep(1.1)
    alice.queue_fields(ticket["id"], {"priority": "high"})
    alice.push()
    mine = bob.queue_fields(ticket["id"], {"status": "pending"})
    bob.push()
    row = ticket_row(helpdesk, ticket["id"])
    assert (row["priority"], row["status"]) == ("high", "pending")
    assert bob.writer.get_entry(mine.op_id).state == "sent" and not bob.writer.list_conflicts()


def test_a_reply_to_a_closed_ticket_is_surfaced(helpdesk, account_factory):
    ticket = helpdesk.create_ticket(subject="Old issue")
    helpdesk.put(f"tickets/{ticket['id']}.json", json={"ticket": {"status": "closed"}}).raise_for_status()
    account = account_factory(helpdesk)
    synced(account, ticket)
    events = []
    account.engine.subscribe(events.append)
    entry = account.queue_reply(ticket["id"], "Following up on this.")
    account.push()
    failed = account.writer.get_entry(entry.op_id)
    assert failed.state == "failed" and failed.retry_at is None
    assert "closed" in failed.last_error and "follow-up" in failed.last_error
    assert any(e.kind == ev.ERROR and e.op_id == entry.op_id for e in events)


def test_drafts_and_outbox_survive_closing_and_reopening_the_cache(helpdesk, account_factory):
    ticket = helpdesk.create_ticket(subject="Password reset")
    account = account_factory(helpdesk)
    synced(account, ticket)
    account.engine.set_work_offline(True)
    account.writer.save_draft(ticket["id"], "reply", "Half-written answer")
    entry = account.queue_reply(ticket["id"], "Reset link sent.")
    account.close()
    account.open()
    assert account.writer.load_draft(ticket["id"], "reply").body == "Half-written answer"
    assert account.writer.get_entry(entry.op_id).state == "queued"
    account.sync()
    assert account.writer.get_entry(entry.op_id).state == "sent"
    assert comments_with(helpdesk, ticket["id"], "Reset link sent.") == 1


def test_a_reply_on_a_stale_stamp_becomes_a_conflict(helpdesk, account_factory):
    ticket = helpdesk.create_ticket(subject="Cancel my subscription")
    account = account_factory(helpdesk)
    synced(account, ticket)
    time.sleep(1.1)
    helpdesk.put(f"tickets/{ticket['id']}.json", json={"ticket": {"status": "pending"}}).raise_for_status()
    entry = account.queue_reply(ticket["id"], "Cancelled as asked.")
    account.push()
    assert account.writer.get_entry(entry.op_id).state == "conflict"
    assert comments_with(helpdesk, ticket["id"], "Cancelled as asked.") == 0
    [conflict] = account.writer.list_conflicts()
    assert conflict.theirs["ticket"]["status"] == "pending" and conflict.yours["kind"] == "reply"


def test_run_loop_goes_offline_and_resumes_by_itself(helpdesk, account_factory):
    ticket = helpdesk.create_ticket(subject="Order arrived damaged")
    account = account_factory(helpdesk)
    synced(account, ticket)
    helpdesk.stop()
    text = "A replacement is on its way."
    seen = []

    async def scenario():
        account.engine.subscribe(lambda e: seen.append(e.status.online))
        loop_task = asyncio.ensure_future(account.engine.run())
        account.queue_reply(ticket["id"], text)
        for _ in range(100):
            await asyncio.sleep(0.05)
            if account.engine.status.online is False:
                break
        await asyncio.get_running_loop().run_in_executor(None, helpdesk.restart)
        for _ in range(200):
            await asyncio.sleep(0.05)
            if account.engine.status.pending == 0 and account.engine.status.online:
                break
        account.engine.stop()
        await asyncio.wait_for(loop_task, 10)

    asyncio.run(scenario())
    assert False in seen and account.engine.status.online is True
    assert comments_with(helpdesk, ticket["id"], text) == 1
