"""Attachments from the ticket pane: download + open, size and address limits (console/sync/attachments.py).

They talk to the shared demo helpdesk (``demo_helpdesk``) over loopback: downloads only read it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from PySide6.QtGui import QDesktopServices

from console.store import QueueSpec
from console.sync.attachments import AttachmentError, download_attachment, safe_file_name
from console.sync.client import HelpdeskClient
from console.sync.engine import SyncEngine
from tests.helpdesk import AGENT


def _attachment(reader) -> dict:
    for tid in reader.ticket_ids_for_queue(QueueSpec()):
        for comment in reader.comments_for_ticket(tid):
            for att in comment["attachments"]:
                if att.get("file_name", "").endswith(".pdf"):
                    return reader.attachment(att["id"])
    raise AssertionError("the demo workspace has a ticket with a PDF attachment")


@pytest.fixture
def client(demo_helpdesk):
    client = HelpdeskClient(demo_helpdesk.url, AGENT.email, AGENT.token)
    yield client
    client.close()


def test_download_attachment_saves_the_bytes_and_records_the_path(desk, client, tmp_path):
    attachment = _attachment(desk.reader)
    assert attachment["local_path"] is None
    saved = download_attachment(client, desk.writer, attachment, tmp_path / "attachments")
    expected = requests.get(attachment["content_url"], timeout=10).content
    assert saved.read_bytes() == expected and expected.startswith(b"%PDF")
    assert saved.name == safe_file_name(attachment["file_name"], attachment["id"]) == \
        f"{attachment['id']}-{attachment['file_name']}"
    assert desk.reader.attachment(attachment["id"])["local_path"] == str(saved)
    assert [p.name for p in saved.parent.iterdir()] == [saved.name], "no temporary file left behind"


def test_download_refuses_oversized_files_and_foreign_plain_http(desk, client, tmp_path):
    attachment = _attachment(desk.reader)
    folder = tmp_path / "attachments"
    with pytest.raises(AttachmentError, match="larger than"):
        download_attachment(client, desk.writer, {**attachment, "size": None}, folder, max_bytes=100)
    assert not list(folder.iterdir()), "nothing left behind"
    foreign = {**attachment, "content_url": "http://files.example.net/a.pdf"}
    with pytest.raises(AttachmentError, match="neither the helpdesk nor an https address"):
        download_attachment(client, desk.writer, foreign, folder)
    assert desk.reader.attachment(attachment["id"])["local_path"] is None
    assert safe_file_name("../../etc/passwd", 5) == "5-_.._etc_passwd"


def test_clicking_an_attachment_downloads_through_the_engine_then_opens_it(qtbot, cache_copy, client,
                                                                           monkeypatch):
    from console.views.main_window import MainWindow
    from tests.views.conftest import close_desk, open_desk, open_ticket

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    cache, me = cache_copy
    desk = open_desk(cache, me, engine=lambda writer, lanes: SyncEngine(client, writer, lanes=lanes))
    window = MainWindow(desk.workspace())
    qtbot.addWidget(window)
    attachment = _attachment(desk.reader)
    open_ticket(qtbot, window, attachment["ticket_id"])
    window.ticket_pane.attachment_requested.emit(attachment["id"])   # the click on the attachment link
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    saved = Path(opened[0])
    assert saved.parent == cache.parent / "attachments"
    assert saved.read_bytes() == requests.get(attachment["content_url"], timeout=10).content
    window.ticket_pane.attachment_requested.emit(attachment["id"])   # now cached: opens without a download
    qtbot.waitUntil(lambda: len(opened) == 2)
    assert opened[1] == str(saved)

    desk.engine.set_work_offline(True)
    desk.writer.set_attachment_path(attachment["id"], None)
    window.ticket_pane.attachment_requested.emit(attachment["id"])
    qtbot.waitUntil(lambda: "working offline" in window.status.currentMessage())
    assert len(opened) == 2
    window.close()
    desk.settle(qtbot, quiet_ms=30)
    close_desk(desk)
