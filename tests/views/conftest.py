"""Views fixtures: a copy of the session's demo cache per test, the workspace on it, the main window.

The cache is ``demo_cache`` (tests/conftest.py): the shared demo helpdesk synced once by the real
``SyncEngine`` as the demo agent, as the app does; each test gets its own copy of that file.
Qt warnings fail a test through pytest-qt's ``qt_log_level_fail`` (pyproject).
"""

from __future__ import annotations

import shutil

import pytest

from console.store import CacheReader, CacheWriter
from tests.helpdesk import AGENT


@pytest.fixture
def cache_copy(demo_cache, tmp_path):
    """(cache file, agent id): this test's own copy of the synced demo cache."""
    cache, me = demo_cache
    target = tmp_path / "cache.sqlite"
    shutil.copyfile(cache, target)
    return target, me


@pytest.fixture
def workspace(cache_copy):
    """The app's ``Workspace`` (reader, writer, me, cache_path) on this test's cache copy."""
    from console.views.main_window import Workspace

    cache, me = cache_copy
    writer = CacheWriter(cache)
    reader = CacheReader(cache)
    yield Workspace(reader=reader, writer=writer, me=me, cache_path=cache, agent_name=AGENT.name,
                    extras={"tray": False})
    reader.close()
    writer.close()


@pytest.fixture
def open_widgets(qtbot, workspace):
    """Register widgets here (``open_widgets.append(w)``): they are closed before the cache closes."""
    widgets: list = []
    yield widgets
    for widget in widgets:
        widget.close()
    qtbot.wait(1)


@pytest.fixture
def main_window(qtbot, workspace):
    from console.views.main_window import MainWindow

    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
