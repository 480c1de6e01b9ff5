"""The seeded workspace as the real embedded helpdesk serves it (``serve --demo``, loopback HTTP)."""

from __future__ import annotations

import requests

from console.demo.accounts import demo_account

AGENT = demo_account("agent")
AGENT_AUTH = (f"{AGENT.email}/token", AGENT.token)


def ticket_by_name(server, name: str) -> dict:
    r = server.get(f"tickets.json?external_id=demo:{name}", auth=AGENT_AUTH)
    assert r.status_code == 200, r.text
    (ticket,) = r.json()["tickets"]
    return ticket


def test_scenarios_and_account_facts_over_http(demo_helpdesk):
    first = demo_helpdesk.get("tickets/1.json", auth=AGENT_AUTH).json()["ticket"]
    assert first["external_id"] == "demo:verified_sender"
    ticket = ticket_by_name(demo_helpdesk, "unverified_sender")
    requester = demo_helpdesk.get(f"users/{ticket['requester_id']}.json", auth=AGENT_AUTH).json()["user"]
    assert requester["user_fields"]["account_email"] != requester["email"]
    assert ticket["via"]["source"]["from"]["address"] == requester["email"]


def test_long_thread_pages_through_comments(demo_helpdesk):
    ticket = ticket_by_name(demo_helpdesk, "long_thread")
    r = demo_helpdesk.get(f"tickets/{ticket['id']}/comments.json?page[size]=100", auth=AGENT_AUTH)
    comments = r.json()["comments"]
    assert len(comments) >= 40
    assert [c["created_at"] for c in comments] == sorted(c["created_at"] for c in comments)


def test_attachments_download(demo_helpdesk):
    ticket = ticket_by_name(demo_helpdesk, "with_attachments")
    comments = demo_helpdesk.get(f"tickets/{ticket['id']}/comments.json", auth=AGENT_AUTH).json()["comments"]
    attachments = {a["file_name"]: a for a in comments[0]["attachments"]}
    pdf = attachments["invoice-INV-2041.pdf"]
    body = requests.get(pdf["content_url"], timeout=30)
    assert body.status_code == 200 and body.content.startswith(b"%PDF-") and len(body.content) == pdf["size"]


def test_my_tickets_view_and_a_canned_reply(demo_helpdesk):
    views = {v["title"]: v for v in demo_helpdesk.get("views.json", auth=AGENT_AUTH).json()["views"]}
    mine = demo_helpdesk.get(f"views/{views['My tickets']['id']}/tickets.json", auth=AGENT_AUTH).json()["tickets"]
    assert mine and all(t["assignee_id"] == mine[0]["assignee_id"] for t in mine)
    ticket = ticket_by_name(demo_helpdesk, "refund_inside_window")
    macros = demo_helpdesk.get("macros.json?per_page=100", auth=AGENT_AUTH).json()["macros"]
    refund = next(m for m in macros if m["title"] == "Billing::Refund within the 30-day guarantee")
    r = demo_helpdesk.get(f"tickets/{ticket['id']}/macros/{refund['id']}/apply.json", auth=AGENT_AUTH)
    assert r.status_code == 200, r.text
    result = r.json()["result"]["ticket"]
    assert result["status"] == "solved"
    assert "refund" in result["comment"]["body"].lower()
