"""Macro actions: read once (console.domain.macro_actions), and the helpdesk and the console agree."""

from __future__ import annotations

import orjson
import pytest

from console.domain.macro_actions import MacroEffect, macro_effect
from console.models.canned_replies import APPLIED_FIELDS, CannedReply


def _act(field, value):
    return {"field": field, "value": value}


def test_every_action_is_read_in_order():
    effect = macro_effect([
        _act("status", "pending"), _act("priority", ""), _act("type", "task"), _act("subject", "Refund"),
        _act("group_id", "3"), _act("assignee_id", "current_user"),
        _act("set_tags", "Billing refund billing"), _act("current_tags", "vip refund"), _act("remove_tags", "billing"),
        _act("comment_value", ["channel:all", "Hi {{ticket.requester.first_name}}"]),
        _act("comment_mode_is_public", False), _act("custom_fields_900", "eur"), _act("satisfaction", "x"), "junk",
    ], tags=["old"], me=42)
    assert effect == MacroEffect(
        {"status": "pending", "priority": None, "type": "task", "subject": "Refund", "group_id": 3,
         "assignee_id": 42, "tags": ["refund", "vip"]},
        ({"id": 900, "value": "eur"},), "Hi {{ticket.requester.first_name}}", None, public=False)


def test_unchanged_tags_unknown_agent_and_no_comment():
    effect = macro_effect([_act("current_tags", "a"), _act("assignee_id", "current_user"),
                           _act("group_id", "none")], tags=["a"], me=None)
    assert effect.field_changes == {"group_id": None}  # tags as they were; "me" unknown: assignee left alone
    assert not effect.has_comment and effect.public
    assert macro_effect([_act("comment_value_html", None)]).comment_html == ""
    assert macro_effect(None) == MacroEffect()


@pytest.mark.parametrize("actions", ["status", {"field": "status"}, [None, 3, ["status", "open"]], [{"value": "x"}]])
def test_malformed_actions_change_nothing(actions):
    assert macro_effect(actions, tags=["a"], me=1) == MacroEffect()


def test_tag_values_may_come_as_lists():
    assert macro_effect([_act("set_tags", ["VIP", "billing"])]).field_changes == {"tags": ["vip", "billing"]}


MACROS = [
    [_act("status", "pending"), _act("comment_value", "We are on it.")],
    [_act("priority", "urgent"), _act("type", "incident"), _act("assignee_id", "current_user"),
     _act("comment_mode_is_public", "false"), _act("comment_value", ["channel:all", "Escalated."])],
    [_act("set_tags", "billing refund"), _act("remove_tags", "refund"), _act("current_tags", "vip"),
     _act("group_id", "")],
    [_act("current_tags", "login"), _act("status", "solved"), _act("custom_fields_900", "eur")],
    [_act("comment_value_html", "<p>Hello <b>there</b></p>")],
]


@pytest.mark.parametrize("actions", MACROS, ids=[f"macro {i}" for i in range(len(MACROS))])
def test_helpdesk_apply_and_canned_reply_make_the_same_changes(helpdesk, actions):
    """The helpdesk's ``tickets/{id}/macros/{id}/apply`` and ``CannedReply.from_macro`` on the macro as
    synced: the same ticket fields after, the same comment visibility and text."""
    me = helpdesk.get("users/me.json").json()["user"]["id"]
    ticket = helpdesk.create_ticket(subject="Refund please", tags=["login", "refund"], priority="low",
                                    group_id=None, status="open")
    with helpdesk.db_connection() as conn:
        conn.execute("INSERT INTO macros (id, title, actions, created_at, updated_at) "
                     "VALUES (77, 'x', ?, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
                     (orjson.dumps(actions).decode(),))
    macro = helpdesk.get("macros/77.json").json()["macro"]
    after = helpdesk.get(f"tickets/{ticket['id']}/macros/77/apply.json").json()["result"]["ticket"]
    reply = CannedReply.from_macro(macro, ticket, me)
    for key in APPLIED_FIELDS:
        assert after[key] == reply.field_changes.get(key, ticket[key]), key
    if "comment" in after:
        assert after["comment"]["public"] == reply.public
        if any(a["field"] == "comment_value" for a in actions):
            assert after["comment"]["body"] == reply.template
    else:
        assert reply.template == ""
