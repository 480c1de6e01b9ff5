"""Every scenario ticket exists, comes first, and carries the facts its policy rule needs."""

from __future__ import annotations

import json
import re
import zlib

import pytest

from console.demo.data import load
from console.server.db import parse_iso
from tests.demo.seed_helpers import ANCHOR, DAY, user

SCENARIOS = [s["name"] for s in load("scenarios")["scenarios"]]


def scenario(conn, name: str) -> dict:
    row = conn.execute("SELECT * FROM tickets WHERE external_id = ?", (f"demo:{name}",)).fetchone()
    assert row is not None, f"scenario {name} missing"
    ticket = dict(row)
    ticket["requester"] = user(conn, ticket["requester_id"])
    ticket["group"] = conn.execute("SELECT name FROM groups WHERE id = ?", (ticket["group_id"],)).fetchone()[0]
    ticket["comments"] = [dict(r) for r in conn.execute(
        "SELECT * FROM comments WHERE ticket_id = ? ORDER BY created_ts, id", (ticket["id"],))]
    return ticket


def days_from_anchor(iso_text: str) -> float:
    return (parse_iso(iso_text) - ANCHOR) / DAY


def sender_is_account(ticket) -> bool:
    fields = ticket["requester"]["user_fields"]
    return ticket["requester"]["email"].strip().lower() == (fields["account_email"] or "").strip().lower()


def test_scenarios_have_the_lowest_ids(db):
    names = [r[0] for r in db.execute("SELECT external_id FROM tickets ORDER BY id LIMIT ?", (len(SCENARIOS),))]
    assert names == [f"demo:{n}" for n in SCENARIOS]
    assert len(SCENARIOS) >= 20


def test_sender_verification(db):
    verified, unverified = scenario(db, "verified_sender"), scenario(db, "unverified_sender")
    assert verified["group"] == unverified["group"] == "Billing"
    assert sender_is_account(verified)
    assert not sender_is_account(unverified)
    via = json.loads(unverified["comments"][0]["via"])
    assert via["channel"] == "email"
    assert via["source"]["from"]["address"] == unverified["requester"]["email"]


def test_refund_windows(db):
    inside = scenario(db, "refund_inside_window")["requester"]["user_fields"]
    outside = scenario(db, "refund_outside_window")["requester"]["user_fields"]
    assert -30 < days_from_anchor(inside["purchase_date"]) <= -10
    assert days_from_anchor(outside["purchase_date"]) < -60
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", inside["purchase_date"])


def test_cancellation_notice(db):
    short = scenario(db, "cancel_short_notice")
    enough = scenario(db, "cancel_enough_notice")
    assert 0 < days_from_anchor(short["requester"]["user_fields"]["next_invoice_date"]) < 10
    assert days_from_anchor(enough["requester"]["user_fields"]["next_invoice_date"]) >= 10
    assert short["group"] == enough["group"] == "Billing"
    assert "cancel" in short["description"].lower()


@pytest.mark.parametrize(("name", "from_account", "right_subject", "department"), [
    ("security_reset_ok", True, True, "Technical Support"),
    ("security_reset_wrong_sender", False, True, "Technical Support"),
    ("security_reset_wrong_subject", True, False, "Technical Support"),
    ("security_reset_wrong_department", True, True, "Billing"),
])
def test_security_question_resets(db, name, from_account, right_subject, department):
    ticket = scenario(db, name)
    assert sender_is_account(ticket) is from_account
    assert (ticket["subject"] == "Reset my Security Question") is right_subject
    assert ticket["group"] == department


def test_merchant_customer_has_no_account(db):
    ticket = scenario(db, "merchant_customer")
    fields = ticket["requester"]["user_fields"]
    assert fields and all(value is None for value in fields.values())
    assert "logo" in ticket["description"]


def test_inactive_account(db):
    ticket = scenario(db, "inactive_account")
    fields = ticket["requester"]["user_fields"]
    assert fields["account_status"] == "inactive"
    assert fields["next_invoice_date"] is None
    assert "This account is not active" in ticket["description"]


def test_username_change_and_trial_and_affiliate(db):
    username = scenario(db, "username_change")["requester"]["user_fields"]["username"]
    assert re.fullmatch(r"[a-z0-9]+", username)
    trial = scenario(db, "trial_question")
    assert trial["group"] == "Ask Before Buying" and "$1 trial" in trial["description"]
    affiliate = scenario(db, "affiliate_application")
    assert affiliate["group"] == "Affiliate Program"
    assert affiliate["requester"]["user_fields"]["affiliate_status"] == "applicant"


def test_long_thread(db):
    comments = scenario(db, "long_thread")["comments"]
    assert len(comments) >= 40
    assert any(not c["public"] for c in comments)
    authors = {c["author_id"] for c in comments}
    assert len(authors) == 2


def test_html_rich(db):
    html_body = scenario(db, "html_rich")["comments"][0]["html_body"]
    for needle in ('<img src="https://tracker.example/pixel.gif"', "<script>", "<table", '<a href="https://'):
        assert needle in html_body


def test_right_to_left_and_non_latin_text(db):
    rtl = scenario(db, "rtl_text")["description"]
    assert re.search(r"[\u0600-\u06ff]", rtl) and re.search(r"[\u0590-\u05ff]", rtl)
    text = scenario(db, "non_latin")["description"]
    for script in (r"[\u3040-\u30ff]", r"[\u0400-\u04ff]", r"[\u0370-\u03ff]"):
        assert re.search(script, text)


def test_attachments_are_small_valid_files(db):
    ticket = scenario(db, "with_attachments")
    rows = db.execute("SELECT a.* FROM attachments a JOIN comments c ON c.id = a.comment_id "
                      "WHERE c.ticket_id = ? ORDER BY a.id", (ticket["id"],)).fetchall()
    by_type = {r["content_type"]: r for r in rows}
    assert set(by_type) == {"application/pdf", "image/png"}
    for row in rows:
        assert row["size"] == len(row["content"]) < 4096
        assert re.fullmatch(r"[0-9a-f]{32}", row["content_token"])
    pdf = by_type["application/pdf"]["content"]
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    xref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[xref:xref + 4] == b"xref"
    png = by_type["image/png"]["content"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    idat = png.index(b"IDAT")
    length = int.from_bytes(png[idat - 4:idat], "big")
    assert zlib.decompress(png[idat + 4:idat + 4 + length])
