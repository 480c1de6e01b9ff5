"""Screenshots of what issue 12 added, through the real main window on the demo workspace (saved under
screenshots/, looked at): the editor with formatting and two attachment chips, the new-ticket
dialog, two ticket tabs, the bulk-action bar."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtGui import QColor, QImage, QTextCursor

from tests.views.test_widget_screenshots import save


def _select(editor, start: int, end: int) -> None:
    cursor = QTextCursor(editor.text_edit.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    editor.text_edit.setTextCursor(cursor)


def test_screenshots_editor_new_ticket_tabs_bulk_bar(qtbot, desk, main_window, tmp_path):
    window = main_window
    window.resize(1500, 900)
    qtbot.waitUntil(lambda: window.ticket_model.rowCount() > 4 and window.ticket_pane.ticket_id is not None,
                    timeout=10_000)
    editor = window.reply_editor

    # the editor: formatting and two chips
    editor.on_reply_mode()
    editor.text_edit.setPlainText("To update your card:\nOpen Billing in your account\nChoose Update card\n"
                                  "The invoice for last month is attached.")
    _select(editor, 3, 9)
    editor.format_bar.buttons["bold"].click()
    for number in (1, 2):
        editor.text_edit.setTextCursor(QTextCursor(editor.text_edit.document().findBlockByNumber(number)))
        if number == 1:
            editor.format_bar.buttons["numbers"].click()
        else:
            editor.text_edit.document().findBlockByNumber(1).textList().add(
                editor.text_edit.document().findBlockByNumber(2))
    invoice = tmp_path / "invoice-2026-11.pdf"
    invoice.write_bytes(b"%PDF-1.4 " + b"x" * 48_000)
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("#6a9fd8"))
    editor.attachment_strip.attach_paths([invoice])
    editor.attachment_strip.attach_image(image)
    qtbot.waitUntil(lambda: len(editor.attachment_strip.chips) == 2, timeout=5000)
    qtbot.wait(50)
    assert save(editor, "write_editor_formatting_and_chips").stat().st_size > 8_000

    # two tabs
    second = window.ticket_model.ticket_id_at(3)
    window.ticket_tabs.open_in_new_tab(second)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == second, timeout=5000)
    qtbot.wait(50)
    assert window.ticket_tabs.count() == 2
    assert save(window, "write_two_tabs").stat().st_size > 30_000

    # the bulk bar: four rows selected
    model, view = window.ticket_model, window.ticket_list
    rows = QItemSelection(model.index(0, 0), model.index(3, model.columnCount() - 1))
    view.selectionModel().select(rows, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.waitUntil(lambda: window.bulk_bar.isVisible(), timeout=3000)
    window.bulk_bar.status.setCurrentIndex(window.bulk_bar.status.findData("pending"))
    window.bulk_bar.tags.setText("+billing-followup")
    qtbot.wait(50)
    assert save(window, "write_bulk_bar").stat().st_size > 30_000

    # the new-ticket dialog
    window.shortcut_actions["new_ticket"].trigger()
    dialog = window.dialogs.new_ticket_dialog
    dialog.customer.setText("ada")
    dialog.customer.textEdited.emit("ada")
    qtbot.waitUntil(lambda: dialog.matches.count() > 0 and dialog.department.count() > 1, timeout=5000)
    dialog.matches.itemClicked.emit(dialog.matches.item(0))   # the customer chosen
    assert dialog.requester_id is not None
    dialog.department.setCurrentIndex(min(2, dialog.department.count() - 1))
    dialog.subject.setText("Follow-up on your phone call about the invoice address")
    dialog.message.setPlainText("As discussed on the phone, we will send the corrected invoice to your new "
                                "office address. Reply here if anything else should change.")
    dialog.priority.setCurrentIndex(dialog.priority.findData("normal"))
    dialog.tags.setText("phone invoice")
    qtbot.wait(300)
    assert save(dialog, "write_new_ticket_dialog").stat().st_size > 10_000
    dialog.reject()
