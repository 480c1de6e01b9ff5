"""What the Outbox says about each message, and what can be done with it, on a real cache."""

from __future__ import annotations

import time

import pytest

from console.ops.outbox import list_messages
from console.store import QueueSpec, StoreError


def _queue(desk, tid: int, body: str, **kw) -> str:
    return desk.writer.enqueue("reply", tid, {"body": body}, None, **kw).op_id


def test_each_state_and_next_try(desk):
    tids = desk.reader.ticket_ids_for_queue(QueueSpec())[:4]
    now = time.time()
    waiting = _queue(desk, tids[0], "Later today\nsecond line", not_before=now + 600)
    sending = _queue(desk, tids[1], "On its way")
    desk.writer.mark_sending(sending)
    failed = _queue(desk, tids[2], "Bounced")
    desk.writer.mark_sending(failed)
    desk.writer.mark_failed(failed, "The helpdesk refused it: 422", retry_at=None)
    held = _queue(desk, tids[2], "Behind the failed one")
    sent = _queue(desk, tids[3], "Done")
    desk.writer.mark_sending(sent)
    desk.writer.mark_sent(sent, {})
    by_op = {m.op_id: m for m in list_messages(desk.reader, now=now)}
    assert (by_op[waiting].state, by_op[waiting].next_try) == ("waiting", now + 600)
    assert by_op[waiting].first_line == "Later today"
    assert by_op[sending].state == "sending" and not by_op[sending].can_take_back
    assert by_op[failed].state == "failed" and by_op[failed].can_retry and by_op[failed].next_try is None
    assert by_op[failed].error == "The helpdesk refused it: 422"
    assert by_op[held].state == "held", "held behind the failed one of the same ticket"
    assert by_op[sent].state == "sent"
    assert [m.state for m in list_messages(desk.reader, offline=True, now=now) if m.op_id == waiting] == ["held"]
    with pytest.raises(StoreError):
        desk.writer.take_back_entry(sending, draft_kind="reply", body="On its way")   # too late: never races a send
    desk.writer.take_back_entry(waiting, draft_kind="reply", body="Later today")
    assert desk.reader.load_draft(tids[0], "reply").body == "Later today"
    assert waiting not in {m.op_id for m in list_messages(desk.reader)}


def test_retry_from_the_outbox_page_queues_a_failed_message_again(qtbot, main_window, desk):
    window = main_window
    tid = window.ticket_model.ticket_id_at(0)
    op = _queue(desk, tid, "Please try again")
    desk.writer.mark_sending(op)
    desk.writer.mark_failed(op, "Timed out", retry_at=None)
    assert window.queue_pane.select_key("outbox")
    view = window.outbox_view
    qtbot.waitUntil(lambda: window.pages.currentWidget() is view and view.model.rowCount() == 1)
    assert view.model.cells(0)[3:] == ("failed", "needs you")
    assert view.retry_button.isEnabled() and view.cancel_button.isEnabled()
    view.retry_button.click()
    qtbot.waitUntil(lambda: desk.reader.get_entry(op).state == "queued")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and view.model.cells(0)[3] == "waiting")


def test_send_later_offers_presets_and_refuses_a_time_gone_by(qtbot):
    from datetime import datetime, timedelta

    from PySide6.QtCore import QDateTime

    from console.views.send_later import SendLaterDialog, presets

    monday_evening = datetime(2026, 11, 30, 18, 30)           # a Monday
    labels = [(label, when) for label, when in presets(monday_evening)]
    assert labels[0] == ("In 1 hour", monday_evening + timedelta(hours=1))
    assert labels[1][1] == datetime(2026, 12, 1, 9, 0) and labels[2][1] == datetime(2026, 12, 7, 9, 0)
    dialog = SendLaterDialog()
    qtbot.addWidget(dialog)
    dialog.preset.setCurrentIndex(1)                           # tomorrow 9:00
    assert datetime.fromtimestamp(dialog.chosen()).hour == 9
    dialog.when.setMinimumDateTime(QDateTime(datetime(2000, 1, 1)))
    dialog.when.setDateTime(QDateTime(datetime.now() - timedelta(minutes=5)))
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and "passed" in dialog.problem.text()
