"""Incremental exports: cursor paging and resumption, deletions, the export delay, time-based, events."""

from __future__ import annotations

import time

import requests


def _wait_next_second():
    time.sleep(1.05)


def _drain(helpdesk, url):
    ids, last = [], None
    while True:
        page = requests.get(url, auth=helpdesk.admin_auth, timeout=10).json()
        ids += [t["id"] for t in page["tickets"]]
        last = page
        if page["end_of_stream"]:
            return ids, last
        url = page["after_url"]
        assert url.startswith(helpdesk.url)


def test_cursor_export_pages_to_the_end_and_resumes(helpdesk):
    ids = [helpdesk.create_ticket(subject=f"n{i}")["id"] for i in range(5)]
    _wait_next_second()
    seen, last = _drain(helpdesk, helpdesk.api("incremental/tickets/cursor.json?start_time=0&per_page=2"))
    assert seen == ids and last["end_of_stream"] is True

    # nothing new: the saved cursor gives an empty, finished page
    again = helpdesk.get(f"incremental/tickets/cursor.json?cursor={last['after_cursor']}").json()
    assert again["tickets"] == [] and again["end_of_stream"] is True

    helpdesk.put(f"tickets/{ids[1]}", json={"ticket": {"status": "open"}})
    assert helpdesk.delete(f"tickets/{ids[3]}").status_code == 204
    _wait_next_second()
    resumed = helpdesk.get(f"incremental/tickets/cursor.json?cursor={last['after_cursor']}"
                           "&include=users").json()
    by_id = {t["id"]: t for t in resumed["tickets"]}
    assert set(by_id) == {ids[1], ids[3]}
    assert by_id[ids[1]]["status"] == "open" and by_id[ids[3]]["status"] == "deleted"
    assert all("generated_timestamp" in t for t in resumed["tickets"])
    assert resumed["users"] and resumed["end_of_stream"] is True

    bad = helpdesk.get("incremental/tickets/cursor.json?cursor=garbage")
    assert bad.status_code == 400 and bad.json()["error"] == "InvalidValue"
    future = helpdesk.get(f"incremental/tickets/cursor.json?start_time={int(time.time()) + 600}")
    assert future.status_code == 400 and future.json()["error"] == "InvalidValue"


def test_export_delay_leaves_out_recent_changes(tmp_path):
    from tests.helpdesk import Helpdesk

    server = Helpdesk(tmp_path / "delay.sqlite", "--export-delay", "2").start()
    try:
        ticket = server.create_ticket(subject="fresh")
        start = int(time.time()) - 10
        early = server.get(f"incremental/tickets/cursor.json?start_time={start}").json()
        assert early["tickets"] == [] and early["end_of_stream"] is True
        too_recent = server.get(f"incremental/tickets/cursor.json?start_time={int(time.time())}")
        assert too_recent.status_code == 400
        time.sleep(3.1)
        later = server.get(f"incremental/tickets/cursor.json?cursor={early['after_cursor']}").json()
        assert [t["id"] for t in later["tickets"]] == [ticket["id"]]
    finally:
        server.stop()


def test_time_based_export_and_users_export(helpdesk):
    ids = [helpdesk.create_ticket()["id"] for _ in range(3)]
    _wait_next_second()
    page = helpdesk.get("incremental/tickets.json?start_time=0").json()
    assert [t["id"] for t in page["tickets"]] == ids and page["end_of_stream"] is True
    assert page["count"] == 3 and page["next_page"].startswith(helpdesk.url)
    small = helpdesk.get("incremental/tickets.json?start_time=0&per_page=1").json()
    # all three share a second: a page never splits one timestamp
    assert {t["id"] for t in small["tickets"]} >= {ids[0]}
    assert small["end_time"] > min(t["generated_timestamp"] for t in small["tickets"])

    users = helpdesk.get("incremental/users/cursor.json?start_time=0").json()
    assert any(u["email"] == helpdesk.admin_email for u in users["users"])
    assert users["end_of_stream"] is True and users["after_url"].startswith(helpdesk.url)


def test_ticket_events_carry_full_comments(helpdesk):
    up = requests.post(helpdesk.api("uploads.json?filename=note.txt"), data=b"hello file",
                       headers={"Content-Type": "text/plain"}, auth=helpdesk.admin_auth, timeout=10)
    token = up.json()["upload"]["token"]
    tid = helpdesk.create_ticket(comment={"body": "first", "uploads": [token]})["id"]
    helpdesk.put(f"tickets/{tid}", json={"ticket": {"status": "open", "comment": {"body": "second"}}})
    helpdesk.wait_exportable()  # an update in its ticket's creation second is stamped one second later
    events = helpdesk.get("incremental/ticket_events.json?start_time=0&include=comment_events").json()
    mine = [e for e in events["ticket_events"] if e["ticket_id"] == tid]
    assert [e["timestamp"] for e in mine] == sorted(e["timestamp"] for e in mine)
    comments = [c for e in mine for c in e["child_events"] if c["event_type"] == "Comment"]
    assert [c["body"] for c in comments] == ["first", "second"]
    assert comments[0]["attachments"][0]["file_name"] == "note.txt"
    assert events["end_of_stream"] is True
    plain = helpdesk.get("incremental/ticket_events.json?start_time=0").json()["ticket_events"]
    assert all("comment_present" in e for e in plain)


def test_exports_are_admin_only(helpdesk):
    helpdesk.add_user("Alex Agent", "alex@example.org", "agent", token="agent-token")
    r = requests.get(helpdesk.api("incremental/tickets/cursor.json?start_time=0"),
                     auth=("alex@example.org/token", "agent-token"), timeout=10)
    assert r.status_code == 403 and r.json()["error"] == "Forbidden"
