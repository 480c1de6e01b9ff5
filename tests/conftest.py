"""Shared fixtures: a fresh embedded helpdesk per test, the demo helpdesk of the whole run, keyrings, dirs.

``demo_helpdesk`` (session) is the one demo workspace every test that only *reads* a helpdesk shares;
``demo_cache`` is one cache filled from it by the real sync engine as the demo agent (the path the
app takes). Tests that write to a helpdesk, or need another seed, start their own (``helpdesk``
or ``tests.helpdesk.Helpdesk``). The fake web sites and the dashboard desk are plugins.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

# Qt widgets in tests always render offscreen, whatever the caller's environment says.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

if str(Path(__file__).resolve().parents[1]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpdesk import AGENT, Helpdesk, sync_cache  # noqa: E402

DEMO_TICKETS = 60

pytest_plugins = ["tests.fake_sites", "tests.dashboard_desk"]


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread():
    """As in the app (console/ops/collector.py): in a test process with Qt, Python's cyclic collector
    runs on the GUI thread only, never in a lane thread that would free a closed view there."""
    from PySide6.QtCore import QCoreApplication

    from console.ops.collector import GuiThreadCollector

    if QCoreApplication.instance() is not None:
        GuiThreadCollector.install()
    yield
    if QCoreApplication.instance() is not None:
        GuiThreadCollector.install().check()


@pytest.fixture
def helpdesk(tmp_path):
    """An empty helpdesk (admin only, no export delay) on a free loopback port."""
    server = Helpdesk(tmp_path / "helpdesk.sqlite", "--export-delay", "0").start()
    yield server
    server.stop()


@pytest.fixture
def fault_helpdesk(tmp_path):
    """An empty helpdesk like ``helpdesk``, with the test-only fault switch (tests/fault_server.py)."""
    server = Helpdesk(tmp_path / "helpdesk.sqlite", "--export-delay", "0", faults=True).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo_helpdesk(tmp_path_factory):
    """The demo workspace (60 tickets), shared by the whole run: read it, never write to it."""
    db = tmp_path_factory.mktemp("demo-helpdesk") / "helpdesk.sqlite"
    server = Helpdesk(db, "--demo", "--tickets", str(DEMO_TICKETS), "--export-delay", "0",
                      admin_token="demo-admin-token").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo_cache(demo_helpdesk, tmp_path_factory):
    """(cache file, the agent's user id): ``demo_helpdesk`` synced once as the demo agent; copy it, don't write."""
    cache = tmp_path_factory.mktemp("demo-cache") / "cache.sqlite"
    me = sync_cache(demo_helpdesk.url, cache, AGENT.email, AGENT.token)
    return cache, me


@pytest.fixture
def isolated_dirs(tmp_path, monkeypatch):
    """Config, data and log dirs inside tmp_path, so nothing touches the real user profile."""
    dirs = {name: tmp_path / name for name in ("config", "data", "logs")}
    monkeypatch.setenv("SUPPORT_CONSOLE_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.setenv("SUPPORT_CONSOLE_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("SUPPORT_CONSOLE_LOG_DIR", str(dirs["logs"]))
    monkeypatch.delenv("SUPPORT_CONSOLE_TOKEN", raising=False)
    return dirs


class MemoryKeyring(KeyringBackend):
    """A keyring backend kept in memory: stands in for the OS keyring in tests."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.store:
            raise PasswordDeleteError(username)
        del self.store[(service, username)]


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)
