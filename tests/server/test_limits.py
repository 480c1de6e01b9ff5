"""Zendesk's size limits, answered clearly and cheaply (item 10): nothing stored past them."""

from __future__ import annotations

import time

import requests

from console.server.errors import MAX_JSON_BYTES
from console.server.ticket_ops import MAX_COMMENT_BYTES


def _comments(helpdesk, ticket_id: int) -> int:
    return helpdesk.db_connection().execute("SELECT count(*) FROM comments WHERE ticket_id = ?",
                                            (ticket_id,)).fetchone()[0]


def test_a_30_mb_comment_is_a_413_and_a_long_one_a_422(helpdesk):
    ticket = helpdesk.create_ticket(subject="Limits")
    huge = "x" * (30 * 1024 * 1024)
    started = time.monotonic()
    r = helpdesk.put(f"tickets/{ticket['id']}.json", json={"ticket": {"comment": {"body": huge}}})
    assert r.status_code == 413 and r.json()["error"] == "RequestTooLarge", r.text[:200]
    assert time.monotonic() - started < 10
    long = helpdesk.put(f"tickets/{ticket['id']}.json",
                        json={"ticket": {"comment": {"html_body": "<p>" + "é" * MAX_COMMENT_BYTES + "</p>"}}})
    assert long.status_code == 422 and long.json()["details"]["comment"][0]["error"] == "TooLong"
    created = helpdesk.post("tickets.json", json={"ticket": {"subject": "big", "comment": {"body": "y" * 70_000}}})
    assert created.status_code == 422
    assert _comments(helpdesk, ticket["id"]) == 1 and helpdesk.get("tickets.json").json()["count"] == 1
    fits = helpdesk.put(f"tickets/{ticket['id']}.json", json={"ticket": {"comment": {"body": "z" * 60_000}}})
    assert fits.status_code == 200 and _comments(helpdesk, ticket["id"]) == 2
    assert MAX_JSON_BYTES >= 4 * MAX_COMMENT_BYTES  # a legal comment always fits a request


def test_an_upload_over_50_mb_is_refused_before_it_is_read(helpdesk):
    def endless():
        for _ in range(60):
            yield b"\0" * (1024 * 1024)

    r = requests.post(helpdesk.api("uploads.json?filename=big.bin"), data=endless(), auth=helpdesk.admin_auth,
                      headers={"Content-Type": "application/octet-stream"}, timeout=60)
    assert r.status_code == 413 and r.json()["error"] == "RequestTooLarge"
    assert helpdesk.db_connection().execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
