"""Screenshots (looked at) of the reply editor with misspelled words marked and its right-click menu,
and of the new-ticket dialog with type and custom fields, at 1366x768 and 1024x700."""

from __future__ import annotations

import pytest

from tests.views.conftest import open_ticket
from tests.views.test_spelling_workflow import marked, point_at
from tests.views.test_widget_screenshots import save


@pytest.mark.parametrize("size", [(1366, 768), (1024, 700)])
def test_screenshots_spelling_and_new_ticket_fields(qtbot, desk, main_window, size):
    window = main_window
    window.resize(*size)
    window.apply_default_layout(*size)
    qtbot.waitUntil(lambda: window.ticket_model.rowCount() > 0, timeout=10_000)
    open_ticket(qtbot, window, window.ticket_model.ticket_id_at(0))
    editor = window.reply_editor
    editor.text_edit.setFocus()
    qtbot.keyClicks(editor.text_edit, "Thanks for your pateince. We recieve refunds within 5 days: "
                                      "see https://help.example.com/refunds, ref INV2041.")
    qtbot.waitUntil(lambda: marked(editor) == ["pateince", "recieve"], timeout=10_000)
    name = f"{size[0]}x{size[1]}"
    assert save(window, f"write_spelling_{name}").stat().st_size > 30_000
    menu = editor.spelling.menu_at(point_at(editor, "recieve"))
    qtbot.waitUntil(lambda: "Looking for more…" not in [a.text() for a in menu.actions()], timeout=10_000)
    menu.adjustSize()   # rendered without popping up (offscreen has no keyboard grab)
    assert save(menu, f"write_spelling_menu_{name}").stat().st_size > 3_000
    menu.deleteLater()
    editor.text_edit.clear()

    window.shortcut_actions["new_ticket"].trigger()
    dialog = window.dialogs.new_ticket_dialog
    qtbot.waitUntil(lambda: len(dialog.custom) == 4 and dialog.department.count() > 1, timeout=5000)
    dialog.customer.setText("ada")
    dialog.customer.textEdited.emit("ada")
    qtbot.waitUntil(lambda: dialog.matches.count() > 0, timeout=5000)
    dialog.matches.itemClicked.emit(dialog.matches.item(0))
    dialog.department.setCurrentIndex(1)
    dialog.subject.setText("Refund for a double charge at checkout")
    dialog.message.setPlainText("The customer was charged twice for order 1182; refund the second charge.")
    dialog.ticket_type.setCurrentIndex(dialog.ticket_type.findData("incident"))
    dialog.custom[8101][1].setText("1182")
    dialog.custom[8102][1].setCurrentIndex(1)
    dialog.custom[8103][1].setText("12.50")
    dialog.custom[8104][1].setChecked(True)
    qtbot.wait(300)
    assert dialog.frameGeometry().height() <= size[1] and dialog.frameGeometry().width() <= size[0]
    assert save(dialog, f"write_new_ticket_fields_{name}").stat().st_size > 10_000
    dialog.reject()
    desk.settle(qtbot)
