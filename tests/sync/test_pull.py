"""Pulling: a first sync mirrors the helpdesk; later changes arrive incrementally; events and progress."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading
import time

from console.store import CacheReader, Kind, QueueSpec
from console.sync import status as ev
from console.sync.pull import RESOURCE_LISTS


def server_rows(server):
    conn = server.db_connection()
    tickets = {r["id"]: (r["subject"], "deleted" if r["deleted"] else r["status"], r["priority"], r["requester_id"],
                         r["assignee_id"], r["group_id"], r["updated_at"], sorted(json.loads(r["tags"])))
               for r in conn.execute("SELECT * FROM tickets")}
    comments = {r["id"]: (r["ticket_id"], bool(r["public"]), r["body"]) for r in conn.execute("SELECT * FROM comments")}
    users = {r["id"]: (r["name"], r["email"], r["role"]) for r in conn.execute("SELECT * FROM users")}
    conn.close()
    return tickets, comments, users


def cache_rows(path):
    conn = sqlite3.connect(path)
    tickets = {r[0]: (r[1], "deleted" if r[8] else r[2], r[3], r[4], r[5], r[6], r[7], sorted(r[9].split()))
               for r in conn.execute("SELECT id, subject, status, priority, requester_id, assignee_id, group_id, "
                                     "updated_at, deleted, tags FROM tickets")}
    comments = {r[0]: (r[1], bool(r[2]), r[3]) for r in conn.execute("SELECT id, ticket_id, public, body FROM comments")}
    users = {r[0]: (r[1], r[2], r[3]) for r in conn.execute("SELECT id, name, email, role FROM users")}
    conn.close()
    return tickets, comments, users


def assert_mirrors(server, cache):
    s_tickets, s_comments, s_users = server_rows(server)
    c_tickets, c_comments, c_users = cache_rows(cache)
    assert c_tickets == s_tickets
    assert c_comments == s_comments
    assert c_users == s_users


def test_first_sync_mirrors_every_ticket_comment_and_user(demo_helpdesk, account_factory):
    account = account_factory(demo_helpdesk)
    events = []
    account.engine.subscribe(events.append)
    report = account.sync()
    assert_mirrors(demo_helpdesk, account.cache)
    assert report.tickets >= 60 and report.comments > 100 and report.users > 10
    # one list per resource (groups ... ticket fields), and for the demo's 60 tickets one page each of
    # tickets, users and comment events, with at most one more: a handful of requests, not one per ticket
    assert report.requests <= len(RESOURCE_LISTS) + 4
    reader = CacheReader(account.cache)
    assert reader.groups() and reader.macros_for_department(None) is not None and reader.views(active_only=False)
    assert reader.sync_state("tickets_cursor") and reader.sync_state("ticket_events_end_time")
    reader.close()
    phases = {e.status.phase for e in events if e.kind == ev.STATUS}
    assert {"tickets", "users", "comments"} <= phases
    last = account.engine.status
    assert last.online is True and not last.syncing and last.error is None
    # the helpdesk's clock, in the API's timestamp form the status bar shows as "As of HH:MM:SS"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", last.last_synced_at or "")
    from console.views.status_bar import as_of_text
    assert as_of_text(last.last_synced_at).startswith("As of ")
    assert any(e.kind == ev.CHANGE and Kind.TICKETS in e.change.kinds for e in events)


def test_the_first_sync_builds_the_search_index_once_every_page_is_in(demo_helpdesk, account_factory):
    """The initial export skips the search index page by page and builds it at each stream's end:
    once the round is over, every ticket subject, customer and comment the helpdesk holds is found."""
    account = account_factory(demo_helpdesk)
    account.sync()
    assert account.writer.deferred_index == frozenset()
    conn = demo_helpdesk.db_connection()
    ticket_id, subject = conn.execute("SELECT id, subject FROM tickets WHERE deleted = 0 ORDER BY id DESC").fetchone()
    comment_id, body = conn.execute("SELECT id, body FROM comments ORDER BY id DESC").fetchone()
    conn.close()
    reader = CacheReader(account.cache)
    try:
        word = max(re.findall(r"[A-Za-z]{6,}", subject), key=len)
        assert ("ticket", ticket_id) in [(h.kind, h.id) for h in reader.search(f"{word} ", limit=500)]
        words = " ".join(re.findall(r"[A-Za-z]{5,}", body)[:3])
        assert ("comment", comment_id) in [(h.kind, h.id) for h in reader.search(f"{words} ", limit=500)]
        counts = {t: reader._all(f"SELECT count(*) FROM {t}_fts_docsize")[0][0] for t in ("ticket", "comment")}  # indexed
        assert counts == {"ticket": reader._all("SELECT count(*) FROM tickets")[0][0],
                          "comment": reader._all("SELECT count(*) FROM comments")[0][0]}
    finally:
        reader.close()


def test_changes_on_the_server_arrive_with_the_next_incremental_sync(helpdesk, account_factory):
    keep = helpdesk.create_ticket(subject="Invoice in the wrong currency", priority="low")
    doomed = helpdesk.create_ticket(subject="Duplicate of another ticket")
    account = account_factory(helpdesk)
    account.sync()
    time.sleep(1.1)  # exports leave out the current second
    helpdesk.put(f"tickets/{keep['id']}.json", json={"ticket": {"priority": "urgent", "tags": ["billing"],
                 "comment": {"body": "We fixed the currency on your plan.", "public": True}}}).raise_for_status()
    assert helpdesk.delete(f"tickets/{doomed['id']}.json").status_code == 204
    fresh = helpdesk.create_ticket(subject="Cannot download my receipt")
    time.sleep(1.1)
    started = time.monotonic()
    report = account.sync(resources=False)
    assert time.monotonic() - started < 2
    assert report.requests <= 6  # push check is local; one page per stream (+ a final users page at most)
    assert_mirrors(helpdesk, account.cache)
    reader = CacheReader(account.cache)
    assert reader.ticket(keep["id"])["priority"] == "urgent"
    assert reader.ticket(doomed["id"])["_deleted"] is True
    assert fresh["id"] in reader.ticket_ids_for_queue(QueueSpec())
    assert doomed["id"] not in reader.ticket_ids_for_queue(QueueSpec())
    assert any(c["body"] == "We fixed the currency on your plan." for c in reader.comments_for_ticket(keep["id"]))
    reader.close()
    # nothing changed: nothing received
    time.sleep(1.1)
    quiet = account.sync(resources=False)
    assert (quiet.tickets, quiet.users, quiet.comments) == (0, 0, 0)


def test_refresh_ticket_reads_the_whole_thread_and_tombstones_on_404(helpdesk, account_factory):
    ticket = helpdesk.create_ticket(subject="Two-factor codes never arrive")
    account = account_factory(helpdesk)
    account.sync()
    helpdesk.put(f"tickets/{ticket['id']}.json", json={"ticket": {"comment": {"body": "Internal: check SMS provider",
                 "public": False}}}).raise_for_status()
    change = asyncio.run(account.engine.refresh_ticket(ticket["id"]))  # no export delay involved
    assert ticket["id"] in change.ticket_ids
    reader = CacheReader(account.cache)
    assert [c["public"] for c in reader.comments_for_ticket(ticket["id"])] == [True, False]
    helpdesk.delete(f"tickets/{ticket['id']}.json")
    asyncio.run(account.engine.refresh_ticket(ticket["id"]))
    assert reader.ticket(ticket["id"])["_deleted"] is True
    reader.close()


def test_work_offline_makes_no_network_calls(helpdesk, account_factory):
    account = account_factory(helpdesk)
    account.engine.set_work_offline(True)
    before = account.client.requests_made
    report = account.sync()
    account.push()
    asyncio.run(account.engine.refresh_ticket(1))
    assert account.client.requests_made == before and report.requests == 0
    assert account.engine.status.work_offline is True
    account.engine.set_work_offline(False)
    assert account.sync().requests > 0


def test_work_offline_switched_off_while_the_engine_counts_the_outbox_still_syncs(helpdesk, account_factory):
    """The switch lands while the offline engine reads its outbox counts (a thread): the wake it
    sends must not be lost when the engine goes back to sleep (it was: asleep for good)."""
    account = account_factory(helpdesk)
    engine = account.engine
    engine.set_work_offline(True)
    counts, flipped = engine._counts, threading.Event()

    async def scenario():
        loop = asyncio.get_running_loop()

        def counts_while_the_agent_flips():   # on the engine's lane thread
            if not flipped.is_set():
                loop.call_soon_threadsafe(engine.set_work_offline, False)
                time.sleep(0.2)                  # the flip runs on the loop before this read ends
                flipped.set()
            return counts()
        engine._counts = counts_while_the_agent_flips
        task = asyncio.ensure_future(engine.run())
        started = time.monotonic()
        while engine.status.last_synced_at is None and time.monotonic() - started < 5:
            await asyncio.sleep(0.05)
        engine.stop()
        await asyncio.wait_for(task, 10)

    assert engine.status.last_synced_at is None   # a fresh cache: no round yet
    asyncio.run(scenario())
    assert flipped.is_set() and engine.status.last_synced_at is not None, "no round after Work offline went off"
