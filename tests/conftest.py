"""Shared fixtures: a fresh embedded helpdesk per test, and a seeded demo helpdesk."""

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

from tests.helpdesk import Helpdesk  # noqa: E402


@pytest.fixture
def helpdesk(tmp_path):
    """An empty helpdesk (admin only, no export delay) on a free loopback port."""
    server = Helpdesk(tmp_path / "helpdesk.sqlite", "--export-delay", "0").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo_helpdesk(tmp_path_factory):
    """The demo workspace with 40 tickets, shared by the whole session; treat it as read-mostly."""
    db = tmp_path_factory.mktemp("demo-helpdesk") / "helpdesk.sqlite"
    server = Helpdesk(db, "--demo", "--tickets", "40", "--export-delay", "0",
                      admin_token="demo-admin-token").start()
    yield server
    server.stop()


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
