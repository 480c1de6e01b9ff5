"""24 clients at once against one helpdesk: every write lands once, nothing errors or interleaves."""

from __future__ import annotations

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
