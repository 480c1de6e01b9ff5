"""zenpy, a third-party Zendesk client, driving the embedded helpdesk (helpdesk-api.md §17)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

zenpy = pytest.importorskip("zenpy")


@pytest.fixture
def client(helpdesk, monkeypatch):
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", urlsplit(helpdesk.url).netloc)
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    return zenpy.Zenpy(subdomain="local", email=helpdesk.admin_email, token=helpdesk.admin_token,
                       disable_cache=True)


def test_zenpy_round_trip(helpdesk, client):
    from zenpy.lib.api_objects import Comment, Ticket

    jane = helpdesk.add_user("Jane Roe", "jane@example.org", "end-user")
    with helpdesk.db_connection() as conn:
        conn.execute("INSERT INTO macros (title, actions, created_at, updated_at) VALUES (?, ?, 'x', 'x')",
                     ("Billing::Pending", '[{"field": "comment_value", "value": "Hi {{ticket.requester.first_name}}"},'
                      ' {"field": "status", "value": "pending"}, {"field": "current_tags", "value": "macro"}]'))
    created = client.tickets.create(Ticket(subject="Printer on fire", requester_id=jane,
                                           comment=Comment(body="It burns")))
    tid = created.ticket.id
    for i in range(3):
        helpdesk.create_ticket(subject=f"extra {i}")

    assert len(list(client.tickets())) == 4
    assert [c.body for c in client.tickets.comments(ticket=tid)] == ["It burns"]

    ticket = client.tickets(id=tid)
    ticket.comment = Comment(body="Private note", public=False)
    ticket.status = "open"
    audit = client.tickets.update(ticket)
    assert audit.ticket.status == "open"

    macro = next(iter(client.macros(active=True)))
    effect = client.tickets.show_macro_effect(tid, macro.id)
    assert effect.ticket.comment.body == "Hi Jane"
    client.tickets.update(effect.ticket)
    after = helpdesk.get(f"tickets/{tid}").json()["ticket"]
    assert after["status"] == "pending" and after["requester_id"] == jane  # nothing wiped
    assert after["subject"] == "Printer on fire" and "macro" in after["tags"]
    bodies = [c["body"] for c in helpdesk.get(f"tickets/{tid}/comments").json()["comments"]]
    assert bodies == ["It burns", "Private note", "Hi Jane"]

    helpdesk.wait_exportable()
    exported = list(client.tickets.incremental(start_time=0))
    assert {t.id for t in exported} == {t["id"] for t in helpdesk.get("tickets").json()["tickets"]}

    results = list(client.search("Printer", type="ticket"))
    assert [r.id for r in results] == [tid]
    users = list(client.users.search(query="email:jane@example.org"))
    assert [u.id for u in users] == [jane]
