"""Canned replies (macros) and queues (views) in the seeded workspace."""

from __future__ import annotations

import json
import re

import pytest
from liquid import Environment

from console.demo.catalog import canned_reply_definitions
from console.demo.data import load
from console.domain.fragments import fragment_name, fragments_from_macros, render_with_fragments

FAQ_TOPICS = {"login", "password_reset", "email_change", "username", "trial", "screen_recording",
              "merchant_customer", "security_question", "language", "currency", "profile_save", "experts",
              "reinstatement", "cancellation", "refund", "freeze", "invoices", "credit_card", "payment_methods",
              "sales_tax"}
REQUIRED_PLACEHOLDERS = ("ticket.requester.first_name", "ticket.requester.custom_fields.username",
                         "ticket.requester.custom_fields.next_invoice_date",
                         "ticket.requester.custom_fields.currency", "current_user.first_name", "ticket.id")
CUSTOMER = {"first_name": "Lucía", "name": "Lucía Romero", "email": "lucia@example.org",
            "custom_fields": {"account_email": "lucia@example.org", "username": "luciayoga", "plan": "pro_monthly",
                              "account_status": "active", "purchase_date": "2026-11-13T00:00:00Z",
                              "next_invoice_date": "2026-12-13T00:00:00Z", "currency": "eur",
                              "checkout_language_mode": "fixed", "checkout_language": "Spanish",
                              "custom_domain": None, "security_question_set": True, "affiliate_status": "none"}}


def macros(db) -> list[dict]:
    rows = [dict(r) for r in db.execute("SELECT * FROM macros ORDER BY position")]
    for row in rows:
        row["actions"] = {a["field"]: a["value"] for a in json.loads(row["actions"])}
        row["restriction"] = json.loads(row["restriction"]) if row["restriction"] else None
    return rows


def api_macros(db) -> list[dict]:
    """The macros as the API (and the cache) hold them: actions as a list."""
    return [{**m, "actions": [{"field": k, "value": v} for k, v in m["actions"].items()]} for m in macros(db)]


def test_every_faq_topic_has_a_canned_reply(db):
    definitions = canned_reply_definitions()
    english = [d for d in load("canned_replies")["canned_replies"] if not d.get("fragment")]
    assert len(macros(db)) == len(definitions) and len(english) >= 25
    assert {d["topic"] for d in english} >= FAQ_TOPICS
    titles = {m["title"] for m in macros(db)}
    assert all(re.fullmatch(r"[^:]+::[^:]+", t) for t in titles)
    assert {d["title"] for d in definitions} == titles


def test_macros_use_the_account_placeholders(db):
    text = " ".join(m["actions"]["comment_value"] for m in macros(db))
    for path in REQUIRED_PLACEHOLDERS:
        assert re.search(r"\{\{\s*" + re.escape(path) + r"\s*[|}]", text), path


@pytest.mark.parametrize("requester", [CUSTOMER, {"first_name": None, "custom_fields": {}}])
def test_macro_bodies_are_valid_liquid(db, requester):
    """Every body renders (its fragments through the console's loader), greeting and signature in its language."""
    greetings = {"en": "Hi Lucía,", "de": "Hallo Lucía,", "fr": "Bonjour Lucía,", "es": "Hola, Lucía:",
                 "pt": "Olá, Lucía!", "nl": "Hallo Lucía,"}
    context = {"ticket": {"id": 42, "requester": requester}, "current_user": {"first_name": "Alex", "name": "Alex Agent"}}
    fragments = fragments_from_macros(api_macros(db))
    for macro in macros(db):
        rendered = render_with_fragments(macro["actions"]["comment_value"], context, fragments)
        assert "{{" not in rendered and "{%" not in rendered
        language = macro["title"][-3:-1] if macro["title"].endswith("]") else "en"
        if requester is CUSTOMER and macro["actions"]["comment_mode_is_public"] == "true":
            assert rendered.startswith(greetings[language]) and rendered.rstrip().endswith("Alex"), macro["title"]


def test_date_placeholders_render_human_dates(db):
    env = Environment()
    short_notice = next(m for m in macros(db) if m["title"] == "Billing::Cancellation — less than 10 days notice")
    text = env.from_string(short_notice["actions"]["comment_value"]).render(
        ticket={"requester": CUSTOMER}, current_user={"first_name": "Alex"})
    assert "December 13, 2026" in text


def test_macro_actions_are_valid(db):
    groups = {r["name"]: r["id"] for r in db.execute("SELECT id, name FROM groups")}
    definitions = {d["title"]: d for d in canned_reply_definitions()}
    for macro in macros(db):
        actions, definition = macro["actions"], definitions[macro["title"]]
        assert actions.get("status") in (None, "open", "pending", "hold", "solved")
        assert actions["comment_mode_is_public"] in ("true", "false")
        if "group_id" in actions:
            assert int(actions["group_id"]) in groups.values()
        department = definition["department"]
        if department:
            assert macro["restriction"] == {"type": "Group", "id": groups[department], "ids": [groups[department]]}
            assert macro["title"].startswith(department + "::")
        else:
            assert macro["restriction"] is None
    fields = {f for m in macros(db) for f in m["actions"]}
    assert {"group_id", "status", "set_tags", "current_tags", "comment_mode_is_public", "assignee_id"} <= fields
    assert any(m["actions"]["comment_mode_is_public"] == "false" for m in macros(db))


def test_views_are_department_queues_plus_unassigned_and_mine(db):
    groups = {r["name"]: r["id"] for r in db.execute("SELECT id, name FROM groups")}
    views = {r["title"]: json.loads(r["conditions"]) for r in db.execute("SELECT * FROM views")}
    unsolved = {"field": "status", "operator": "less_than", "value": "solved"}
    assert len(views) == 6
    for name, gid in groups.items():
        assert views[f"{name} — unsolved"] == {
            "all": [unsolved, {"field": "group_id", "operator": "is", "value": str(gid)}], "any": []}
    assert views["Unassigned"]["all"] == [{"field": "assignee_id", "operator": "is", "value": ""}, unsolved]
    assert views["My tickets"]["all"] == [{"field": "assignee_id", "operator": "is", "value": "current_user"},
                                          unsolved]


TRANSLATED = ("Affiliate Program::Commission payout question", "Affiliate Program::Application received",
              "Billing::Sales tax", "Billing::Refund within the 30-day guarantee", "Billing::Refund outside the guarantee",
              "Billing::Invoices", "Billing::Freeze instead of cancel", "Billing::Update the credit card",
              "Billing::Cancellation — how to cancel yourself", "Technical Support::Password reset")


def test_ten_replies_in_five_languages_each_written_in_its_language(db):
    from console.domain.languages import detect_language
    from console.domain.policy_guard import parse_assumptions

    rows = {m["title"]: m for m in macros(db)}
    fragments = fragments_from_macros(api_macros(db))
    context = {"ticket": {"id": 42, "requester": CUSTOMER}, "current_user": {"first_name": "Alex"}}
    for title in TRANSLATED:
        english = rows[title]
        for language in ("de", "fr", "es", "pt", "nl"):
            macro = rows[f"{title} [{language}]"]
            assert macro["restriction"] == english["restriction"]
            assert {k: v for k, v in macro["actions"].items() if k != "comment_value"} == \
                {k: v for k, v in english["actions"].items() if k != "comment_value"}
            text = render_with_fragments(macro["actions"]["comment_value"], context, fragments)
            assert detect_language(text) == language, (title, language, text)
            assert parse_assumptions(macro["description"])[0] == parse_assumptions(english["description"])[0]


def test_fragments_are_inactive_and_never_offered_alone(db):
    found = [m for m in macros(db) if fragment_name(m["title"])]
    assert {m["title"] for m in found} >= {"Fragment::Refund terms", "Fragment::Cancellation rule"}
    assert all(m["active"] == 0 and m["restriction"] is None for m in found)
    assert all(m["actions"]["comment_mode_is_public"] == "false" and set(m["actions"]) == {
        "comment_value", "comment_mode_is_public"} for m in found)


def test_every_assumes_line_is_in_the_vocabulary(db):
    from console.domain.policy_guard import parse_assumptions

    stated = [m for m in macros(db) if "Assumes:" in m["description"]]
    assert len(stated) >= 10
    assert all(parse_assumptions(m["description"])[1] == () for m in stated)


@pytest.mark.parametrize("days, invoice", [(12, 20), (30, 20), (31, 20), (70, 4), (200, 10), (200, 9)])
def test_refund_and_cancellation_replies_are_right_on_either_side_of_the_window(db, days, invoice):
    """Whatever the window, the text never promises what the badges contradict (in any language)."""
    from datetime import UTC, datetime, timedelta

    from console.domain.placeholders import ticket_context
    from console.domain.policies import policy_badges
    from console.domain.policy_guard import contradicted_promises

    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    fields = dict(CUSTOMER["custom_fields"], purchase_date=f"{(now - timedelta(days=days)).date()}T00:00:00Z",
                  next_invoice_date=f"{(now + timedelta(days=invoice)).date()}T00:00:00Z")
    requester = {"id": 5, "name": "Lucía Romero", "email": fields["account_email"], "user_fields": fields}
    ticket = {"id": 42, "subject": "Refund and cancel", "description": "Please refund and cancel my subscription."}
    context = ticket_context(ticket, requester, None, {"first_name": "Alex"}, None, [], now=now)
    badges = policy_badges(ticket, requester, "Billing", [], now=now)
    fragments = fragments_from_macros(api_macros(db))
    checked = 0
    for macro in macros(db):
        if macro["title"].startswith(("Billing::Refund", "Billing::Cancellation")):
            text = render_with_fragments(macro["actions"]["comment_value"], context, fragments)
            assert contradicted_promises(text, badges, True) == [], (macro["title"], text)
            checked += 1
    assert checked >= 20
