"""Numbers in query strings are read as Zendesk reads them: ``946684800.0`` is a start time.

Singer's tap-zendesk sends ``start_time`` as a float on every export; other clients format page
sizes and ids the same way. A fraction is dropped (the second it falls in); ids must be whole.
"""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def tickets(helpdesk):
    ids = [helpdesk.create_ticket(subject=f"numbers {i}")["id"] for i in range(3)]
    time.sleep(1.05)  # the exports leave out the current second
    return ids


@pytest.mark.parametrize("path", ["incremental/tickets/cursor.json", "incremental/tickets.json",
                                  "incremental/users/cursor.json", "incremental/users.json",
                                  "incremental/ticket_events.json"])
def test_exports_take_a_float_start_time(helpdesk, tickets, path):
    as_int = helpdesk.get(f"{path}?start_time=0&per_page=1000")
    as_float = helpdesk.get(f"{path}?start_time=0.0&per_page=1000.0")
    assert as_float.status_code == as_int.status_code == 200, as_float.text
    key = next(k for k in ("tickets", "users", "ticket_events") if k in as_int.json())
    assert as_float.json()[key] == as_int.json()[key] and as_int.json()[key]


def test_a_start_time_fraction_means_the_second_it_falls_in(helpdesk, tickets):
    first = helpdesk.get("incremental/tickets/cursor.json?start_time=0").json()["tickets"]
    stamp = first[1]["generated_timestamp"]
    later = helpdesk.get(f"incremental/tickets/cursor.json?start_time={stamp}.75").json()["tickets"]
    assert [t["id"] for t in later] == [t["id"] for t in first if t["generated_timestamp"] >= stamp]
    # tap-zendesk's own value for its default start date 2000-01-01T00:00:00Z
    assert helpdesk.get("incremental/tickets/cursor.json?start_time=946684800.0").status_code == 200


def test_paging_sizes_and_pages_take_floats(helpdesk, tickets):
    cbp = helpdesk.get("tickets.json?page[size]=2.0").json()
    assert [t["id"] for t in cbp["tickets"]] == tickets[:2] and cbp["meta"]["has_more"] is True
    obp = helpdesk.get("tickets.json?per_page=2.0&page=2.0").json()
    assert [t["id"] for t in obp["tickets"]] == tickets[2:]
    comments = helpdesk.get(f"tickets/{tickets[0]}/comments.json?per_page=1e2").json()
    assert len(comments["comments"]) == 1
    assert helpdesk.get("search.json?query=numbers&per_page=2.0").json()["results"]


def test_ids_may_be_written_as_whole_floats(helpdesk, tickets):
    shown = helpdesk.get(f"tickets/show_many.json?ids={tickets[0]}.0,{tickets[2]}").json()["tickets"]
    assert sorted(t["id"] for t in shown) == [tickets[0], tickets[2]]
    me = helpdesk.get("users/me.json").json()["user"]["id"]
    users = helpdesk.get(f"users/show_many.json?ids={me}.0").json()["users"]
    assert [u["id"] for u in users] == [me]


@pytest.mark.parametrize("query", ["tickets.json?per_page=abc", "tickets.json?page[size]=nan",
                                   "tickets.json?page=inf", "tickets.json?per_page=0x10",
                                   "incremental/tickets/cursor.json?start_time=1e999999",
                                   "incremental/tickets/cursor.json?start_time=-1.5",
                                   "tickets/show_many.json?ids=1.5", "tickets/show_many.json?ids=1,two",
                                   "group_memberships.json?user_id=1.5"])
def test_what_is_not_a_number_is_refused_with_a_zendesk_error(helpdesk, query):
    answer = helpdesk.get(query)
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["error"] in ("InvalidValue", "RecordInvalid")
