"""Applying sync pages: versions, tombstones, atomicity with cursors, comments, users."""

from __future__ import annotations

import pytest

from console.store import CacheReader, CacheWriter, Kind, QueueSpec, quarantine
from tests.store.store_records import comment_event, make_comment, make_ticket, make_user


def test_page_upserts_and_stores_cursor_in_the_same_call(writer, reader):
    change = writer.apply_ticket_page([make_ticket(1), make_ticket(2)], "cur-1", end_of_stream=False)
    assert change.ticket_ids == {1, 2} and Kind.TICKETS in change.kinds
    assert reader.sync_state("tickets_cursor") == "cur-1"
    assert reader.sync_state("tickets_end_of_stream") is None
    writer.apply_ticket_page([], "cur-2", end_of_stream=True)
    assert reader.sync_state("tickets_cursor") == "cur-2"
    assert reader.sync_state("tickets_end_of_stream") == "1"
    writer.apply_ticket_page([], None, end_of_stream=False)
    assert reader.sync_state("tickets_cursor") == "cur-2"


def test_older_generated_timestamp_is_ignored(writer, reader):
    writer.apply_ticket_page([make_ticket(1, 2000, subject="New subject")], "c", end_of_stream=False)
    change = writer.apply_ticket_page([make_ticket(1, 1500, subject="Stale subject")], "c2", end_of_stream=False)
    assert not change and change.ticket_ids == frozenset()
    assert reader.ticket(1)["subject"] == "New subject"
    assert reader.sync_state("tickets_cursor") == "c2"
    assert [h.id for h in reader.search("stale")] == []


def test_same_version_repeated_is_not_a_change_but_newer_is(writer, reader):
    writer.apply_ticket_page([make_ticket(1, 2000)], "c", end_of_stream=False)
    writer.mark_seen([1])
    assert not writer.apply_ticket_page([make_ticket(1, 2000)], "c", end_of_stream=False)
    assert reader.ticket(1)["_seen"] is True
    change = writer.apply_ticket_page([make_ticket(1, 2001, status="pending")], "c", end_of_stream=False)
    assert change.ticket_ids == {1}
    ticket = reader.ticket(1)
    assert ticket["status"] == "pending" and ticket["_seen"] is False


def test_same_second_second_change_still_applies(writer, reader):
    """Two changes within one second share generated_timestamp; the later page must win."""
    writer.apply_ticket_page([make_ticket(1, 2000, status="open")], "c", end_of_stream=False)
    writer.apply_ticket_page([make_ticket(1, 2000, status="solved")], "c", end_of_stream=False)
    assert reader.ticket(1)["status"] == "solved"


def test_deleted_ticket_becomes_tombstone_cancels_outbox_and_restores(writer, reader):
    writer.apply_ticket_page([make_ticket(1), make_ticket(2)], "c", end_of_stream=False)
    queued = writer.enqueue("reply", 1, {"body": "hello"}, "2025-10-02T09:00:00Z")
    other = writer.enqueue("reply", 2, {"body": "hi"}, "2025-10-02T09:00:00Z")
    change = writer.apply_ticket_page([make_ticket(1, 3000, status="deleted")], "c", end_of_stream=False)
    assert change.ticket_ids == {1} and change.op_ids == {queued.op_id} and Kind.OUTBOX in change.kinds
    assert reader.ticket_ids_for_queue(QueueSpec.department(10)) == [2]
    assert reader.ticket(1)["_deleted"] is True
    entry = writer.get_entry(queued.op_id)
    assert entry.state == "failed" and "deleted" in entry.last_error and entry.retry_at is None
    assert writer.get_entry(other.op_id).state == "queued"
    assert writer.next_sendable().op_id == other.op_id
    writer.apply_ticket_page([make_ticket(1, 4000, status="open")], "c", end_of_stream=False)
    assert reader.ticket(1)["_deleted"] is False
    assert sorted(reader.ticket_ids_for_queue(QueueSpec.department(10))) == [1, 2]


def test_404_marks_a_ticket_missing(writer, reader):
    writer.apply_ticket_page([make_ticket(5)], "c", end_of_stream=False)
    assert writer.mark_ticket_missing(5).ticket_ids == {5}
    assert reader.ticket_ids_for_queue(QueueSpec()) == []
    assert not writer.mark_ticket_missing(5)


def test_unreadable_records_are_quarantined_and_the_page_is_stored(writer, reader, cache_path):
    writer.apply_ticket_page([make_ticket(1)], "good-cursor", end_of_stream=False)
    page = ([make_ticket(i) for i in range(2, 600)] + [{"subject": "no id here"}, "not even an object"]
            + [make_ticket(700, status="in_review"), make_ticket(701, updated_at="yesterday-ish"),
               make_ticket(702, requester_id={"id": 5}), make_ticket(703, tags=7), make_ticket(704, generated_timestamp=0)])
    change = writer.apply_ticket_page(page, "next-cursor", end_of_stream=True)
    assert change.touches(Kind.QUARANTINE)
    assert reader.sync_state("tickets_cursor") == "next-cursor"  # the bookmark moves on
    assert reader.sync_state("tickets_end_of_stream") == "1"
    ids = set(reader.ticket_ids_for_queue(QueueSpec()))
    assert ids == {1, *range(2, 600), 700, 703, 704}
    assert reader.ticket(700)["status"] == "in_review"  # an unknown status is kept as it came
    assert reader.ticket(703)["tags"] == []
    held = reader.quarantined()
    assert [(r.kind, r.object_id) for r in held] == [("ticket", None), ("ticket", None), ("ticket", 701),
                                                    ("ticket", 702)]
    assert "not a timestamp" in held[2].reason and "not an id" in held[3].reason
    assert quarantine.summary(held) == "4 tickets could not be read (#701, #702 and 2 more)"
    # a readable version of a quarantined ticket takes it out again
    writer.apply_ticket_page([make_ticket(701, 2000)], "later", end_of_stream=True)
    assert [r.object_id for r in reader.quarantined()] == [None, None, 702]
    with CacheReader(cache_path) as fresh:
        assert 701 in fresh.ticket_ids_for_queue(QueueSpec())


def test_unreadable_users_comments_and_resources_are_quarantined_too(writer, reader):
    writer.apply_user_page([make_user(1, "Ann Lee", "ann@x.example"), {**make_user(2, "Bob", "bob@x.example"), "name": ["Bob"]},
                            {"name": "nobody"}], "u1")
    assert reader.user(1) and reader.user(2) is None
    writer.apply_ticket_page([make_ticket(5)], "c", end_of_stream=True)
    writer.replace_ticket_comments(5, [make_comment(50, "fine"), make_comment(51, "bad", created_at="soon"),
                                       make_comment(52, "bad too", attachments={"x": 1})])
    assert [c["id"] for c in reader.comments_for_ticket(5)] == [50]
    writer.replace_groups([{"id": 10, "name": "Billing"}, {"id": 11, "name": {"en": "Tech"}}, {"name": "x"}])
    assert [g["id"] for g in reader.groups()] == [10]
    kinds = sorted({(r.kind, r.object_id) for r in reader.quarantined()}, key=str)
    assert kinds == sorted({("user", 2), ("user", None), ("comment", 51), ("comment", 52), ("group", 11),
                            ("group", None)}, key=str)


def test_crash_inside_the_transaction_rolls_back(writer, reader, monkeypatch):
    """A failure after rows were written (e.g. while saving the cursor) leaves nothing behind."""
    writer.apply_ticket_page([make_ticket(1)], "before", end_of_stream=False)

    def explode(conn, key, value):
        raise OSError("disk went away")

    monkeypatch.setattr(CacheWriter, "_set_state", staticmethod(explode))
    with pytest.raises(OSError):
        writer.apply_ticket_page([make_ticket(2), make_ticket(1, 5000, subject="changed")], "after",
                                 end_of_stream=False)
    monkeypatch.undo()
    assert reader.sync_state("tickets_cursor") == "before"
    assert reader.ticket_ids_for_queue(QueueSpec()) == [1]
    assert reader.ticket(1)["subject"] == "Question number 1"
    assert [h.id for h in reader.search("changed")] == []


def test_comment_events_store_comments_and_end_time(writer, reader):
    events = [comment_event(1, make_comment(11, "I was charged twice")),
              comment_event(1, make_comment(12, "Refund is on its way", author_id=7002)),
              {"id": 5, "ticket_id": 2, "event_type": "Audit", "child_events": [{"event_type": "Change"}]}]
    change = writer.apply_comment_events(events, 1759492937)
    assert change.ticket_ids == {1} and change.kinds == Kind.COMMENTS
    assert reader.sync_state("ticket_events_end_time") == "1759492937"
    thread = reader.comments_for_ticket(1)
    assert [c["id"] for c in thread] == [11, 12]
    assert thread[1]["author_id"] == 7002 and thread[1]["html_body"] == "<p>Refund is on its way</p>"
    assert not writer.apply_comment_events(events, 1759492999)


def test_replace_ticket_comments_removes_redacted_and_reindexes(writer, reader):
    writer.apply_ticket_page([make_ticket(1)], "c", end_of_stream=False)
    attachment = {"id": 77, "file_name": "invoice.pdf", "content_type": "application/pdf", "size": 10,
                  "content_url": "https://acme.example/a/77", "inline": False}
    writer.replace_ticket_comments(1, [make_comment(11, "secret password hunter2"),
                                       make_comment(12, "see invoice", attachments=[attachment])])
    writer.set_attachment_path(77, "/tmp/invoice.pdf")
    assert {h.id for h in reader.search("hunter2")} == {11}
    change = writer.replace_ticket_comments(1, [make_comment(12, "see invoice", attachments=[attachment],
                                                             public=False)])
    assert change.ticket_ids == {1}
    thread = reader.comments_for_ticket(1)
    assert [c["id"] for c in thread] == [12] and thread[0]["public"] is False
    assert thread[0]["attachments"][0]["local_path"] == "/tmp/invoice.pdf"
    assert reader.attachment(77)["file_name"] == "invoice.pdf" and reader.attachment(77)["comment_id"] == 12
    assert reader.search("hunter2") == []
    assert not writer.replace_ticket_comments(1, [make_comment(12, "see invoice", attachments=[attachment],
                                                               public=False)])


def test_users_pages_and_side_loaded_users(writer, reader):
    jane = make_user(9001, "Jane Roe", "jane@example.org",
                     user_fields={"username": "jroe42", "plan": "pro_annual", "currency": "eur"})
    change = writer.apply_ticket_page([make_ticket(1, requester_id=9001)], "c", end_of_stream=False, users=[jane])
    assert change.user_ids == {9001} and change.ticket_ids == {1}
    assert reader.user(9001)["user_fields"]["plan"] == "pro_annual"
    older = dict(jane, name="Jane Old", updated_at="2025-01-01T00:00:00Z")
    assert not writer.apply_user_page([older], "u1")
    assert reader.sync_state("users_cursor") == "u1"
    newer = dict(jane, name="Jane Smith", updated_at="2025-11-01T00:00:00Z")
    assert writer.apply_user_page([newer], "u2", end_of_stream=True).user_ids == {9001}
    assert [(h.kind, h.title) for h in reader.search("smith")] == [("customer", "Jane Smith"),
                                                                    ("customer_ticket", "Question number 1")]
    assert reader.search("roe") == [] and [h.id for h in reader.search("jroe") if h.kind == "customer"] == [9001]


def test_replacing_small_resources(writer, reader):
    writer.replace_groups([{"id": 10, "name": "Billing"}, {"id": 11, "name": "Old", "deleted": True}])
    writer.replace_memberships([{"id": 1, "user_id": 7001, "group_id": 10, "default": True}])
    writer.apply_user_page([make_user(7001, "Alex Agent", "alex@desk.example", role="agent")], None)
    assert [g["name"] for g in reader.groups()] == ["Billing"]
    assert [a["id"] for a in reader.agents(10)] == [7001] and [a["id"] for a in reader.agents()] == [7001]
    change = writer.replace_macros([{"id": 5, "title": "Billing::Refund", "restriction": None,
                                     "actions": [{"field": "comment_value_html",
                                                  "value": "<p>Your refund &amp; receipt</p>"}]}])
    assert change.kinds == Kind.CANNED_REPLIES
    hit = reader.search("receipt")[0]
    assert (hit.kind, hit.id) == ("canned_reply", 5)
    writer.replace_macros([{"id": 6, "title": "Welcome", "actions": []}])
    assert reader.search("receipt") == [] and [h.id for h in reader.search("welcome")] == [6]
    assert writer.replace_user_fields([{"id": 1, "key": "plan", "type": "dropdown", "title": "Plan"}])
    assert reader.user_fields()[0]["key"] == "plan"
    assert {"refreshed:groups", "refreshed:macros", "refreshed:user_fields"} <= set(reader.sync_states())
    writer.record_sync_result("HTTP 503 from the helpdesk")
    assert reader.sync_state("last_error") == "HTTP 503 from the helpdesk" and reader.sync_state("last_success") is None
    writer.record_sync_result()
    assert reader.sync_state("last_error") == "" and float(reader.sync_state("last_success")) > 0
    change = writer.replace_groups([{"id": 10, "name": "Billing"}, {"name": "no id"}])  # the bad one is set aside
    assert change.touches(Kind.QUARANTINE) and [g["name"] for g in reader.groups()] == ["Billing"]
