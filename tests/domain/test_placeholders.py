"""Placeholders: the context built from API dicts, rendering, and the send guard's findings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.domain.placeholders import (
    PlaceholderError,
    UnresolvedPlaceholder,
    check,
    render,
    render_preview,
    ticket_context,
)

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)

TICKET = {
    "id": 4821, "url": "https://acme.zendesk.com/api/v2/tickets/4821.json",
    "subject": "Please cancel before my next invoice", "description": "I want to stop my plan.",
    "status": "open", "priority": "normal", "type": "question", "tags": ["billing", "cancel"],
    "created_at": "2026-11-18T08:14:05Z", "updated_at": "2026-11-19T11:40:51Z", "external_id": None,
    "custom_fields": [{"id": 27642, "value": "eur"}],
}
REQUESTER = {
    "id": 9001, "name": "Jane Maria Roe", "email": "jane@example.org", "phone": None,
    "external_id": "cust-88812", "locale": "de-DE",
    "user_fields": {
        "account_email": "jane@example.org", "username": "jroe42", "plan": "pro_annual",
        "account_status": "active", "purchase_date": "2026-11-01T00:00:00Z",
        "next_invoice_date": "2026-12-05T00:00:00Z", "currency": "eur", "custom_domain": None,
    },
}
AGENT = {"id": 7002, "name": "Alex Agent", "email": "agent@demo.test", "locale": "en-US",
         "signature": "Alex, Billing team"}
GROUP = {"id": 100, "name": "Billing"}
COMMENTS = [
    {"id": 1, "body": "I want to stop my plan.", "html_body": "<p>I want to stop my plan.</p>", "public": True},
    {"id": 2, "body": "Customer is within 30 days.", "html_body": "<p>internal</p>", "public": False},
]


@pytest.fixture
def context():
    return ticket_context(TICKET, REQUESTER, AGENT, AGENT, GROUP, COMMENTS, now=NOW)


def test_context_has_the_zendesk_namespace(context):
    ticket = context["ticket"]
    assert ticket["title"] == "Please cancel before my next invoice"
    assert ticket["ticket_type"] == "question"
    assert ticket["tags"] == "billing cancel"
    assert ticket["url"] == "acme.zendesk.com/agent/tickets/4821"
    assert ticket["link"] == "https://acme.zendesk.com/agent/tickets/4821"
    assert ticket["group"]["name"] == "Billing"
    assert ticket["latest_comment"] == "Customer is within 30 days."
    assert ticket["latest_public_comment"] == "I want to stop my plan."
    assert ticket["ticket_field_27642"] == "eur"
    requester = ticket["requester"]
    assert (requester["first_name"], requester["last_name"]) == ("Jane", "Maria Roe")
    assert requester["language"] == "German"
    assert requester["custom_fields"]["next_invoice_date"] == "2026-12-05T00:00:00Z"  # stays raw
    assert context["current_user"]["signature"] == "Alex, Billing team"


def test_account_facts_follow_the_policies(context):
    account = context["account"]
    assert account["next_invoice_date"] == "5 December 2026"
    assert account["days_to_invoice"] == 15
    assert account["purchase_date"] == "1 November 2026"
    assert account["refund_deadline"] == "1 December 2026"
    assert account["refund_days_left"] == 11
    assert account["within_refund_guarantee"] is True
    assert account["currency"] == "EUR"
    assert account["plan"] == "pro_annual"
    assert "custom_domain" not in account


def test_refund_guarantee_runs_out_and_dates_accept_offsets():
    requester = {**REQUESTER, "user_fields": {"purchase_date": "2026-09-01T00:00:00+00:00",
                                              "next_invoice_date": "2026-11-25"}}
    account = ticket_context(TICKET, requester, None, None, None, now=NOW)["account"]
    assert (account["refund_days_left"], account["within_refund_guarantee"]) == (0, False)
    assert account["days_to_invoice"] == 5


def test_realistic_canned_reply_renders(context):
    template = (
        "Hi {{ticket.requester.first_name}},\n\n"
        "Your next invoice is on {{account.next_invoice_date}} ({{account.days_to_invoice}} days away)."
        "{% if account.days_to_invoice < 10 %} That is too close for us to cancel it for you; please use"
        " the Billing area yourself.{% else %} We can still cancel it for you.{% endif %}\n"
        "Your account is billed in {{ account.currency }}. Ticket #{{ticket.id}} stays {{ ticket.status | upcase }}"
        " until then (opened {{ ticket.created_at | date: \"%B %-d\" }}).\n\n"
        "{{current_user.signature}}"
    )
    text, problems = render_preview(template, context)
    assert text == (
        "Hi Jane,\n\n"
        "Your next invoice is on 5 December 2026 (15 days away). We can still cancel it for you.\n"
        "Your account is billed in EUR. Ticket #4821 stays OPEN until then (opened November 18).\n\n"
        "Alex, Billing team"
    )
    assert problems == []
    assert render(template, context) == text


def test_default_filter_fills_gaps_and_is_not_reported():
    context = ticket_context(TICKET, {**REQUESTER, "name": ""}, None, None, None, now=NOW)
    template = "Hi {{ ticket.requester.first_name | default: \"there\" }}!"
    assert render(template, context) == "Hi there!"
    assert check(template, context) == []


def test_unknown_and_blank_placeholders_render_empty_and_are_flagged_with_spans(context):
    template = "Hi {{ ticket.requester.phone }}, see {{ticket.assignee.nickname}} and {{ nothing.here }}."
    text, problems = render_preview(template, context)
    assert text == "Hi , see  and ."
    assert [(p.expression, p.reason) for p in problems] == [
        ("ticket.requester.phone", "empty"),
        ("ticket.assignee.nickname", "undefined"),
        ("nothing.here", "undefined"),
    ]
    for problem in problems:
        assert template[problem.start:problem.end] == "{{" + template[problem.start + 2:problem.end - 2] + "}}"
        assert problem.expression in template[problem.start:problem.end]
    assert problems[0] == UnresolvedPlaceholder(3, 31, "ticket.requester.phone", "empty",
                                                "{{ ticket.requester.phone }} is empty for this ticket")


def test_missing_requester_makes_its_placeholders_undefined():
    context = ticket_context(TICKET, None, None, None, None, now=NOW)
    problems = check("Hello {{ticket.requester.first_name}}, invoice {{account.next_invoice_date}}", context)
    assert [(p.expression, p.reason) for p in problems] == [
        ("ticket.requester.first_name", "undefined"), ("account.next_invoice_date", "undefined")]


def test_outputs_in_branches_not_taken_are_not_flagged(context):
    template = ("{% if account.custom_domain %}Your domain {{ account.custom_domain }} is live."
                "{% else %}No domain yet.{% endif %}{{ ticket.requester.phone | upcase }}")
    text, problems = render_preview(template, context)
    assert text == "No domain yet."
    assert [(p.expression, p.start) for p in problems] == [("ticket.requester.phone | upcase",
                                                             template.index("{{ ticket.requester.phone"))]


def test_whitespace_only_values_count_as_blank(context):
    context["ticket"]["requester"]["name"] = "   "
    assert [p.reason for p in check("Dear {{ ticket.requester.name }}", context)] == ["empty"]


@pytest.mark.parametrize(("template", "culprit", "words"), [
    ("Hi {% iff x %} there", "{% iff x %}", "unexpected tag 'iff'"),
    ("Hi {% if ticket.id %} there", "{% if ticket.id %}", "endif"),
    ("Hi {{ ticket.id there", "{{ ticket.id there", "'}}'"),
    ("Hi {{ ticket. }} there", "{{ ticket. }}", "identifier"),
    ("Hi\n{{ ticket.id | shout }}", "{{ ticket.id | shout }}", "unknown filter 'shout'"),
])
def test_syntax_errors_raise_and_are_reported_with_the_offending_markup(context, template, culprit, words):
    with pytest.raises(PlaceholderError) as caught:
        render(template, context)
    assert words in str(caught.value)
    start = template.index(culprit)
    assert caught.value.span == (start, start + len(culprit))
    text, problems = render_preview(template, context)
    assert text == ""
    assert len(problems) == 1
    assert (problems[0].reason, problems[0].start, problems[0].end) == ("error", start, start + len(culprit))
    assert words in problems[0].message


def test_error_message_gives_line_and_column(context):
    with pytest.raises(PlaceholderError, match="line 2, column 1"):
        render("Hi\n{{ ticket.id | shout }}", context)
