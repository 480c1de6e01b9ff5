"""The cyclic garbage collector runs on the GUI thread only, waits while a sync runs and runs once when it
ends (ops/collector.py)."""

from __future__ import annotations

import dataclasses
import gc
import threading
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Qt, QTimer

from console.ops.bus import ChangeBus
from console.ops.collector import CollectorPacing, GuiThreadCollector
from console.sync.status import SyncStatus


def test_collections_wait_for_the_end_of_a_sync_then_one_runs(qtbot, monkeypatch):
    monkeypatch.setattr("console.ops.collector.IDLE_MS", 50)
    bus = ChangeBus()
    pacing = CollectorPacing(bus)
    collector = GuiThreadCollector.install()
    full: list[int] = []

    def on_gc(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(info["collected"])
    gc.callbacks.append(on_gc)
    try:
        idle = SyncStatus()
        bus.sync_status_changed.emit(dataclasses.replace(idle, syncing=True, phase="tickets"))
        assert pacing.holding and collector.holding and not gc.isenabled()
        young = [[] for _ in range(5 * gc.get_threshold()[0])]   # over the young threshold
        assert collector.check() == 0 and gc.get_count()[0] > gc.get_threshold()[0]   # held: nothing runs
        bus.sync_status_changed.emit(dataclasses.replace(idle, syncing=True, phase="comments"))   # still held
        assert collector.holding
        full.clear()
        bus.sync_status_changed.emit(idle)
        assert not pacing.holding and not collector.holding and not gc.isenabled()
        qtbot.waitUntil(lambda: gc.get_count()[0] <= gc.get_threshold()[0], timeout=3000)   # the GUI thread's turn
        qtbot.waitUntil(lambda: len(full) > 0, timeout=3000)   # and one full collection, at a quiet moment
        del young
    finally:
        gc.callbacks.remove(on_gc)
        pacing.release()


def test_a_session_closed_mid_sync_lets_collections_run_again(qapp):
    bus = ChangeBus()
    pacing = CollectorPacing(bus)
    bus.sync_status_changed.emit(dataclasses.replace(SyncStatus(), syncing=True))
    assert GuiThreadCollector.install().holding
    pacing.release()
    assert not GuiThreadCollector.install().holding


def test_cyclic_garbage_holding_a_qobject_is_freed_on_the_gui_thread_not_in_a_lane(qtbot):
    """A closed view in a reference cycle, freed by a collection in a lane thread, took its running timer
    there: Qt could not stop it, and it later fired on freed memory (the CI segfaults)."""
    GuiThreadCollector.install()

    class View:   # a widget's Python side that refers back to itself (a slot, a lambda)
        pass

    freed_in: list[int] = []
    view = View()
    view.timers = QObject()
    QTimer(view.timers, interval=60_000).start()
    view.timers.destroyed.connect(lambda: freed_in.append(threading.get_ident()), Qt.ConnectionType.DirectConnection)
    view.myself = view
    del view   # garbage now, but only a collection can free it

    def lane_work() -> int:   # a page's rows: many young objects, some in cycles
        rows = []
        for n in range(20 * gc.get_threshold()[0]):
            row: dict = {"n": n}
            row["self"] = row
            rows.append(row)
        return len(rows)
    with ThreadPoolExecutor(1) as lane:
        assert lane.submit(lane_work).result() > 0
    assert freed_in == []   # the lane did not collect it
    qtbot.waitUntil(lambda: freed_in == [threading.get_ident()], timeout=3000)   # the GUI thread did


def test_the_quiet_moment_after_a_sync_gives_memory_back_once(qtbot, monkeypatch):
    monkeypatch.setattr("console.ops.collector.IDLE_MS", 50)
    given: list[int] = []
    bus = ChangeBus()
    pacing = CollectorPacing(bus, give_back=lambda: given.append(len(given)))
    try:
        idle = SyncStatus()
        bus.sync_status_changed.emit(dataclasses.replace(idle, syncing=True, phase="tickets"))
        qtbot.wait(150)
        assert given == []   # not while the sync runs
        bus.sync_status_changed.emit(idle)
        qtbot.waitUntil(lambda: given == [0], timeout=3000)
        qtbot.wait(150)
        assert given == [0]  # once per sync
    finally:
        pacing.release()


def test_the_writer_hands_back_its_page_cache_and_the_heap_is_trimmed(tmp_path):
    from console.ops.collector import trim_heap
    from console.store import CacheReader, CacheWriter
    from tests.store.store_records import make_ticket

    with CacheWriter(tmp_path / "cache.sqlite") as writer:
        writer.apply_ticket_page([make_ticket(i, subject=f"Ticket {i}") for i in range(1, 201)], "c",
                                 end_of_stream=True)
        writer.release_memory()
        assert trim_heap()   # glibc here: the free pages go back
        writer.apply_ticket_page([make_ticket(201, subject="After")], "c2", end_of_stream=True)  # still writes
    with CacheReader(tmp_path / "cache.sqlite") as reader:
        assert reader.ticket(201)["subject"] == "After" and reader.ticket(200)["subject"] == "Ticket 200"
