"""The agent's workday through the real main window, a real sync engine and a real embedded helpdesk.

Each test acts as the agent (through the window's own widgets and shortcuts), then checks what the
window shows and what the helpdesk received. The engine runs on a qasync loop, as in the app.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable

import pytest
import qasync
import requests
from PySide6.QtCore import Qt

from console.models.queues import agent_queue
from console.sync.client import HelpdeskClient
from console.sync.engine import SyncEngine
from console.views.main_window import MainWindow
from tests.helpdesk import AGENT, Helpdesk, sync_cache
from tests.views.conftest import close_desk, open_desk


class Live:
    """One running session: helpdesk process, cache, engine on a qasync loop, the main window."""

    def __init__(self, qtbot, qapp, server: Helpdesk, tmp_path, *, interval: float = 0.5,
                 liveness: float = 6.0, client_options: dict | None = None) -> None:
        self.qtbot, self.server = qtbot, server
        cache = tmp_path / "cache.sqlite"
        self.me = sync_cache(server.url, cache)
        options = {"max_retries": 1, "timeout": (1.0, 5.0), "backoff_base": 0.05} if client_options is None \
            else client_options
        self.client = HelpdeskClient(server.url, AGENT.email, AGENT.token, **options)
        self.loop = qasync.QEventLoop(qapp, already_running=False)
        asyncio.set_event_loop(self.loop)
        self.desk = open_desk(cache, self.me, engine=lambda writer, lanes: SyncEngine(
            self.client, writer, lanes=lanes, interval=interval, max_backoff=0.5, liveness_seconds=liveness))
        self.engine = self.desk.engine
        self.window = MainWindow(self.desk.workspace())
        qtbot.addWidget(self.window)
        self.window.show()
        self.task = None

    def start(self) -> None:
        self.task = asyncio.ensure_future(self.engine.run(), loop=self.loop)

    def run(self, scenario: Callable) -> object:
        """Run ``await scenario()`` on the loop (the engine runs meanwhile once started), then stop the
        engine there: qasync's ``run_until_complete`` processes Qt events once more after the loop
        stopped, and an engine task stepped then finds no running loop ("bound to a different
        event loop"). Call it once per ``Live``."""

        async def then_stop():
            try:
                return await scenario()
            finally:
                await self._stop_engine()
        return self.loop.run_until_complete(then_stop())

    async def _stop_engine(self) -> None:
        self.engine.stop()
        if self.task is not None:
            await asyncio.wait_for(asyncio.shield(self.task), 10)
        await asyncio.sleep(0.05)

    async def until(self, predicate: Callable[[], bool], timeout: float = 15.0, what: str = "") -> float:
        started = time.monotonic()
        while not predicate():
            if time.monotonic() - started > timeout:
                raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
            await asyncio.sleep(0.05)
        return time.monotonic() - started

    def close(self) -> None:
        self.window.close()

        async def stop():
            await self._stop_engine()
            await self.engine.close()
            await asyncio.sleep(0.05)
        self.loop.run_until_complete(stop())
        self.desk.engine = None   # closed here, on its own loop
        close_desk(self.desk)
        self.client.close()
        self.loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def server(tmp_path):
    server = Helpdesk(tmp_path / "helpdesk.sqlite", "--demo", "--tickets", "20", "--export-delay", "0",
                      admin_token="demo-admin-token").start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        os.kill(server.proc.pid, signal.SIGCONT)
    server.kill()


@pytest.fixture
def live(qtbot, qapp, server, tmp_path):
    session = Live(qtbot, qapp, server, tmp_path)
    yield session
    session.close()


def comments_with(server: Helpdesk, ticket_id: int, text: str) -> int:
    comments = server.get(f"tickets/{ticket_id}/comments.json").json()["comments"]
    return sum(text in c["body"] for c in comments)


def test_a_sent_reply_shows_in_the_thread_at_once_then_as_sent_and_stays(live, caplog):
    window, text = live.window, "We refunded the duplicate charge; it shows within five days."
    thread = window.ticket_pane.thread

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0, what="the first queue")
        tid = window.ticket_model.ticket_id_at(0)
        window.open_ticket(tid)
        await live.until(lambda: window.reply_editor.ticket_id == tid, what="the ticket")
        live.engine.set_work_offline(True)                              # first as on a train
        window.shortcut_actions["reply"].trigger()
        window.reply_editor.text_edit.setPlainText(text)
        window.shortcut_actions["send"].trigger()                       # Ctrl+Enter
        await live.until(lambda: text in thread.toPlainText(), timeout=3, what="the reply in the thread")
        shown = thread.toPlainText()
        assert "Your reply" in shown and "Queued" in shown, shown
        assert window.reply_editor.body() == "", "the editor is cleared once the reply is queued"
        assert comments_with(live.server, tid, text) == 0
        live.engine.set_work_offline(False)
        live.start()                                                    # the engine delivers it
        await live.until(lambda: comments_with(live.server, tid, text) == 1, what="the helpdesk to get it")
        await live.until(lambda: "Your reply" not in thread.toPlainText(), what="the card to become a comment")
        await live.until(lambda: live.desk.reader.sync_state("last_synced_at") is not None)
        live.engine.request_sync()                                      # a next sync: it stays, once
        await asyncio.sleep(1.5)
        assert thread.toPlainText().count(text) == 1
        return tid

    with caplog.at_level("INFO"):
        tid = live.run(scenario)
    assert comments_with(live.server, tid, text) == 1, "sent exactly once"
    logged = "\n".join(r.getMessage() for r in caplog.records)   # the log says what happened...
    assert f"queued a reply for ticket #{tid}" in logged
    assert f"for #{tid}: sent" in logged
    assert "sync round ok" in logged
    assert text not in logged and AGENT.token not in logged    # ...never the body or the token


def test_a_reply_written_offline_goes_out_when_the_helpdesk_is_back(live):
    window, text = live.window, "We are looking into it and will write back today."
    live.server.stop()   # the helpdesk goes away

    async def scenario():
        live.start()
        await live.until(lambda: window.ticket_model.rowCount() > 0)
        tid = window.ticket_model.ticket_id_at(0)
        window.open_ticket(tid)
        await live.until(lambda: window.reply_editor.ticket_id == tid)
        window.reply_editor.on_reply_mode()
        window.reply_editor.text_edit.setPlainText(text)
        window.reply_editor.send()
        await live.until(lambda: len(live.desk.reader.list_outbox()) == 1)
        await live.until(lambda: window.status.online.text() == "● Offline · 1 to send", what="offline + 1 to send")
        # the thread follows the status bar within a reload (its read may wait behind other work)
        await live.until(lambda: "Queued" in window.ticket_pane.thread.toPlainText(), timeout=3, what="Queued")
        live.server.start(live.server.port)                             # back on the same port
        await live.until(lambda: live.desk.reader.list_outbox()[0].state == "sent", timeout=20)
        await live.until(lambda: window.status.online.text() == "● Online · Nothing to send")
        # what the editor says follows the reply: "sent" under it, no stale "queued" beside it
        await live.until(lambda: "sent" in window.reply_editor.sends_label.text(), what="sent")
        assert window.reply_editor.draft_label.text() == ""
        return tid

    tid = live.run(scenario)
    assert comments_with(live.server, tid, text) == 1


def test_a_frozen_helpdesk_shows_offline_within_15_seconds_and_recovers(qtbot, qapp, server, tmp_path):
    """With the app's own client settings (30 s read timeout, retries): the liveness probe tells."""
    live = Live(qtbot, qapp, server, tmp_path, interval=60.0, client_options={})
    try:
        took = _frozen(live)
    finally:
        live.close()
    assert took < 15, f"took {took:.1f} s to show offline"


def _frozen(live) -> float:
    window = live.window

    async def scenario():
        live.start()
        await live.until(lambda: window.status.online.text().startswith("● Online"), what="online")
        await live.until(lambda: not live.engine.status.syncing)
        os.kill(live.server.proc.pid, signal.SIGSTOP)                   # frozen: accepts, never answers
        took = await live.until(lambda: window.status.online.text().startswith("● Offline"), timeout=20,
                                what="offline")
        assert "not answering" in window.status.online.toolTip()
        os.kill(live.server.proc.pid, signal.SIGCONT)
        await live.until(lambda: window.status.online.text().startswith("● Online"), timeout=20, what="back")
        await live.until(lambda: not live.engine.status.error)
        return took

    return live.run(scenario)


def test_a_stale_error_line_clears_once_a_sync_succeeds(live):
    window = live.window
    live.server.stop()

    async def scenario():
        live.start()
        await live.until(lambda: bool(window.status.currentMessage()), what="the failure line")
        assert window.status.online.text().startswith("● Offline")
        live.server.start(live.server.port)
        await live.until(lambda: window.status.online.text().startswith("● Online"), timeout=20)
        await live.until(lambda: not window.status.currentMessage(), timeout=5, what="the line to clear")

    live.run(scenario)


def test_notifications_fire_in_the_running_window(live, qtbot):
    """No system tray here (offscreen): each notification shows in the window instead, never nowhere."""
    window, shown = live.window, []
    window.tray.notification_shown.connect(shown.append)

    async def scenario():
        live.start()
        await live.until(lambda: window.notifier.memory.watermark is not None, what="the watermark")
        billing = next(g for g in live.desk.reader.groups() if g["name"] == "Billing")
        assert billing["id"] in live.desk.reader.group_ids_of(live.me), "the demo agent works in Billing"
        created = live.server.create_ticket(subject="Charged twice this month", group_id=billing["id"])
        await live.until(lambda: any(n.kind == "new_ticket" and n.ticket_id == created["id"] for n in shown),
                         timeout=20, what="the new-ticket notification")
        assert f"#{created['id']}" in window.toast.text and window.toast.action.text() == "Open"
        mine = live.desk.reader.ticket_ids_for_queue(window.queue_model.queue_at(
            window.queue_model.row_of("mine")).spec)
        ticket = live.desk.reader.ticket(mine[0])
        requester = live.desk.reader.user(ticket["requester_id"])
        r = requests.put(live.server.api(f"tickets/{ticket['id']}.json"), timeout=10,
                         auth=(f"{live.server.admin_email}/token", live.server.admin_token),
                         json={"ticket": {"comment": {"body": "Any news on this?", "public": True,
                                                      "author_id": requester["id"]}}})
        r.raise_for_status()
        await live.until(lambda: any(n.kind == "customer_reply" and n.ticket_id == ticket["id"] for n in shown),
                         timeout=20, what="the customer-reply notification")
        window.toast.action.click()                                      # "Open" opens that ticket
        await live.until(lambda: window.ticket_pane.ticket_id == ticket["id"])
        live.server.stop()
        await live.until(lambda: any(n.kind == "sync_failed" for n in shown), timeout=20, what="sync failure")

    live.run(scenario)
    counts = live.desk.ops.queues.counts
    assert window.tray.tooltip.startswith("Support Console") and f"{counts.mine} open assigned to me" in \
        window.tray.tooltip


def test_a_conflict_is_notified_and_counted(live):
    window, shown = live.window, []
    window.tray.notification_shown.connect(shown.append)

    async def scenario():
        live.start()
        await live.until(lambda: window.ticket_model.rowCount() > 0 and not live.engine.status.syncing)
        live.engine.set_work_offline(True)
        tid = window.ticket_model.ticket_id_at(0)
        window.open_ticket(tid)
        await live.until(lambda: window.ticket_pane.ticket_id == tid)
        window.ticket_pane.request_status("pending" if window.ticket_pane.ticket["status"] != "pending" else "hold")
        await live.until(lambda: len(live.desk.reader.list_outbox()) == 1)
        time.sleep(1.1)
        live.server.put(f"tickets/{tid}.json", json={"ticket": {"status": "solved"}}).raise_for_status()
        live.engine.set_work_offline(False)
        await live.until(lambda: any(n.kind == "conflict" for n in shown), timeout=20, what="the conflict notice")
        await live.until(lambda: window.status.conflicts.isVisible() and "1 conflict" in window.status.conflicts.text())

    live.run(scenario)


def test_dashboard_drill_down_opens_that_agents_tickets_and_the_no_department_queue(qtbot, main_window, desk):
    from console.store import UNSOLVED, QueueSpec

    window = main_window
    some = desk.reader.ticket(desk.reader.ticket_ids_for_queue(QueueSpec(statuses=UNSOLVED))[0])
    orphan = {k: v for k, v in some.items() if not k.startswith("_")}
    orphan.update(id=9000, group_id=None, subject="Sent to no department", generated_timestamp=2_000_000_000)
    # a ticket in no department (the helpdesk allows it), written as the app writes: through the runner
    desk.ops.runner.write(lambda cache: cache.writer.upsert_tickets([orphan]))
    desk.settle(qtbot)
    window.pages.show_dashboard()
    qtbot.waitUntil(lambda: window.pages.dashboard.snapshot is not None)
    agents = [a for a in window.pages.dashboard.snapshot.agents if a.user_id != desk.me and a.open_assigned]
    assert agents, "the demo has other agents with open tickets"
    bob = agents[0]
    row = next(r for r in range(window.pages.dashboard.agent_model.rowCount())
               if window.pages.dashboard.agent_model.row_record(r).user_id == bob.user_id)
    window.pages.dashboard.agent_table.clicked.emit(window.pages.dashboard.agent_model.index(row, 0))   # the click
    expected = desk.reader.ticket_ids_for_queue(QueueSpec(assignee_id=bob.user_id, statuses=UNSOLVED))
    qtbot.waitUntil(lambda: window.ticket_model.queue is not None and window.ticket_model.queue.key == f"agent:{bob.user_id}")
    assert window.pages.currentWidget() is window.work_split
    assert window.ticket_model.ticket_ids() == expected and expected
    mine = desk.reader.ticket_ids_for_queue(QueueSpec(mine=True, me=desk.me, statuses=UNSOLVED))
    assert set(expected).isdisjoint(mine), "that agent's tickets, not the signed-in agent's"
    assert bob.name in window.list_header.text()
    assert window.queue_pane.current_key() is None, "no pane queue looks selected"
    window.pages.show_dashboard()
    tile = next(t for t in window.pages.dashboard.tiles if t.stats.group_id is None)
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.queue_pane.current_key() == "no_department")
    qtbot.waitUntil(lambda: window.ticket_model.queue.key == "no_department")
    assert window.ticket_model.ticket_ids() == desk.reader.ticket_ids_for_queue(
        QueueSpec(no_department=True, statuses=UNSOLVED)) == [9000]


def test_a_reply_sent_from_the_window_counts_on_the_dashboard(live):
    """The agent answers a ticket of theirs from the reply editor; once the helpdesk has it, the
    dashboard's agent row says one more reply today (counted from today's comments in the cache)."""
    window, text = live.window, "Your refund is on its way."
    pages = window.pages

    def replies_today() -> int:   # what the agent table shows in the signed-in agent's row
        model = pages.dashboard.agent_model
        row = next(r for r in range(model.rowCount()) if model.row_record(r).user_id == live.me)
        return model.index(row, 3).data()

    async def scenario():
        live.start()
        await live.until(lambda: window.ticket_model.rowCount() > 0, what="the first queue")
        pages.show_dashboard()
        await live.until(lambda: pages.dashboard.snapshot is not None, what="the dashboard")
        before = replies_today()
        pages.show_work()   # back to the queues
        tid = window.ticket_model.ticket_id_at(0)
        window.open_ticket(tid)
        await live.until(lambda: window.reply_editor.ticket_id == tid, what="the ticket")
        window.shortcut_actions["reply"].trigger()
        window.reply_editor.text_edit.setPlainText(text)
        window.shortcut_actions["send"].trigger()                       # Ctrl+Enter
        await live.until(lambda: comments_with(live.server, tid, text) == 1, what="the helpdesk to get it")
        await live.until(lambda: live.desk.reader._count(
            "SELECT count(*) FROM comments WHERE ticket_id = ? AND body LIKE ?", (tid, f"%{text}%")) == 1,
            what="the sent reply in the cache")
        pages.show_dashboard()
        await live.until(lambda: replies_today() == before + 1, what="one more reply today")
        return tid

    tid = live.run(scenario)
    assert comments_with(live.server, tid, text) == 1, "sent exactly once"


def test_the_dashboard_opened_after_the_first_sync_says_online(qtbot, qapp, server, tmp_path):
    """Built on first use, the dashboard takes the connection state already on the bus (it said
    "Offline" on every tile, beside a status bar saying "Online", until the next sync)."""
    live = Live(qtbot, qapp, server, tmp_path, interval=30)
    window = live.window

    async def scenario():
        live.start()
        await live.until(lambda: live.engine.status.online and live.engine.status.last_synced_at
                         and not live.engine.status.syncing, what="the first sync")
        window.pages.show_dashboard()
        dashboard = window.pages.dashboard
        await live.until(lambda: dashboard.snapshot is not None and dashboard.tiles, what="the dashboard")
        return [tile.footer.text() for tile in dashboard.tiles], dashboard.status.text()

    try:
        footers, status = live.run(scenario)
    finally:
        live.close()
    assert footers and all(text.endswith("· Online") for text in footers), footers
    assert "Online" in status and "Offline" not in status
    assert "Online" in window.status.online.text()


def test_agent_queue_key_names_the_agent():
    queue = agent_queue(42, "Bob Smith")
    assert queue.key == "agent:42" and queue.label == "Bob Smith's open tickets" and queue.spec.assignee_id == 42


def test_opening_a_ticket_renders_it_once(qtbot, main_window, desk):
    window, renders = main_window, []
    original = window.ticket_pane.show_details
    window.ticket_pane.show_details = lambda details: (renders.append(details.ticket_id), original(details))[1]
    window.shown_ticket.loaded.disconnect()
    for target in (window.ticket_pane.show_details, window.reply_editor.on_ticket_shown,
                   window.account_pane.on_ticket_shown, window.canned_picker.on_ticket_shown):
        window.shown_ticket.loaded.connect(target)
    tid = window.ticket_model.ticket_id_at(3)
    window.open_ticket(tid)   # show + mark seen (a write whose change comes back on the bus)
    desk.settle(qtbot)
    assert renders == [tid]
