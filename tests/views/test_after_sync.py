"""At the quiet moment after a sync the session hands back the memory the sync used (ops/collector.py):
the writer's page cache is released on the db lane, never on the GUI thread, once per sync."""

from __future__ import annotations

import dataclasses
import threading

from console.sync.status import SyncStatus


def test_after_a_sync_the_writer_releases_its_page_cache_on_the_db_lane(desk, qtbot, monkeypatch):
    released: list[str] = []
    real = desk.writer.release_memory

    def spy() -> None:
        released.append(threading.current_thread().name)
        real()
    monkeypatch.setattr(desk.writer, "release_memory", spy)
    desk.ops.collector._idle.setInterval(50)
    idle = SyncStatus()
    desk.ops.bus.sync_status_changed.emit(dataclasses.replace(idle, syncing=True, phase="tickets"))
    qtbot.wait(150)
    assert released == []
    desk.ops.bus.sync_status_changed.emit(idle)
    qtbot.waitUntil(lambda: len(released) == 1, timeout=5000)
    assert released[0] != threading.main_thread().name
    desk.settle(qtbot)
    assert len(released) == 1
