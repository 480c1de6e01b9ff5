"""Views fixtures: a copy of the session's demo cache per test, the operations on it, the main window.

The cache is ``demo_cache`` (tests/conftest.py): the shared demo helpdesk synced once by the real
``SyncEngine`` as the demo agent, as the app does; each test gets its own copy of that file.
``desk`` is one signed-in session on that copy, built as ``app.py`` builds it: one writer, the
lanes, the operations (``console.ops.Ops``; no sync engine unless a test attaches one) and the
GUI's own reader. Operations answer asynchronously: ``desk.settle(qtbot)`` waits until every one
asked for has answered (and the debounced follow-ups too).
Qt warnings fail a test through pytest-qt's ``qt_log_level_fail`` (pyproject).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from console.lanes import Lanes
from console.ops import Ops
from console.store import CacheReader, CacheWriter
from tests.helpdesk import AGENT


@dataclass
class Desk:
    path: Path
    me: int | None
    writer: CacheWriter
    reader: CacheReader        # the GUI's own reader; tests read through it too
    lanes: Lanes
    ops: Ops
    engine: object = None      # the SyncEngine, when the test attached one

    def settle(self, qtbot, quiet_ms: int = 300, timeout: int = 10000) -> None:
        """Wait until every operation answered, the debounced follow-ups ran, and those answered."""
        for _round in range(3):
            qtbot.waitUntil(lambda: self.ops.runner.busy == 0, timeout=timeout)
            qtbot.wait(quiet_ms // 3)
        qtbot.waitUntil(lambda: self.ops.runner.busy == 0, timeout=timeout)

    def workspace(self, **extra):
        from console.views.main_window import Workspace

        return Workspace(ops=self.ops, reader=self.reader, me=self.me, cache_path=self.path,
                         agent_name=AGENT.name, tray=False, **extra)


def open_desk(cache: Path, me: int | None, engine=None) -> Desk:
    """``engine(writer, lanes)`` makes the sync engine the operations talk to (none: ``NoSync``)."""
    writer = CacheWriter(cache)
    lanes = Lanes(cache, writer)
    sync = engine(writer, lanes) if engine is not None else None
    ops = Ops(lanes, me=me, sync=sync, attachments_folder=cache.parent / "attachments",
              spelling_dictionary=cache.parent / "dictionary.txt")
    return Desk(cache, me, writer, CacheReader(cache), lanes, ops, sync)


def close_desk(desk: Desk) -> None:
    if desk.engine is not None:
        import asyncio

        desk.engine.stop()
        asyncio.new_event_loop().run_until_complete(desk.engine.close())
    desk.ops.close()
    desk.lanes.close()
    desk.reader.close()
    desk.writer.close()


@pytest.fixture
def cache_copy(demo_cache, tmp_path):
    """(cache file, agent id): this test's own copy of the synced demo cache."""
    cache, me = demo_cache
    target = tmp_path / "cache.sqlite"
    shutil.copyfile(cache, target)
    return target, me


@pytest.fixture
def desk(cache_copy, qapp):
    cache, me = cache_copy
    desk = open_desk(cache, me)
    yield desk
    close_desk(desk)


@pytest.fixture
def workspace(desk):
    """The app's ``Workspace`` on this test's cache copy (no tray, no sync engine)."""
    return desk.workspace()


@pytest.fixture
def open_widgets(qtbot, desk):
    """Register widgets here (``open_widgets.append(w)``): they are closed before the cache closes."""
    widgets: list = []
    yield widgets
    for widget in widgets:
        try:
            widget.close()
        except RuntimeError:   # deleted already (its owner closed it)
            pass
    qtbot.wait(1)


@pytest.fixture
def main_window(qtbot, desk, workspace):
    from console.views.main_window import MainWindow

    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    desk.settle(qtbot)
    yield window
    window.close()
    desk.settle(qtbot, quiet_ms=30)


def select_queue(qtbot, window, key: str) -> None:
    """Pick a queue in the pane and wait until the list shows it."""
    assert window.queue_pane.select_key(key), key
    qtbot.waitUntil(lambda: window.ticket_model.queue is not None and window.ticket_model.queue.key == key)


def open_ticket(qtbot, window, ticket_id: int) -> None:
    """Open a ticket as from search (marks it seen) and wait until the pane shows it."""
    window.open_ticket(ticket_id)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == ticket_id and window.shown_ticket.details is not None
                    and window.shown_ticket.details.ticket_id == ticket_id)


def details_of(desk_or_workspace, ticket_id: int, now=None):
    """What an ``OpenTicket`` would load for ``ticket_id`` (synchronously, for widget tests)."""
    from datetime import UTC, datetime

    from console.ops.tickets import load_ticket_details

    return load_ticket_details(desk_or_workspace.reader, ticket_id, desk_or_workspace.me, now or datetime.now(UTC))


def show_ticket(widget, desk_or_workspace, ticket_id: int | None) -> None:
    """Feed a widget that follows an ``OpenTicket`` (``on_ticket_shown`` / ``clear``) one ticket."""
    if ticket_id is None:
        widget.clear()
    else:
        widget.on_ticket_shown(details_of(desk_or_workspace, ticket_id))
