"""View conditions over the embedded helpdesk's own ``tickets`` table (helpdesk-api.md §10.1).

What the conditions mean is ``console.domain.view_conditions``; this module only says where the
helpdesk keeps each attribute (JSON columns for tags, via and custom fields) for
``console.domain.view_sql.where_sql``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from console.domain.statuses import PRIORITIES
from console.domain.view_conditions import Viewer
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


def view_where(conditions: Mapping | None, *, current_user_id: int,
               current_group_ids: Iterable[int], now: float | None = None) -> tuple[str, list]:
    """SQL boolean expression over ``tickets`` (plain column names) and its parameters;
    ``ViewConditionError`` (a ValueError) when the conditions can't be used."""
    viewer = Viewer(int(current_user_id), tuple(int(g) for g in current_group_ids), now)
    return where_sql(conditions, viewer, COLUMNS)
