"""The agent path also fetches solved and closed tickets' threads, in the background, newest first,
as far back as the ``thread_history_days`` setting says: old conversations read and search offline."""

from __future__ import annotations

import json

import pytest

from console.config import SETTINGS_BY_NAME
from console.store import CacheReader
from console.sync import pull_agent
from tests.sync.test_pull_agent import age_tickets, cache_comments, record_paths, state


@pytest.fixture
def agent_desk(helpdesk):
    helpdesk.add_user("Robin Rivera", "robin@example.test", "agent", token="robin-token")
    return helpdesk


def threads_fetched(paths: list[str]) -> list[int]:
    return [int(p.split("/tickets/")[1].split("/")[0]) for p in paths if "/comments.json" in p]


def test_solved_and_closed_threads_follow_the_unsolved_ones_newest_first_within_the_window(
        agent_desk, account_factory):
    assert SETTINGS_BY_NAME["thread_history_days"].default == pull_agent.HISTORY_DAYS == 90
    words = ["walrus", "quokka", "axolotl", "pangolin", "narwhal", "okapi", "tapir", "dugong", "gharial"]
    done = [agent_desk.create_ticket(subject=f"Old question {n}", comment={"body": f"My {word} is missing."})["id"]
            for n, word in enumerate(words)]
    open_ids = [agent_desk.create_ticket(subject=f"Open question {n}")["id"] for n in range(3)]
    for n, ticket_id in enumerate(done):
        status = "closed" if n % 2 else "solved"
        agent_desk.put(f"tickets/{ticket_id}.json", json={"ticket": {"status": status}}).raise_for_status()
    # three solved a day or two ago, three a fortnight ago, three long ago (outside a 30-day window)
    age_tickets(agent_desk, done[:3], days=1)
    age_tickets(agent_desk, done[3:6], days=14)
    age_tickets(agent_desk, done[6:], days=200)
    newest_first = done[:6]  # age_tickets makes lower ids newer within each group
    account = account_factory(agent_desk, "robin", email="robin@example.test", token="robin-token",
                              engine_options={"comment_budget": 7, "thread_history_days": 30})
    paths = record_paths(account.client)
    account.sync()
    fetched = threads_fetched(paths)
    assert set(fetched[:3]) == set(open_ids)  # the unsolved threads come first
    assert fetched[3:] == newest_first[:4]  # then what the budget leaves, newest first

    account.close()  # the backfill's position survives a restart
    account.open()
    paths = record_paths(account.client)
    account.sync(resources=False)
    assert threads_fetched(paths) == newest_first[4:]
    paths.clear()
    account.sync(resources=False)
    assert threads_fetched(paths) == []  # nothing older than 30 days, and nothing twice
    assert {c[0] for c in cache_comments(account.cache).values()} == set(open_ids) | set(newest_first)
    assert json.loads(state(account.cache)["agent_pull"])["history"][1] == newest_first[-1]

    with CacheReader(account.cache) as reader:  # searchable offline
        assert {h.ticket_id for h in reader.search("okapi") if h.kind == "comment"} == {done[5]}
        assert not [h for h in reader.search("dugong") if h.kind == "comment"]  # 200 days back: not fetched

    # widening the window (the setting, read when the engine starts) carries the backfill on
    account.close()
    account.engine_options["thread_history_days"] = 365
    account.open()
    paths = record_paths(account.client)
    account.sync(resources=False)
    assert threads_fetched(paths) == done[6:]


def test_a_solved_ticket_that_changes_again_gets_its_thread_again(agent_desk, account_factory):
    ticket = agent_desk.create_ticket(subject="Invoice in the wrong currency")
    agent_desk.put(f"tickets/{ticket['id']}.json", json={"ticket": {"status": "solved"}}).raise_for_status()
    account = account_factory(agent_desk, "robin", email="robin@example.test", token="robin-token")
    account.sync()
    assert len(cache_comments(account.cache)) == 1
    agent_desk.put(f"tickets/{ticket['id']}.json", json={"ticket": {"comment": {
        "body": "Corrected invoice attached, sorry again.", "public": True}, "status": "solved"}}).raise_for_status()
    paths = record_paths(account.client)
    account.sync(resources=False)
    assert threads_fetched(paths) == [ticket["id"]]
    assert [c[2] for c in cache_comments(account.cache).values()][-1] == "Corrected invoice attached, sorry again."
