"""The answer to our own write goes back to the cache: our reply is in the thread at once, and two
replies queued offline to one ticket go out one after the other without a conflict (item 7)."""

from __future__ import annotations

import asyncio

from console.store import CacheReader
from tests.faultproxy import FaultProxy
from tests.sync.test_push import comments_with, synced


def test_two_offline_replies_to_one_ticket_both_go_out_and_land_in_the_cache(helpdesk, account_factory):
    proxy = FaultProxy(helpdesk.port)
    try:
        ticket = helpdesk.create_ticket(subject="Invoice missing")
        account = account_factory(helpdesk, url=proxy.url)
        synced(account, ticket)
        account.engine.set_work_offline(True)
        first = account.queue_reply(ticket["id"], "Looking into it now.")
        second = account.queue_reply(ticket["id"], "Found it: invoice attached.",
                                                        fields={"status": "pending"})
        assert first.updated_stamp == second.updated_stamp  # both written against the same version
        proxy.seen.clear()
        account.engine.set_work_offline(False)
        account.push()
        assert [account.writer.get_entry(e.op_id).state for e in (first, second)] == ["sent", "sent"]
        assert not account.writer.list_conflicts()
        puts = [s for s in proxy.seen if s[0] == "PUT"]
        assert len(puts) == 2 and not any("/audits" in s[1] for s in proxy.seen), proxy.seen  # no 409
        assert [p for p in proxy.seen if p[0] == "GET" and "/comments" in p[1]] == []  # the answers sufficed
        with CacheReader(account.cache) as reader:
            bodies = [c["body"] for c in reader.comments_for_ticket(ticket["id"])]
            row = reader.ticket(ticket["id"])
        assert bodies[-2:] == ["Looking into it now.", "Found it: invoice attached."]
        assert row["status"] == "pending"
        server_ids = [r[0] for r in helpdesk.db_connection().execute(
            "SELECT id FROM comments WHERE ticket_id = ? ORDER BY id", (ticket["id"],))]
        with CacheReader(account.cache) as reader:
            assert [c["id"] for c in reader.comments_for_ticket(ticket["id"])] == server_ids
        assert comments_with(helpdesk, ticket["id"], "Looking into it now.") == 1
        assert comments_with(helpdesk, ticket["id"], "Found it: invoice attached.") == 1
    finally:
        proxy.close()


def test_a_second_agents_reply_in_between_still_makes_the_second_queued_reply_a_conflict(helpdesk,
                                                                                         account_factory):
    ticket = helpdesk.create_ticket(subject="Cancel please")
    account = account_factory(helpdesk)
    synced(account, ticket)
    account.engine.set_work_offline(True)
    first = account.queue_reply(ticket["id"], "Cancelled.")
    second = account.queue_reply(ticket["id"], "Refund on its way.")
    account.engine.set_work_offline(False)
    asyncio.run(account.engine.push_now())  # both land: chained
    assert account.writer.get_entry(second.op_id).state == "sent"
    # now someone else answers, and our third reply was written before we saw it
    stamp = account.writer.cached_updated_at(ticket["id"])
    helpdesk.put(f"tickets/{ticket['id']}.json", json={"ticket": {"comment": {"body": "Colleague here."}}})
    third = account.writer.enqueue("reply", ticket["id"], {"body": "Anything else?"}, stamp)
    account.push()
    assert account.writer.get_entry(first.op_id).state == "sent"
    assert account.writer.get_entry(third.op_id).state == "conflict"
    [conflict] = account.writer.list_conflicts()
    assert conflict.theirs["changed_fields"] == ["comment"]
