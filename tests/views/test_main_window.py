"""The main window on a cache synced from the real demo helpdesk: models, queues, thread, fields, keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from console.models.queues import Queue, QueueListModel, build_queues
from console.models.tickets import COLUMNS, TicketListModel
from console.store import CacheReader, QueueSpec

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
    assert window.queue_pane.select_key(f"group:{billing['id']}")
    expected = workspace.reader.ticket_ids_for_queue(QueueSpec.department(billing["id"], ("new", "open", "pending", "hold")))
    assert window.ticket_model.ticket_ids() == expected
    assert window.queue_model.count(f"group:{billing['id']}") == len(expected)
    assert window.ticket_list.current_ticket_id() == expected[0], "switching selects the first ticket"
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == expected[0])   # and opens it once settled


def test_opening_a_ticket_shows_thread_with_notes_and_safe_html(qtbot, main_window, workspace):
    reader = workspace.reader
    by_scenario = {}
    for tid in reader.ticket_ids_for_queue(QueueSpec()):
        ext = (reader.ticket(tid).get("external_id") or "")
        by_scenario[ext] = tid
    html_ticket = by_scenario["demo:html_rich"]
    main_window.on_open_ticket(html_ticket)
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
    main_window.on_open_ticket(notes[0])
    text = main_window.ticket_pane.thread.toPlainText()
    assert "Internal note" in text
    assert "#fff4c2" in main_window.ticket_pane.thread.toHtml().lower()
    with CacheReader(workspace.cache_path) as fresh:
        assert fresh.ticket(notes[0])["_seen"], "opening marks the ticket seen"


def test_field_change_goes_to_the_outbox(qtbot, main_window, workspace):
    window = main_window
    tid = window.ticket_model.ticket_id_at(0)
    window.ticket_list.select_row(0)
    pane = window.ticket_pane
    assert pane.ticket_id == tid
    pane.priority.setCurrentIndex(pane.priority.findData("urgent"))
    pane.tags.setText(pane.tags.text() + " vip")
    pane.tags.textEdited.emit(pane.tags.text())
    assert pane.save.isEnabled()
    pane.save.click()
    entries = workspace.reader.list_outbox()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.kind == "fields" and entry.ticket_id == tid and entry.state == "queued"
    assert entry.payload["fields"]["priority"] == "urgent" and "vip" in entry.payload["fields"]["tags"]
    assert entry.updated_stamp == workspace.reader.ticket(tid)["updated_at"]
    qtbot.waitUntil(lambda: window.status.pending.text() == "1 to send")
    qtbot.waitUntil(lambda: window.queue_model.count("outbox") == 1)


def test_keyboard_moves_opens_and_sets_status(qtbot, main_window, workspace):
    window = main_window
    window.ticket_list.setFocus()
    window.ticket_list.select_row(0)
    first, second = window.ticket_model.ticket_id_at(0), window.ticket_model.ticket_id_at(1)
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_J)
    assert window.ticket_pane.ticket_id == second
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_K)
    assert window.ticket_pane.ticket_id == first
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_Down)
    assert window.ticket_pane.ticket_id == second
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
    fields = [e for e in workspace.reader.list_outbox() if e.kind == "fields"]
    assert fields and fields[-1].payload == {"fields": {"status": target}}
    qtbot.keyClick(window.ticket_list, Qt.Key.Key_Slash)
    assert window.search_box.isAncestorOf(window.focusWidget())
    window.ticket_list.setFocus()
    qtbot.keyClick(window.ticket_list, "?")
    overlay = window.shortcut_overlay
    assert overlay.isVisible()
    listed = overlay.findChildren(type(window.status.pending))
    text = " ".join(label.text() for label in listed)
    for words in ("Ctrl+Shift+Enter", "Alt+1", "Ctrl+K", "Enter"):
        assert words in text
    overlay.close()


def test_status_bar_offline_toggle_and_sync_status(qtbot, main_window, workspace):
    from console.sync.status import SyncStatus

    window = main_window
    status = window.status
    status.on_sync_status(SyncStatus(online=True, syncing=True, phase="tickets", done=300, total=1000,
                                     last_synced_at="2026-01-05T10:00:00Z", pending=2, conflicts=1))
    assert "Online" in status.online.text()
    assert status.progress.isVisible() and status.progress.value() == 300
    assert status.pending.text() == "2 to send"
    assert status.conflicts.isVisible() and "1 conflict" in status.conflicts.text()
    assert status.as_of.text().startswith("As of ")
    with qtbot.waitSignal(status.work_offline_changed) as signal:
        status.offline.click()
    assert signal.args == [True]
    status.on_sync_status(SyncStatus(online=False, work_offline=True, pending=0))
    assert "offline" in status.online.text().lower()
    assert not status.progress.isVisible() and not status.conflicts.isVisible()
