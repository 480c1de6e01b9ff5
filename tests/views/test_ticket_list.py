"""The ticket list's own cell delegate and the idle warm-up of each queue's first screen."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QStyledItemDelegate

import console.models.tickets as tickets_model
from console.models.queues import queue_ticket_ids
from console.models.tickets import COLUMNS
from console.ops.queues import screen_rows
from console.views import ticket_list


def _settled(qtbot, window, desk) -> None:
    """Start-up settled and every queue read ahead (the warm-up waits for a quiet moment, and a
    busy machine moves that moment: wait for the reads, not for a fixed time). The first ticket
    shown is marked seen after ``PREVIEW_SEEN_MS``: a change that drops what was read ahead, so
    that mark must have landed first (on a loaded machine it came after the warm-up)."""
    qtbot.waitUntil(lambda: window.queue_model.count("unassigned") is not None)
    shown = window.shown_ticket
    qtbot.waitUntil(lambda: shown.details is not None and not shown._preview.isActive(), timeout=10000)
    desk.settle(qtbot)   # (the seen mark written, its change delivered)
    queues = [q for q in window.queue_model.queues() if q.kind == "queue"]
    qtbot.waitUntil(lambda: all(window.ticket_list.warmed(q) for q in queues), timeout=10000)
    desk.settle(qtbot)


def _ours(listed):
    return listed.viewport().grab().toImage()


def _stock(listed):
    """The list as Qt's own table paint draws it, cell by cell, with the stock delegate."""
    listed.stock_paint = True
    listed.setItemDelegate(QStyledItemDelegate(listed))
    try:
        return listed.viewport().grab().toImage()
    finally:
        listed.setItemDelegate(listed.cell_delegate)
        listed.stock_paint = False


def test_cells_look_exactly_as_the_stock_delegate_paints_them(qtbot, main_window, desk):
    window, listed = main_window, main_window.ticket_list
    window.resize(1600, 900)
    model = window.ticket_model
    window.queue_pane.select_key("unassigned")
    qtbot.waitUntil(lambda: model.queue is not None and model.queue.key == "unassigned")
    listed.viewport().repaint()
    seen = [model.ticket_id_at(r) for r in (0, 2, 3)]
    desk.ops.runner.write(lambda cache: cache.writer.mark_seen(seen))
    desk.settle(qtbot)
    texts = [model.cell_texts(r) for r in range(min(model.rowCount(), 30))]
    assert any(not t[-1] for t in texts) and any(t[-1] for t in texts), "want bold (unseen) and plain rows"
    listed.clear_current()   # the focus frame is drawn under the text by one, over it by the other
    qtbot.wait(20)
    delegate = listed.cell_delegate
    delegate.restyle()               # texts seen for the first time: drawn straight
    first_sight = _ours(listed)
    laid_out = delegate.prepared_texts   # only what repeats on the screen, and what the font lacks (CJK)
    again = _ours(listed)            # seen before: from laid-out QStaticTexts
    assert delegate.prepared_texts > laid_out + 30
    assert first_sight == again == _stock(listed)


def test_a_queue_warmed_while_idle_paints_without_new_text_layouts(qtbot, main_window, desk, monkeypatch):
    window, listed = main_window, main_window.ticket_list
    _settled(qtbot, window, desk)
    current = window.queue_pane.current_key()
    other = "unassigned" if current != "unassigned" else "mine"
    queue = window.queue_model.queue_at(window.queue_model.row_of(other))
    model = window.ticket_model
    rows = queue_ticket_ids(desk.reader, queue, model.sort_key, model.descending, limit=5)
    assert rows, "the demo cache has tickets in this queue"
    prepared = listed.cell_delegate.prepared_texts
    formatted: list = []
    real_format = model._row_texts
    monkeypatch.setattr(model, "_row_texts", lambda t: (formatted.append(t["id"]), real_format(t))[1])
    window.queue_pane.select_key(other)
    qtbot.waitUntil(lambda: model.queue is queue)
    listed.viewport().repaint()
    assert listed.cell_delegate.prepared_texts == prepared, "every visible cell text was laid out ahead"
    assert formatted == [], "every visible row was formatted off the GUI thread, ahead"
    # and a queue never warmed (caches cleared) does need new layouts: the check above is not vacuous
    listed.cell_delegate.restyle()
    listed.viewport().repaint()
    assert listed.cell_delegate.prepared_texts > len(rows)


def test_the_current_row_with_focus_looks_as_the_stock_paint_draws_it(qtbot, main_window, desk):
    window, listed = main_window, main_window.ticket_list
    window.resize(1400, 800)
    model = window.ticket_model
    window.queue_pane.select_key("unassigned")
    qtbot.waitUntil(lambda: model.queue is not None and model.queue.key == "unassigned" and model.rowCount() > 3)
    listed.setFocus()
    listed.select_row(3, notify=False)
    listed.selectionModel().setCurrentIndex(model.index(3, 2), listed.selectionModel().SelectionFlag.NoUpdate)
    qtbot.waitUntil(listed.hasFocus)
    listed.viewport().repaint()
    assert _ours(listed) == _stock(listed)


def test_a_warmed_queue_shows_at_once_and_a_change_is_never_shown_stale(qtbot, main_window, desk):
    window, listed, model = main_window, main_window.ticket_list, main_window.ticket_model
    _settled(qtbot, window, desk)
    current = window.queue_pane.current_key()
    other = "unassigned" if current != "unassigned" else "mine"
    queue = window.queue_model.queue_at(window.queue_model.row_of(other))
    window.queue_pane.select_key(other)
    assert model.queue is queue and model.rowCount() > 0, "read while idle: shown without a round trip"
    listed.viewport().repaint()
    first = model.ticket_id_at(0)
    was_seen = model.cell_texts(0)[-1]
    window.queue_pane.select_key(current)
    qtbot.waitUntil(lambda: model.queue is not None and model.queue.key == current)
    # the cache changes while another queue is shown (here: the first ticket's unseen mark)
    desk.ops.runner.write(lambda cache: cache.writer.mark_seen([first], seen=not was_seen))
    desk.settle(qtbot)
    window.queue_pane.select_key(other)
    qtbot.waitUntil(lambda: model.queue is queue and model.rowCount() > 0)
    listed.viewport().repaint()
    assert model.ticket_id_at(0) == first
    assert model.cell_texts(0)[-1] == (not was_seen), "what was read before the change is not shown"


def test_a_warmed_queue_found_stale_after_the_switch_stays_put_and_offers_the_difference(qtbot, main_window, desk):
    """What was read ahead is checked a moment after the switch; a ticket that came meanwhile (here
    written behind the window's back, as a sync page lands between the read and its notice) is
    offered ("1 new — show"), never slid in under the agent's cursor."""
    from console.store import CacheWriter

    window, listed, model = main_window, main_window.ticket_list, main_window.ticket_model
    _settled(qtbot, window, desk)
    current = window.queue_pane.current_key()
    other = "unassigned" if current != "unassigned" else "mine"
    queue = window.queue_model.queue_at(window.queue_model.row_of(other))
    assert listed.warmed(queue)
    read_ahead = listed._prepared[(queue, model.sort_key, model.descending)][0]
    newest = {k: v for k, v in desk.reader.ticket(read_ahead[-1]).items() if not k.startswith("_")}
    newest.update(updated_at="2099-01-01T00:00:00Z", generated_timestamp=4_000_000_001)
    with CacheWriter(desk.path) as behind:
        behind.upsert_tickets([newest])
    window.queue_pane.select_key(other)
    assert model.ticket_ids() == read_ahead
    qtbot.waitUntil(lambda: window.list_header.banner.isVisible())
    assert model.ticket_ids() == read_ahead, "the rows stayed put"
    assert window.list_header.banner.text() == "Order changed — show"
    window.list_header.show_requested.emit()
    assert model.ticket_id_at(0) == newest["id"]


def test_a_screenful_formatted_before_a_rename_or_in_an_earlier_minute_is_formatted_again(
        qtbot, main_window, desk, monkeypatch):
    """A screenful is formatted off the GUI thread; if a department was renamed or the minute turned
    (waits and times age) before it is shown, its texts are not used: the rows are formatted anew."""
    window, model = main_window, main_window.ticket_model
    _settled(qtbot, window, desk)
    queue = window.queue_model.queue_at(window.queue_model.row_of("unassigned"))
    ids = queue_ticket_ids(desk.reader, queue, model.sort_key, model.descending)
    rows, names, queued = screen_rows(desk.reader, ids[:20])
    department, waiting = (next(i for i, c in enumerate(COLUMNS) if c.key == k) for k in ("department", "waiting"))
    row = next(r for r in rows if r["group_id"] is not None and r["_waiting_since"] is not None)
    screen = model.screen_maker()(rows, names, queued)
    before = screen.texts[row["id"]]

    departments = dict(window.ops.queues.resources.department_names)
    model.set_group_names({**departments, row["group_id"]: "Renamed desk"})
    model.set_queue(queue, ids, screen)
    assert model.cell_texts(model.row_of(row["id"]))[department] == "Renamed desk" != before[department]

    model.set_group_names(departments)
    screen = model.screen_maker()(rows, names, queued)
    later, minute = model.now() + timedelta(days=3), tickets_model.minute_now() + 1
    monkeypatch.setattr(model, "now", lambda: later)
    monkeypatch.setattr(tickets_model, "minute_now", lambda: minute)
    model.set_queue(queue, ids, screen)
    texts = model.cell_texts(model.row_of(row["id"]))
    assert texts[waiting] != screen.texts[row["id"]][waiting] and texts[waiting].endswith(" d")
    assert texts == model._row_texts(row)


def test_texts_are_laid_out_ahead_in_slices_between_events(qtbot, main_window, desk, monkeypatch):
    """Eight queues' screens laid out at once held the GUI thread 15-20 ms at a time mid-sync."""
    window, listed, model = main_window, main_window.ticket_list, main_window.ticket_model
    _settled(qtbot, window, desk)
    shown = [model.cell_texts(r) for r in range(min(model.rowCount(), 10))]
    assert shown
    rows = [texts[:1] + (f"Subject number {n} laid out ahead",) + texts[2:]
            for n, texts in enumerate(shown * (200 // len(shown)))]
    slices: list = []
    real = listed._warm_slice
    monkeypatch.setattr(ticket_list, "WARM_SLICE_S", 0.0005)
    monkeypatch.setattr(listed, "_warm_slice", lambda: (slices.append(len(listed._texts_to_warm)), real()))
    listed._warm_slices.timeout.disconnect()
    listed._warm_slices.timeout.connect(listed._warm_slice)
    prepared = listed.cell_delegate.prepared_texts
    listed.warm_texts(rows)
    assert not slices, "nothing is laid out inside the call"
    qtbot.waitUntil(lambda: not listed._texts_to_warm)
    assert len(slices) > 3 and slices == sorted(slices, reverse=True)
    assert listed.cell_delegate.prepared_texts >= prepared + len(rows)


def test_queues_are_read_ahead_again_after_a_sync_not_between_its_pages(qtbot, main_window, desk):
    """Eight queues' ids and screens read again after every quiet second of a sync took the GIL and
    the cores from the GUI thread mid-sync; they are read once the sync is over."""
    from console.sync.status import SyncStatus

    window, listed, model = main_window, main_window.ticket_list, main_window.ticket_model
    _settled(qtbot, window, desk)
    queues = [q for q in window.queue_model.queues() if q.kind == "queue"]
    bus = desk.ops.bus
    bus.sync_status_changed.emit(SyncStatus(online=True, syncing=True, phase="tickets"))
    first = model.ticket_id_at(0)
    desk.ops.runner.write(lambda cache: cache.writer.mark_seen([first]))   # a sync page lands
    qtbot.waitUntil(lambda: not any(listed.warmed(q) for q in queues))
    qtbot.wait(int(ticket_list.REWARM_MS * 1.5))
    desk.settle(qtbot)
    assert not any(listed.warmed(q) for q in queues), "nothing read again while the sync runs"
    bus.sync_status_changed.emit(SyncStatus(online=True, syncing=False))
    qtbot.waitUntil(lambda: all(listed.warmed(q) for q in queues), timeout=10000)
