"""Agent-mode pull: an agent's token (no export access) syncs through the ticket lists."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from console.store import CacheReader, CacheWriter, QueueSpec
from console.sync import pull_agent
from console.sync import status as ev
from tests.sync.conftest import sync_cli

AGENT_EMAIL, AGENT_TOKEN = "agent@demo.support-console.test", "demo-agent-token"


def record_paths(client) -> list[str]:
    """Every URL the console's client asks for (the server stays real)."""
    seen: list[str] = []
    request = client.request

    def recording(method, path, **kwargs):
        seen.append(f"{method} {client.url_for(path)}")
        return request(method, path, **kwargs)

    client.request = recording
    return seen


def ticket_lists(paths: list[str]) -> list[str]:
    """The ticket-list pages among recorded requests (first page and the followed next links)."""
    return [p for p in paths if "/api/v2/tickets.json" in p or "/api/v2/tickets?" in p]


def server_tickets(server) -> dict:
    conn = server.db_connection()
    rows = {r["id"]: (r["subject"], r["status"], r["priority"], r["requester_id"], r["assignee_id"], r["group_id"],
                      r["updated_at"], sorted(json.loads(r["tags"])))
            for r in conn.execute("SELECT * FROM tickets WHERE deleted = 0")}
    conn.close()
    return rows


def server_comments(server, ticket_ids) -> dict:
    conn = server.db_connection()
    marks = ",".join("?" * len(ticket_ids))
    rows = {r["id"]: (r["ticket_id"], bool(r["public"]), r["body"])
            for r in conn.execute(f"SELECT * FROM comments WHERE ticket_id IN ({marks})", list(ticket_ids))}
    conn.close()
    return rows


def cache_tickets(path) -> dict:
    conn = sqlite3.connect(path)
    rows = {r[0]: (r[1], r[2], r[3], r[4], r[5], r[6], r[7], sorted(r[8].split()))
            for r in conn.execute("SELECT id, subject, status, priority, requester_id, assignee_id, group_id, "
                                  "updated_at, tags FROM tickets WHERE deleted = 0")}
    conn.close()
    return rows


def cache_comments(path) -> dict:
    conn = sqlite3.connect(path)
    rows = {r[0]: (r[1], bool(r[2]), r[3]) for r in conn.execute("SELECT id, ticket_id, public, body FROM comments")}
    conn.close()
    return rows


def unsolved(tickets: dict) -> set[int]:
    return {i for i, t in tickets.items() if t[1] not in ("solved", "closed")}


def state(path) -> dict:
    with CacheReader(path) as reader:
        return reader.sync_states()


def test_first_agent_sync_mirrors_what_the_agent_can_list(demo_helpdesk, account_factory):
    account = account_factory(demo_helpdesk, "agent", email=AGENT_EMAIL, token=AGENT_TOKEN)
    paths = record_paths(account.client)
    events = []
    account.engine.subscribe(events.append)
    report = account.sync()
    assert not [p for p in paths if "/incremental/" in p]  # never tried the admin-only exports
    s_tickets = server_tickets(demo_helpdesk)
    assert cache_tickets(account.cache) == s_tickets
    open_ids = unsolved(s_tickets)
    newest = max(t[6] for t in s_tickets.values())
    floor = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(pull_agent._seconds(newest) - 90 * 86400))
    history = {i for i, t in s_tickets.items() if i not in open_ids and t[6] >= floor}
    assert history and len(history) < len(s_tickets) - len(open_ids)  # the demo has older ones too
    cached = cache_comments(account.cache)
    assert {c[0] for c in cached.values()} == open_ids | history  # solved/closed within 90 days too
    assert cached == server_comments(demo_helpdesk, open_ids | history)
    assert report.tickets == len(s_tickets) and report.comments == len(cached)
    states = state(account.cache)
    assert (states["role"], states["pull_mode"]) == ("agent", "list")
    conn = demo_helpdesk.db_connection()
    agent_id = conn.execute("SELECT id FROM users WHERE email = ?", (AGENT_EMAIL,)).fetchone()[0]
    people = {r[0] for r in conn.execute("SELECT id FROM users WHERE role IN ('agent', 'admin')")}
    people |= {r[0] for r in conn.execute("SELECT requester_id FROM tickets WHERE deleted = 0")}
    conn.close()
    assert states["me"] == str(agent_id)
    with CacheReader(account.cache) as reader:
        assert set(reader.users_by_ids(sorted(people))) == people
        mine = reader.ticket_ids_for_queue(QueueSpec(mine=True, me=agent_id))
        assert mine and all(s_tickets[i][4] == agent_id for i in mine)
        assert reader.groups() and reader.macros_for_department(None) is not None
    statuses = [e.status for e in events if e.kind == ev.STATUS]
    passes = [a for a, b in zip(statuses, statuses[1:], strict=False)    # each comments pass's last progress
              if a.phase == "comments" and b.phase != "comments"]
    assert len(passes) == 2, "the first screens' threads, then the rest"
    assert all(p.total == p.done for p in passes) and sum(p.done for p in passes) == len(open_ids | history)
    assert {"tickets", "users"} <= {e.status.phase for e in events if e.kind == ev.STATUS}
    assert account.engine.status.online is True and account.engine.status.error is None


@pytest.fixture
def agent_desk(helpdesk):
    helpdesk.add_user("Robin Rivera", "robin@example.test", "agent", token="robin-token")
    return helpdesk


def age_tickets(server, ids, days: int) -> None:
    """Make tickets look last updated ``days`` ago on the server (an old, quiet backlog)."""
    conn = server.db_connection()
    for ticket_id in ids:
        ts = int(time.time()) - days * 86400 - ticket_id * 120  # two minutes apart, lower ids newer
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
        conn.execute("UPDATE tickets SET updated_ts = ?, updated_at = ? WHERE id = ?", (ts, stamp, ticket_id))
    conn.commit()
    conn.close()


def test_server_changes_arrive_with_the_next_sync_reading_only_the_newest_page(agent_desk, account_factory):
    backlog = [agent_desk.create_ticket(subject=f"Backlog question {n}")["id"] for n in range(50)]
    age_tickets(agent_desk, backlog, days=3)
    account = account_factory(agent_desk, "robin", email="robin@example.test", token="robin-token",
                              engine_options={"list_page_size": 20})
    paths = record_paths(account.client)
    first = account.sync()
    assert first.tickets == 50
    assert len(ticket_lists(paths)) == 3  # 20 + 20 + 10
    assert cache_tickets(account.cache) == server_tickets(agent_desk)
    mark = json.loads(state(account.cache)["agent_pull"])
    assert mark["walk"] is None and mark["due"] == [] and mark["mark"]

    changed, solved = backlog[5], backlog[7]
    agent_desk.put(f"tickets/{changed}.json", json={"ticket": {"priority": "urgent", "tags": ["billing"],
                   "comment": {"body": "The currency on your plan is fixed now.", "public": True}}}).raise_for_status()
    agent_desk.put(f"tickets/{solved}.json", json={"ticket": {"status": "solved"}}).raise_for_status()
    fresh = agent_desk.create_ticket(subject="Cannot download my receipt")
    paths.clear()
    report = account.sync(resources=False)
    ticket_pages = ticket_lists(paths)
    assert len(ticket_pages) == 1  # the newest page reached below the mark: no full walk
    assert cache_tickets(account.cache) == server_tickets(agent_desk)
    assert report.tickets == 3
    threads = [p.split("/tickets/")[1].split("/")[0] for p in paths if "/comments.json" in p]
    assert set(threads[:2]) == {str(changed), str(fresh["id"])}  # unsolved first,
    assert threads[2:] == [str(solved)]  # then the newly solved one (its thread may have a last reply)
    with CacheReader(account.cache) as reader:
        assert reader.ticket(changed)["priority"] == "urgent"
        assert reader.comments_for_ticket(changed)[-1]["body"] == "The currency on your plan is fixed now."
        assert fresh["id"] in reader.ticket_ids_for_queue(QueueSpec())

    paths.clear()
    quiet = account.sync(resources=False)
    assert (quiet.tickets, quiet.comments) == (0, 0)
    assert len(ticket_lists(paths)) == 1


def test_a_killed_walk_resumes_from_its_next_link(agent_desk, account_factory):
    ids = [agent_desk.create_ticket(subject=f"Login trouble {n}")["id"] for n in range(30)]
    age_tickets(agent_desk, ids, days=1)
    account = account_factory(agent_desk, "robin", email="robin@example.test", token="robin-token",
                              engine_options={"list_page_size": 20})
    puller = account.engine.agent_puller
    puller.apply_ticket_list(puller.fetch_ticket_list(None))  # first page only, then "killed"
    walk = json.loads(state(account.cache)["agent_pull"])
    assert walk["mark"] is None and walk["walk"]["next"] and len(walk["due"]) == 20
    account.close()
    account.open()
    paths = record_paths(account.client)
    report = account.sync(resources=False)
    ticket_pages = ticket_lists(paths)
    assert ticket_pages == [f"GET {walk['walk']['next']}"]
    assert report.tickets == 10 and cache_tickets(account.cache) == server_tickets(agent_desk)
    assert len({c[0] for c in cache_comments(account.cache).values()}) == 30  # the due list survived


def test_comment_fetching_is_bounded_per_round_newest_first(agent_desk, account_factory):
    ids = [agent_desk.create_ticket(subject=f"Refund request {n}")["id"] for n in range(12)]
    age_tickets(agent_desk, ids, days=2)  # older ids are older tickets
    account = account_factory(agent_desk, "robin", email="robin@example.test", token="robin-token",
                              engine_options={"comment_budget": 5})
    assert account.sync().comments == 5
    threads = {c[0] for c in cache_comments(account.cache).values()}
    assert threads == set(ids[:5])  # age_tickets makes lower ids newer
    account.sync(resources=False)
    account.sync(resources=False)
    assert {c[0] for c in cache_comments(account.cache).values()} == set(ids)
    assert json.loads(state(account.cache)["agent_pull"])["due"] == []


def test_list_copies_never_overwrite_a_newer_cached_ticket(tmp_path):
    base = {"id": 7, "subject": "Card declined", "status": "open", "created_at": "2025-10-01T08:00:00Z"}
    with CacheWriter(tmp_path / "c.sqlite") as writer:
        writer.upsert_tickets([{**base, "priority": "high", "updated_at": "2025-10-03T11:40:51Z"}])
        stale = writer.apply_ticket_page([{**base, "priority": "low", "updated_at": "2025-10-02T09:00:00Z"}], None,
                                         end_of_stream=True)
        assert not stale
    with CacheReader(tmp_path / "c.sqlite") as reader:
        assert reader.ticket(7)["priority"] == "high"


def test_admin_keeps_the_export_path(helpdesk, account_factory):
    helpdesk.create_ticket(subject="Invoice in the wrong currency")
    account = account_factory(helpdesk)
    paths = record_paths(account.client)
    account.sync()
    assert any("/incremental/tickets/cursor.json" in p for p in paths)
    assert not ticket_lists(paths)
    states = state(account.cache)
    assert (states["role"], states["pull_mode"]) == ("admin", "export") and states["tickets_cursor"]


def test_a_403_on_an_export_falls_back_to_agent_mode(helpdesk, account_factory):
    admin_id = helpdesk.add_user("Pat Park", "pat@example.test", "admin", token="pat-token")
    ticket = helpdesk.create_ticket(subject="Two-factor codes never arrive")
    account = account_factory(helpdesk, "pat", email="pat@example.test", token="pat-token")
    account.sync()
    assert state(account.cache)["pull_mode"] == "export"
    # Pat loses admin rights while the console keeps running: the next export answers 403.
    helpdesk.put(f"users/{admin_id}.json", json={"user": {"role": "agent"}}).raise_for_status()
    helpdesk.put(f"tickets/{ticket['id']}.json", json={"ticket": {"priority": "high", "comment": {
        "body": "Internal: SMS provider had an outage", "public": False}}}).raise_for_status()
    account.sync(resources=False)
    assert state(account.cache)["pull_mode"] == "list"
    assert account.engine.status.error is None
    assert cache_tickets(account.cache) == server_tickets(helpdesk)
    assert cache_comments(account.cache) == server_comments(helpdesk, [ticket["id"]])


def test_the_sync_command_works_with_an_agent_token(demo_helpdesk, tmp_path):
    done = sync_cli(demo_helpdesk.url, AGENT_EMAIL, AGENT_TOKEN, tmp_path / "cli.sqlite")
    assert done.returncode == 0, done.stderr
    assert cache_tickets(tmp_path / "cli.sqlite") == server_tickets(demo_helpdesk)
