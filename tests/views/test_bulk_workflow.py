"""Bulk actions through the real main window: Shift+Click selects rows, the bulk bar sets fields on
all of them, queued as one batch offline, delivered with update_many; a ticket another agent
changed meanwhile becomes a conflict, never an overwrite."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt

from tests.views.conftest import select_queue
from tests.views.test_workflow import Live, live, server  # noqa: F401 (the fixtures)


def click_row(qtbot, view, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    rect = view.visualRect(view.model().index(row, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def test_bulk_status_and_tags_on_five_selected_tickets_one_conflicting(live: Live, qtbot):  # noqa: F811
    window, view, bar = live.window, live.window.ticket_list, live.window.bulk_bar

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0, what="the first queue")
        live.engine.set_work_offline(True)
        select_queue(qtbot, window, "unassigned")
        await live.until(lambda: window.ticket_model.rowCount() >= 5, what="five unassigned tickets")
        assert not bar.isVisible()
        click_row(qtbot, view, 0)
        click_row(qtbot, view, 4, Qt.KeyboardModifier.ShiftModifier)        # Shift+Click: rows 0..4
        assert bar.isVisible() and "5 selected" in bar.count.text()
        ids = bar.selected()
        assert len(ids) == 5
        bar.status.setCurrentIndex(bar.status.findData("pending"))
        bar.tags.setText("+bulk-checked")
        bar.apply_button.click()
        await live.until(lambda: "5 queued" in bar.progress.text(), what="the batch queued")
        rows = {window.ticket_model.ticket_id_at(r): window.ticket_model.cell_texts(r)
                for r in range(window.ticket_model.rowCount())}
        assert all("⏳" in rows[t][3] for t in ids if rows.get(t)), "queued values shown at once"
        live.server.put(f"tickets/{ids[2]}.json", json={"ticket": {"status": "hold"}})   # another agent
        live.engine.set_work_offline(False)
        live.start()
        await live.until(lambda: "4 sent" in bar.progress.text() and "1 conflicts" in bar.progress.text(),
                         timeout=20, what="4 sent, 1 conflict")
        await live.until(lambda: not live.engine.status.syncing, what="the sync round to end")
        await asyncio.sleep(0.3)   # the engine settles into its wait on this loop (not in pytest-qt's teardown)
        return ids

    ids = live.run(scenario)
    conn = live.server.db_connection()
    got = {r[0]: (r[1], r[2]) for r in conn.execute(
        f"SELECT id, status, tags FROM tickets WHERE id IN ({','.join(map(str, ids))})")}
    conn.close()
    assert got[ids[2]][0] == "hold", "their change stands"
    assert [t for t in ids if got[t][0] == "pending" and "bulk-checked" in got[t][1]] == \
        [t for t in ids if t != ids[2]]
    assert [c.ticket_id for c in live.desk.reader.list_conflicts()] == [ids[2]]


def test_merging_three_selected_tickets_from_the_bulk_bar(live: Live, qtbot):  # noqa: F811
    window, view, bar = live.window, live.window.ticket_list, live.window.bulk_bar

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0, what="the first queue")
        live.engine.set_work_offline(True)
        select_queue(qtbot, window, "unassigned")
        await live.until(lambda: window.ticket_model.rowCount() >= 3, what="three tickets")
        click_row(qtbot, view, 0)
        click_row(qtbot, view, 1, Qt.KeyboardModifier.ControlModifier)      # Ctrl+Click
        click_row(qtbot, view, 2, Qt.KeyboardModifier.ControlModifier)
        ids = bar.selected()
        assert len(ids) == 3
        bar.merge_button.click()
        dialog = window.dialogs.merge_dialog
        await live.until(lambda: dialog.target.count() == 3, what="the merge dialog's tickets")
        target = dialog.target.currentData()
        finished: list[int] = []
        dialog.finished.connect(finished.append)
        dialog.merge_button.click()
        await live.until(lambda: finished == [1], what="the merge queued")
        sources = [t for t in ids if t != target]
        shown = {window.ticket_model.ticket_id_at(r): window.ticket_model.cell_texts(r)
                 for r in range(window.ticket_model.rowCount())}
        assert all(shown[s][3].startswith("closed") for s in sources if shown.get(s)), "shown merged at once"
        live.engine.set_work_offline(False)
        live.start()
        await live.until(lambda: live.desk.reader.list_outbox(("sent",)) != [], timeout=20, what="the merge sent")
        await live.until(lambda: not live.engine.status.syncing, what="the sync round to end")
        await asyncio.sleep(0.3)   # the engine settles into its wait on this loop (not in pytest-qt's teardown)
        return target, sources

    target, sources = live.run(scenario)
    conn = live.server.db_connection()
    closed = [r[0] for r in conn.execute(f"SELECT id FROM tickets WHERE status = 'closed' AND tags LIKE "
                                         f"'%closed_by_merge%' AND id IN ({','.join(map(str, sources))})")]
    conn.close()
    assert sorted(closed) == sorted(sources)
    assert live.desk.reader.ticket(target)["status"] != "closed"
