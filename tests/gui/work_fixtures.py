"""Fixtures for the GUI-work widget tests: a cache filled from the real demo helpdesk.

``work_cache_template`` (session) starts ``serve --demo --tickets 60 --export-delay 0`` once and
copies every resource into a fresh cache through the real HTTP client and the store writer (a
tiny stand-in for the sync engine); ``work_cache`` copies that file per test and yields
``WorkCache(path, writer, reader, server)``. ``fail_on_qt_warnings`` makes Qt warnings fail.
Import the fixtures into a test module with ``from tests.gui.work_fixtures import *``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QtMsgType, qInstallMessageHandler  # noqa: E402

from console.store import CacheReader, CacheWriter  # noqa: E402
from console.sync.client import HelpdeskClient  # noqa: E402
from tests.helpdesk import Helpdesk  # noqa: E402

# The offscreen platform plugin says this on every top-level show; it is not our warning.
OFFSCREEN_NOISE = {"This plugin does not support propagateSizeHints()"}
ADMIN_EMAIL = "admin@demo.support-console.test"
ADMIN_TOKEN = "demo-admin-token"

__all__ = ["WorkCache", "fail_on_qt_warnings", "fill_cache", "scenario_ticket_id", "work_cache",
           "work_cache_template", "work_helpdesk", "work_widgets"]


@dataclass
class WorkCache:
    path: Path
    writer: CacheWriter
    reader: CacheReader
    server: Helpdesk


def _pages(client: HelpdeskClient, path: str, key: str):
    body = client.get(path)
    while True:
        yield body.get(key) or []
        nxt = body.get("next_page") or (body.get("links") or {}).get("next")
        if not nxt or body.get("meta", {}).get("has_more") is False:
            return
        body = client.get_url(nxt)


def fill_cache(client: HelpdeskClient, writer: CacheWriter) -> None:
    """Pull tickets, users, comments and reference data into the cache (engine stand-in)."""
    body = client.get("incremental/tickets/cursor.json", {"start_time": 0, "per_page": 1000})
    while True:
        writer.apply_ticket_page(body["tickets"], body.get("after_cursor"), end_of_stream=body["end_of_stream"])
        if body["end_of_stream"]:
            break
        body = client.get_url(body["after_url"])
    body = client.get("incremental/users/cursor.json", {"start_time": 0, "per_page": 1000})
    while True:
        writer.apply_user_page(body["users"], body.get("after_cursor"), end_of_stream=body["end_of_stream"])
        if body["end_of_stream"]:
            break
        body = client.get_url(body["after_url"])
    with CacheReader(writer_path(writer)) as reader:
        from console.store import QueueSpec
        ids = reader.ticket_ids_for_queue(QueueSpec())
    for ticket_id in ids:
        comments = [c for page in _pages(client, f"tickets/{ticket_id}/comments.json", "comments") for c in page]
        writer.replace_ticket_comments(ticket_id, comments)
    for name, path in (("groups", "groups.json"), ("group_memberships", "group_memberships.json"),
                       ("macros", "macros.json"), ("views", "views.json"), ("user_fields", "user_fields.json")):
        items = [item for page in _pages(client, path, name) for item in page]
        getattr(writer, "replace_memberships" if name == "group_memberships" else f"replace_{name}")(items)


def writer_path(writer: CacheWriter) -> Path:
    return Path(writer.path)


@pytest.fixture(scope="session")
def work_helpdesk(tmp_path_factory):
    db = tmp_path_factory.mktemp("work-helpdesk") / "helpdesk.sqlite"
    server = Helpdesk(db, "--demo", "--tickets", "60", "--export-delay", "0", admin_token=ADMIN_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def work_cache_template(work_helpdesk, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("work-cache") / "cache.sqlite"
    client = HelpdeskClient(work_helpdesk.url, ADMIN_EMAIL, ADMIN_TOKEN)
    with CacheWriter(path) as writer:
        fill_cache(client, writer)
        writer.checkpoint()
    client.close()
    return path


@pytest.fixture
def work_cache(work_cache_template, work_helpdesk, tmp_path):
    path = tmp_path / "cache.sqlite"
    shutil.copy(work_cache_template, path)
    writer = CacheWriter(path)
    reader = CacheReader(path)
    yield WorkCache(path, writer, reader, work_helpdesk)
    reader.close()
    writer.close()


@pytest.fixture
def work_widgets(qtbot, work_cache):
    """Register widgets here (``work_widgets.append(w)``): closed before the cache closes."""
    widgets: list = []
    yield widgets
    for widget in widgets:
        widget.close()
    qtbot.wait(1)


@pytest.fixture(autouse=True)
def fail_on_qt_warnings():
    """Qt warnings and criticals fail the test."""
    problems: list[str] = []

    def handler(kind, _context, message):
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) \
                and message not in OFFSCREEN_NOISE:
            problems.append(message)

    previous = qInstallMessageHandler(handler)
    yield
    qInstallMessageHandler(previous)
    assert not problems, f"Qt warnings: {problems}"


def scenario_ticket_id(reader: CacheReader, scenario: str) -> int:
    """The id of the demo ticket built for ``scenario`` (external_id ``demo:<scenario>``)."""
    from console.store import QueueSpec
    for ticket_id in reader.ticket_ids_for_queue(QueueSpec(), "id", descending=False)[:40]:
        ticket = reader.ticket(ticket_id)
        if ticket and ticket.get("external_id") == f"demo:{scenario}":
            return ticket_id
    raise LookupError(f"no demo ticket for scenario {scenario}")
