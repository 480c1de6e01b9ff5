"""Fields a real account carries, shown through the real main window on the demo agent's synced cache:
each message's channel, the ticket's satisfaction rating, the customer's local time and language."""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo

from tests.views.conftest import open_ticket


def rated_ticket(demo_helpdesk, score: str, reader=None) -> dict:
    """A ticket the helpdesk holds with this rating (whose thread the cache has, given ``reader``)."""
    conn = demo_helpdesk.db_connection()
    try:
        ids = [r["id"] for r in conn.execute("SELECT id FROM tickets WHERE json_extract(satisfaction_rating, "
                                             "'$.score') = ? ORDER BY id", (score,))]
    finally:
        conn.close()
    found = next(i for i in ids if reader is None or reader.comments_for_ticket(i))
    return demo_helpdesk.get(f"tickets/{found}.json").json()["ticket"]


def test_the_pane_shows_the_rating_each_messages_channel_and_the_customers_local_time(qtbot, main_window, desk,
                                                                                       demo_helpdesk):
    window = main_window
    ticket = rated_ticket(demo_helpdesk, "good", desk.reader)
    open_ticket(qtbot, window, ticket["id"])
    meta = window.ticket_pane.meta.text()
    assert "Rated good: “Quick and kind, thanks”" in meta, meta
    comments = demo_helpdesk.get(f"tickets/{ticket['id']}/comments.json").json()["comments"]
    channels = {c["via"]["channel"] for c in comments}
    thread = window.ticket_pane.thread.toPlainText()
    for channel in channels:
        assert f"via {channel}" in thread, (channel, thread[:400])
    assert thread.count("· via ") == len(comments)

    requester = demo_helpdesk.get(f"users/{ticket['requester_id']}.json").json()["user"]
    shown = window.account_pane.requester_label.text()
    zone = requester["iana_time_zone"]
    assert f"local time ({zone})" in shown, shown
    assert {"de": "German", "fr": "French", "en-US": "English (United States)", "en-GB": "English (United Kingdom)",
            "pt-BR": "Portuguese (Brazil)"}[requester["locale"]] in shown
    hour = shown.split(" local time")[0][-5:]
    from datetime import UTC, datetime
    now_there = datetime.now(UTC).astimezone(ZoneInfo(zone))
    assert abs(int(hour[:2]) * 60 + int(hour[3:]) - (now_there.hour * 60 + now_there.minute)) % (24 * 60) <= 2


def test_a_bad_rating_and_a_survey_without_answer_read_as_such(qtbot, main_window, demo_helpdesk):
    window = main_window
    bad = rated_ticket(demo_helpdesk, "bad")
    open_ticket(qtbot, window, bad["id"])
    assert "Rated bad: “Took three days to get an answer”" in window.ticket_pane.meta.text()
    offered = rated_ticket(demo_helpdesk, "offered")
    open_ticket(qtbot, window, offered["id"])
    assert "survey sent, no answer yet" in window.ticket_pane.meta.text()


def test_the_dashboard_shows_csat_per_department_as_the_helpdesk_rated(qtbot, main_window, demo_helpdesk):
    window = main_window
    window.pages.show_dashboard()
    qtbot.waitUntil(lambda: bool(window.pages.dashboard.tiles), timeout=10_000)
    conn = demo_helpdesk.db_connection()
    try:
        since = time.time() - 15 * 86400   # the dashboard's 14 chart days, with its margin
        rows = conn.execute("SELECT g.name, json_extract(t.satisfaction_rating, '$.score') FROM tickets t "
                            "JOIN groups g ON g.id = t.group_id WHERE t.deleted = 0 AND t.status IN ('solved', "
                            "'closed') AND t.updated_ts >= ?", (since,)).fetchall()
    finally:
        conn.close()
    by_department: dict[str, list[str]] = {}
    for name, score in rows:
        by_department.setdefault(name, []).append(score)
    shown = {tile.stats.name: tile.values["CSAT"].text() for tile in window.pages.dashboard.tiles}
    checked = 0
    for name, scores in by_department.items():
        good, bad = scores.count("good"), scores.count("bad")
        if good + bad and name in shown:
            assert shown[name] == f"{good / (good + bad):.0%} ({good + bad} rated)", (name, shown)
            checked += 1
    assert checked, (by_department, shown)
