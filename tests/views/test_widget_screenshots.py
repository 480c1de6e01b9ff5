"""Screenshots of the GUI-work widgets on the demo workspace (saved under screenshots/, looked at)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QWidget

from console.models.canned_replies import CannedReply
from console.views.canned_replies import CannedReplyPicker
from console.views.reply_editor import ReplyEditor
from tests.helpdesk import scenario_ticket_id

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def agent_id(reader) -> int:
    return next(a["id"] for a in reader.agents() if a["email"] == "agent@demo.support-console.test")


def save(widget, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def test_screenshot_picker_and_editor(qtbot, desk, open_widgets):
    from console.models.canned_replies import CannedReplyModel
    from tests.views.conftest import show_ticket

    reader = desk.reader
    me = agent_id(reader)
    ticket_id = scenario_ticket_id(reader, "cancel_short_notice")
    host = QWidget()
    picker = CannedReplyPicker(CannedReplyModel(reader), me)
    editor = ReplyEditor(desk.ops.replies)
    row = QHBoxLayout(host)
    row.addWidget(picker, 2)
    row.addWidget(editor, 3)
    qtbot.addWidget(host)
    open_widgets.append(host)
    picker.insert_requested.connect(editor.insert_canned_reply)
    show_ticket(picker, desk, ticket_id)
    show_ticket(editor, desk, ticket_id)
    host.resize(1100, 520)
    host.show()
    qtbot.keyClicks(picker.search_edit, "cancel")
    picker.insert_current()
    ticket = reader.ticket(ticket_id)
    editor.insert_canned_reply(CannedReply.from_macro({"id": 0, "title": "x", "actions": [
        {"field": "comment_value", "value": "\n\nP.S. Your custom domain {{ticket.requester.custom_fields.custom_domain}} "
         "stays connected while the account is frozen."}]}, ticket, me))
    editor.send()  # refused: highlights the unresolved placeholder
    qtbot.wait(50)
    assert save(host, "work_reply_editor_with_canned_reply").stat().st_size > 10_000
    assert save(picker, "work_canned_reply_picker").stat().st_size > 5_000
