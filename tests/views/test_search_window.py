"""Search through the real window on the synced demo cache: the helpdesk's syntax offline.

Each form is checked against the cache itself (no expected lists written down) and, for the
field syntax, against what the embedded helpdesk's own search answers for the same text.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt

from console.domain.search_syntax import time_window
from console.server.search_query import search as helpdesk_search
from console.views.search import NO_MATCHES


def _search(qtbot, window, text: str) -> list:
    box = window.search_box
    box.search_edit.setText(text)
    with qtbot.waitSignal(box.searched, timeout=5000):
        box.run_now()
    return box.model.hits()


def _ticket_ids(hits) -> list[int]:
    return [h.id for h in hits if h.kind == "ticket"]


def _unsolved_some(desk) -> list[dict]:
    from console.store import QueueSpec
    return [desk.reader.ticket(t) for t in desk.reader.ticket_ids_for_queue(QueueSpec())]


@pytest.mark.parametrize("form", ["{id}", "#{id}"])
def test_a_number_finds_that_ticket_first_and_enter_opens_it(qtbot, main_window, desk, form):
    window = main_window
    tid = window.ticket_model.ticket_id_at(3)
    window.search_box.focus_search()
    hits = _search(qtbot, window, form.format(id=tid))
    assert hits[0].kind == "ticket" and hits[0].id == tid
    assert window.search_box.popup.isVisible()
    qtbot.keyClick(window.search_box.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == tid)
    assert not window.search_box.popup.isVisible(), "choosing a result closes the popup"


def test_field_terms_filter_like_the_helpdesk_search(qtbot, main_window, desk):
    window = main_window
    tickets = _unsolved_some(desk)
    pending = [t["id"] for t in tickets if t["status"] == "pending"]
    assert pending, "the demo has pending tickets"
    assert sorted(_ticket_ids(_search(qtbot, window, "status:pending"))) == sorted(pending[:50])
    assert {h.kind for h in window.search_box.model.hits()} == {"ticket"}

    someone = next(t for t in tickets if t["requester_id"])
    requester = desk.reader.user(someone["requester_id"])
    expected = sorted(t["id"] for t in tickets if t["requester_id"] == requester["id"])
    assert sorted(_ticket_ids(_search(qtbot, window, f"requester:{requester['email']}"))) == expected

    billing = next(g for g in desk.reader.groups() if g["name"] == "Billing")
    in_billing = {t["id"] for t in tickets if t["group_id"] == billing["id"] and t["status"] == "open"}
    found = _ticket_ids(_search(qtbot, window, "group:Billing status:open"))
    assert in_billing and set(found) == in_billing

    mine = {t["id"] for t in tickets if t["assignee_id"] == desk.me}
    assert mine and set(_ticket_ids(_search(qtbot, window, "assignee:me"))) == set(list(mine)) or len(mine) > 50

    tagged = next(t for t in tickets if t["tags"])
    tag = tagged["tags"][0]
    with_tag = {t["id"] for t in tickets if tag in t["tags"]}
    assert set(_ticket_ids(_search(qtbot, window, f"tags:{tag}"))) == with_tag or len(with_tag) > 50

    days = sorted({t["created_at"][:10] for t in tickets if t["created_at"]})
    day = days[len(days) // 2]
    start, end = time_window(day)
    after = {t["id"] for t in tickets
             if datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")).timestamp() >= end}
    found = set(_ticket_ids(_search(qtbot, window, f"created>{day}")))
    assert found == after or (len(after) > 50 and found <= after)
    assert not window.search_box.message_label.text()


def test_the_same_text_finds_the_same_tickets_offline_as_on_the_helpdesk(qtbot, main_window, desk, demo_helpdesk):
    """One tokenizer, one reading: the helpdesk's search over its own database agrees with the cache
    (on the tickets the cache holds)."""
    window = main_window
    cached = {t["id"] for t in _unsolved_some(desk)}
    conn = demo_helpdesk.db_connection()
    try:
        for text in ("status:pending", "status<solved priority>=high", "group:Billing -status:new",
                     "assignee:none status:open"):
            offline = set(_ticket_ids(_search(qtbot, window, text)))
            rows, _total = helpdesk_search(conn, text, current_user_id=desk.me, limit=1000)
            online = {i for kind, i in rows if kind == "ticket"} & cached
            assert online, text
            assert offline == online or (len(online) > 50 and offline <= online), text
    finally:
        conn.close()


def test_unknown_fields_and_no_matches_say_so_and_clear_stale_results(qtbot, main_window):
    window = main_window
    box = window.search_box
    assert _search(qtbot, window, "refund")
    assert _search(qtbot, window, "colour:red") == []
    assert box.message_label.text().startswith("Unknown field 'colour'")
    assert box.popup.isVisible() and box.message_label.isVisible()
    assert _search(qtbot, window, "zzqxnothingatall") == []
    assert box.message_label.text() == NO_MATCHES
    assert _search(qtbot, window, "status:bogus") == []
    assert "Unknown status 'bogus'" in box.message_label.text()


def test_a_customer_result_lists_the_customers_tickets(qtbot, main_window, desk):
    window = main_window
    ticket = _unsolved_some(desk)[0]
    customer = desk.reader.user(ticket["requester_id"])
    hits = _search(qtbot, window, customer["name"])
    at = next(i for i, h in enumerate(hits) if h.kind == "customer" and h.id == customer["id"])
    listed = []
    for hit in hits[at + 1:]:
        if hit.kind != "customer_ticket":
            break
        listed.append(hit.ticket_id)
    theirs = [t["id"] for t in desk.reader.requester_tickets(customer["id"], limit=50)]
    assert ticket["id"] in theirs and listed and set(listed) <= set(theirs)
    box = window.search_box
    index = next(ix for ix in box._hit_rows() if box.model.hit(ix).kind == "customer_ticket"
                 and box.model.hit(ix).ticket_id == listed[0])
    assert "↳" in index.data()
    box.results.clicked.emit(index)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == listed[0])


def test_results_pop_up_over_the_panes_and_escape_closes_them(qtbot, main_window):
    window = main_window
    window.resize(1366, 768)
    qtbot.wait(50)
    before = window.main_split.geometry()
    assert _search(qtbot, window, "refund")
    popup = window.search_box.popup
    assert popup.isVisible() and popup.parentWidget() is window
    assert window.main_split.geometry() == before, "the panes are not pushed down"
    assert popup.geometry().intersects(window.main_split.geometry()), "it lies over the workspace"
    window.search_box.search_edit.setFocus()
    qtbot.keyClick(window.search_box.search_edit, Qt.Key.Key_Escape)
    assert not popup.isVisible() and window.search_box.search_edit.text() == ""


def test_a_canned_reply_chosen_in_search_goes_into_the_open_tickets_editor(qtbot, main_window, desk):
    window = main_window
    tid = window.ticket_model.ticket_id_at(0)
    window.open_ticket(tid)
    qtbot.waitUntil(lambda: window.reply_editor.ticket_id == tid and window.shown_ticket.details is not None)
    editor = window.reply_editor
    assert editor.body() == ""
    macro = next(m for m in desk.reader.all_macros() if m.get("active", True) and "::" in m["title"])
    hits = _search(qtbot, window, macro["title"].split("::")[-1])   # "Login help", as the picker shows it
    row = next(ix for ix in window.search_box._hit_rows() if window.search_box.model.hit(ix).kind == "canned_reply"
               and window.search_box.model.hit(ix).id == macro["id"])
    window.search_box.results.setCurrentIndex(row)
    qtbot.keyClick(window.search_box.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.body() != "", timeout=5000)
    assert window.side_tabs.currentWidget() is window.canned_picker
    assert editor.ticket_id == tid and hits
