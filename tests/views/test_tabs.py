"""Ticket tabs through the real main window: middle-click / Ctrl+T open a tab, each keeps its draft and
thread scroll, Ctrl+Tab cycles, Ctrl+W closes, tabs come back after a restart; pop-out window."""

from __future__ import annotations

from PySide6.QtCore import Qt

from console.config import WindowState
from console.views.main_window import MainWindow


def middle_click(qtbot, window, row: int) -> None:
    view = window.ticket_list
    rect = view.visualRect(view.model().index(row, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, rect.center())


def shown(window) -> int | None:
    return window.ticket_pane.ticket_id


def test_tabs_keep_drafts_and_scroll_cycle_close_and_come_back_after_a_restart(qtbot, desk, tmp_path):
    state = WindowState(tmp_path / "state.json")
    window = MainWindow(desk.workspace(window_state=state))
    qtbot.addWidget(window)
    window.resize(1100, 560)   # small enough that the first thread scrolls
    window.show()
    qtbot.waitUntil(lambda: window.ticket_model.rowCount() > 3 and shown(window) is not None, timeout=10_000)
    tabs, editor = window.ticket_tabs, window.reply_editor
    rows = range(min(20, window.ticket_model.rowCount()))
    longest = max(rows, key=lambda r: len(desk.reader.comments_for_ticket(window.ticket_model.ticket_id_at(r))))
    window.ticket_list.select_row(longest)                            # a ticket whose thread scrolls
    first = window.ticket_model.ticket_id_at(longest)
    qtbot.waitUntil(lambda: shown(window) == first, timeout=5000)
    assert tabs.count() == 1 and tabs.tabText(0).startswith(f"#{first}")
    editor.on_reply_mode()
    editor.text_edit.setPlainText("Draft for the first ticket")
    bar = window.ticket_pane.thread.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    bar.setValue(bar.maximum() // 2)
    kept_scroll = bar.value()
    other = [r for r in rows if r != longest]
    second = window.ticket_model.ticket_id_at(other[0])
    middle_click(qtbot, window, other[0])                              # middle-click: a new tab
    qtbot.waitUntil(lambda: shown(window) == second and editor.ticket_id == second, timeout=5000)
    assert tabs.count() == 2 and tabs.currentIndex() == 1 and tabs.tabText(1).startswith(f"#{second}")
    assert editor.body() == ""
    editor.text_edit.setPlainText("Second ticket's draft")
    window.ticket_list.select_row(other[1], notify=False)
    third = window.ticket_model.ticket_id_at(other[1])
    window.shortcut_actions["open_in_tab"].trigger()                    # Ctrl+T
    qtbot.waitUntil(lambda: shown(window) == third, timeout=5000)
    assert tabs.count() == 3
    window.shortcut_actions["next_tab"].trigger()                       # Ctrl+Tab: wraps to the first
    qtbot.waitUntil(lambda: shown(window) == first and editor.body() == "Draft for the first ticket", timeout=5000)
    qtbot.waitUntil(lambda: bar.value() == kept_scroll, timeout=3000)   # its scroll position too
    window.shortcut_actions["previous_tab"].trigger()                   # Ctrl+Shift+Tab: back to the third
    qtbot.waitUntil(lambda: shown(window) == third, timeout=5000)
    window.shortcut_actions["previous_tab"].trigger()
    qtbot.waitUntil(lambda: shown(window) == second and editor.body() == "Second ticket's draft", timeout=5000)
    window.shortcut_actions["close_tab"].trigger()                      # Ctrl+W
    assert tabs.count() == 2 and tabs.ticket_ids() == [first, third]
    window.close()
    desk.settle(qtbot)
    assert state.values["tabs"] == [first, third]

    again = MainWindow(desk.workspace(window_state=WindowState.load(tmp_path / "state.json")))
    qtbot.addWidget(again)
    again.show()
    assert again.ticket_tabs.ticket_ids()[-2:] == [first, third], "restored beside the list's own tab"
    again.ticket_tabs.setCurrentIndex(again.ticket_tabs.index_of(third))
    qtbot.waitUntil(lambda: shown(again) == third, timeout=5000)
    again.close()
    desk.settle(qtbot)


def test_a_ticket_pops_out_into_its_own_window_with_its_draft(qtbot, desk, main_window):
    window = main_window
    qtbot.waitUntil(lambda: shown(window) is not None, timeout=10_000)
    ticket = shown(window)
    window.reply_editor.text_edit.setPlainText("Written in the main window")
    window.dialogs.pop_out()
    qtbot.waitUntil(lambda: bool(window.dialogs.popped_out), timeout=5000)
    popped = window.dialogs.popped_out[-1]
    qtbot.waitUntil(lambda: popped.pane.ticket_id == ticket and popped.editor.body() == "Written in the main window",
                    timeout=5000)
    assert popped.isWindow() and popped.windowTitle().startswith(f"#{ticket}")
    popped.close()
    desk.settle(qtbot)
