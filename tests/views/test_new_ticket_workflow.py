"""A new ticket opened from the Ticket menu / Ctrl+N through the real main window, offline first.

The agent finds the customer in the cache, picks a department, writes subject and first message,
and creates it while offline: the list shows it at once as "not yet on the helpdesk"; once the
helpdesk is reachable it is created once and the row becomes the real ticket.
"""

from __future__ import annotations

import asyncio

from console.domain.new_ticket import NOT_YET
from tests.views.conftest import select_queue
from tests.views.test_workflow import Live, live, server  # noqa: F401 (the fixtures)


def server_tickets(helpdesk, subject: str) -> list[tuple]:
    conn = helpdesk.db_connection()
    made = conn.execute("SELECT requester_id, group_id, assignee_id FROM tickets WHERE subject = ?", (subject,)).fetchall()
    conn.close()
    return [tuple(r) for r in made]


def rows(window) -> list[tuple]:
    model = window.ticket_model
    return [t for t in (model.cell_texts(r) for r in range(model.rowCount())) if t is not None]


def test_a_ticket_created_offline_shows_at_once_and_is_created_once(live: Live, qtbot):  # noqa: F811
    window = live.window
    customer = next(u for u in (live.desk.reader.user(i) for i in range(1, 400)) if u and u["role"] == "end-user"
                    and u.get("email"))
    subject = "Phone call: customer asks to change the invoice address"

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0, what="the first queue")
        live.engine.set_work_offline(True)
        select_queue(qtbot, window, "mine")
        before = window.ticket_model.rowCount()
        assert window.ticket_menu.actions()[0].shortcut().toString() == "Ctrl+N"
        window.shortcut_actions["new_ticket"].trigger()              # Ctrl+N
        dialog = window.dialogs.new_ticket_dialog
        dialog.customer.setText(customer["email"].split("@")[0])
        dialog.customer.textEdited.emit(dialog.customer.text())
        await live.until(lambda: dialog.matches.count() > 0, what="customers found in the cache")
        dialog.matches.itemClicked.emit(dialog.matches.item(0))
        chosen = dialog.requester_id
        assert chosen is not None and dialog.chosen.text().startswith("✓")
        dialog.department.setCurrentIndex(1)
        group_id = dialog.department.currentData()
        dialog.subject.setText(subject)
        dialog.message.setPlainText("Called in: the invoice should go to the new office address.")
        finished: list[int] = []
        dialog.finished.connect(finished.append)
        dialog.create_button.click()
        await live.until(lambda: finished == [1], what="the dialog to close")
        await live.until(lambda: window.ticket_model.rowCount() == before + 1, what="the stand-in in the list")
        shown = next(r for r in rows(window) if r[1] == subject)
        assert shown[0] == "new" and NOT_YET in shown, shown
        assert window.ticket_pane.ticket is not None and window.ticket_pane.ticket["subject"] == subject
        assert server_tickets(live.server, subject) == [], "offline: nothing sent yet"
        live.engine.set_work_offline(False)
        live.start()
        await live.until(lambda: any(r[1] == subject and r[0] != "new" for r in rows(window)), timeout=20,
                         what="the real ticket in the list")
        assert [r for r in rows(window) if r[1] == subject and r[0] == "new"] == [], "the stand-in is gone"
        await live.until(lambda: not live.engine.status.syncing, what="the sync round to end")
        await asyncio.sleep(0.3)   # the engine settles into its wait on this loop (not in pytest-qt's teardown)
        return chosen, group_id

    chosen, group_id = live.run(scenario)
    assert server_tickets(live.server, subject) == [(chosen, group_id, live.me)], "created once, as asked"
    assert live.desk.reader.load_draft(0, "new_ticket") is None, "the dialog's draft went with it"
