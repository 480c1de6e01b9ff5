"""Evaluate helpdesk views locally: translate view conditions (helpdesk-api.md §10.1) to SQL.

Supported: ``status``, ``priority`` (is / is_not / less_than / greater_than),
``group_id``, ``assignee_id``, ``requester_id``, ``organization_id``, ``type``
(is / is_not, with ``""`` = none, ``current_user``, ``current_groups``) and
``current_tags`` (includes / not_includes, space-separated tags). Anything else raises
``UnsupportedViewError`` naming the condition, so the GUI can say why a view cannot be
shown offline instead of showing wrong tickets.
"""

from __future__ import annotations

from typing import Any

from .records import UnsupportedViewError
from .rows import PRIORITY_RANK, STATUS_RANK

_STATUSES = [s for s in STATUS_RANK if s != "deleted"]
_PRIORITIES = [p for p in PRIORITY_RANK if p]
_ID_FIELDS = {"group_id", "assignee_id", "requester_id", "organization_id"}


def where_for_conditions(conditions: dict[str, Any], me: int | None,
                         my_groups: list[int]) -> tuple[str, list[Any]]:
    """SQL boolean expression (over ``tickets``) and its parameters for a view's conditions."""
    all_parts, params = [], []
    for cond in conditions.get("all") or []:
        sql, p = _condition(cond, me, my_groups)
        all_parts.append(sql)
        params.extend(p)
    any_parts = []
    for cond in conditions.get("any") or []:
        sql, p = _condition(cond, me, my_groups)
        any_parts.append(sql)
        params.extend(p)
    if any_parts:
        all_parts.append("(" + " OR ".join(any_parts) + ")")
    return (" AND ".join(all_parts) or "1"), params


def _condition(cond: dict[str, Any], me: int | None, my_groups: list[int]) -> tuple[str, list[Any]]:
    field, op, value = cond.get("field"), cond.get("operator"), cond.get("value")
    if field == "status":
        return _ordered("status", op, value, _STATUSES)
    if field == "priority":
        return _ordered("priority", op, value, _PRIORITIES)
    if field == "type" and op in ("is", "is_not"):
        return _equals("type", op, value or None)
    if field in _ID_FIELDS and op in ("is", "is_not"):
        return _id_condition(field, op, value, me, my_groups)
    if field == "current_tags" and op in ("includes", "not_includes"):
        tags = str(value or "").split()
        if not tags:
            return ("1", []) if op == "not_includes" else ("0", [])
        sql = "(" + " OR ".join("instr(tags, ?) > 0" for _ in tags) + ")"
        return (sql if op == "includes" else f"NOT {sql}"), [f" {t} " for t in tags]
    raise UnsupportedViewError(f"This view tests {field!r} with {op!r}, which the offline cache cannot evaluate")


def _equals(column: str, op: str, value: Any) -> tuple[str, list[Any]]:
    if value is None:
        return f"{column} IS {'NOT ' if op == 'is_not' else ''}NULL", []
    return f"{column} IS {'NOT ' if op == 'is_not' else ''}?", [value]


def _id_condition(field: str, op: str, value: Any, me: int | None, my_groups: list[int]) -> tuple[str, list[Any]]:
    if value == "current_groups":
        marks = ",".join("?" * len(my_groups)) or "NULL"
        return f"{field} {'NOT ' if op == 'is_not' else ''}IN ({marks})", list(my_groups)
    if value == "current_user":
        if me is None:
            raise UnsupportedViewError("This view needs to know who you are (current_user); sign in first")
        return _equals(field, op, me)
    if value in ("", None):
        return _equals(field, op, None)
    try:
        return _equals(field, op, int(value))
    except (TypeError, ValueError):
        raise UnsupportedViewError(f"This view compares {field!r} with {value!r}, which is not an id") from None


def _ordered(column: str, op: str, value: Any, order: list[str]) -> tuple[str, list[Any]]:
    """status/priority conditions become IN lists, which the covering ticket indexes can use.

    Priorities are compared by ``priority_rank`` (none = 0): "not high" includes tickets
    without a priority.
    """
    if value in ("", None) and column == "priority" and op in ("is", "is_not"):
        return f"priority_rank {'!=' if op == 'is_not' else '='} 0", []
    if value not in order:
        raise UnsupportedViewError(f"This view compares {column} with an unknown value {value!r}")
    index = order.index(value)
    chosen = {"is": order[index:index + 1], "is_not": order[:index] + order[index + 1:],
              "less_than": order[:index], "greater_than": order[index + 1:]}.get(op)
    if chosen is None:
        raise UnsupportedViewError(f"This view tests {column} with {op!r}, which the offline cache cannot evaluate")
    if column == "priority":
        ranks = [PRIORITY_RANK[p] for p in chosen] + ([0] if op == "is_not" else [])
        return (f"priority_rank IN ({','.join('?' * len(ranks))})", ranks) if ranks else ("0", [])
    if not chosen:
        return "0", []
    return f"status IN ({','.join('?' * len(chosen))})", chosen
