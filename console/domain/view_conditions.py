"""Helpdesk view conditions (helpdesk-api.md §10.1): one parser, one meaning, one Python evaluator.

``parse_conditions(json)`` checks a view's ``{"all": [...], "any": [...]}`` and gives a
``ViewConditions`` of ``Condition``s, or raises ``ViewConditionError`` naming what is not
supported. ``Condition.test(viewer)`` turns one condition into a ``Test`` for one agent: "the
ticket's *attribute* is (not) one of *values*" — every operator comes down to that, so the
cache's SQL, the helpdesk's SQL (``console.domain.view_sql``) and ``matches`` below cannot
disagree on what an operator means.

What the operators mean (Zendesk's rules):
- ``is_not`` is exactly the tickets ``is`` leaves out, tickets with no value included: "group is
  not Billing" shows the tickets in no group; "group is not (my groups)" shows every ticket when
  the agent is in no group, and "group is (my groups)" then shows none.
- ``less_than``/``greater_than`` compare statuses (new → closed) and priorities (low → urgent)
  by their order; a ticket with no priority, or a status the console does not know, is neither
  less nor greater than anything.
- ``""`` is "none" (no assignee, no type, no priority, an empty custom field); ``current_user``
  is the agent, ``current_groups`` the agent's departments.
- ``current_tags includes "a b"`` matches a ticket with any of the tags; ``not_includes`` one
  with none of them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .statuses import ALL_STATUSES, PRIORITIES, TICKET_TYPES

# Zendesk's numeric via ids for the channels the embedded helpdesk produces.
VIA_IDS = {"0": "web", "4": "email", "5": "api", "29": "chat", "33": "voice", "34": "voice"}
ID_FIELDS = ("group_id", "assignee_id", "requester_id", "organization_id")
# "hours since": ``updated_at less_than 24`` is "updated in the last 24 hours", ``due_at greater_than 0``
# "past its due date" (Zendesk's stock "Recently updated tickets" and "Overdue tasks")
TIME_FIELDS = ("created_at", "updated_at", "due_at")
EQUALITY = ("is", "is_not")
ORDERED = ("less_than", "greater_than")
TAG_OPERATORS = ("includes", "not_includes")
_SPECIAL_IDS = {"assignee_id": "current_user", "requester_id": "current_user", "group_id": "current_groups"}


class ViewConditionError(ValueError):
    """A view's conditions are malformed or use what the console does not support; says which."""


@dataclass(frozen=True)
class Viewer:
    """Whom a view is evaluated for: ``current_user`` and ``current_groups``."""

    user_id: int | None
    group_ids: tuple[int, ...] = ()
    now: float | None = None   # epoch seconds the time conditions count from (None: the clock)


@dataclass(frozen=True)
class Test:
    """"The ticket's ``attribute`` is one of ``values``" (``negated``: is none of them).

    ``attribute`` is ``status``, ``priority``, ``type``, an id field, ``via`` (the channel name),
    ``custom_field`` (``field_id`` says which; values are texts) or ``tags`` (the ticket matches
    when it has any of ``values``). ``None`` in ``values`` stands for "no value".
    """

    attribute: str
    values: tuple[Any, ...]
    negated: bool = False
    field_id: int | None = None
    since: tuple[str, float] | None = None   # time fields: (">" later than | "<" earlier than, epoch)


@dataclass(frozen=True)
class Condition:
    """One checked ``{field, operator, value}`` item."""

    field: str
    operator: str
    value: str

    def test(self, viewer: Viewer) -> Test:
        field, op, value = self.field, self.operator, self.value
        negated = op in ("is_not", "not_includes")
        if field == "current_tags":
            return Test("tags", tuple(value.split()), negated)
        if field == "custom_status_id":
            return Test(field, tuple(int(v) for v in value.split()), negated)
        if field in TIME_FIELDS:
            now = viewer.now if viewer.now is not None else time.time()
            moment = now - float(value) * 3600
            return Test(field, (), since=(">" if op == "less_than" else "<", moment))
        if op in ORDERED:
            order = ALL_STATUSES if field == "status" else PRIORITIES
            rank = order.index(value)
            return Test(field, order[:rank] if op == "less_than" else order[rank + 1:])
        if field.startswith("custom_fields_"):
            return Test("custom_field", (value or None,), negated, int(field.removeprefix("custom_fields_")))
        if field == "via_id":
            return Test("via", (VIA_IDS.get(value, value),), negated)
        if field in ID_FIELDS:
            return Test(field, self._ids(viewer), negated)
        return Test(field, (value or None,), negated)

    def _ids(self, viewer: Viewer) -> tuple[int | None, ...]:
        if self.value == "current_groups":
            return tuple(viewer.group_ids)
        if self.value == "current_user":
            if viewer.user_id is None:
                raise ViewConditionError(f"'{self.field} {self.operator} current_user' needs to know who you "
                                         "are; sign in first")
            return (viewer.user_id,)
        return (int(self.value) if self.value else None,)


@dataclass(frozen=True)
class ViewConditions:
    """A view's conditions: every ``all`` item holds, and one ``any`` item does (if there are any)."""

    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()

    def tests(self, viewer: Viewer) -> tuple[list[Test], list[Test]]:
        return [c.test(viewer) for c in self.all], [c.test(viewer) for c in self.any]


def parse_conditions(conditions: Mapping | ViewConditions | None) -> ViewConditions:
    """Check a conditions object; ``ViewConditionError`` with a clear message when it can't be used."""
    if isinstance(conditions, ViewConditions):
        return conditions
    if conditions is None:
        return ViewConditions()
    if not isinstance(conditions, Mapping):
        raise ViewConditionError("view conditions must be an object with 'all' and 'any' lists")
    unknown = set(conditions) - {"all", "any"}
    if unknown:
        raise ViewConditionError(f"unknown key(s) in view conditions: {', '.join(sorted(unknown))}")
    groups = []
    for key in ("all", "any"):
        items = conditions.get(key) or []
        if not isinstance(items, list):
            raise ViewConditionError(f"view conditions '{key}' must be a list")
        groups.append(tuple(_parse_item(item, key) for item in items))
    return ViewConditions(*groups)


def _parse_item(item: object, key: str) -> Condition:
    if not isinstance(item, Mapping) or "field" not in item or "operator" not in item:
        raise ViewConditionError(f"each '{key}' condition needs 'field', 'operator' and 'value'")
    field, operator = str(item["field"]), str(item["operator"])
    raw = item.get("value")
    if isinstance(raw, list) and field == "custom_status_id":   # custom_status_id includes [1, 2]
        raw = " ".join(str(v) for v in raw)
    value = "" if raw is None else str(raw).strip()
    allowed = allowed_operators(field)
    if allowed is None:
        raise ViewConditionError(f"unknown view condition field '{field}'")
    if operator not in allowed:
        raise ViewConditionError(f"operator '{operator}' is not supported for field '{field}' "
                                 f"(use one of: {', '.join(allowed)})")
    _check_value(field, operator, value)
    return Condition(field, operator, value)


def allowed_operators(field: str) -> tuple[str, ...] | None:
    """The operators a field takes, or None for a field the console does not support."""
    if field in ("status", "priority"):
        return EQUALITY + ORDERED
    if field in ("type", "via_id") or field in ID_FIELDS:
        return EQUALITY
    if field == "current_tags":
        return TAG_OPERATORS
    if field in TIME_FIELDS:
        return ORDERED
    if field == "custom_status_id":
        return EQUALITY + TAG_OPERATORS
    if field.startswith("custom_fields_") and field.removeprefix("custom_fields_").isdigit():
        return EQUALITY
    return None


def _check_value(field: str, operator: str, value: str) -> None:
    if field == "status" and value not in ALL_STATUSES and (value or operator in ORDERED):
        raise ViewConditionError(f"unknown status '{value}' (use one of: {', '.join(ALL_STATUSES)})")
    if field == "priority" and value not in PRIORITIES and (value or operator in ORDERED):
        raise ViewConditionError(f"unknown priority '{value}' (use one of: {', '.join(PRIORITIES)})")
    if field == "type" and value and value not in TICKET_TYPES:
        raise ViewConditionError(f"unknown ticket type '{value}' (use one of: {', '.join(TICKET_TYPES)})")
    if field == "via_id" and value and not (value in VIA_IDS or value in VIA_IDS.values()):
        raise ViewConditionError(f"unknown via_id '{value}'")
    if field in ID_FIELDS and value:
        special = _SPECIAL_IDS.get(field)
        if value != special and not value.isdigit():
            raise ViewConditionError(f"'{field}' needs a numeric id, '' (none)"
                                     + (f" or '{special}'" if special else "") + f", not '{value}'")
    if field == "custom_status_id" and not (value.split() and all(v.isdigit() for v in value.split())):
        raise ViewConditionError(f"'custom_status_id' needs custom status ids, not '{value}'")
    if field in TIME_FIELDS:
        try:
            if float(value) < 0:
                raise ValueError(value)
        except ValueError:
            raise ViewConditionError(f"'{field}' needs a number of hours, not '{value}'") from None
    if field == "current_tags" and not value.split():
        raise ViewConditionError("'current_tags' needs at least one tag")


# ---------------------------------------------------------------- the Python evaluator


def matches(conditions: Mapping | ViewConditions | None, ticket: Mapping, viewer: Viewer) -> bool:
    """Whether an API-shaped ticket is in the view for this viewer."""
    all_tests, any_tests = parse_conditions(conditions).tests(viewer)
    return (all(passes(t, ticket) for t in all_tests)
            and (not any_tests or any(passes(t, ticket) for t in any_tests)))


def passes(test: Test, ticket: Mapping) -> bool:
    if test.since is not None:
        moment = _epoch(ticket.get(test.attribute))
        if moment is None:
            return False
        return moment > test.since[1] if test.since[0] == ">" else moment < test.since[1]
    if test.attribute == "tags":
        found = bool(set(test.values) & set(ticket.get("tags") or ()))
    else:
        found = ticket_value(ticket, test.attribute, test.field_id) in test.values
    return found != test.negated


def ticket_value(ticket: Mapping, attribute: str, field_id: int | None = None) -> Any:
    """What a ``Test`` compares: the ticket's attribute, ``None`` for "no value"."""
    if attribute == "via":
        via = ticket.get("via")
        return via.get("channel") if isinstance(via, Mapping) else None
    if attribute == "custom_field":
        for item in ticket.get("custom_fields") or ():
            if isinstance(item, Mapping) and item.get("id") == field_id:
                return custom_field_text(item.get("value"))
        return None
    value = ticket.get(attribute)
    if attribute == "priority":
        return value if value in PRIORITIES else None
    if attribute in ID_FIELDS or attribute == "custom_status_id":
        return None if value is None or isinstance(value, bool) else int(value)
    return value or None if attribute == "type" else value


def _epoch(value: object) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def iso_time(epoch: float) -> str:
    """An epoch as the API writes times (``2026-11-25T14:44:39Z``)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def custom_field_text(value: object) -> str | None:
    """A custom field's value as a condition compares it: checkboxes ``true``/``false``, '' is none."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(value)  # SQLite's CAST(3.0 AS TEXT) is '3.0' too
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)  # as SQLite prints JSON
    return str(value) or None

