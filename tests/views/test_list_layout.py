"""The work area at real window sizes: the subject stays readable, no column is out of reach,
columns can be chosen and reordered (and are remembered), the panes can be dragged and collapsed.

Screenshots (looked at by hand, listed in the issue's closing note): ``screenshots/work-<w>x<h>.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from console.models.tickets import COLUMNS
from tests.views.conftest import select_queue

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
SIZES = [(1920, 1080), (1366, 768), (1024, 700)]


def _billing(desk) -> str:
    return f"group:{next(g['id'] for g in desk.reader.groups() if g['name'] == 'Billing')}"


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_subject_is_readable_and_every_column_reachable(qtbot, main_window, desk, size):
    window = main_window
    window.apply_default_layout(*size)   # what a first start on that screen does
    select_queue(qtbot, window, _billing(desk))
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id is not None)
    desk.settle(qtbot)
    qtbot.wait(100)
    table = window.ticket_list
    window.grab().save(str(SHOTS / f"work-{size[0]}x{size[1]}.png"))
    subject = next(i for i, c in enumerate(COLUMNS) if c.key == "subject")
    chars = table.columnWidth(subject) / table.fontMetrics().averageCharWidth()
    if size[0] >= 1366:
        assert chars >= 30, f"subject shows {chars:.0f} characters"
    header = table.horizontalHeader()
    shown = [c.key for i, c in enumerate(COLUMNS) if not header.isSectionHidden(i)]
    right = max(header.sectionViewportPosition(i) + header.sectionSize(i) for i in range(len(COLUMNS))
                if not header.isSectionHidden(i))
    assert right <= table.viewport().width() or table.horizontalScrollBar().maximum() > 0, "off-screen, unreachable"
    assert set(shown) | table.auto_hidden == {c.key for c in COLUMNS}, "hidden for room, not lost"
    if size[0] < 1400:
        assert not window.ticket_pane.account_shown and not window.account_action.isChecked()
        window.account_action.trigger()                               # View ▸ Account pane
        assert window.ticket_pane.account_shown
        qtbot.wait(50)
        window.grab().save(str(SHOTS / f"work-{size[0]}x{size[1]}-account-pane.png"))
    else:
        assert window.ticket_pane.account_shown


def test_columns_chosen_and_reordered_in_the_header_menu_are_remembered(qtbot, desk, tmp_path):
    from console.config import WindowState
    from console.views.main_window import MainWindow

    state = WindowState(tmp_path / "state.json")
    window = MainWindow(desk.workspace(window_state=state))
    qtbot.addWidget(window)
    window.show()
    window.apply_default_layout(1920, 1080)
    desk.settle(qtbot)
    table = window.ticket_list
    header = table.horizontalHeader()
    keys = [c.key for c in COLUMNS]
    menu = table.column_menu()
    titles = {a.text().split("  (")[0]: a for a in menu.actions() if a.isCheckable()}
    assert not titles["Subject"].isEnabled(), "the subject cannot be switched off"
    titles["Assignee"].setChecked(False)                                 # header menu: hide Assignee
    assert header.isSectionHidden(keys.index("assignee"))
    header.moveSection(header.visualIndex(keys.index("waiting")), 1)    # drag Waiting next to #
    window.close()
    assert state.values["columns"]["hidden"] == ["assignee"]
    assert state.values["columns"]["order"][:2] == ["id", "waiting"]

    again = MainWindow(desk.workspace(window_state=state))              # the next start
    qtbot.addWidget(again)
    again.show()
    desk.settle(qtbot)
    table, header = again.ticket_list, again.ticket_list.horizontalHeader()
    assert header.isSectionHidden(keys.index("assignee"))
    assert header.logicalIndex(1) == keys.index("waiting")
    table.reset_columns()                                               # "Default columns"
    assert header.logicalIndex(1) == keys.index("subject") and "assignee" not in table.user_hidden
    again.close()
    desk.settle(qtbot, quiet_ms=30)


def test_the_panes_can_be_dragged_both_ways(qtbot, main_window, desk):
    window = main_window
    window.apply_default_layout(1366, 768)
    qtbot.wait(20)
    for splitter in (window.main_split, window.work_split):
        sizes = splitter.sizes()
        total = sum(sizes)
        splitter.setSizes([sizes[0] - 80, total - sizes[0] + 80])   # narrower...
        assert splitter.sizes()[0] < sizes[0]
        splitter.setSizes([sizes[0] + 80, total - sizes[0] - 80])   # ...and wider
        assert splitter.sizes()[0] > sizes[0]


def test_waiting_is_the_requesters_wait_not_the_time_since_any_update(qtbot, main_window, desk):
    from datetime import UTC, datetime

    from console.domain.sla import waiting_since
    from console.models.tickets import human_age

    window = main_window
    select_queue(qtbot, window, "unassigned")
    model, column = window.ticket_model, next(i for i, c in enumerate(COLUMNS) if c.key == "waiting")
    agents = [r[0] for r in desk.reader._all("SELECT id FROM users WHERE role IN ('agent', 'admin')")]
    now = datetime.now(UTC)
    model.now = lambda: now
    shown = 0
    for row in range(model.rowCount()):
        tid = model.ticket_id_at(row)
        ticket = desk.reader.ticket(tid)
        since = waiting_since(ticket, desk.reader.comments_for_ticket(tid), agents)
        assert model.cell_texts(row)[column] == (human_age(since, now) if since else ""), tid
        shown += since is not None
    assert shown, "some tickets wait on us"
    tip = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "first public message" in tip
    window.ticket_list.sortByColumn(column, Qt.SortOrder.DescendingOrder)   # longest wait first
    qtbot.waitUntil(lambda: model.sort_key == "waiting")
    desk.settle(qtbot)
    waits = [waiting_since(desk.reader.ticket(t), desk.reader.comments_for_ticket(t), agents)
             for t in model.ticket_ids()]
    waiting = [w for w in waits if w is not None]
    assert waiting and waiting == sorted(waiting), "the longest wait first"


def test_screenshots_of_the_banner_outbox_and_search_popup(qtbot, main_window, desk):
    """Screens for the closing note: the "N new — show" banner over a list that stayed put, a greyed
    solved row, the Outbox page, and search results popping up over the workspace."""
    import time

    window = main_window
    window.apply_default_layout(1366, 768)
    select_queue(qtbot, window, "unassigned")
    seen = window.ticket_model.ticket_ids()
    solved = {k: v for k, v in desk.reader.ticket(seen[2]).items() if not k.startswith("_")}
    solved.update(status="solved", generated_timestamp=4_000_000_000)
    newer = {k: v for k, v in desk.reader.ticket(seen[-1]).items() if not k.startswith("_")}
    newer.update(updated_at="2099-01-01T00:00:00Z", generated_timestamp=4_000_000_001)
    desk.ops.runner.write(lambda cache: cache.writer.upsert_tickets([solved, newer]))
    qtbot.waitUntil(lambda: window.list_header.banner.isVisible() and seen[2] in window.ticket_model.departed)
    assert window.ticket_model.ticket_ids() == seen
    qtbot.wait(50)
    window.grab().save(str(SHOTS / "list-stays-put-banner-1366x768.png"))
    window.ticket_list.select_ticket(seen[0])
    qtbot.waitUntil(lambda: window.reply_editor.ticket_id == seen[0])
    window.reply_editor.text_edit.setPlainText("We will call you tomorrow at ten to set it up.")
    window.reply_editor.send(send_at=time.time() + 3 * 3600)
    qtbot.waitUntil(lambda: window.reply_editor.body() == "")
    assert window.queue_pane.select_key("outbox")
    qtbot.waitUntil(lambda: window.outbox_view.model.rowCount() == 1)
    desk.settle(qtbot)
    assert window.queue_model.count("outbox") == 1
    window.grab().save(str(SHOTS / "outbox-1366x768.png"))
    window.pages.show_work()
    window.search_box.search_edit.setText("refund")
    with qtbot.waitSignal(window.search_box.searched):
        window.search_box.run_now()
    qtbot.wait(50)
    window.grab().save(str(SHOTS / "search-popup-1366x768.png"))


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_dashboard_fits_beside_the_queues_and_leaves_them_as_they_were(qtbot, main_window, desk, size):
    """The dashboard page scrolls and wraps its tiles instead of widening the window: the queue pane
    keeps its width while it is shown and after it (it was squeezed to ~80 px for the session)."""
    window = main_window
    window.apply_default_layout(*size)
    desk.settle(qtbot)
    qtbot.wait(50)
    queues_width, window_width = window.queue_pane.width(), window.width()
    window.pages.show_dashboard()
    dashboard = window.pages.dashboard
    qtbot.waitUntil(lambda: dashboard.snapshot is not None and bool(dashboard.tiles))
    qtbot.wait(100)
    window.grab().save(str(SHOTS / f"dashboard-{size[0]}x{size[1]}.png"))
    assert window.width() == window_width and abs(window.queue_pane.width() - queues_width) <= 2
    viewport = dashboard.scroll.viewport()
    for tile in dashboard.tiles:
        right = tile.mapTo(viewport, tile.rect().topRight()).x()
        assert right <= viewport.width(), f"{tile.stats.name} is cut off at {size}"
    assert dashboard.tile_columns() == (3 if size[0] >= 1920 else dashboard.tile_columns()) >= 1
    window.pages.show_work()
    qtbot.wait(50)
    assert abs(window.queue_pane.width() - queues_width) <= 2, "the queues are as wide as before"


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_undo_send_toast_leaves_send_in_reach(qtbot, main_window, desk, size):
    from PySide6.QtCore import QPoint, QRect

    window = main_window
    window.apply_default_layout(*size)
    select_queue(qtbot, window, _billing(desk))
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id is not None)
    desk.settle(qtbot)
    editor = window.reply_editor
    window.ops.replies.grace_seconds = 10   # the app's default "Undo send" (the fixture has no preferences)
    editor.text_edit.setPlainText("Thanks, the refund is on its way.")
    editor.send()
    qtbot.waitUntil(lambda: window.toast.isVisible() and "Undo" in window.toast.action.text())
    window.grab().save(str(SHOTS / f"undo-send-toast-{size[0]}x{size[1]}.png"))
    send = QRect(editor.send_button.mapTo(window, QPoint(0, 0)), editor.send_button.size())
    assert not window.toast.geometry().intersects(send), (window.toast.geometry(), send)
    assert window.rect().contains(window.toast.geometry()), "the toast stays inside the window"
