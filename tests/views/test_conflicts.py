"""Conflict view: theirs vs yours, resend rebased on their updated_at, discard."""

from __future__ import annotations

import pytest

from console.store import Kind
from console.views.conflicts import ConflictView
from tests.helpdesk import scenario_ticket_id


def make_conflict(cache, scenario):
    """A queued reply + status change whose ticket then changed on the helpdesk (a 409 recorded)."""
    ticket_id = scenario_ticket_id(cache.reader, scenario)
    seen = cache.reader.ticket(ticket_id)
    payload = {"body": "We have refunded you.", "fields": {"status": "solved"}}
    entry = cache.writer.enqueue("reply", ticket_id, payload, seen["updated_at"])
    cache.writer.mark_sending(entry.op_id)
    theirs = {**seen, "status": "pending", "updated_at": "2099-01-02T03:04:05Z"}
    comments = [*cache.reader.comments_for_ticket(ticket_id),
                {"id": 1, "body": "A colleague already answered.", "public": True}]
    cache.writer.mark_conflict(entry.op_id, {"ticket": theirs, "comments": comments, "changed_fields": ["status"]},
                               {"kind": "reply", "payload": payload, "updated_stamp": seen["updated_at"],
                                "fields": ["comment", "status"]})
    return ticket_id, entry


@pytest.fixture
def view(qtbot, desk, open_widgets):
    make_conflict(desk, "refund_inside_window")
    dialog = ConflictView(desk.ops.conflicts, desk.ops.bus)
    qtbot.addWidget(dialog)
    open_widgets.append(dialog)
    with qtbot.waitSignal(dialog.loaded):
        dialog.show()
    return dialog


def table(view):
    return [[view.fields_table.item(r, c).text() for c in range(3)] for r in range(view.fields_table.rowCount())]


def test_shows_theirs_against_yours(view):
    assert view.conflict_list.count() == 1
    rows = table(view)
    assert ["status", "pending", "solved"] in rows
    assert "A colleague already answered." in view.their_comment.toPlainText()
    assert "We have refunded you." in view.your_comment.toPlainText()
    status_row = [r for r in range(view.fields_table.rowCount()) if view.fields_table.item(r, 0).text() == "status"][0]
    assert view.fields_table.item(status_row, 2).background().color().name() == "#fff1d6"


def test_resend_requeues_with_their_updated_stamp(qtbot, view, workspace):
    [conflict] = workspace.reader.list_conflicts()
    with qtbot.waitSignal(view.conflict_resolved) as resolved:
        view.resend_button.click()
    assert Kind.CONFLICTS in resolved.args[0].kinds
    qtbot.waitUntil(lambda: view.conflict_list.count() == 0)
    entry = workspace.reader.list_outbox(ticket_id=conflict.ticket_id)[0]
    assert entry.state == "queued" and entry.updated_stamp == "2099-01-02T03:04:05Z"
    assert workspace.reader.list_conflicts() == []
    assert view.conflict_list.count() == 0 and not view.resend_button.isEnabled()


def test_discard_drops_the_change(qtbot, view, workspace):
    [conflict] = workspace.reader.list_conflicts()
    with qtbot.waitSignal(view.conflict_resolved):
        view.discard_button.click()
    entry = workspace.reader.list_outbox(ticket_id=conflict.ticket_id)[0]
    assert entry.state == "failed" and "Discarded" in entry.last_error
    assert workspace.reader.pending_count() == 0
    assert workspace.reader.list_conflicts() == []


def test_already_resolved_elsewhere_is_a_message(qtbot, view, desk):
    [conflict] = desk.reader.list_conflicts()
    desk.writer.resolve_conflict(conflict.id, "discard")   # another window, a moment ago
    view.resolve("resend")
    qtbot.waitUntil(lambda: "No open conflict" in view.message_label.text())
    qtbot.waitUntil(lambda: view.conflict_list.count() == 0)


def test_several_conflicts_and_refresh(qtbot, view, desk):
    make_conflict(desk, "cancel_short_notice")
    view.refresh()
    qtbot.waitUntil(lambda: view.conflict_list.count() == 2)
    view.conflict_list.setCurrentRow(1)
    view.discard_button.click()
    qtbot.waitUntil(lambda: view.conflict_list.count() == 1)


def test_screenshot_conflicts(qtbot, view):
    from tests.views.test_widget_screenshots import save
    qtbot.wait(30)
    assert save(view, "work_conflict_view").stat().st_size > 5_000
