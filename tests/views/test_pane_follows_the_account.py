"""The open ticket's pane follows what the sync writes about the account, not only the ticket.

On a first run the window shows the cache before the sync has its agents: the assignee read
"user #3" and the department's agents were missing until the agent opened another ticket.
"""

from __future__ import annotations

import sqlite3

from console.store import QueueSpec
from tests.views.conftest import close_desk, open_desk, open_ticket


def test_agents_written_after_the_ticket_opened_are_named_at_once(qtbot, cache_copy):
    from console.views.main_window import MainWindow

    cache, me = cache_copy
    desk = open_desk(cache, me)
    try:
        ids = [r[0] for r in desk.reader._all("SELECT id FROM users WHERE role IN ('agent', 'admin')", ())]
        agents = desk.reader.users_by_ids(ids)
        with sqlite3.connect(cache) as conn:   # the cache as on a first run: tickets, no agents yet
            conn.execute("DELETE FROM users WHERE role IN ('agent', 'admin')")
        window = MainWindow(desk.workspace())
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.ticket_pane.ticket_id is not None, timeout=5000)   # the first row opened
        desk.settle(qtbot)
        mine = desk.reader.ticket_ids_for_queue(QueueSpec(mine=True, me=me))
        open_ticket(qtbot, window, mine[-1])
        desk.settle(qtbot)
        qtbot.wait(300)
        assignee = window.ticket_pane.assignee
        assert window.ticket_pane.ticket_id == mine[-1] and assignee.currentText() == f"user #{me}"

        desk.ops.runner.write(lambda c: c.writer.apply_user_page(list(agents.values()), None))   # as the sync
        qtbot.waitUntil(lambda: assignee.currentText() == agents[me]["name"], timeout=5000)
        offered = {assignee.itemText(i) for i in range(assignee.count())}
        assert len(offered & {u["name"] for u in agents.values()}) >= 2, offered
        window.close()
        desk.settle(qtbot, quiet_ms=30)
    finally:
        close_desk(desk)


def test_a_sync_renaming_the_departments_leaves_the_shown_queue_in_place(qtbot, main_window, desk):
    """Departments replaced whole by the sync with the shown one unchanged (renamed): no switch,
    the same rows, the same open ticket; only the names follow."""
    from tests.views.conftest import select_queue

    window = main_window
    groups = desk.reader.groups(include_deleted=True)
    billing = next(g for g in groups if g["name"] == "Billing")
    select_queue(qtbot, window, f"group:{billing['id']}")
    model = window.ticket_model
    qtbot.waitUntil(lambda: model.rowCount() > 1 and window.ticket_pane.ticket_id is not None, timeout=5000)
    desk.settle(qtbot)
    ids, shown = model.ticket_ids(), window.ticket_pane.ticket_id
    switched = []
    window.queue_pane.queue_requested.connect(switched.append)
    renamed = [{**g, "name": "Billing & Payments"} if g["id"] == billing["id"] else g for g in groups]
    desk.ops.runner.write(lambda c: c.writer.replace_groups(renamed))   # as the sync's resource round does
    qtbot.waitUntil(lambda: any(q.label.startswith("Billing & Payments") for q in window.queue_model.queues()),
                    timeout=5000)
    desk.settle(qtbot)
    assert switched == [], "the list was not switched away and back"
    assert window.queue_pane.current_key() == f"group:{billing['id']}"
    assert model.ticket_ids() == ids and window.ticket_pane.ticket_id == shown
    assert model.queue.label.startswith("Billing & Payments")
