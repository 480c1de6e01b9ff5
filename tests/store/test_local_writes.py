"""Drafts, outbox and conflicts: lifecycle, ordering, survival across reopen."""

from __future__ import annotations

import uuid

import pytest

from console.store import BadPayloadError, CacheReader, CacheWriter, Kind, StoreError, UnknownEntryError
from tests.store.store_records import make_ticket

STAMP = "2025-10-02T09:00:00Z"


def test_drafts_save_replace_list_delete_and_survive_reopen(cache_path):
    with CacheWriter(cache_path) as w:
        assert w.save_draft(1, "reply", "Hi Jane,").ticket_ids == {1}
        w.save_draft(1, "reply", "Hi Jane, thanks")
        w.save_draft(1, "note", "check billing")
        w.save_draft(None, "new_ticket", "Subject: hello")
    with CacheWriter(cache_path) as w, CacheReader(cache_path) as r:
        assert r.load_draft(1, "reply").body == "Hi Jane, thanks"
        assert r.load_draft(None, "new_ticket").body == "Subject: hello"
        assert {(d.ticket_id, d.kind) for d in r.list_drafts()} == {(1, "reply"), (1, "note"), (0, "new_ticket")}
        assert w.delete_draft(1, "note").kinds == Kind.DRAFTS
        assert r.load_draft(1, "note") is None
        assert not w.delete_draft(1, "note")
        assert r.queue_counts().drafts == 2
    with pytest.raises(BadPayloadError, match="Unknown draft kind"):
        CacheWriter(cache_path).save_draft(1, "tweet", "x")


def test_enqueue_makes_a_uuid_and_survives_reopen(cache_path):
    with CacheWriter(cache_path) as w:
        change = w.enqueue("reply", 1, {"body": "Your refund is on its way", "public": True}, STAMP)
        assert change.kinds == Kind.OUTBOX and change.ticket_ids == {1}
        entry = w.get_entry(change.op_id)
        assert uuid.UUID(entry.op_id) and entry.state == "queued" and entry.attempts == 0
        new = w.enqueue("new_ticket", None, {"subject": "Hello", "comment": {"body": "x"}}, None)
    with CacheReader(cache_path) as r:
        entries = r.list_outbox()
        assert [e.op_id for e in entries] == [entry.op_id, new.op_id]
        assert entries[0].payload == {"body": "Your refund is on its way", "public": True}
        assert entries[0].updated_stamp == STAMP and entries[1].ticket_id is None
        assert r.pending_count() == 2 and r.queue_counts().outbox == 2


def test_enqueue_can_clear_its_draft_in_the_same_transaction(writer, reader):
    writer.save_draft(7, "reply", "Thanks, refunded")
    writer.save_draft(7, "note", "internal: checked the invoice")
    writer.enqueue("reply", 7, {"body": "Thanks, refunded"}, STAMP, clear_draft="reply")
    assert reader.load_draft(7, "reply") is None
    assert reader.load_draft(7, "note").body == "internal: checked the invoice"
    with pytest.raises(BadPayloadError):
        writer.enqueue("email", 7, {}, STAMP, clear_draft="note")
    assert reader.load_draft(7, "note") is not None, "a refused entry must not cost the draft"


def test_enqueue_rejects_bad_input_without_writing(writer, reader):
    with pytest.raises(BadPayloadError, match="Unknown outbox kind"):
        writer.enqueue("email", 1, {}, STAMP)
    with pytest.raises(BadPayloadError, match="new ticket"):
        writer.enqueue("reply", None, {}, STAMP)
    with pytest.raises(BadPayloadError, match="JSON"):
        writer.enqueue("note", 1, {"body": object()}, STAMP)
    assert reader.list_outbox() == []


def test_outbox_lifecycle_sent(writer, reader):
    entry = writer.enqueue("reply", 1, {"body": "hi"}, STAMP)
    assert writer.next_sendable().op_id == entry.op_id
    assert writer.mark_sending(entry.op_id).op_ids == {entry.op_id}
    assert writer.next_sendable() is None
    with pytest.raises(StoreError, match="cannot be sent"):
        writer.mark_sending(entry.op_id)
    writer.mark_sent(entry.op_id, {"ticket_id": 1, "audit_id": 55, "comment_id": 56})
    sent = reader.list_outbox(("sent",))[0]
    assert sent.result == {"ticket_id": 1, "audit_id": 55, "comment_id": 56}
    assert sent.attempts == 1 and sent.sent_at is not None
    assert reader.pending_count() == 0
    with pytest.raises(StoreError):
        writer.mark_sending(entry.op_id)


def test_failed_with_retry_waits_and_keeps_ticket_order(writer):
    first = writer.enqueue("fields", 1, {"status": "pending"}, STAMP)
    second = writer.enqueue("reply", 1, {"body": "later"}, STAMP)
    other = writer.enqueue("note", 2, {"body": "other ticket"}, STAMP)
    writer.mark_sending(first.op_id)
    writer.mark_failed(first.op_id, "HTTP 503", retry_at=1000.0)
    # ticket 1's second entry must wait behind the first; ticket 2 goes ahead
    assert writer.next_sendable(now=999.0).op_id == other.op_id
    assert writer.next_sendable(now=1000.0).op_id == first.op_id
    assert writer.pending_count() == 3
    writer.mark_sending(first.op_id)
    writer.mark_failed(first.op_id, "HTTP 422: closed ticket")  # no retry: given up
    assert writer.get_entry(first.op_id).attempts == 2
    assert writer.next_sendable(now=999.0).op_id == second.op_id
    writer.requeue(first.op_id)
    assert writer.get_entry(first.op_id).state == "queued"
    with pytest.raises(UnknownEntryError, match="No outbox entry"):
        writer.mark_sent("no-such-op")


def test_conflict_resend_and_discard(writer, reader):
    writer.apply_ticket_page([make_ticket(1)], "c", end_of_stream=False)
    a = writer.enqueue("fields", 1, {"status": "solved"}, STAMP)
    b = writer.enqueue("fields", 1, {"priority": "high"}, STAMP)
    writer.mark_sending(a.op_id)
    change = writer.mark_conflict(a.op_id, theirs={"id": 1, "status": "pending"}, yours={"status": "solved"})
    assert Kind.OUTBOX | Kind.CONFLICTS in change.kinds
    assert writer.next_sendable() is None  # b waits behind the unresolved conflict
    conflict = reader.list_conflicts()[0]
    assert (conflict.op_id, conflict.theirs["status"], conflict.yours) == (a.op_id, "pending", {"status": "solved"})
    assert reader.queue_counts().conflicts == 1
    with pytest.raises(BadPayloadError, match="updated_stamp"):
        writer.resolve_conflict(conflict.id, "resend")
    writer.resolve_conflict(conflict.id, "resend", updated_stamp="2025-10-03T00:00:00Z",
                            payload={"status": "solved", "note": "rebased"})
    again = writer.next_sendable()
    assert again.op_id == a.op_id and again.updated_stamp == "2025-10-03T00:00:00Z"
    assert again.payload["note"] == "rebased"
    assert reader.list_conflicts() == [] and reader.list_conflicts(include_resolved=True)[0].resolution == "resend"
    with pytest.raises(UnknownEntryError):
        writer.resolve_conflict(conflict.id, "discard")
    writer.mark_sending(a.op_id)
    writer.mark_sent(a.op_id, {})
    writer.mark_sending(b.op_id)
    writer.mark_conflict(b.op_id, {"id": 1}, {"priority": "high"})
    writer.resolve_conflict(reader.list_conflicts()[0].id, "discard")
    assert writer.get_entry(b.op_id).state == "failed" and "Discarded" in writer.get_entry(b.op_id).last_error
    assert reader.pending_count() == 0


def test_entry_left_sending_is_reported_as_unknown_outcome(cache_path):
    with CacheWriter(cache_path) as w:
        entry = w.enqueue("reply", 1, {"body": "hi"}, STAMP)
        w.mark_sending(entry.op_id)
        assert w.unknown_outcome_entries() == []  # our own send in flight is not "unknown"
    with CacheWriter(cache_path) as w:
        unknown = w.unknown_outcome_entries()
        assert [e.op_id for e in unknown] == [entry.op_id] and unknown[0].state == "sending"
        assert w.next_sendable() is None
        w.requeue(entry.op_id)  # the engine checked the audits: it never landed
        assert w.unknown_outcome_entries() == []
        assert w.next_sendable().op_id == entry.op_id
