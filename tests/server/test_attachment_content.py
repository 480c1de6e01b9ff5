"""Attachment content is a download, never a page from the API's own origin (item 9)."""

from __future__ import annotations

import pytest
import requests

CASES = [
    ("page.html", "text/html", b"<script>alert(document.cookie)</script>", "application/octet-stream"),
    ("logo.svg", "image/svg+xml", b"<svg onload='alert(1)'/>", "application/octet-stream"),
    ("feed.xml", "application/xhtml+xml; charset=utf-8", b"<x/>", "application/octet-stream"),
    ("odd", "text/html\r\nX-Evil: 1", b"hi", "application/octet-stream"),
    ("notes.txt", "text/plain", b"plain words", "text/plain"),
    ("photo.png", "image/png", b"\x89PNG....", "image/png"),
]


@pytest.mark.parametrize(("name", "ctype", "content", "served"), CASES, ids=[c[0] for c in CASES])
def test_uploaded_files_are_served_as_downloads(helpdesk, name, ctype, content, served):
    up = requests.post(helpdesk.api(f"uploads.json?filename={name}"), data=content, auth=helpdesk.admin_auth,
                       headers={"Content-Type": ctype.replace("\r\n", " ")}, timeout=10)
    assert up.status_code == 201, up.text
    got = requests.get(up.json()["upload"]["attachment"]["content_url"], timeout=10)
    assert got.status_code == 200 and got.content == content
    assert got.headers["Content-Type"].split(";")[0] == served
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]


def test_odd_file_names_are_refused_or_served_without_breaking_the_headers(helpdesk):
    for name in ("über ü.txt", 'say "hi".txt', "a;b=c.txt", "x" * 255):
        up = requests.post(helpdesk.api("uploads.json"), params={"filename": name}, data=b"x",
                           auth=helpdesk.admin_auth, timeout=10)
        assert up.status_code == 201, (name, up.text)
        got = requests.get(up.json()["upload"]["attachment"]["content_url"], timeout=10)
        assert got.status_code == 200 and got.headers["Content-Disposition"].startswith("attachment;")
    for name in ("line\r\nbreak.txt", "nul\x00.txt", "x" * 256, "tab\there"):
        up = requests.post(helpdesk.api("uploads.json"), params={"filename": name}, data=b"x",
                           auth=helpdesk.admin_auth, timeout=10)
        assert up.status_code == 422 and up.json()["error"] == "RecordInvalid", name
    assert helpdesk.db_connection().execute("SELECT count(*) FROM attachments").fetchone()[0] == 4
