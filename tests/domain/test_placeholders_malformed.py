"""Placeholders over tickets and users of odd shapes (item 12): rendered as well as they can be,
never a crash (main raised TypeError/AttributeError on each of these)."""

import pytest

from console.domain.placeholders import render, ticket_context

TEMPLATE = "Tags: {{ticket.tags}}; plan: {{ticket.ticket_field_5}}; hi {{ticket.requester.first_name}}"
CASES = [
    ({"tags": 7, "custom_fields": "x"}, "Tags: ; plan: ; hi "),
    ({"tags": "vip refund", "custom_fields": {"id": 5, "value": "gold"}}, "Tags: vip refund; plan: gold; hi "),
    ({"tags": [None, {"a": 1}, "vip", 3], "custom_fields": [None, 1, {"value": "no id"}, {"id": 5, "value": "gold"}]},
     "Tags: vip 3; plan: gold; hi "),
    ({"tags": {"vip": True}, "custom_fields": [[5, "gold"]], "url": 12}, "Tags: ; plan: ; hi "),
]


@pytest.mark.parametrize(("odd", "expected"), CASES)
def test_odd_tags_and_custom_fields_render(odd, expected):
    ticket = {"id": 9, "subject": "Help", "url": "https://acme.example/api/v2/tickets/9.json", **odd}
    requester = {"id": 1, "name": ["not", "text"], "locale": 5, "user_fields": ["plan", "gold"]}
    context = ticket_context(ticket, requester, None, {"id": 2, "name": "Ann Agent"}, None, [])
    assert render(TEMPLATE, context) == expected
