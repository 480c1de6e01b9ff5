"""Canned-reply picker and model: department filter, FTS search, bad syntax, preview, insert."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from console.models.canned_replies import MACRO_ID_ROLE, CannedReply, CannedReplyModel
from console.views.canned_replies import CannedReplyPicker
from console.views.reply_editor import ReplyEditor
from tests.helpdesk import scenario_ticket_id
from tests.views.conftest import show_ticket


def agent_id(reader) -> int:
    return next(a["id"] for a in reader.agents() if a["email"] == "agent@demo.support-console.test")


def group_id(reader, name):
    return next(g["id"] for g in reader.groups() if g["name"] == name)


def titles(model):
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_model_passes_the_tester_and_filters_by_department_and_search(qtbot, workspace):
    reader = workspace.reader
    model = CannedReplyModel(reader)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_department(group_id(reader, "Billing"))
    billing = titles(model)
    assert any(t.startswith("Billing::") for t in billing)
    assert any(t.startswith("General::") for t in billing)
    assert not any(t.startswith("Technical Support::") for t in billing)
    with qtbot.waitSignal(model.filter_error_changed) as error:
        model.set_filter("refund")
    assert error.args == [""]
    found = titles(model)
    assert found and set(found) <= set(billing)
    assert "Billing::Refund within the 30-day guarantee" in found
    assert model.index(0, 0).data(MACRO_ID_ROLE) in {m["id"] for m in reader.macros_for_department(
        group_id(reader, "Billing"))}
    model.set_department(group_id(reader, "Technical Support"))
    assert not any(t.startswith("Billing::") for t in titles(model))


def picker_on_refund_ticket(qtbot, workspace, open_widgets) -> CannedReplyPicker:
    """A shown picker on the demo's refund-inside-the-window ticket."""
    picker = CannedReplyPicker(CannedReplyModel(workspace.reader), agent_id(workspace.reader))
    qtbot.addWidget(picker)
    open_widgets.append(picker)
    picker.show()
    show_ticket(picker, workspace, scenario_ticket_id(workspace.reader, "refund_inside_window"))
    return picker


def test_bad_search_syntax_shows_a_message_and_keeps_the_list(qtbot, workspace, open_widgets):
    picker = picker_on_refund_ticket(qtbot, workspace, open_widgets)
    qtbot.keyClicks(picker.search_edit, "invoice ")
    before = titles(picker.model)
    assert before
    qtbot.keyClicks(picker.search_edit, '"unclosed')
    assert picker.error_label.isVisible()
    assert "quote" in picker.error_label.text()
    assert titles(picker.model) == before
    picker.search_edit.clear()
    assert not picker.error_label.isVisible()


def test_a_canned_reply_is_found_by_its_whole_name_as_the_list_shows_it(qtbot, workspace, open_widgets):
    """Typing "Billing::Refund within…" (the name the list shows) finds it; "::" is no field term."""
    picker = picker_on_refund_ticket(qtbot, workspace, open_widgets)
    qtbot.keyClicks(picker.search_edit, "Billing::Refund within")
    assert not picker.error_label.isVisible(), picker.error_label.text()
    assert picker.current_reply().title == "Billing::Refund within the 30-day guarantee"
    assert titles(picker.model)[0] == "Billing::Refund within the 30-day guarantee"


def test_preview_and_insert_into_the_editor(qtbot, desk, open_widgets):
    reader = desk.reader
    me = agent_id(reader)
    ticket_id = scenario_ticket_id(reader, "refund_inside_window")
    ticket = reader.ticket(ticket_id)
    requester = reader.user(ticket["requester_id"])
    picker = CannedReplyPicker(CannedReplyModel(reader), me)
    editor = ReplyEditor(desk.ops.replies, debounce_ms=50)
    for widget in (picker, editor):
        qtbot.addWidget(widget)
        open_widgets.append(widget)
        widget.show()
    picker.insert_requested.connect(editor.insert_canned_reply)
    show_ticket(picker, desk, ticket_id)
    show_ticket(editor, desk, ticket_id)
    qtbot.keyClicks(picker.search_edit, "refund within")
    assert picker.current_reply().title == "Billing::Refund within the 30-day guarantee"
    first_name = requester["name"].split()[0]
    assert f"Hi {first_name}," in picker.preview.toPlainText()
    assert "Also applies" in picker.preview.toPlainText()
    qtbot.keyClicks(editor.text_edit, "Before the canned text. ")
    with qtbot.waitSignal(picker.insert_requested) as inserted:
        qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    reply: CannedReply = inserted.args[0]
    assert editor.body().startswith(f"Before the canned text. Hi {first_name},")
    assert editor.field_changes == reply.field_changes
    assert editor.message_label.text() == ""


def test_macro_field_actions_become_ticket_changes(workspace):
    ticket = {"id": 1, "tags": ["billing", "refund"]}
    macro = {"id": 7, "title": "x", "actions": [
        {"field": "comment_value_html", "value": "<p>Hi {{ticket.requester.first_name}}</p>"},
        {"field": "comment_mode_is_public", "value": "false"},
        {"field": "status", "value": "pending"}, {"field": "assignee_id", "value": "current_user"},
        {"field": "group_id", "value": "3"}, {"field": "current_tags", "value": "refund_done billing"},
        {"field": "remove_tags", "value": "refund"}]}
    reply = CannedReply.from_macro(macro, ticket, 42)
    assert reply.template.strip() == "Hi {{ticket.requester.first_name}}"
    assert reply.public is False
    assert reply.field_changes == {"status": "pending", "assignee_id": 42, "group_id": 3,
                                   "tags": ["billing", "refund_done"]}


@pytest.mark.parametrize("query", ["OR refund", "-refund", '"open'])
def test_every_syntax_error_is_a_message(qtbot, workspace, query):
    model = CannedReplyModel(workspace.reader)
    model.set_department(None)
    with qtbot.waitSignal(model.filter_error_changed) as error:
        model.set_filter(query)
    assert error.args[0]
