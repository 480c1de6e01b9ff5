"""The main window on a cache synced from the real demo helpdesk: models, queues, thread, fields, keyboard."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from console.models.queues import Queue, QueueListModel, build_queues
from console.models.tickets import COLUMNS, TicketListModel
from console.store import CacheReader, QueueSpec
from tests.views.conftest import open_ticket, select_queue

TESTER_MODE = QAbstractItemModelTester.FailureReportingMode.Fatal


def test_models_pass_the_qt_model_tester(qtbot, workspace):
    reader = workspace.reader
    queues = QueueListModel()
    QAbstractItemModelTester(queues, TESTER_MODE)
    queues.set_queues(build_queues(reader.groups(), reader.views(), workspace.me))
    queues.set_counts({"unassigned": 3, "drafts": 1})
    tickets = TicketListModel(reader)
    QAbstractItemModelTester(tickets, TESTER_MODE)
    tickets.set_queue(Queue("everything", "All tickets", spec=QueueSpec()))
    assert tickets.rowCount() > 10
    for row in range(tickets.rowCount()):
        tickets.data(tickets.index(row, 1))
    tickets.sort(COLUMNS.index(next(c for c in COLUMNS if c.key == "id")), Qt.SortOrder.AscendingOrder)
    ids = tickets.ticket_ids()
    assert ids == sorted(ids)
    tickets.mark_stale(ids[:3])
    tickets.reload_ids(ids[:5])
    assert tickets.rowCount() == 5


def test_rows_are_fetched_lazily_in_batches(workspace):
    model = TicketListModel(workspace.reader, batch=8)
    model.set_queue(Queue("everything", "All tickets", spec=QueueSpec()))
    assert model.rowCount() > 40 and model.cached_rows == 0
    assert model.data(model.index(0, 1))
    assert model.cached_rows == 8
    last = model.rowCount() - 1
    assert model.data(model.index(last, 0)).endswith(str(model.ticket_id_at(last)))
    assert model.cached_rows <= 16
    tid = model.ticket_id_at(0)
    model.mark_stale([tid])
    assert model.cached_rows <= 15


def test_window_lists_queues_with_counts_and_switches(qtbot, main_window, workspace):
    window = main_window
    qtbot.waitUntil(lambda: window.queue_model.count("unassigned") is not None)
    groups = workspace.reader.groups()
    assert groups, "the demo workspace has departments"
    for group in groups:
        row = window.queue_model.row_of(f"group:{group['id']}")
        assert row >= 0 and group["name"] in window.queue_model.index(row, 0).data()
    for key in ("mine", "unassigned", "drafts", "outbox", "conflicts"):
        assert window.queue_model.row_of(key) >= 0
    billing = next(g for g in groups if g["name"] == "Billing")
    select_queue(qtbot, window, f"group:{billing['id']}")
    expected = workspace.reader.ticket_ids_for_queue(QueueSpec.department(billing["id"], ("new", "open", "pending", "hold")))
    assert window.ticket_model.ticket_ids() == expected
    assert window.queue_model.count(f"group:{billing['id']}") == len(expected)
    assert re.fullmatch(rf"Billing — unsolved · {len(expected)} · as of \d\d:\d\d", window.list_header.text())
    assert window.ticket_list.current_ticket_id() == expected[0], "switching selects the first ticket"
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == expected[0])   # and opens it once settled


def test_opening_a_ticket_shows_thread_with_notes_and_safe_html(qtbot, main_window, workspace):
    reader = workspace.reader
    by_scenario = {}
    for tid in reader.ticket_ids_for_queue(QueueSpec()):
        ext = (reader.ticket(tid).get("external_id") or "")
        by_scenario[ext] = tid
    html_ticket = by_scenario["demo:html_rich"]
    open_ticket(qtbot, main_window, html_ticket)
    thread = main_window.ticket_pane.thread
    html = thread.toHtml()
    assert "<script" not in html.lower()
    assert "remote image blocked" in thread.toPlainText()
    comments = reader.comments_for_ticket(html_ticket)
    assert len(comments) >= 1
    # even HTML that slipped past the sanitizer loads nothing: the browser refuses every resource
    thread.setHtml('<p>x</p><img src="http://tracker.example/pixel.gif">')
    assert any("tracker.example" in url for url in thread.blocked_urls)
    notes = [t for t in reader.ticket_ids_for_queue(QueueSpec())
             if any(not c["public"] for c in reader.comments_for_ticket(t))]
    assert notes, "the demo workspace has internal notes"
    open_ticket(qtbot, main_window, notes[0])
    text = main_window.ticket_pane.thread.toPlainText()
    assert "Internal note" in text
    assert "#fff4c2" in main_window.ticket_pane.thread.toHtml().lower()
    with CacheReader(workspace.cache_path) as fresh:
        qtbot.waitUntil(lambda: fresh.ticket(notes[0])["_seen"])   # opening marks the ticket seen


def test_field_changes_are_queued_at_once_shown_queued_and_undoable(qtbot, main_window, desk):
    window = main_window
    tid = window.ticket_model.ticket_id_at(0)
    window.ticket_list.select_row(0)
    pane = window.ticket_pane
    qtbot.waitUntil(lambda: pane.ticket_id == tid)
    seen_stamp = desk.reader.ticket(tid)["updated_at"]
    pane.priority.setCurrentIndex(pane.priority.findData("urgent"))   # no Save button: queued at once
    qtbot.waitUntil(lambda: len(desk.reader.list_outbox()) == 1)
    pane.tags.setFocus()
    pane.tags.setText(pane.tags.text() + " vip")
    pane.tags.editingFinished.emit()                                  # Enter or leaving the field
    qtbot.waitUntil(lambda: len(desk.reader.list_outbox()) == 2)
    first, second = desk.reader.list_outbox()
    assert first.kind == second.kind == "fields" and first.ticket_id == tid and first.state == "queued"
    assert first.payload["fields"] == {"priority": "urgent"} and "vip" in second.payload["fields"]["tags"]
    assert first.updated_stamp == second.updated_stamp == seen_stamp, "both against the version the agent saw"
    # offline, the change shows at once: in the pane (marked queued) and in the list row
    qtbot.waitUntil(lambda: "queued" in pane.queued_label.text() and "priority" in pane.queued_label.text())
    assert pane.priority.currentData() == "urgent"
    qtbot.waitUntil(lambda: window.ticket_model.cell_texts(window.ticket_model.row_of(tid))[4] == "urgent")
    assert "⏳" in window.ticket_model.cell_texts(window.ticket_model.row_of(tid))[3]
    qtbot.waitUntil(lambda: "2 to send" in window.status.online.text())
    qtbot.waitUntil(lambda: window.queue_model.count("outbox") == 2)
    assert "Undo" in window.toast.action.text() and window.toast.isVisible()
    window.toast.action.click()                                        # take the tags back
    qtbot.waitUntil(lambda: desk.reader.get_entry(second.op_id).state == "cancelled")
    qtbot.waitUntil(lambda: "1 to send" in window.status.online.text())
    window.ticket_list.setFocus()
    window.undo_action.trigger()                                       # Ctrl+Z: the priority too
    qtbot.waitUntil(lambda: desk.reader.get_entry(first.op_id).state == "cancelled")
    qtbot.waitUntil(lambda: pane.queued_label.text() == "" and pane.priority.currentData() != "urgent")


def test_ctrl_z_takes_the_offered_change_back_and_its_toast_goes(qtbot, main_window, desk):
    window = main_window
    tid = window.ticket_model.ticket_id_at(0)
    window.ticket_list.select_row(0)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == tid)
    window.ticket_list.setFocus()
    window.shortcut_actions["status_pending"].trigger()                 # Alt+2
    qtbot.waitUntil(lambda: len(desk.reader.list_outbox()) == 1)
    [entry] = desk.reader.list_outbox()
    qtbot.waitUntil(lambda: "Undo" in window.toast.action.text() and window.toast.isVisible())
    window.undo_action.trigger()                                       # Ctrl+Z, from the list
    qtbot.waitUntil(lambda: desk.reader.get_entry(entry.op_id).state == "cancelled")
    qtbot.waitUntil(lambda: not window.toast.isVisible())              # no Undo left for a change taken back
    assert window.ticket_pane.status.currentData() != "pending"


def test_tags_typed_but_not_queued_are_queued_when_the_agent_moves_on(qtbot, main_window, desk):
    window = main_window
    window.ticket_list.select_row(0)
    first = window.ticket_model.ticket_id_at(0)
    pane = window.ticket_pane
    qtbot.waitUntil(lambda: pane.ticket_id == first)
    pane.tags.setText(pane.tags.text() + " followup")    # typed, no Enter
    window.ticket_list.setFocus()
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_J)      # the agent moves on
    qtbot.waitUntil(lambda: pane.ticket_id == window.ticket_model.ticket_id_at(1))
    qtbot.waitUntil(lambda: len(desk.reader.list_outbox()) == 1)
    entry = desk.reader.list_outbox()[0]
    assert entry.ticket_id == first and "followup" in entry.payload["fields"]["tags"]


def test_keyboard_moves_opens_and_sets_status(qtbot, main_window, workspace):
    window = main_window
    window.ticket_list.setFocus()
    window.ticket_list.select_row(0)
    first, second = window.ticket_model.ticket_id_at(0), window.ticket_model.ticket_id_at(1)
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == second)
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == first)
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == second)
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_Return)
    assert window.focusWidget() is window.ticket_pane.thread
    qtbot.keyClick(window.ticket_pane.thread, Qt.Key.Key_N)
    assert window.reply_editor.mode == "note"
    assert window.focusWidget() is window.reply_editor.text_edit
    qtbot.keyClicks(window.reply_editor.text_edit, "jk")   # letters typed, not shortcuts
    assert window.reply_editor.body().endswith("jk")
    assert window.ticket_pane.ticket_id == second
    window.ticket_list.setFocus()
    status = window.ticket_pane.ticket["status"]
    target = "pending" if status != "pending" else "hold"
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_2 if target == "pending" else Qt.Key.Key_3,
                   Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: any(e.kind == "fields" for e in workspace.reader.list_outbox()))
    fields = [e for e in workspace.reader.list_outbox() if e.kind == "fields"]
    assert fields[-1].payload["fields"] == {"status": target}
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_Slash)
    assert window.search_box.isAncestorOf(window.focusWidget())
    window.ticket_list.setFocus()
    qtbot.keyClick(window.ticket_list, "?")
    overlay = window.dialogs.shortcut_overlay
    assert overlay.isVisible()
    listed = overlay.findChildren(type(window.status.as_of))
    text = " ".join(label.text() for label in listed)
    for words in ("Ctrl+Shift+Enter", "Alt+1", "Ctrl+K", "Enter"):
        assert words in text
    overlay.close()


def test_status_bar_never_contradicts_itself(qtbot, main_window, desk):
    from console.sync.status import SyncStatus

    window = main_window
    status = window.status
    desk.ops.bus.sync_status_changed.emit(SyncStatus(online=True, syncing=True, phase="tickets", done=300,
                                                     total=1000, last_synced_at="2026-01-05T10:00:00Z"))
    assert status.online.text() == "● Online · Nothing to send"
    assert status.progress.isVisible() and status.progress.value() == 300
    assert status.as_of.text().startswith("As of ")
    tid = window.ticket_model.ticket_id_at(0)
    desk.ops.tickets.change_fields(ticket_id=tid, fields={"priority": "low"}, stamp="2026-01-01T00:00:00Z")
    qtbot.waitUntil(lambda: status.online.text() == "● Online · 1 to send")   # the count: from the cache only
    desk.ops.bus.sync_status_changed.emit(SyncStatus(online=False, error="cannot reach the helpdesk",
                                                     pending=7, conflicts=3))   # the engine's counts are not shown
    assert status.online.text() == "● Offline · 1 to send"
    assert "cannot reach" in status.online.toolTip()
    assert not status.progress.isVisible() and not status.conflicts.isVisible()
    with qtbot.waitSignal(status.work_offline_changed) as signal:
        status.offline.click()
    assert signal.args == [True]
    desk.ops.bus.sync_status_changed.emit(SyncStatus(online=False, work_offline=True))
    assert status.online.text() == "● Working offline · 1 to send"
