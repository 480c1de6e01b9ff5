"""A new ticket opened from the Ticket menu / Ctrl+N through the real main window, offline first.

The agent finds the customer in the cache, picks a department, writes subject and first message,
and creates it while offline: the list shows it at once as "not yet on the helpdesk"; once the
helpdesk is reachable it is created once and the row becomes the real ticket.
"""

from __future__ import annotations

import asyncio
import json

from console.domain.new_ticket import NOT_YET
from tests.views.conftest import select_queue
from tests.views.test_workflow import Live, live, server  # noqa: F401 (the fixtures)


def server_tickets(helpdesk, subject: str) -> list[tuple]:
    conn = helpdesk.db_connection()
    made = conn.execute("SELECT requester_id, group_id, assignee_id FROM tickets WHERE subject = ?", (subject,)).fetchall()
    conn.close()
    return [tuple(r) for r in made]


def a_customer(session: Live) -> dict:
    """A cached end user with an email, to open a ticket to."""
    return next(u for u in (session.desk.reader.user(i) for i in range(1, 400)) if u and u["role"] == "end-user"
                and u.get("email"))


def rows(window) -> list[tuple]:
    model = window.ticket_model
    return [t for t in (model.cell_texts(r) for r in range(model.rowCount())) if t is not None]


def test_a_ticket_created_offline_shows_at_once_and_is_created_once(live: Live, qtbot):  # noqa: F811
    window = live.window
    customer = a_customer(live)
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


def server_ids(helpdesk, subject: str) -> list[int]:
    conn = helpdesk.db_connection()
    made = [r[0] for r in conn.execute("SELECT id FROM tickets WHERE subject = ?", (subject,))]
    conn.close()
    return made


def server_fields(helpdesk, subject: str) -> list[tuple]:
    conn = helpdesk.db_connection()
    made = conn.execute("SELECT type, custom_fields FROM tickets WHERE subject = ?", (subject,)).fetchall()
    conn.close()
    return [(r[0], json.loads(r[1])) for r in made]


def test_type_and_custom_fields_created_offline_arrive_once(live: Live, qtbot):  # noqa: F811
    window = live.window
    customer = a_customer(live)
    subject = "Refund for a double charge at checkout"

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0, what="the first queue")
        live.engine.set_work_offline(True)
        select_queue(qtbot, window, "mine")
        window.shortcut_actions["new_ticket"].trigger()
        dialog = window.dialogs.new_ticket_dialog
        await live.until(lambda: len(dialog.custom) == 4, what="the account's custom fields (from the cache)")
        assert [f.title for f, _w in dialog.custom.values()] == ["Order number", "Product area", "Refund amount",
                                                                  "Callback requested"]
        dialog.choose_customer(customer["id"], customer["name"])
        dialog.subject.setText(subject)
        dialog.message.setPlainText("The customer was charged twice for order 1182.")
        dialog.ticket_type.setCurrentIndex(dialog.ticket_type.findData("incident"))
        order, area = dialog.custom[8101][1], dialog.custom[8102][1]
        amount, callback = dialog.custom[8103][1], dialog.custom[8104][1]
        order.setText("1182")
        area.setCurrentIndex(area.findData("area_checkout"))
        amount.setText("twelve")
        dialog.create_button.click()
        assert dialog.problem.text() == "Refund amount must be a number.", "a bad value: nothing queued"
        assert dialog.isVisible()
        amount.setText("12.50")
        callback.setChecked(True)
        finished: list[int] = []
        dialog.finished.connect(finished.append)
        dialog.create_button.click()
        await live.until(lambda: finished == [1], what="the dialog to close")
        pane = window.ticket_pane
        await live.until(lambda: pane.ticket is not None and pane.ticket["subject"] == subject, what="the stand-in")
        await live.until(lambda: pane.facts.isVisible(), what="the fields in the pane")
        offline_facts = pane.facts.text()
        assert server_fields(live.server, subject) == [], "offline: nothing sent yet"
        live.engine.set_work_offline(False)
        live.start()
        await live.until(lambda: server_ids(live.server, subject) != [], timeout=20, what="the create")
        [real] = server_ids(live.server, subject)
        await live.until(lambda: live.desk.reader.ticket(real) is not None, timeout=20, what="the real ticket")
        window.open_ticket(real)
        await live.until(lambda: pane.ticket_id == real and pane.facts.isVisible(), what="the real ticket's fields")
        await live.until(lambda: not live.engine.status.syncing, what="the sync round to end")
        await asyncio.sleep(0.3)
        return offline_facts, pane.facts.text()

    offline_facts, real_facts = live.run(scenario)
    expected = [("incident", [{"id": 8101, "value": "1182"}, {"id": 8102, "value": "area_checkout"},
                              {"id": 8103, "value": 12.5}, {"id": 8104, "value": True}])]
    assert server_fields(live.server, subject) == expected, "created once, with its type and fields"
    for facts in (offline_facts, real_facts):
        for shown in ("Type: <b>Incident</b>", "Order number: <b>1182</b>", "Product area: <b>Checkout</b>",
                      "Refund amount: <b>12.5</b>", "Callback requested: <b>yes</b>"):
            assert shown in facts, (shown, facts)


def test_type_and_custom_fields_are_kept_in_the_dialogs_draft(qtbot, desk):
    from console.views.new_ticket_dialog import NewTicketDialog

    dialog = NewTicketDialog(desk.ops.new_tickets, me=desk.me)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.custom) == 4)
    dialog.subject.setText("Payout missing")
    dialog.ticket_type.setCurrentIndex(dialog.ticket_type.findData("problem"))
    dialog.custom[8101][1].setText("2207")
    area = dialog.custom[8102][1]
    area.setCurrentIndex(area.findData("area_payouts"))
    dialog.custom[8104][1].setChecked(True)
    dialog.save_draft_now()
    desk.settle(qtbot)
    dialog.close()

    again = NewTicketDialog(desk.ops.new_tickets, me=desk.me)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.subject.text() == "Payout missing" and len(again.custom) == 4)
    qtbot.waitUntil(lambda: again.custom[8101][1].text() == "2207")
    assert again.ticket_type.currentData() == "problem"
    assert again.custom[8102][1].currentData() == "area_payouts" and again.custom[8104][1].isChecked()
    assert again.custom[8103][1].text() == ""
    assert again.ticket().custom_fields == {8101: "2207", 8102: "area_payouts", 8104: True}
    again.close()
    desk.settle(qtbot)
