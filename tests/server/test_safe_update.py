"""safe_update's 409 decision under same-second writers: exactly one write per version wins, even when
a burst has pushed the ticket's stamp ahead of the clock; a version's audit carries its stamp."""

from __future__ import annotations

import threading
import time

import requests

WRITERS = 5


def _race(helpdesk, ticket_id: int, stamp: str, round_: int) -> list[requests.Response]:
    barrier = threading.Barrier(WRITERS)
    answers: list[requests.Response] = [None] * WRITERS  # type: ignore[list-item]

    def write(i: int) -> None:
        session = requests.Session()
        session.auth = helpdesk.admin_auth
        barrier.wait()
        answers[i] = session.put(helpdesk.api(f"tickets/{ticket_id}.json"), timeout=30, json={"ticket": {
            "tags": [f"r{round_}-writer{i}"], "safe_update": True, "updated_stamp": stamp}})

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_same_stamp_writers_exactly_one_wins_even_ahead_of_the_clock(helpdesk):
    ticket = helpdesk.create_ticket(subject="Contended")
    stamp, ahead = ticket["updated_at"], 0
    for round_ in range(20):
        answers = _race(helpdesk, ticket["id"], stamp, round_)
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] + [409] * (WRITERS - 1), (round_, codes)
        [won] = [a.json() for a in answers if a.status_code == 200]
        assert won["ticket"]["updated_at"] > stamp
        assert won["audit"]["created_at"] == won["ticket"]["updated_at"]  # the audit carries its version
        stamp = won["ticket"]["updated_at"]
        tags = helpdesk.get(f"tickets/{ticket['id']}.json").json()["ticket"]["tags"]
        assert len(tags) == 1 and tags[0] in {f"r{round_}-writer{i}" for i in range(WRITERS)}
        ahead = max(ahead, helpdesk.db_connection().execute(
            "SELECT updated_ts FROM tickets WHERE id = ?", (ticket["id"],)).fetchone()[0] - int(time.time()))
    assert ahead > 0, "the burst should have run the stamp ahead of the clock"
