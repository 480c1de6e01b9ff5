"""View conditions (helpdesk-api.md §10.1): one semantics, two evaluators.

``view_where`` turns ``{"all": [...], "any": [...]}`` into an SQL expression over the
server's ``tickets`` table; ``ticket_matches`` evaluates the same rules on an API-shaped
ticket dict (for the local cache). Both must agree; ``tests/server/test_conditions.py`` checks that they do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

STATUS_ORDER = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITY_ORDER = ("low", "normal", "high", "urgent")
TICKET_TYPES = ("problem", "incident", "question", "task")

# Zendesk's numeric via ids for the channels the embedded server produces.
VIA_IDS = {"0": "web", "4": "email", "5": "api", "29": "chat", "33": "voice", "34": "voice"}

ID_FIELDS = ("group_id", "assignee_id", "requester_id", "organization_id")
EQUALITY = ("is", "is_not")
ORDERED = ("less_than", "greater_than")
TAG_OPERATORS = ("includes", "not_includes")


@dataclass(frozen=True)
class ViewCondition:
    """One validated ``{field, operator, value}`` item."""

    field: str
    operator: str
    value: str


@dataclass(frozen=True)
class _Viewer:
    user_id: int
    group_ids: tuple[int, ...]


def parse_conditions(conditions: Mapping | None) -> tuple[list[ViewCondition], list[ViewCondition]]:
    """Validate a conditions dict → (all, any); ValueError with a clear message when malformed."""
    if conditions is None:
        return [], []
    if not isinstance(conditions, Mapping):
        raise ValueError("view conditions must be an object with 'all' and 'any' lists")
    unknown = set(conditions) - {"all", "any"}
    if unknown:
        raise ValueError(f"unknown key(s) in view conditions: {', '.join(sorted(unknown))}")
    groups = []
    for key in ("all", "any"):
        items = conditions.get(key) or []
        if not isinstance(items, list):
            raise ValueError(f"view conditions '{key}' must be a list")
        groups.append([_parse_item(item, key) for item in items])
    return groups[0], groups[1]


def _parse_item(item: object, key: str) -> ViewCondition:
    if not isinstance(item, Mapping) or "field" not in item or "operator" not in item:
        raise ValueError(f"each '{key}' condition needs 'field', 'operator' and 'value'")
    field, operator = str(item["field"]), str(item["operator"])
    raw = item.get("value")
    value = "" if raw is None else str(raw).strip()
    allowed = _allowed_operators(field)
    if allowed is None:
        raise ValueError(f"unknown view condition field '{field}'")
    if operator not in allowed:
        raise ValueError(f"operator '{operator}' is not supported for field '{field}' "
                         f"(use one of: {', '.join(allowed)})")
    _check_value(field, operator, value)
    return ViewCondition(field, operator, value)


def _allowed_operators(field: str) -> tuple[str, ...] | None:
    if field in ("status", "priority"):
        return EQUALITY + ORDERED
    if field in ("type", "via_id") or field in ID_FIELDS:
        return EQUALITY
    if field == "current_tags":
        return TAG_OPERATORS
    if field.startswith("custom_fields_") and field.removeprefix("custom_fields_").isdigit():
        return EQUALITY
    return None


def _check_value(field: str, operator: str, value: str) -> None:
    if field == "status" and value not in STATUS_ORDER and (value or operator in ORDERED):
        raise ValueError(f"unknown status '{value}' (use one of: {', '.join(STATUS_ORDER)})")
    if field == "priority" and value not in PRIORITY_ORDER and (value or operator in ORDERED):
        raise ValueError(f"unknown priority '{value}' (use one of: {', '.join(PRIORITY_ORDER)})")
    if field == "type" and value and value not in TICKET_TYPES:
        raise ValueError(f"unknown ticket type '{value}' (use one of: {', '.join(TICKET_TYPES)})")
    if field == "via_id" and value and not (value in VIA_IDS or value in VIA_IDS.values()):
        raise ValueError(f"unknown via_id '{value}'")
    if field in ID_FIELDS and value:
        special = {"assignee_id": "current_user", "requester_id": "current_user",
                   "group_id": "current_groups"}.get(field)
        if value != special and not value.isdigit():
            raise ValueError(f"'{field}' needs a numeric id, '' (none)"
                             + (f" or '{special}'" if special else "") + f", not '{value}'")
    if field == "current_tags" and not value.split():
        raise ValueError("'current_tags' needs at least one tag")


# ---------------------------------------------------------------- SQL


def view_where(conditions: Mapping | None, *, current_user_id: int,
               current_group_ids: list[int]) -> tuple[str, list]:
    """SQL boolean expression over ``tickets`` (plain column names) and its parameters."""
    all_items, any_items = parse_conditions(conditions)
    viewer = _Viewer(int(current_user_id), tuple(int(g) for g in current_group_ids))
    params: list = []
    parts = [_sql_item(c, viewer, params) for c in all_items]
    if any_items:
        parts.append("(" + " OR ".join(_sql_item(c, viewer, params) for c in any_items) + ")")
    return (" AND ".join(parts) if parts else "1"), params


def _sql_item(cond: ViewCondition, viewer: _Viewer, params: list) -> str:
    field, op, value = cond.field, cond.operator, cond.value
    if field == "current_tags":
        tags = value.split()
        params.extend(tags)
        marks = ", ".join("?" * len(tags))
        exists = f"EXISTS (SELECT 1 FROM json_each(tags) WHERE json_each.value IN ({marks}))"
        return exists if op == "includes" else f"NOT {exists}"
    if op in ORDERED:
        order = STATUS_ORDER if field == "status" else PRIORITY_ORDER
        chosen = _ordered_values(order, op, value)
        if not chosen:
            return "0"
        params.extend(chosen)
        return f"COALESCE({field} IN ({', '.join('?' * len(chosen))}), 0)"
    if field == "group_id" and value == "current_groups":
        if not viewer.group_ids:
            return "0" if op == "is" else "1"
        params.extend(viewer.group_ids)
        marks = ", ".join("?" * len(viewer.group_ids))
        if op == "is":
            return f"COALESCE(group_id IN ({marks}), 0)"
        return f"(group_id IS NULL OR group_id NOT IN ({marks}))"
    column = _sql_column(field, params)
    params.append(_sql_value(field, value, viewer))
    return f"{column} {'IS' if op == 'is' else 'IS NOT'} ?"


def _sql_column(field: str, params: list) -> str:
    if field == "type":
        return "NULLIF(type, '')"
    if field == "via_id":
        return "json_extract(via, '$.channel')"
    if field.startswith("custom_fields_"):
        params.append(int(field.removeprefix("custom_fields_")))
        return ("(SELECT NULLIF(CASE json_type(cf.value, '$.value') WHEN 'true' THEN 'true' "
                "WHEN 'false' THEN 'false' ELSE CAST(json_extract(cf.value, '$.value') AS TEXT) END, '') "
                "FROM json_each(custom_fields) AS cf WHERE json_extract(cf.value, '$.id') = ? LIMIT 1)")
    return field


def _sql_value(field: str, value: str, viewer: _Viewer) -> object:
    if value == "":
        return None
    if value == "current_user":
        return viewer.user_id
    if field in ID_FIELDS:
        return int(value)
    if field == "via_id":
        return VIA_IDS.get(value, value)
    return value


def _ordered_values(order: tuple[str, ...], op: str, value: str) -> list[str]:
    rank = order.index(value)
    return list(order[:rank] if op == "less_than" else order[rank + 1:])


# ---------------------------------------------------------------- Python


def ticket_matches(conditions: Mapping | None, ticket: Mapping, *, current_user_id: int,
                   current_group_ids: list[int]) -> bool:
    """Evaluate the conditions on an API-shaped ticket dict (same semantics as ``view_where``)."""
    all_items, any_items = parse_conditions(conditions)
    viewer = _Viewer(int(current_user_id), tuple(int(g) for g in current_group_ids))
    test: Callable[[ViewCondition], bool] = lambda c: _py_item(c, ticket, viewer)  # noqa: E731
    return all(map(test, all_items)) and (not any_items or any(map(test, any_items)))


def _py_item(cond: ViewCondition, ticket: Mapping, viewer: _Viewer) -> bool:
    field, op, value = cond.field, cond.operator, cond.value
    if field == "current_tags":
        present = bool(set(value.split()) & set(ticket.get("tags") or ()))
        return present if op == "includes" else not present
    actual = _py_actual(field, ticket)
    if op in ORDERED:
        order = STATUS_ORDER if field == "status" else PRIORITY_ORDER
        return actual in _ordered_values(order, op, value)
    if field == "group_id" and value == "current_groups":
        inside = actual is not None and actual in viewer.group_ids
        return inside if op == "is" else not inside
    expected = _sql_value(field, value, viewer)
    return (actual == expected) if op == "is" else (actual != expected)


def _py_actual(field: str, ticket: Mapping) -> object:
    if field == "via_id":
        return (ticket.get("via") or {}).get("channel")
    if field.startswith("custom_fields_"):
        wanted = int(field.removeprefix("custom_fields_"))
        for item in ticket.get("custom_fields") or ():
            if int(item.get("id", -1)) == wanted:
                return _field_text(item.get("value"))
        return None
    actual = ticket.get(field)
    if field in ID_FIELDS and actual is not None:
        return int(actual)
    return actual or None if field == "type" else actual


def _field_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(value)  # SQLite's CAST(3.0 AS TEXT) is '3.0' too
    return str(value) or None
