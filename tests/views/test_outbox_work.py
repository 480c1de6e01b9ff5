"""Undo send, send later and the Outbox page, through the real window, engine and embedded helpdesk.

Every send waits in the outbox for the "Undo send" grace period; undo (the toast or Ctrl+Z) puts
the text back in the editor and nothing reaches the helpdesk. "Send later" keeps the message in
the cache across a restart and it goes out once when due. The Outbox lists messages and can
cancel or edit one before it goes.
"""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import Qt

from console.config import SETTINGS_BY_NAME, Preferences
from tests.views import test_workflow
from tests.views.test_queue_work import live, server  # noqa: F401 (fixtures)
from tests.views.test_workflow import Live, comments_with


def _with_grace(window, tmp_path, seconds: int) -> None:
    prefs = Preferences(tmp_path / "settings.json")
    prefs.set("undo_send_seconds", seconds)
    window.workspace.prefs = prefs
    window.apply_preferences()


async def _open_first(session) -> int:
    window = session.window
    await session.until(lambda: window.ticket_model.rowCount() > 0 and not session.engine.status.syncing,
                        what="synced")
    tid = window.ticket_model.ticket_id_at(0)
    window.open_ticket(tid)
    await session.until(lambda: window.reply_editor.ticket_id == tid, what="the ticket open")
    return tid


def test_undo_send_is_on_by_default_for_ten_seconds():
    setting = SETTINGS_BY_NAME["undo_send_seconds"]
    assert setting.default == 10 and setting.minimum == 0 and setting.section == "Sync"


def test_ctrl_z_within_the_grace_period_puts_the_text_back_and_sends_nothing(live, tmp_path, qtbot):  # noqa: F811
    window, text = live.window, "I have cancelled the order and refunded you in full."
    _with_grace(window, tmp_path, 3)

    async def scenario():
        live.start()
        tid = await _open_first(live)
        editor = window.reply_editor
        editor.text_edit.setFocus()
        editor.text_edit.setPlainText(text)
        window.shortcut_actions["send"].trigger()                               # Ctrl+Enter
        await live.until(lambda: editor.body() == "" and window.toast.isVisible(), what="queued, with a toast")
        assert "sends in 3 s" in window.toast.text and window.toast.action.text() == "Undo"
        await asyncio.sleep(0.5)
        entry = live.desk.reader.list_outbox(("queued",), ticket_id=tid)
        assert len(entry) == 1 and entry[0].retry_at > time.time(), "it waits in the outbox"
        qtbot.keyClick(editor.text_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)   # Ctrl+Z
        await live.until(lambda: editor.body() == text, what="the text back in the editor")
        assert live.desk.reader.list_outbox(("queued", "sending", "sent"), ticket_id=tid) == []
        await live.until(lambda: live.desk.reader.load_draft(tid, "reply") is not None, what="kept as a draft")
        await asyncio.sleep(4)                                                  # past the grace period
        live.engine.request_push()
        await asyncio.sleep(1)
        return tid

    tid = live.run(scenario)
    assert comments_with(live.server, tid, text) == 0, "nothing reached the helpdesk"


def test_a_send_goes_out_once_after_the_grace_period_not_before(live, tmp_path):  # noqa: F811
    window, text = live.window, "Your replacement card was posted this morning."
    _with_grace(window, tmp_path, 3)

    async def scenario():
        live.start()
        tid = await _open_first(live)
        window.reply_editor.text_edit.setPlainText(text)
        sent_at = time.monotonic()
        window.reply_editor.send()
        await asyncio.sleep(1.5)
        assert comments_with(live.server, tid, text) == 0, "still inside the grace period"
        await live.until(lambda: comments_with(live.server, tid, text) == 1, timeout=15, what="sent when due")
        assert time.monotonic() - sent_at >= 3
        window.toast.action.click()                                             # too late to undo
        await asyncio.sleep(1)
        assert window.reply_editor.body() == ""
        return tid

    tid = live.run(scenario)
    assert comments_with(live.server, tid, text) == 1


def test_send_later_survives_a_restart_and_goes_out_once(qtbot, qapp, server, tmp_path, monkeypatch):  # noqa: F811
    text = "As promised, here is the update on your shipment."
    first = Live(qtbot, qapp, server, tmp_path, interval=5.0)
    try:
        async def schedule():
            first.start()
            tid = await _open_first(first)
            first.window.reply_editor.text_edit.setPlainText(text)
            assert first.window.reply_editor.send(send_at=time.time() + 4)
            await first.until(lambda: len(first.desk.reader.list_outbox(("queued",), ticket_id=tid)) == 1)
            await asyncio.sleep(0.5)
            return tid
        tid = first.run(schedule)
        me = first.me
    finally:
        first.close()
    assert comments_with(server, tid, text) == 0, "not sent before its time"
    time.sleep(4.5)                                                             # due while the app is closed
    assert comments_with(server, tid, text) == 0
    monkeypatch.setattr(test_workflow, "sync_cache", lambda _url, _cache: me)   # the same cache, as it was
    again = Live(qtbot, qapp, server, tmp_path, interval=5.0)
    try:
        async def restarted():
            again.start()
            await again.until(lambda: comments_with(server, tid, text) == 1, timeout=20, what="sent after restart")
            await again.until(lambda: again.desk.reader.list_outbox(ticket_id=tid)[-1].state == "sent")
            again.engine.request_sync()
            await asyncio.sleep(1.5)
        again.run(restarted)
    finally:
        again.close()
    assert comments_with(server, tid, text) == 1, "exactly once"


def test_the_outbox_lists_messages_and_cancel_sends_nothing_edit_takes_it_back(live, qtbot):  # noqa: F811
    window = live.window
    later, other = "We will call you tomorrow at ten.", "Second thought: the invoice is attached."

    async def scenario():
        live.start()
        tid = await _open_first(live)
        editor = window.reply_editor
        editor.text_edit.setPlainText(later)
        editor.send(send_at=time.time() + 3600)
        await live.until(lambda: editor.body() == "")
        await live.until(lambda: "Waits until" in window.ticket_pane.thread.toPlainText(), what="shown as waiting")
        editor.on_note_mode()
        editor.text_edit.setPlainText(other)
        editor.send(send_at=time.time() + 7200)
        await live.until(lambda: editor.body() == "")
        assert window.queue_pane.select_key("outbox")
        await live.until(lambda: window.pages.currentWidget() is window.outbox_view)
        view = window.outbox_view
        await live.until(lambda: view.model.rowCount() == 2, what="two messages listed")
        cells = [view.model.cells(r) for r in range(2)]
        assert cells[0][0].startswith(f"#{tid}") and cells[0][2] == f"Reply: {later}"
        assert cells[0][3] == "waiting" and cells[1][3] == "waiting" and cells[1][2] == f"Note: {other}"
        requester = live.desk.reader.ticket(tid)["requester_id"]
        assert cells[0][1] == live.desk.reader.user_names([requester])[requester]
        assert view.select_op(view.model.messages[0].op_id)
        view.cancel_button.click()                                              # Cancel sending
        await live.until(lambda: view.model.rowCount() == 1, what="the cancelled one gone from the list")
        view.table.selectRow(0)
        view.edit_button.click()                                                # Edit: back to the editor
        await live.until(lambda: window.pages.currentWidget() is window.work_split
                         and editor.ticket_id == tid and editor.body() == other, what="the note back in the editor")
        assert editor.mode == "note"
        assert [e.state for e in live.desk.reader.list_outbox(ticket_id=tid)] == ["cancelled", "cancelled"]
        for entry in live.desk.reader.list_outbox(ticket_id=tid):               # even once they fall due
            assert entry.retry_at is None
        live.engine.request_push()
        await asyncio.sleep(1)
        return tid

    tid = live.run(scenario)
    assert comments_with(live.server, tid, later) == 0 and comments_with(live.server, tid, other) == 0


def test_sign_out_names_the_unsent_drafts_and_outbox_messages(qtbot, main_window, desk, tmp_path, monkeypatch):
    from console.views.connection_dialog import SignOutDialog
    from tests.views.conftest import open_ticket

    window, shown = main_window, []
    window.workspace.prefs = Preferences(tmp_path / "settings.json")
    first, second = window.ticket_model.ticket_id_at(0), window.ticket_model.ticket_id_at(1)
    open_ticket(qtbot, window, first)
    window.reply_editor.text_edit.setPlainText("Scheduled: your account is unlocked.")
    window.reply_editor.send(send_at=time.time() + 3600)
    qtbot.waitUntil(lambda: window.reply_editor.body() == "")
    open_ticket(qtbot, window, second)
    window.reply_editor.text_edit.setPlainText("Half-written answer about the VAT number")   # not saved yet
    monkeypatch.setattr(SignOutDialog, "exec", lambda self: (shown.append(self.unsent.text()), 0)[1])
    window.dialogs.sign_out()
    qtbot.waitUntil(lambda: bool(shown))
    assert f"Reply on #{first} (waiting): Scheduled: your account is unlocked." in shown[0]
    assert f"Draft reply on #{second}: Half-written answer about the VAT number" in shown[0]
    assert window.reply_editor.body() == "Half-written answer about the VAT number", "cancelled: nothing changed"
