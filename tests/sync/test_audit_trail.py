"""Which audits came after the version an entry saw, on real Zendesk audits (recorded) and ours."""

from __future__ import annotations

import json
from pathlib import Path

from console.sync.audit_trail import changes_since, comments_of, value_changes

REAL = Path("/work/shared/real-zendesk")


def _real(name: str) -> dict:
    return json.loads((REAL / name).read_text())


def test_same_second_audits_on_real_zendesk_count_as_unseen_after_the_first():
    audits = [a for a in _real("ticket_audits.json")["audits"] if a["ticket_id"] == 1]
    first, second = audits[0], audits[1]
    assert first["created_at"] == second["created_at"]  # Zendesk: two audits in one second
    since = changes_since(audits, first["created_at"], own_ops=set())
    assert second["id"] in since.unseen and first["id"] not in since.unseen
    assert {"type", "priority"} <= since.theirs


def audit(audit_id: int, at: str, *, op: str | None = None, **changes) -> dict:
    events = [{"type": "Change", "field_name": k, "value": v} for k, v in changes.items()]
    return {"id": audit_id, "created_at": at, "events": events,
            "metadata": {"custom": {"console_op_id": op} if op else {}}}


def test_our_own_audits_are_never_theirs_and_our_boundary_is_exact():
    audits = [audit(1, "2026-01-01T10:00:00Z", status="open"),
              audit(2, "2026-01-01T10:00:01Z", op="mine-1", tags=["a"]),
              audit(3, "2026-01-01T10:00:02Z", priority="high")]
    since = changes_since(audits, "2026-01-01T10:00:00Z", own_ops={"mine-1"})
    assert since.theirs == {"priority"} and since.ours == {"tags"}
    exact = changes_since(audits, "2026-01-01T10:00:01Z", own_ops={"mine-1"}, own_boundary=2)
    assert exact.unseen == (3,) and exact.theirs == {"priority"}


def test_an_audit_stamped_before_the_version_it_follows_is_still_unseen_by_id():
    """The old embedded helpdesk stamped audits with the clock while the version ran ahead."""
    audits = [audit(1, "2026-01-01T10:00:05Z", tags=["x"]), audit(2, "2026-01-01T10:00:04Z", tags=["y"])]
    assert changes_since(audits, "2026-01-01T10:00:05Z", own_ops=set()).unseen == (2,)


def test_values_back_up_the_audits_and_comments_come_back_from_a_write_answer():
    assert value_changes({"tags": ["b", "a"], "priority": "low"}, {"tags": ["a", "b"], "priority": "high"},
                         {"tags", "priority", "comment"}) == {"priority"}
    answer = _real("write_responses.json")["post_ticket"]["body"]
    [comment] = comments_of(answer["audit"])
    assert comment["body"] == "Some comment" and comment["audit_id"] == answer["audit"]["id"]
    assert comment["created_at"] == answer["audit"]["created_at"] and comment["attachments"]
