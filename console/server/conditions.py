"""View conditions over the embedded helpdesk's own ``tickets`` table (helpdesk-api.md §10.1).

What the conditions mean is ``console.domain.view_conditions``; this module only says where the
helpdesk keeps each attribute (JSON columns for tags, via and custom fields) for
``console.domain.view_sql.where_sql``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from console.domain.statuses import PRIORITIES
from console.domain.view_conditions import ViewConditionError, Viewer
from console.domain.view_sql import TicketColumns, where_sql

_PRIORITY = f"CASE WHEN priority IN ({', '.join(repr(p) for p in PRIORITIES)}) THEN priority END"


class HelpdeskColumns(TicketColumns):
    """The helpdesk's schema (``console.server.db``): plain columns, JSON text for lists."""

    expressions = {"type": "NULLIF(type, '')", "via": "json_extract(via, '$.channel')", "priority": _PRIORITY,
                   "created_at": "created_ts", "updated_at": "updated_ts", "due_at": "NULL"}   # no due dates here
    custom_fields = "custom_fields"
    not_null = frozenset({"status", "requester_id"})

    def encode_time(self, attribute: str, epoch: float) -> int:
        return int(epoch)

    def has_any_tag(self, tags: tuple[str, ...], params: list) -> str:
        params.extend(tags)
        return f"EXISTS (SELECT 1 FROM json_each(tags) WHERE json_each.value IN ({', '.join('?' * len(tags))}))"


COLUMNS = HelpdeskColumns()


# Conditions only the helpdesk evaluates (the console's cache does not: it shows such a view from
# ``views/{id}/tickets`` instead): Zendesk's ``satisfaction_score`` is/is_not good, bad, offered...
HELPDESK_ONLY = {"satisfaction_score": "COALESCE(json_extract(satisfaction_rating, '$.score'), 'unoffered')"}


def view_where(conditions: Mapping | None, *, current_user_id: int,
               current_group_ids: Iterable[int], now: float | None = None) -> tuple[str, list]:
    """SQL boolean expression over ``tickets`` (plain column names) and its parameters;
    ``ViewConditionError`` (a ValueError) when the conditions can't be used."""
    viewer = Viewer(int(current_user_id), tuple(int(g) for g in current_group_ids), now)
    own: dict[str, list] = {"all": [], "any": []}
    if isinstance(conditions, Mapping):
        rest = {}
        for key in ("all", "any"):
            items = conditions.get(key) or []
            if isinstance(items, list):
                own[key] = [i for i in items if isinstance(i, Mapping) and i.get("field") in HELPDESK_ONLY]
                rest[key] = [i for i in items if i not in own[key]]
            else:
                rest[key] = items
        conditions = {**conditions, **rest}
    where, params = where_sql(conditions, viewer, COLUMNS)
    extra_all = [_own_sql(i, params) for i in own["all"]]
    if extra_all:
        where = " AND ".join([where, *extra_all])
    if own["any"]:
        if (conditions or {}).get("any"):
            raise ViewConditionError("'satisfaction_score' in 'any' beside other 'any' conditions is not supported")
        where = f"({where}) AND ({' OR '.join(_own_sql(i, params) for i in own['any'])})"
    return where, params


def _own_sql(item: Mapping, params: list) -> str:
    operator = item.get("operator")
    if operator not in ("is", "is_not"):
        raise ViewConditionError(f"operator '{operator}' is not supported for field '{item.get('field')}'")
    params.append(str(item.get("value") or ""))
    return f"{HELPDESK_ONLY[str(item['field'])]} {'=' if operator == 'is' else '!='} ?"
