"""A reply written while the helpdesk is down is queued, then delivered by the engine once it is back."""

from __future__ import annotations

import asyncio

import pytest
import qasync

from console.store import CacheReader, CacheWriter
from console.sync.client import HelpdeskClient
from console.views.main_window import MainWindow, Workspace
from tests.helpdesk import AGENT, Helpdesk, sync_cache


@pytest.fixture
def own_helpdesk(tmp_path):
    server = Helpdesk(tmp_path / "helpdesk.sqlite", "--demo", "--tickets", "20", "--export-delay", "0",
                      admin_token="demo-admin-token").start()
    yield server
    server.kill()


def test_reply_sent_offline_is_delivered_when_the_server_is_back(qtbot, qapp, own_helpdesk, tmp_path):
    from console.sync.engine import SyncEngine

    cache = tmp_path / "cache.sqlite"
    me = sync_cache(own_helpdesk.url, cache)
    writer, reader = CacheWriter(cache), CacheReader(cache)
    client = HelpdeskClient(own_helpdesk.url, AGENT.email, AGENT.token, max_retries=0, timeout=(1.0, 5.0))
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    engine = SyncEngine(client, writer, interval=0.5, max_backoff=0.5)
    window = MainWindow(Workspace(reader=reader, writer=writer, me=me, cache_path=cache, extras={"tray": False}))
    qtbot.addWidget(window)
    window.attach_engine(engine, loop)
    window.show()
    own_helpdesk.stop()   # the helpdesk goes away

    async def scenario():
        window.on_open_ticket(window.ticket_model.ticket_id_at(0))
        tid = window.ticket_pane.ticket_id
        window.on_reply()
        window.reply_editor.text_edit.setPlainText("We are looking into it and will write back today.")
        window.on_send()
        queued = reader.list_outbox()
        assert len(queued) == 1 and queued[0].kind == "reply" and queued[0].state in ("queued", "failed")
        await asyncio.sleep(1.0)   # push attempts fail while the server is down
        assert reader.list_outbox()[0].state != "sent"
        assert window.status.pending.text() == "1 to send"
        own_helpdesk.start(own_helpdesk.port)   # back on the same port
        task = asyncio.ensure_future(engine.run())
        for _ in range(150):
            await asyncio.sleep(0.1)
            if reader.list_outbox()[0].state == "sent":
                break
        engine.stop()
        await engine.close()
        task.cancel()
        return tid

    with loop:
        tid = loop.run_until_complete(scenario())
    entry = reader.list_outbox()[0]
    assert entry.state == "sent"
    admin = HelpdeskClient(own_helpdesk.url, AGENT.email, AGENT.token)
    comments = admin.get(f"tickets/{tid}/comments.json")["comments"]
    assert sum("write back today" in c["body"] for c in comments) == 1
    window.close()
    reader.close()
    writer.close()
