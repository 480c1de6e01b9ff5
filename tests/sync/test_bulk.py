"""Bulk changes: one outbox batch of per-ticket entries, delivered with update_many + job status;
each ticket settles by its own result (a conflicting one becomes a conflict, never an overwrite)."""

from __future__ import annotations

import time

import pytest

from console.store import CacheReader
from tests.faultproxy import Fault
from tests.sync.test_push import proxy  # noqa: F401 (fixture)


def server_tickets(helpdesk, ids) -> dict[int, tuple]:
    conn = helpdesk.db_connection()
    rows = conn.execute(f"SELECT id, status, priority FROM tickets WHERE id IN ({','.join(map(str, ids))})").fetchall()
    conn.close()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_bulk_update_of_200_tickets_with_3_conflicting_ends_197_updated_3_conflicts(helpdesk, proxy,  # noqa: F811
                                                                                      account_factory):
    ids = [helpdesk.create_ticket(subject=f"Invoice question {i}")["id"] for i in range(200)]
    helpdesk.wait_exportable()
    account = account_factory(helpdesk, url=proxy.url)
    account.sync()
    stamps = {i: account.writer.cached_updated_at(i) for i in ids}
    assert all(stamps.values())
    change, batch = account.writer.enqueue_batch(stamps, {"status": "pending", "priority": "high"})
    assert len(change.op_ids) == 200 and change.ticket_ids == frozenset(ids)
    with CacheReader(account.cache) as reader:   # shown at once, per ticket
        assert reader.pending_fields(ids[:2]) == {ids[0]: {"status": "pending", "priority": "high"},
                                                  ids[1]: {"status": "pending", "priority": "high"}}
    theirs = ids[10], ids[120], ids[199]   # another agent puts these on hold meanwhile
    for ticket_id in theirs:
        assert helpdesk.put(f"tickets/{ticket_id}.json", json={"ticket": {"status": "hold"}}).status_code == 200
    for _ in range(5):
        account.sync(resources=False)
        if not account.writer.batch_counts(batch).get("queued"):
            break
    counts = account.writer.batch_counts(batch)
    assert counts == {"sent": 197, "conflict": 3}, counts
    on_server = server_tickets(helpdesk, ids)
    assert sum(v == ("pending", "high") for v in on_server.values()) == 197
    assert [on_server[t][0] for t in theirs] == ["hold"] * 3, "their change stands: nothing overwritten"
    conflicts = account.writer.list_conflicts()
    assert sorted(c.ticket_id for c in conflicts) == sorted(theirs)
    puts = [s for s in proxy.seen if s[0] == "PUT" and "update_many" in s[1]]
    assert len(puts) == 2, puts   # 200 tickets: two update_many calls, not 200 PUTs
    assert not [s for s in proxy.seen if s[0] == "PUT" and "update_many" not in s[1]
                and "/tickets/" in s[1] and int(s[1].split("/")[-1].split(".")[0]) not in theirs]
    with CacheReader(account.cache) as reader:
        assert reader.ticket(ids[0])["status"] == "pending", "read back into the cache"


def lost_urgent_batch(helpdesk, front, account_factory, count: int):
    """``count`` tickets synced through ``front``, a bulk "urgent" queued for them, its answer to be lost."""
    ids = [helpdesk.create_ticket(subject=f"Refund {i}")["id"] for i in range(count)]
    helpdesk.wait_exportable()
    account = account_factory(helpdesk, url=front.url)
    account.sync()
    _change, batch = account.writer.enqueue_batch({i: account.writer.cached_updated_at(i) for i in ids},
                                                  {"priority": "urgent"})
    front.add(Fault("reset_after", method="PUT", path="/update_many"))   # applied, answer lost
    return account, ids, batch


def console_audits(helpdesk, ids) -> int:
    """Audits on the helpdesk written by a console delivery (they carry its op id) for these tickets."""
    conn = helpdesk.db_connection()
    found = conn.execute(f"SELECT count(*) FROM audits WHERE ticket_id IN ({','.join(map(str, ids))}) "
                         "AND metadata LIKE '%console_op_id%'").fetchone()[0]
    conn.close()
    return found


def test_a_lost_update_many_answer_is_checked_in_the_audits_not_sent_twice(queued_jobs, account_factory):
    # the job is still queued when the lost answer is first checked: one look right away would find
    # no audit, queue the batch again and send it twice
    helpdesk, front = queued_jobs
    account, ids, batch = lost_urgent_batch(helpdesk, front, account_factory, 5)
    for _ in range(5):
        account.sync(resources=False)
        if account.writer.batch_counts(batch) == {"sent": 5}:
            break
    assert account.writer.batch_counts(batch) == {"sent": 5}
    assert len([s for s in front.seen if s[0] == "PUT" and "update_many" in s[1]]) == 1, "never sent twice"
    assert console_audits(helpdesk, ids) == 5


@pytest.mark.parametrize("queued_jobs", [4.0], indirect=True)
def test_a_lost_job_slower_than_the_looks_is_sent_again_but_lands_once_and_is_no_conflict(queued_jobs,
                                                                                          account_factory):
    """The job outlasts the looks: the batch goes again, its second job finds the tickets changed by
    the first, and each 409 is read in the audits as our own earlier attempt, not a conflict."""
    helpdesk, front = queued_jobs
    account, ids, batch = lost_urgent_batch(helpdesk, front, account_factory, 3)
    for _ in range(12):
        account.sync(resources=False)
        if account.writer.batch_counts(batch) == {"sent": 3}:
            break
        time.sleep(1.0)
    assert account.writer.batch_counts(batch) == {"sent": 3}
    assert not account.writer.list_conflicts(), "our own earlier attempt is never a conflict"
    puts = [s for s in front.seen if s[0] == "PUT" and "update_many" in s[1]]
    assert len(puts) > 1, "the looks gave up before the job ran: sent again (entries ready apart may go apart)"
    assert console_audits(helpdesk, ids) == 3, "applied once"
    assert {priority for _status, priority in server_tickets(helpdesk, ids).values()} == {"urgent"}


def test_the_further_looks_after_a_lost_job_are_shared_by_the_whole_batch():
    """100 entries that did not land wait sum(SETTLE_S) in all before they are sent again, not per entry."""
    from console.sync.retry import SETTLE_S, SettleLooks

    waits: list[float] = []
    looks = SettleLooks(waits.append)
    seen = [looks.until(lambda: None) for _ in range(100)]
    assert seen == [None] * 100 and waits == list(SETTLE_S)
    found = SettleLooks(waits.append)
    answers = iter([None, None, {"id": 7}])
    assert found.until(lambda: next(answers)) == {"id": 7}, "looks again until the change shows"
    assert waits == [*SETTLE_S, *SETTLE_S[:2]]
