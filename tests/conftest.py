"""Shared fixtures: a fresh embedded helpdesk per test, and a seeded demo helpdesk."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

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
