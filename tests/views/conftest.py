"""GUI fixtures: Qt warnings fail the test; a demo cache synced once from the real embedded helpdesk.

The cache is filled by the real ``SyncEngine.sync_once()`` against ``serve --demo --tickets 60``
(session scoped), then copied per test so every test starts from the same synced state.
"""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QtMsgType, qInstallMessageHandler  # noqa: E402

from console.demo.accounts import demo_account  # noqa: E402
from console.store import CacheReader, CacheWriter  # noqa: E402
from tests.helpdesk import Helpdesk, sync_cache  # noqa: E402

# The app signs in as the demo agent, who syncs through the ticket lists (console/sync/pull_agent.py),
# so the GUI tests run on what that path puts in the cache, not on an admin's export.
AGENT = demo_account("agent")
# Messages of the offscreen test platform itself, not of our code.
PLATFORM_NOISE = ("This plugin does not support propagateSizeHints()",)


@pytest.fixture(autouse=True)
def fail_on_qt_warnings():
    """Any QtWarningMsg / QtCriticalMsg during the test fails it."""
    problems: list[str] = []

    def handler(kind, context, message):
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) \
                and message not in PLATFORM_NOISE:
            problems.append(message)

    previous = qInstallMessageHandler(handler)
    yield problems
    qInstallMessageHandler(previous)
    assert not problems, f"Qt warnings: {problems}"


@pytest.fixture(scope="session")
def gui_helpdesk(tmp_path_factory):
    """The demo helpdesk with 60 tickets for GUI tests (the sent-reply tests write to it)."""
    db = tmp_path_factory.mktemp("gui-helpdesk") / "helpdesk.sqlite"
    server = Helpdesk(db, "--demo", "--tickets", "60", "--export-delay", "0",
                      admin_token="demo-admin-token").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def synced_cache(gui_helpdesk, tmp_path_factory):
    """(cache file, agent id): synced once per session; copy it, don't write to it."""
    cache = tmp_path_factory.mktemp("gui-cache") / "cache.sqlite"
    me = sync_cache(gui_helpdesk.url, cache)
    return cache, me


@pytest.fixture
def cache_copy(synced_cache, tmp_path):
    cache, me = synced_cache
    target = tmp_path / "cache.sqlite"
    shutil.copyfile(cache, target)
    return target, me


@pytest.fixture
def workspace(cache_copy):
    from console.views.main_window import Workspace

    cache, me = cache_copy
    writer = CacheWriter(cache)
    reader = CacheReader(cache)
    yield Workspace(reader=reader, writer=writer, me=me, cache_path=cache, agent_name=AGENT.name,
                    extras={"tray": False})
    reader.close()
    writer.close()


@pytest.fixture
def main_window(qtbot, workspace):
    from console.views.main_window import MainWindow

    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
