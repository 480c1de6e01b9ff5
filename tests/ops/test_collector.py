"""The cyclic garbage collector waits while a sync runs and runs once when it ends (ops/collector.py)."""

from __future__ import annotations

import dataclasses
import gc

from console.ops.bus import ChangeBus
from console.ops.collector import CollectorPacing
from console.sync.status import SyncStatus


def test_collections_wait_for_the_end_of_a_sync_then_one_runs(qtbot, monkeypatch):
    monkeypatch.setattr("console.ops.collector.IDLE_MS", 50)
    assert gc.isenabled()
    bus = ChangeBus()
    pacing = CollectorPacing(bus)
    full: list[int] = []

    def on_gc(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(info["collected"])
    gc.callbacks.append(on_gc)
    try:
        idle = SyncStatus()
        bus.sync_status_changed.emit(dataclasses.replace(idle, syncing=True, phase="tickets"))
        assert pacing.holding and not gc.isenabled()
        bus.sync_status_changed.emit(dataclasses.replace(idle, syncing=True, phase="comments"))   # still off
        assert not gc.isenabled()
        full.clear()
        bus.sync_status_changed.emit(idle)
        assert gc.isenabled() and not pacing.holding
        qtbot.waitUntil(lambda: len(full) > 0, timeout=3000)   # one full collection, at a quiet moment
    finally:
        gc.callbacks.remove(on_gc)
        pacing.release()
        gc.enable()


def test_a_session_closed_mid_sync_turns_the_collector_back_on():
    bus = ChangeBus()
    pacing = CollectorPacing(bus)
    bus.sync_status_changed.emit(dataclasses.replace(SyncStatus(), syncing=True))
    assert not gc.isenabled()
    pacing.release()
    assert gc.isenabled()


def test_a_collector_switched_off_by_someone_else_is_left_off():
    gc.disable()
    try:
        pacing = CollectorPacing(ChangeBus())
        pacing.on_sync_status(dataclasses.replace(SyncStatus(), syncing=True))
        pacing.on_sync_status(SyncStatus())
        assert not gc.isenabled() and not pacing.holding
    finally:
        gc.enable()


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
        gc.enable()


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
