"""Working a queue all day through the real window, a real engine and the embedded helpdesk.

The list stays put under the cursor (issue 11): a ticket the agent acts on keeps its row, a new
one is announced and merged in on request, a solved one stays greyed until she leaves the queue.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.views.test_workflow import Live, comments_with, server  # noqa: F401 (the fixture)


@pytest.fixture
def live(qtbot, qapp, server, tmp_path):  # noqa: F811 (server: the fixture imported above)
    session = Live(qtbot, qapp, server, tmp_path, interval=5.0)   # rounds on request (fewer late task steps)
    yield session
    session.close()


def _busiest_department(live) -> tuple[str, int]:
    """The department queue with most tickets (Billing in the demo), as (queue key, group id)."""
    reader = live.desk.reader
    counts = live.window.queue_model
    groups = [(counts.count(f"group:{g['id']}") or 0, g["name"] == "Billing", g["id"]) for g in reader.groups()]
    _count, _billing, group_id = max(groups)
    return f"group:{group_id}", group_id


def _work_queue(live, min_rows: int = 6):
    window = live.window

    async def ready():
        live.start()
        await live.until(lambda: window.ticket_model.rowCount() > 0 and not live.engine.status.syncing
                         and window.queue_model.count("unassigned") is not None, what="the first sync")
        key, group_id = _busiest_department(live)
        assert window.queue_pane.select_key(key)
        await live.until(lambda: window.ticket_model.queue is not None and window.ticket_model.queue.key == key)
        assert window.ticket_model.rowCount() >= min_rows, "the demo department has enough tickets"
        return key, group_id
    return ready


def test_j_four_times_lands_on_the_ticket_seen_in_that_row_while_the_touched_one_would_jump(live):
    """The issue's story: she replies on the 3rd ticket (it would jump to the top: newest update
    first), a new ticket arrives meanwhile, and J twice more lands on the 5th ticket she saw."""
    window = live.window
    text = "Thanks, the refund is on its way."

    async def scenario():
        key, group_id = await _work_queue(live)()
        seen = window.ticket_model.ticket_ids()
        assert window.ticket_list.current_ticket_id() == seen[0]
        window.ticket_list.setFocus()
        for _ in range(2):
            window.shortcut_actions["next_ticket"].trigger()                   # J, J
        assert window.ticket_list.current_ticket_id() == seen[2]
        await live.until(lambda: window.reply_editor.ticket_id == seen[2], what="the 3rd ticket open")
        window.reply_editor.text_edit.setPlainText(text)
        window.reply_editor.send()
        created = live.server.create_ticket(subject="Invoice for December missing", group_id=group_id)
        await live.until(lambda: comments_with(live.server, seen[2], text) == 1, timeout=20, what="the reply sent")
        live.engine.request_sync()                                              # the next pull brings the new one
        def resorted() -> bool:
            # a pull running beside the send may bring the new ticket before the replied one's
            # update: wait for both, not for the first of them
            pending = window.ticket_model.pending_ids or []
            return created["id"] in pending and pending.index(seen[2]) < pending.index(seen[1])
        await live.until(resorted, timeout=20, what="the re-sorted queue offered")
        await live.until(lambda: window.list_header.banner.isVisible(), what="the banner")
        assert window.list_header.banner.text() == "1 new — show"
        assert window.ticket_model.ticket_ids() == seen, "no row moved under the cursor"
        assert window.ticket_list.current_ticket_id() == seen[2], "the selection did not jump"
        for _ in range(2):
            window.shortcut_actions["next_ticket"].trigger()                   # J, J
        assert window.ticket_list.current_ticket_id() == seen[4]
        await live.until(lambda: window.ticket_pane.ticket_id == seen[4], what="the 5th ticket she saw")
        window.list_header.banner.click()                                       # "1 new — show"
        merged = window.ticket_model.ticket_ids()
        assert created["id"] in merged and set(merged) == set(seen) | {created["id"]}
        assert merged.index(seen[2]) < merged.index(seen[1]), "merged in the query's order: touched one up"
        assert window.ticket_list.current_ticket_id() == seen[4], "still on the ticket she was on"
        assert not window.list_header.banner.isVisible()
        return seen

    seen = live.run(scenario)
    assert comments_with(live.server, seen[2], text) == 1
    assert comments_with(live.server, seen[4], text) == 0, "nothing went to the ticket she landed on"


def test_a_solved_ticket_stays_greyed_in_place_until_the_queue_is_left(live):
    window = live.window

    async def scenario():
        key, _group = await _work_queue(live)()
        seen = window.ticket_model.ticket_ids()
        window.shortcut_actions["next_ticket"].trigger()
        tid = seen[1]
        await live.until(lambda: window.ticket_pane.ticket_id == tid and window.ticket_pane.ticket is not None)
        window.ticket_pane.request_status("solved")
        await live.until(lambda: live.server.get(f"tickets/{tid}.json").json()["ticket"]["status"] == "solved",
                         timeout=20, what="the helpdesk to get the status")
        await live.until(lambda: tid in window.ticket_model.departed, timeout=20, what="the ticket to leave the queue")
        assert window.ticket_model.ticket_ids() == seen, "it stays where it was"
        assert window.ticket_model.is_departed(1) and not window.ticket_model.is_departed(0)
        assert window.ticket_model.cell_texts(1)[3] == "solved"
        assert f" · {len(seen) - 1} · as of " in window.list_header.text(), "the count is the queue's, now"
        assert window.ticket_list.current_ticket_id() == tid
        window.shortcut_actions["next_ticket"].trigger()
        assert window.ticket_list.current_ticket_id() == seen[2]
        assert window.queue_pane.select_key("unassigned")                      # leave the queue...
        await live.until(lambda: window.ticket_model.queue.key == "unassigned")
        assert window.queue_pane.select_key(key)                               # ...and come back
        await live.until(lambda: window.ticket_model.queue.key == key)
        assert tid not in window.ticket_model.ticket_ids()
        first = window.ticket_model.ticket_id_at(0)
        await live.until(lambda: window.ticket_pane.ticket_id == first and live.desk.ops.runner.busy == 0)

    live.run(scenario)


@pytest.mark.parametrize("rows", [8])
def test_scrolling_back_to_the_top_merges_what_is_new(qtbot, main_window, desk, rows):
    """Without the engine: a change written to the cache (as a sync would) is offered, not applied,
    until the agent scrolls back up to the top."""
    from tests.views.conftest import select_queue

    window = main_window
    window.resize(1366, 400)
    select_queue(qtbot, window, "unassigned")
    seen = window.ticket_model.ticket_ids()
    assert len(seen) > rows
    last = desk.reader.ticket(seen[-1])
    fresh = {k: v for k, v in last.items() if not k.startswith("_")}
    fresh.update(updated_at="2099-01-01T00:00:00Z", generated_timestamp=4_000_000_000)
    desk.ops.runner.write(lambda cache: cache.writer.upsert_tickets([fresh]))
    qtbot.waitUntil(lambda: window.list_header.banner.isVisible())
    assert window.list_header.banner.text() == "Order changed — show"
    assert window.ticket_model.ticket_ids() == seen
    bar = window.ticket_list.verticalScrollBar()
    assert bar.maximum() > 0, "the list scrolls at this size"
    bar.setValue(bar.maximum())
    bar.setValue(0)                                                             # back to the top
    assert window.ticket_model.ticket_ids()[0] == seen[-1]
    assert not window.list_header.banner.isVisible()


def test_resting_on_a_ticket_with_j_marks_it_seen_flipping_past_does_not(qtbot, main_window, desk):
    from console.ops.tickets import PREVIEW_SEEN_MS
    from tests.views.conftest import select_queue

    window = main_window
    select_queue(qtbot, window, "unassigned")
    ids = window.ticket_model.ticket_ids()
    assert not any(desk.reader.ticket(t)["_seen"] for t in ids[:3]), "the demo's tickets start unseen"
    window.ticket_list.setFocus()
    window.ticket_list.select_ticket(ids[0])
    window.shortcut_actions["next_ticket"].trigger()            # flip past quickly...
    passed = window.ticket_list.current_ticket_id()
    window.shortcut_actions["next_ticket"].trigger()
    rested = window.ticket_list.current_ticket_id()             # ...and rest on this one
    qtbot.wait(PREVIEW_SEEN_MS + 400)
    desk.settle(qtbot)
    assert desk.reader.ticket(rested)["_seen"]
    assert not desk.reader.ticket(passed)["_seen"], "only looked at for an instant"
    row = window.ticket_model.row_of(rested)
    assert not window.ticket_model.cell_texts(row)[0].startswith("●"), "no longer bold with a dot"


def test_the_agents_own_reply_does_not_make_the_ticket_unseen(live):
    window, text = live.window, "Done: the duplicate invoice is voided."

    async def scenario():
        key, _group = await _work_queue(live)()
        tid = window.ticket_model.ticket_id_at(0)
        window.open_ticket(tid)                                                 # opened: seen
        await live.until(lambda: window.reply_editor.ticket_id == tid and live.desk.reader.ticket(tid)["_seen"])
        before = live.desk.reader.ticket(tid)["updated_at"]
        window.reply_editor.text_edit.setPlainText(text)
        window.reply_editor.send()
        await live.until(lambda: comments_with(live.server, tid, text) == 1, timeout=20)
        await live.until(lambda: live.desk.reader.ticket(tid)["updated_at"] != before, what="the answer cached")
        live.engine.request_sync()                                              # and a pull after it
        await live.until(lambda: not live.engine.status.syncing)
        await live.until(lambda: live.desk.ops.runner.busy == 0)
        assert live.desk.reader.ticket(tid)["_seen"], "still seen: the change was hers"
        row = window.ticket_model.row_of(tid)
        assert not window.ticket_model.cell_texts(row)[0].startswith("●")
        await asyncio.sleep(1.0)                                                # the round's tail ends here

    live.run(scenario)
