"""What a real Zendesk account adds, through the real main window, a live engine and the embedded
helpdesk: custom statuses, pacing under rate limits, channels, satisfaction, the customer's local time."""

from __future__ import annotations

import asyncio

import pytest

from tests.helpdesk import Helpdesk
from tests.views.test_workflow import Live

BANK, ESCALATED = 7011, 7012


def demo_helpdesk_of(tmp_path, *extra: str) -> Helpdesk:
    return Helpdesk(tmp_path / "helpdesk.sqlite", "--demo", "--tickets", "20", "--export-delay", "0", *extra,
                    admin_token="demo-admin-token").start()


@pytest.fixture
def session(qtbot, qapp, tmp_path):
    desk = demo_helpdesk_of(tmp_path)
    live = Live(qtbot, qapp, desk, tmp_path)
    yield live
    live.close()
    desk.stop()


async def stopped(live: Live) -> None:
    """End the engine inside the loop, so nothing of it is left to run while the window closes."""
    live.engine.stop()
    if live.task is not None:
        await live.task
    await live.until(lambda: live.desk.ops.runner.busy == 0, what="the operations asked for to answer")
    await asyncio.sleep(0.3)   # and the reloads they set off (debounced)
    await live.until(lambda: live.desk.ops.runner.busy == 0, what="their follow-ups")


def status_cell(window, ticket_id: int) -> str:
    model = window.ticket_model
    return model.cell_texts(model.row_of(ticket_id))[3]


def test_custom_statuses_show_in_the_list_and_pane_and_are_sent_from_the_selector(session):
    live = session
    window, server = live.window, live.server
    conn = server.db_connection()
    waiting, group = conn.execute("SELECT id, group_id FROM tickets WHERE custom_status_id = ?", (BANK,)).fetchone()
    conn.close()

    async def scenario():
        live.start()
        await live.until(lambda: window.queue_pane.select_key(f"group:{group}"), what="the department queue")
        await live.until(lambda: window.ticket_model.row_of(waiting) >= 0
                         and status_cell(window, waiting) == "Pending — Waiting on the customer's bank",
                         what="the custom status in the list")
        window.open_ticket(waiting)
        await live.until(lambda: window.ticket_pane.ticket_id == waiting and window.shown_ticket.details is not None,
                         what="the ticket")
        combo = window.ticket_pane.status
        assert combo.currentText() == "Pending — Waiting on the customer's bank"
        labels = [combo.itemText(i) for i in range(combo.count())]
        assert labels.index("Open — Escalated to engineering") < labels.index("Pending") \
            < labels.index("Pending — Waiting on the customer's bank") < labels.index("Solved")
        assert "" in labels, "categories are separated"
        combo.setCurrentIndex(combo.findData(f"custom:{ESCALATED}"))

        def on_server():
            t = server.get(f"tickets/{waiting}.json").json()["ticket"]
            return (t["status"], t["custom_status_id"])
        await live.until(lambda: on_server() == ("open", ESCALATED), what="the custom status on the helpdesk")
        await live.until(lambda: window.ticket_pane.status.currentText() == "Open — Escalated to engineering"
                         and "⏳" not in window.ticket_pane.queued_label.text(), what="the pane")
        await live.until(lambda: status_cell(window, waiting) == "Open — Escalated to engineering",
                         what="the list")
        await stopped(live)
    live.run(scenario)


def test_the_status_bar_says_when_the_sync_is_paced_and_opening_a_ticket_still_goes_first(qtbot, qapp, tmp_path):
    desk = demo_helpdesk_of(tmp_path, "--rate-limit", "120")
    live = Live(qtbot, qapp, desk, tmp_path, interval=0.2)
    try:
        window = live.window

        async def scenario():
            live.start()
            await live.until(lambda: window.status.paced.isVisible(), timeout=40, what="the paced label")
            assert window.status.paced.text() == "⏱ Paced"
            assert "rate limit" in window.status.paced.toolTip()
            tid = window.ticket_model.ticket_id_at(0)
            asked = live.client.requests_made
            started = asyncio.get_running_loop().time()
            window.open_ticket(tid)                       # the agent's request: not behind the paced pulls
            await live.until(lambda: live.client.requests_made >= asked + 2, timeout=5, what="the ticket's refresh")
            assert asyncio.get_running_loop().time() - started < 3
            assert live.client.rate_limited == 0
            await stopped(live)
        live.run(scenario)
    finally:
        live.close()
        desk.stop()


def test_a_customer_who_writes_markup_reads_it_back_as_text_in_helpdesk_and_console(session):
    live = session
    window, server = live.window, live.server
    text = "Why does my page show <b>bold</b> and <script>alert(1)</script> literally?"
    conn = server.db_connection()
    customer = conn.execute("SELECT id FROM users WHERE role = 'end-user' ORDER BY id LIMIT 1").fetchone()[0]
    conn.close()
    created = server.create_ticket(subject="Markup in my message", requester_id=customer,
                                   comment={"body": text, "author_id": customer})
    comment = server.get(f"tickets/{created['id']}/comments.json").json()["comments"][0]
    assert comment["body"] == comment["plain_body"] == text                 # kept as written
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in comment["html_body"] and "<script" not in comment["html_body"]

    async def scenario():
        live.start()
        await live.until(lambda: live.desk.reader.ticket(created["id"]) is not None, timeout=20,
                         what="the new ticket in the cache")
        window.open_ticket(created["id"])
        await live.until(lambda: text in window.ticket_pane.thread.toPlainText(), timeout=20,
                         what="the literal text in the thread")
        assert "<b>" not in window.ticket_pane.thread.toHtml().split("Why does my page")[1].split("literally")[0]
        await stopped(live)
    live.run(scenario)


def test_a_view_the_cache_cannot_evaluate_comes_from_the_helpdesk_and_stays_for_offline_use(session):
    live = session
    window, server = live.window, live.server
    conn = server.db_connection()
    conn.execute("""UPDATE tickets SET satisfaction_rating = '{"score": "bad", "comment": "slow"}' WHERE id IN (3, 7)""")
    conn.execute("INSERT INTO views (id, title, position, conditions, execution, created_at, updated_at) VALUES "
                 "(900, 'Unhappy customers', 99, ?, '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                 ('{"all": [{"field": "satisfaction_score", "operator": "is", "value": "bad"}], "any": []}',))
    unhappy = {r[0] for r in conn.execute("SELECT id FROM tickets WHERE deleted = 0 AND "
                                          "json_extract(satisfaction_rating, '$.score') = 'bad'")}
    conn.close()
    assert unhappy
    assert {t["id"] for t in server.get("views/900/tickets.json").json()["tickets"]} == unhappy

    async def scenario():
        live.start()
        live.engine.request_sync()
        await live.until(lambda: live.window.queue_pane.select_key("view:900"), timeout=20, what="the view")
        await live.until(lambda: set(window.ticket_model.ticket_ids()) == unhappy, timeout=20,
                         what="the helpdesk's answer in the list")
        header = window.list_header.text()
        assert "Unhappy customers" in header and "from the helpdesk" in header and "as of " in header, header
        live.engine.set_work_offline(True)                   # offline: the last answer stays, labelled
        window.queue_pane.select_key("unassigned")
        await live.until(lambda: window.ticket_model.queue.key == "unassigned")
        window.queue_pane.select_key("view:900")
        await live.until(lambda: window.ticket_model.queue.key == "view:900"
                         and set(window.ticket_model.ticket_ids()) == unhappy, what="the kept answer")
        assert "from the helpdesk" in window.list_header.text()
        await stopped(live)
    live.run(scenario)
