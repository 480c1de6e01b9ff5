"""The main window at scale: queue switch on a big cache, column sorting, and screenshots of the window."""

from __future__ import annotations

import random
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from console.models.queues import Queue
from console.models.tickets import COLUMNS, TicketListModel
from console.store import CacheWriter, QueueSpec
from console.views.window_state import default_layout

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
UNSOLVED = ("new", "open", "pending", "hold")


def column(key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.key == key)


# -- a queue switch on a big cache ------------------------------------------------------------

def _big_cache(path: Path, tickets: int) -> None:
    rng = random.Random(7)
    with CacheWriter(path) as writer:
        writer.replace_groups([{"id": g, "name": f"Department {g}", "deleted": False} for g in (1, 2, 3, 4)])
        writer.apply_user_page([{"id": u, "name": f"Customer {u}", "email": f"c{u}@example.com", "role": "end-user",
                                 "active": True, "user_fields": {}} for u in range(1000, 3000)], "users")
        for first in range(1, tickets + 1, 1000):
            page = [{"id": i, "subject": f"Question {i} about my invoice", "status": rng.choice(UNSOLVED + ("solved",)),
                     "priority": rng.choice(["low", "normal", "high"]), "type": "question",
                     "requester_id": rng.randrange(1000, 3000), "submitter_id": 1,
                     "assignee_id": rng.choice([None, 7, 8]), "group_id": rng.choice([1, 2, 3, 4]), "tags": [],
                     "created_at": "2026-01-01T10:00:00Z",
                     "updated_at": f"2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}T10:00:00Z",
                     "generated_timestamp": i, "custom_fields": [], "via": {"channel": "email"}, "description": ""}
                    for i in range(first, min(first + 1000, tickets + 1))]
            writer.apply_ticket_page(page, f"c{first}", end_of_stream=False)


def test_queue_switch_on_a_20k_ticket_cache_stays_fast(qtbot, tmp_path):
    from console.views.main_window import MainWindow
    from tests.views.conftest import close_desk, open_desk

    cache = tmp_path / "big.sqlite"
    _big_cache(cache, 20_000)
    desk = open_desk(cache, 7)
    reader = desk.reader
    window = MainWindow(desk.workspace())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    sql, params = reader.queue_sql(QueueSpec.department(1, UNSOLVED))
    plan = " | ".join(r[3] for r in reader._all(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "ix_tickets_unsolved_group" in plan and "TEMP B-TREE" not in plan, plan
    qtbot.waitUntil(lambda: window.ticket_model.cached_rows > 0)
    times = []
    model = window.ticket_model
    for key in ["group:1", "group:2", "unassigned", "group:3", "group:4", "mine"] * 2:
        start = time.perf_counter()
        assert window.queue_pane.select_key(key)
        qtbot.waitUntil(lambda k=key: model.queue is not None and model.queue.key == k, timeout=5000)
        window.ticket_list.viewport().repaint()
        times.append((time.perf_counter() - start) * 1000)
        assert model.cached_rows > 0, (key, model.rowCount())
    expected = reader.ticket_ids_for_queue(QueueSpec.department(1, UNSOLVED))
    window.queue_pane.select_key("group:1")
    qtbot.waitUntil(lambda: model.queue.key == "group:1")
    assert model.ticket_ids() == expected and len(expected) > 3000
    # generous: the budget is 30 ms at 100k tickets; a shared CI core must not make this flaky
    assert sorted(times)[len(times) // 2] < 60, times
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == expected[0])
    window.close()
    desk.settle(qtbot, quiet_ms=30)
    close_desk(desk)


def test_ids_come_back_in_queue_order(workspace):
    reader = workspace.reader
    for spec in (QueueSpec(), QueueSpec(unassigned=True, statuses=UNSOLVED), QueueSpec(statuses=("open",))):
        for key in ("updated_at", "id", "requester", "department"):
            sql, params = reader.queue_sql(spec, key, True)
            ids = [r[0] for r in reader._all(sql, params)]
            assert reader.ticket_ids_for_queue(spec, key, True) == ids
            assert reader.ticket_ids_for_queue(spec, key, True, limit=5, start=3) == ids[3:8]


# -- sorting by every column ------------------------------------------------------------------

def _names(model: TicketListModel, key: str) -> list[str]:
    return [model.data(model.index(row, column(key))) for row in range(model.rowCount())]


def test_every_column_sorts_including_names(qtbot, workspace):
    model = TicketListModel(workspace.reader)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_group_names({g["id"]: g["name"] for g in workspace.reader.groups()})
    model.set_queue(Queue("everything", "All tickets", spec=QueueSpec()))
    assert all(c.sort_key for c in COLUMNS)
    for key in ("requester", "department", "assignee"):
        model.sort(column(key), Qt.SortOrder.AscendingOrder)
        names = [n.casefold() for n in _names(model, key) if n not in ("", "—")]
        assert len(set(names)) > 1 and names == sorted(names), key
        model.sort(column(key), Qt.SortOrder.DescendingOrder)
        names = [n.casefold() for n in _names(model, key) if n not in ("", "—")]
        assert names == sorted(names, reverse=True), key


def test_clicking_a_header_sorts_off_the_gui_thread(qtbot, main_window):
    window = main_window
    window.queue_pane.select_key("unassigned")
    header = window.ticket_list.horizontalHeader()
    header.sectionClicked.emit(column("requester"))   # what a click on the header does
    window.ticket_list.sortByColumn(column("requester"), Qt.SortOrder.AscendingOrder)
    model = window.ticket_model

    def sorted_by_requester() -> bool:
        names = [n.casefold() for n in _names(model, "requester") if n]
        return model.sort_key == "requester" and names == sorted(names)
    qtbot.waitUntil(sorted_by_requester)


def test_a_sort_keeps_the_current_and_selected_tickets(qtbot, main_window):
    """The rows move; the open ticket and the agent's selection stay on the same tickets."""
    window = main_window
    window.queue_pane.select_key("unassigned")
    model, view = window.ticket_model, window.ticket_list
    qtbot.waitUntil(lambda: model.queue is not None and model.queue.key == "unassigned" and model.rowCount() > 3)
    view.select_row(2)
    current = model.ticket_id_at(2)
    view.selectionModel().select(model.index(0, 0), view.selectionModel().SelectionFlag.Select
                                 | view.selectionModel().SelectionFlag.Rows)
    selected = {model.ticket_id_at(i.row()) for i in view.selectionModel().selectedRows()}
    assert selected == {current, model.ticket_id_at(0)}
    before = model.ticket_ids()
    view.sortByColumn(column("subject"), Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: model.sort_key == "subject" and model.ticket_ids() != before)
    assert model.ticket_id_at(view.currentIndex().row()) == current
    assert {model.ticket_id_at(i.row()) for i in view.selectionModel().selectedRows()} == selected


def _window_on_big_cache(qtbot, tmp_path, tickets: int = 3000):
    from console.views.main_window import MainWindow
    from tests.views.conftest import open_desk

    cache = tmp_path / "big.sqlite"
    _big_cache(cache, tickets)
    desk = open_desk(cache, 7)
    window = MainWindow(desk.workspace())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.ticket_model.cached_rows > 0)   # the pane lists the departments
    assert window.queue_pane.select_key("group:1")
    qtbot.waitUntil(lambda: window.ticket_model.queue is not None and window.ticket_model.queue.key == "group:1")
    desk.settle(qtbot)
    return desk, window


def _close(qtbot, desk, window) -> None:
    from tests.views.conftest import close_desk

    window.close()
    desk.settle(qtbot, quiet_ms=30)
    close_desk(desk)


def _held(monkeypatch, queues, name: str) -> list:
    """Answers of ``queues.<name>`` held back (``(done, answer)``) until the test hands them over."""
    held: list = []
    real = getattr(queues, name)

    def holding(*args, done, **kwargs):
        real(*args, done=lambda answer: held.append((done, answer)), **kwargs)
    monkeypatch.setattr(queues, name, holding)
    return held


def test_a_switch_its_check_and_a_few_rows_changing_never_index_the_whole_queue(qtbot, tmp_path):
    """Finding a few tickets' rows scans the ids in C, and a change repaints the rows in view only: the
    ticket -> row index (25-60 ms of the GUI thread on a 125k-ticket queue) is not built for either.
    A warmed switch's check offered nothing new and still built it, at every switch."""
    desk, window = _window_on_big_cache(qtbot, tmp_path)
    model, view = window.ticket_model, window.ticket_list
    qtbot.waitUntil(lambda: view.warmed(window.queue_model.queue_at(window.queue_model.row_of("group:2"))))
    assert window.queue_pane.select_key("group:2")
    assert model.queue.key == "group:2", "read ahead: shown at once"
    desk.settle(qtbot)   # the check ran: nothing new was offered
    assert not window.list_header.banner.isVisible()
    ids = model.ticket_ids()
    assert model._row_index is None
    repainted: list = []
    model.dataChanged.connect(lambda first, last, *_: repainted.append((first.row(), last.row())))
    model.mark_stale([ids[5]])
    assert repainted == [(5, 5)] and model.row_of(ids[5]) == 5 and model.row_of(10**9) == -1
    window.open_ticket(ids[7])   # as from search: its row becomes current
    qtbot.waitUntil(lambda: view.currentIndex().row() == 7)
    view.viewport().repaint()
    in_view = model.painted_rows
    assert in_view.start == 0 and 20 < in_view.stop < len(ids) - 40
    model.mark_stale(ids[in_view.stop - 5:in_view.stop + 30])   # a sync page: some in view, more below
    assert repainted[-1] == (in_view.stop - 5, in_view.stop - 1), "only the rows in view repaint"
    assert model._row_index is None, "no row of the queue was looked up"
    # a ticket far below changes: nothing repaints now, and it shows changed once scrolled to
    last = {k: v for k, v in desk.reader.ticket(ids[-1]).items() if not k.startswith("_")}
    last.update(subject="Changed far below the screen", generated_timestamp=10**9)
    desk.settle(qtbot)   # the open ticket's seen mark repaints its row
    before = len(repainted)
    desk.ops.runner.write(lambda cache: cache.writer.upsert_tickets([last]))
    qtbot.waitUntil(lambda: desk.reader.ticket(ids[-1])["subject"] == last["subject"])
    desk.settle(qtbot)
    assert len(repainted) == before
    view.scrollToBottom()
    view.viewport().repaint()
    assert model.data(model.index(model.row_of(ids[-1]), column("subject"))) == last["subject"]
    _close(qtbot, desk, window)


def test_a_ticket_opened_far_down_the_list_is_painted_from_a_screenful_read_off_the_gui_thread(qtbot, tmp_path):
    """Opened from search or the tray, a ticket far down the list: its screenful comes from the read lane,
    then its row becomes current, quietly; the list's paint reads nothing, and the ticket loads once."""
    desk, window = _window_on_big_cache(qtbot, tmp_path)
    model, view = window.ticket_model, window.ticket_list
    ids = model.ticket_ids()
    far = ids[len(ids) * 2 // 3]
    fetched: list = []
    real_fetch = model.reader.tickets_by_ids
    model.reader.tickets_by_ids = lambda wanted: (fetched.append(wanted), real_fetch(wanted))[1]   # the GUI's reader
    loaded: list = []
    window.shown_ticket.loaded.connect(lambda details: loaded.append(details.ticket_id))
    before_seen: list = []   # GUI-thread reads before the opened ticket's seen mark made its row stale
    real_stale = model.mark_stale
    model.mark_stale = lambda tids=None: (before_seen.append(len(fetched)) if tids and far in tids else None,
                                          real_stale(tids))[1]
    window.open_ticket(far)
    qtbot.waitUntil(lambda: view.currentIndex().row() == model.row_of(far))
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == far)
    view.viewport().repaint()
    assert model.row_of(far) in model.painted_rows
    desk.settle(qtbot)
    assert before_seen and before_seen[0] == 0, "the rows in view were read off the GUI thread"
    assert all(far in batch for batch in fetched), "then only the opened ticket's row again, for its seen mark"
    assert model.cell_texts(model.row_of(far))[-1], "shown as seen"
    desk.settle(qtbot)
    assert loaded == [far], "loaded once"
    assert model.data(model.index(model.row_of(far), column("subject"))) == desk.reader.ticket(far)["subject"]
    _close(qtbot, desk, window)


def test_two_tickets_opened_quickly_far_down_the_list_leave_the_second_ones_row_current(qtbot, tmp_path, monkeypatch):
    """The first jump's screenful comes late (after the second ticket was opened): it does not take the
    list's current row back to the first ticket while the second one is shown."""
    desk, window = _window_on_big_cache(qtbot, tmp_path)
    model, view = window.ticket_model, window.ticket_list
    ids = model.ticket_ids()
    first, second = ids[len(ids) // 2], ids[len(ids) * 5 // 6]
    held = _held(monkeypatch, view._queues, "screen")
    window.open_ticket(first)
    qtbot.waitUntil(lambda: len(held) == 1)
    monkeypatch.undo()
    window.open_ticket(second)
    qtbot.waitUntil(lambda: view.currentIndex().row() == model.row_of(second))
    late_done, late_answer = held[0]
    late_done(late_answer)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == second)
    desk.settle(qtbot)
    assert view.currentIndex().row() == model.row_of(second)
    assert {model.ticket_id_at(i.row()) for i in view.selectionModel().selectedRows()} == {second}
    _close(qtbot, desk, window)


def test_a_sort_paints_the_rows_in_view_before_the_whole_order_and_keeps_the_selection(qtbot, tmp_path, monkeypatch):
    """The screenful comes from a few rows of the sort's index; the whole order (50 ms on a 125k-ticket
    queue) follows. Meanwhile the rows out of view show "…", and the selection stays on its tickets."""
    desk, window = _window_on_big_cache(qtbot, tmp_path)
    model, view = window.ticket_model, window.ticket_list
    expected = desk.reader.ticket_ids_for_queue(model.queue.spec, "subject", False)
    count = view.visible_rows()
    assert len(expected) > 3 * count
    shown = model.ticket_ids()
    current = next(t for t in shown[:count] if t not in expected[:count])   # it leaves the screen
    landing = expected[7]                                                    # it comes onto it
    view.select_row(shown.index(current))
    view.selectionModel().select(model.index(model.row_of(landing), 0), view.selectionModel().SelectionFlag.Select
                                 | view.selectionModel().SelectionFlag.Rows)
    held = _held(monkeypatch, view._queues, "ids")
    view.sortByColumn(column("subject"), Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: model.settling)
    assert [model.ticket_id_at(r) for r in range(count)] == expected[:count]
    assert all(model.cell_texts(r) is not None for r in range(count))
    assert model.rowCount() == len(expected)
    assert model.data(model.index(count + 3, column("subject"))) == "…"
    assert model.ticket_id_at(view.currentIndex().row()) == current
    assert view.currentIndex().row() >= count, "parked out of the screenful, not on another ticket's row"
    selected = {model.ticket_id_at(i.row()) for i in view.selectionModel().selectedRows()}
    assert selected == {current, landing} and model.row_of(landing) == 7
    view.viewport().repaint()   # paints the "…" rows too
    qtbot.waitUntil(lambda: bool(held))
    monkeypatch.undo()
    for done, answer in held:
        done(answer)
    assert not model.settling and model.ticket_ids() == expected
    assert model.ticket_id_at(view.currentIndex().row()) == current
    assert {model.ticket_id_at(i.row()) for i in view.selectionModel().selectedRows()} == {current, landing}
    assert model.data(model.index(count + 3, column("subject"))) != "…"
    _close(qtbot, desk, window)


def test_the_whole_order_is_asked_for_once_the_screenful_is_shown_and_a_late_screenful_is_dropped(
        qtbot, tmp_path, monkeypatch):
    """Read beside the screenful, the whole order's Python work took the GIL from it; it is asked for
    after. A screenful of an older sort that comes after a newer sort is shown is not painted over it."""
    desk, window = _window_on_big_cache(qtbot, tmp_path)
    model, view, queues = window.ticket_model, window.ticket_list, window.ticket_list._queues
    expected = desk.reader.ticket_ids_for_queue(model.queue.spec, "subject", False)
    shown = model.ticket_ids()
    asked: list = []
    real_ids = queues.ids
    monkeypatch.setattr(queues, "ids", lambda *a, **k: (asked.append(model.settling), real_ids(*a, **k)))
    held = _held(monkeypatch, queues, "head")
    view.sortByColumn(column("subject"), Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: bool(held))
    qtbot.wait(50)
    assert asked == [] and model.ticket_ids() == shown, "nothing asked or moved before the screenful"
    late = held.pop()
    monkeypatch.setattr(queues, "head", type(queues).head.__get__(queues))   # answers come through again
    view.sortByColumn(column("updated"), Qt.SortOrder.DescendingOrder)
    view.sortByColumn(column("subject"), Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: model.ticket_ids() == expected and not model.settling)
    assert asked and all(asked), "each whole order was asked for while its screenful showed"
    late[0](late[1])   # the first sort's screenful, late
    assert not model.settling and model.ticket_ids() == expected
    assert model.data(model.index(model.rowCount() - 1, column("subject"))) != "…"
    _close(qtbot, desk, window)


def test_a_sort_whose_whole_order_cannot_be_read_says_so_and_hides_nothing(qtbot, tmp_path, monkeypatch):
    desk, window = _window_on_big_cache(qtbot, tmp_path)
    model, view, queues = window.ticket_model, window.ticket_list, window.ticket_list._queues
    messages: list = []
    queues.runner.bus.message.connect(lambda text, level: messages.append((level, text)))
    whole: list = []   # the whole order's failure callback: it fails once the screenful is shown
    monkeypatch.setattr(queues, "ids", lambda *_a, failed=None, **_k: whole.append(failed))
    view.sortByColumn(column("subject"), Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: bool(whole))
    assert model.settling
    whole[-1](OSError("disk I/O error"))
    qtbot.waitUntil(lambda: bool(messages))
    assert messages == [("error", "Cannot sort this queue: disk I/O error")]
    assert not model.settling
    assert model.data(model.index(model.rowCount() - 1, column("subject"))) != "…"
    _close(qtbot, desk, window)


# -- the window as agents see it ---------------------------------------------------------------

def test_screenshots_of_the_window(qtbot, main_window, workspace):
    window = main_window
    window.resize(1840, 1000)
    default_layout(window)
    qtbot.waitUntil(lambda: window.queue_model.count("unassigned") is not None)
    billing = next(g for g in workspace.reader.groups() if g["name"] == "Billing")
    window.queue_pane.select_key(f"group:{billing['id']}")
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id is not None)
    listed = window.ticket_list
    for i in range(len(COLUMNS)):   # every column is on screen without scrolling sideways
        assert listed.columnViewportPosition(i) + listed.columnWidth(i) <= listed.viewport().width() + 1, COLUMNS[i].key
    assert listed.columnWidth(column("subject")) >= listed.fontMetrics().averageCharWidth() * 28
    account = window.ticket_pane.account_slot
    assert account.width() >= account.fontMetrics().averageCharWidth() * 56, "account pane not squeezed"
    qtbot.wait(50)
    SHOTS.mkdir(exist_ok=True)
    assert window.grab().save(str(SHOTS / "shell_window_billing_queue.png"))
    window.dialogs.shortcuts()
    qtbot.waitExposed(window.dialogs.shortcut_overlay)
    assert window.dialogs.shortcut_overlay.grab().save(str(SHOTS / "shell_shortcut_overlay.png"))
    window.dialogs.shortcut_overlay.close()


# -- a hazard of the installed Qt binding ---------------------------------------------------------

def test_void_qt_calls_keep_none_alive(qtbot):
    """PySide6 6.12.0 on CPython 3.11 dropped a reference to None on every void call
    (processEvents, QTimer.start, setText...): a long session aborted with 'none_dealloc'.
    pyproject excludes that release; this guards against installing a binding like it."""
    import sys

    from PySide6.QtCore import QTimer

    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(200):
        timer.stop()
    assert sys.getrefcount(None) - before > -100
