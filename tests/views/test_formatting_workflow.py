"""Formatting a reply through the real main window: bold, a list, a link, quoted text; the reply goes
out once as html_body sanitized by the incoming-HTML rules (pasted script and remote image gone),
with a plain-text body; the plain-text mode sends plain text only."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QTextCursor

from tests.views.test_workflow import Live, live, server  # noqa: F401 (the fixtures)


def select(editor, start: int, end: int) -> None:
    cursor = QTextCursor(editor.text_edit.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    editor.text_edit.setTextCursor(cursor)


def move_to_block(editor, number: int) -> None:
    cursor = QTextCursor(editor.text_edit.document().findBlockByNumber(number))
    editor.text_edit.setTextCursor(cursor)


def sent_comments(helpdesk, ticket_id: int, word: str) -> list[dict]:
    comments = helpdesk.get(f"tickets/{ticket_id}/comments.json").json()["comments"]
    return [c for c in comments if word in (c.get("body") or "")]


def test_a_formatted_reply_goes_out_as_sanitized_html_with_a_plain_body(live: Live):  # noqa: F811
    window, editor = live.window, live.window.reply_editor
    bar = editor.format_bar

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0, what="the first queue")
        tid = window.ticket_model.ticket_id_at(0)
        window.open_ticket(tid)
        await live.until(lambda: editor.ticket_id == tid, what="the ticket")
        live.start()
        editor.on_reply_mode()
        editor.text_edit.setPlainText("Please update your card:\nOpen Billing\nClick Update card\nThanks!")
        select(editor, 14, 18)                       # "your" → bold
        bar.buttons["bold"].click()
        move_to_block(editor, 1)
        bar.buttons["bullets"].click()              # "Open Billing" → a bulleted list...
        move_to_block(editor, 2)
        cursor = editor.text_edit.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        editor.text_edit.setTextCursor(cursor)
        bar.insert_link("billing.example.com/card")  # a link at the end of the second step
        block = editor.text_edit.document().findBlockByNumber(1)
        block.textList().add(editor.text_edit.document().findBlockByNumber(2))   # ...of two steps
        move_to_block(editor, 3)
        pasted = QMimeData()
        pasted.setHtml('<em>Kind regards</em><script>alert(1)</script><img src="http://tracker.example/p.gif">')
        editor.text_edit.insertFromMimeData(pasted)  # pasted HTML: kept formatting, nothing active
        editor.save_draft_now()
        await live.until(lambda: (d := live.desk.reader.load_draft(tid, "reply")) is not None
                         and "<strong>" in d.body, what="the formatted draft")
        window.shortcut_actions["send"].trigger()
        await live.until(lambda: sent_comments(live.server, tid, "Billing") != [], timeout=20, what="the reply")
        await asyncio.sleep(0.5)
        return tid

    tid = live.run(scenario)
    [comment] = sent_comments(live.server, tid, "Billing")
    markup = comment["html_body"]
    assert "<strong>your</strong>" in markup
    assert "<ul><li>Open Billing</li><li>Click Update card" in markup
    assert 'href="https://billing.example.com/card"' in markup
    assert "<em>Kind regards</em>" in markup
    assert "<script" not in markup and "tracker.example/p.gif" not in markup and "alert(1)" not in markup
    plain = comment["body"]
    assert "your card" in plain and "Open Billing" in plain and "<" not in plain


def test_plain_text_mode_sends_plain_text(live: Live):  # noqa: F811
    window, editor = live.window, live.window.reply_editor

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0, what="the first queue")
        tid = window.ticket_model.ticket_id_at(0)
        window.open_ticket(tid)
        await live.until(lambda: editor.ticket_id == tid, what="the ticket")
        live.start()
        editor.text_edit.setPlainText("Your refund is on its way.")
        select(editor, 5, 11)
        editor.format_bar.buttons["bold"].click()
        editor.format_bar.plain_button.click()       # plain-text mode: the formatting goes
        assert not editor.format_bar.buttons["bold"].isEnabled()
        assert editor.text_edit.toPlainText() == "Your refund is on its way."
        editor.send()
        await live.until(lambda: sent_comments(live.server, tid, "refund is on its way") != [], timeout=20)
        await asyncio.sleep(0.5)
        return tid

    tid = live.run(scenario)
    [comment] = sent_comments(live.server, tid, "refund is on its way")
    assert "<strong>" not in comment["html_body"] and comment["body"] == "Your refund is on its way."
