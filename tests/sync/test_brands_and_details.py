"""Brands, ticket forms and each message's details: the recorded real responses kept in the cache
(``../shared/real-zendesk``, read from there), the account's brands and forms synced like groups from
the embedded helpdesk, and a comment's metadata and original body surviving the export's lighter copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.domain.brands import AccountOrigins, ticket_origin
from console.domain.channels import message_details
from console.store import CacheReader, CacheWriter
from console.sync.audit_trail import comments_of
from tests.helpdesk import Helpdesk

REAL = Path("/work/shared/real-zendesk")


def recorded_tickets() -> list[dict]:
    data = json.loads((REAL / "tickets_export.json").read_text())
    return [t for page in data["pages"] for t in page["tickets"]] + data["extra_tickets"]


def test_recorded_tickets_keep_brand_and_form_and_name_them_only_where_there_are_two(tmp_path):
    tickets = [t for t in recorded_tickets() if t.get("status") != "deleted"]
    carrying = {t["id"]: (t["brand_id"], t["ticket_form_id"]) for t in tickets if t.get("brand_id")}
    brands = sorted({b for b, _ in carrying.values()})
    forms = sorted({f for _, f in carrying.values()})
    assert len(brands) == 2 and len(forms) == 1, (brands, forms)   # what the recordings hold
    with CacheWriter(tmp_path / "c.sqlite") as writer:
        writer.apply_ticket_page(tickets, None, end_of_stream=True)
        # the recordings hold no brands/forms list: the account's, shaped as Zendesk's (go-zendesk's fixture)
        writer.replace_brands([{"id": brands[0], "name": "Main", "default": True, "active": True},
                               {"id": brands[1], "name": "Second brand", "active": True}])
        writer.replace_ticket_forms([{"id": forms[0], "name": "Default Ticket Form", "default": True}])
    with CacheReader(tmp_path / "c.sqlite") as reader:
        cached = {i: (reader.ticket(i)["brand_id"], reader.ticket(i)["ticket_form_id"]) for i in carrying}
        assert cached == carrying
        origins = AccountOrigins.from_api(reader.brands(), reader.ticket_forms())
        second = next(i for i, (b, _f) in carrying.items() if b == brands[1])
        assert ticket_origin(reader.ticket(second), origins) == ["Brand: Second brand"]   # one form: not named
        assert ticket_origin(reader.ticket(second), AccountOrigins.from_api(reader.brands()[:1], [])) == []


def test_a_recorded_comments_metadata_is_cached_and_read_as_details(tmp_path):
    recorded = json.loads((REAL / "lists.json").read_text())["comments_5033"]["body"]["comments"]
    with CacheWriter(tmp_path / "c.sqlite") as writer:
        writer.replace_ticket_comments(5033, recorded)
    with CacheReader(tmp_path / "c.sqlite") as reader:
        (comment,) = reader.comments_for_ticket(5033)
    system = recorded[0]["metadata"]["system"]
    assert comment["metadata"] == {"system": {k: system[k] for k in ("client", "ip_address", "location")}}
    assert "original_body" not in comment   # body and plain_body say the same
    details = dict(message_details(comment))
    assert details == {"To": "Support Agent <admin.two@example.com>", "Written with": system["client"],
                       "IP address": "203.0.113.7", "Location": system["location"]}


def test_a_recorded_audits_comment_differing_only_in_spacing_has_no_original_to_show(tmp_path):
    audits = json.loads((REAL / "ticket_audits.json").read_text())["audits"]
    audit = next(a for a in audits if any(e.get("type") == "Comment" and e["body"] != e["plain_body"]
                                          for e in a["events"]))
    (comment,) = comments_of(audit)
    assert comment["body"] != comment["plain_body"]
    with CacheWriter(tmp_path / "c.sqlite") as writer:
        writer.add_ticket_comments(audit["ticket_id"], [comment])
        changed = {**comment, "id": comment["id"] + 1, "body": comment["body"] + "\n\n> On Monday you wrote: hi"}
        writer.add_ticket_comments(audit["ticket_id"], [changed])
    with CacheReader(tmp_path / "c.sqlite") as reader:
        same, quoted = reader.comments_for_ticket(audit["ticket_id"])
    assert same["body"] == comment["plain_body"] and "original_body" not in same
    assert quoted["original_body"] == changed["body"] and quoted["body"] == comment["plain_body"]


def test_the_exports_comment_keeps_the_details_the_thread_gave(demo_helpdesk, tmp_path):
    ticket_id = next(t for t in range(1, 61) if any(
        c["body"] != c["plain_body"] for c in demo_helpdesk.get(f"tickets/{t}/comments.json").json()["comments"]))
    thread = demo_helpdesk.get(f"tickets/{ticket_id}/comments.json").json()["comments"]
    quoted = next(c for c in thread if c["body"] != c["plain_body"])
    with CacheWriter(tmp_path / "c.sqlite") as writer:
        writer.replace_ticket_comments(ticket_id, thread)
        events = demo_helpdesk.get("incremental/ticket_events.json", params={"start_time": 0,
                                   "include": "comment_events"}).json()["ticket_events"]
        child = next(c for e in events for c in e.get("child_events", []) if c.get("id") == quoted["id"])
        assert "metadata" not in child and child["body"] == quoted["body"] and child["plain_body"] == quoted["plain_body"]
        writer.apply_comment_events([e for e in events if e["ticket_id"] == ticket_id], 1)
        with CacheReader(tmp_path / "c.sqlite") as reader:
            cached = next(c for c in reader.comments_for_ticket(ticket_id) if c["id"] == quoted["id"])
        shown = {"system": {"message_id": quoted["metadata"]["system"]["message_id"]}}   # what the agent can open
        assert cached["metadata"] == shown
        assert (cached["body"], cached["original_body"]) == (quoted["plain_body"], quoted["body"])
        # redacted later (Zendesk's redaction shows in the export as a changed body): the details stay
        child.update(body="▇▇▇", plain_body="▇▇▇ (redacted)", html_body="<p>▇▇▇ (redacted)</p>")
        writer.apply_comment_events([e for e in events if e["ticket_id"] == ticket_id], 2)
    with CacheReader(tmp_path / "c.sqlite") as reader:
        cached = next(c for c in reader.comments_for_ticket(ticket_id) if c["id"] == quoted["id"])
    assert (cached["body"], cached["original_body"]) == ("▇▇▇ (redacted)", "▇▇▇")
    assert cached["metadata"] == shown


def test_the_agent_sync_caches_the_accounts_brands_and_forms(demo_helpdesk, demo_cache):
    cache, _me = demo_cache
    on_server = {k: demo_helpdesk.get(f"{k}.json").json()[k] for k in ("brands", "ticket_forms")}
    assert len(on_server["brands"]) == 2 and len(on_server["ticket_forms"]) == 2
    with CacheReader(cache) as reader:
        assert reader.brands() == on_server["brands"]
        assert reader.ticket_forms() == on_server["ticket_forms"]
        origins = AccountOrigins.from_api(reader.brands(), reader.ticket_forms())
        for ticket_id in range(1, 61):
            ticket = reader.ticket(ticket_id)
            served = demo_helpdesk.get(f"tickets/{ticket_id}.json").json()["ticket"]
            assert (ticket["brand_id"], ticket["ticket_form_id"]) == (served["brand_id"], served["ticket_form_id"])
    partner = next(b for b in on_server["brands"] if not b["default"])
    shown = [ticket_origin(t, origins) for t in (demo_helpdesk.get(f"tickets/{i}.json").json()["ticket"]
                                                   for i in range(1, 61)) if t["brand_id"] == partner["id"]]
    assert shown and all(f"Brand: {partner['name']}" in parts for parts in shown)


@pytest.fixture
def demo_desk(tmp_path):
    server = Helpdesk(tmp_path / "hd.sqlite", "--demo", "--tickets", "30", "--export-delay", "0").start()
    yield server
    server.stop()


def test_a_new_ticket_takes_the_default_brand_and_form_and_a_bad_one_is_refused(demo_desk):
    forms = demo_desk.get("ticket_forms.json").json()["ticket_forms"]
    billing = next(f for f in forms if not f["default"])
    made = demo_desk.post("tickets.json", json={"ticket": {"subject": "Brand check", "comment": {"body": "hi"},
                                                           "ticket_form_id": billing["id"]}})
    assert made.status_code == 201, made.text
    ticket = made.json()["ticket"]
    default_brand = next(b["id"] for b in demo_desk.get("brands.json").json()["brands"] if b["default"])
    assert (ticket["brand_id"], ticket["ticket_form_id"]) == (default_brand, billing["id"])
    before = demo_desk.get("tickets.json", params={"page": 1}).json()["count"]
    refused = demo_desk.post("tickets.json", json={"ticket": {"subject": "x", "comment": {"body": "hi"},
                                                              "brand_id": 12345}})
    assert refused.status_code == 422 and "brand_id" in refused.text
    assert demo_desk.get("tickets.json", params={"page": 1}).json()["count"] == before   # nothing made
    assert demo_desk.get("brands/12345.json").status_code == 404
    assert demo_desk.get(f"ticket_forms/{billing['id']}.json").json()["ticket_form"]["name"] == billing["name"]
