"""Canned replies (macros) and queues (views) in the seeded workspace."""

from __future__ import annotations

import json
import re

import pytest
from liquid import Environment

from console.demo.catalog import canned_reply_definitions
from console.demo.data import load
from console.domain.fragments import fragments_from_macros, render_with_fragments

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
