"""Pure rules behind issue 12: attachment limits, new tickets, merges, a canned reply's fields in bulk."""

from __future__ import annotations

from console.domain.attachments import MAX_ATTACHMENT_BYTES, shows_inline, size_text, too_big
from console.domain.macro_actions import bulk_field_changes
from console.domain.merge import merge_payload, merge_problems
from console.domain.new_ticket import NewTicket


def test_attachment_limit_and_sizes():
    assert too_big("a.pdf", MAX_ATTACHMENT_BYTES) is None
    assert "up to 50 MB" in too_big("movie.mov", MAX_ATTACHMENT_BYTES + 1)
    assert [size_text(n) for n in (812, 14 * 1024, 3_355_443)] == ["812 bytes", "14 KB", "3.2 MB"]
    assert shows_inline({"content_type": "image/png"}) and shows_inline({"file_name": "shot.JPG"})
    assert not shows_inline({"content_type": "image/svg+xml"}) and not shows_inline({"file_name": "a.pdf"})


def test_new_ticket_problems_and_payload():
    assert NewTicket(subject="", body="").problems() == [
        "Choose a customer, or give a new customer's email address.", "Write a subject.", "Write the first message."]
    assert NewTicket(subject="s", body="b", requester_email="not-an-email").problems() == [
        "not-an-email is not an email address."]
    ticket = NewTicket(subject=" Refund ", body="Called in.", requester_email="ada@example.org", group_id=3,
                       priority="high", tags=("phone",), public=False)
    assert ticket.problems() == []
    assert ticket.payload() == {"subject": "Refund", "comment": {"body": "Called in.", "public": False},
                                "requester": {"email": "ada@example.org", "name": "ada"}, "group_id": 3,
                                "priority": "high", "tags": ["phone"]}
    assert NewTicket(subject="s", body="b", requester_id=9).payload()["requester_id"] == 9


def test_merge_rules():
    tickets = {1: {"status": "open"}, 2: {"status": "pending"}, 3: {"status": "closed"}}
    assert merge_problems(1, [2], tickets) == []
    assert merge_problems(1, [1], tickets) == ["Choose at least one other ticket to merge."]
    assert merge_problems(1, [2, 3], tickets) == ["Ticket #3 is closed and cannot be merged."]
    assert "At most 5" in merge_problems(1, list(range(2, 9)), {i: {"status": "open"} for i in range(1, 9)})[0]
    assert merge_payload(1, [2, 1, 2])["ids"] == [2]
    assert merge_payload(1, [2])["target_comment"] == "Request #2 was closed and merged into this request."


def test_a_canned_reply_in_bulk_adds_and_removes_tags_instead_of_replacing_them():
    actions = [{"field": "status", "value": "pending"}, {"field": "current_tags", "value": "refund vip"},
               {"field": "remove_tags", "value": "spam"}, {"field": "assignee_id", "value": "current_user"},
               {"field": "comment_value", "value": "Hello"}]
    assert bulk_field_changes(actions, me=7) == {"status": "pending", "assignee_id": 7,
                                                 "additional_tags": ["refund", "vip"], "remove_tags": ["spam"]}
    assert bulk_field_changes([{"field": "set_tags", "value": "a b"}]) == {"tags": ["a", "b"]}
