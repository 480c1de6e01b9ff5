"""24 clients at once against one helpdesk: every write lands once, nothing errors or interleaves."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests

CLIENTS = 24
WRITES_EACH = 5


def test_two_dozen_clients_write_and_read_at_once(helpdesk):
    seed = helpdesk.create_ticket(subject="Shared ticket", comment={"body": "Everyone replies here."})

    def client(n: int) -> list[int]:
        session = requests.Session()
        session.auth = helpdesk.admin_auth
        statuses = []
        for i in range(WRITES_EACH):
            created = session.post(helpdesk.api("tickets.json"), timeout=60, json={"ticket": {
                "subject": f"client {n} ticket {i}", "comment": {"body": f"body {n}/{i}"},
                "requester": {"name": f"Customer {n % 4}", "email": f"c{n % 4}@example.org"}}})
            statuses.append(created.status_code)
            reply = session.put(helpdesk.api(f"tickets/{seed['id']}.json"), timeout=60, json={"ticket": {
                "comment": {"body": f"reply {n}/{i}", "public": False}}})
            statuses.append(reply.status_code)
            statuses.append(session.get(helpdesk.api("tickets.json?page[size]=50"), timeout=60).status_code)
        return statuses

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = [s for statuses in pool.map(client, range(CLIENTS)) for s in statuses]
    assert sorted(set(results)) == [200, 201], results

    db = helpdesk.db_connection()
    subjects = [r[0] for r in db.execute("SELECT subject FROM tickets WHERE subject LIKE 'client %'")]
    assert len(subjects) == len(set(subjects)) == CLIENTS * WRITES_EACH
    replies = [r[0] for r in db.execute("SELECT body FROM comments WHERE ticket_id = ? AND body LIKE 'reply %'",
                                         (seed["id"],))]
    assert sorted(replies) == sorted(f"reply {n}/{i}" for n in range(CLIENTS) for i in range(WRITES_EACH))
    customers = db.execute("SELECT count(*) FROM users WHERE email LIKE 'c%@example.org'").fetchone()[0]
    assert customers == 4, "one end-user per email even when several clients create it at once"


def test_reads_answer_while_every_worker_thread_waits_on_a_write(helpdesk):
    """A ticket and its comments are read on the event loop: writes queued on every worker thread
    (here: stuck behind another process's write lock) do not hold an agent's reads up."""
    from console.server.main import REQUEST_THREADS

    ticket = helpdesk.create_ticket(subject="Read me", comment={"body": "First message."})
    locker = helpdesk.db_connection()
    locker.isolation_level = None
    locker.execute("BEGIN IMMEDIATE")  # the helpdesk's writes wait on SQLite's lock, each in a worker thread

    def write(n: int) -> int:
        return requests.put(helpdesk.api(f"tickets/{ticket['id']}.json"), auth=helpdesk.admin_auth, timeout=60,
                            json={"ticket": {"comment": {"body": f"queued {n}", "public": False}}}).status_code

    with ThreadPoolExecutor(REQUEST_THREADS + 2) as pool:
        writes = [pool.submit(write, n) for n in range(REQUEST_THREADS + 2)]
        try:
            time.sleep(1.0)  # the writes reach the helpdesk and take every worker thread
            assert not any(w.done() for w in writes)
            session = requests.Session()
            session.auth = helpdesk.admin_auth
            for path in (f"tickets/{ticket['id']}.json", f"tickets/{ticket['id']}/comments.json",
                         f"tickets/show_many.json?ids={ticket['id']}", "users/me.json"):
                started = time.perf_counter()
                answer = session.get(helpdesk.api(path), timeout=10)
                assert answer.status_code == 200, path
                assert time.perf_counter() - started < 2.0, f"{path} waited for a worker thread"
            assert session.get(helpdesk.api(f"tickets/{ticket['id']}/comments.json"),
                               timeout=10).json()["count"] == 1
        finally:
            locker.execute("COMMIT")
        assert [w.result() for w in writes] == [200] * (REQUEST_THREADS + 2)
    bodies = [c["body"] for c in session.get(helpdesk.api(f"tickets/{ticket['id']}/comments.json"),
                                              timeout=10).json()["comments"]]
    assert sorted(bodies[1:]) == sorted(f"queued {n}" for n in range(REQUEST_THREADS + 2))
