"""Evaluate helpdesk views locally: view conditions (helpdesk-api.md §10.1) over the cache's tickets.

What the conditions mean is ``console.domain.view_conditions`` (the helpdesk evaluates the same
rules over its own schema); this module says where the cache keeps each attribute: tags as
`` a b `` (``instr`` finds `` vip ``), priorities as ``priority_rank`` (the queue indexes cover
it), via and custom fields inside ``raw``. A condition the console cannot evaluate raises
``UnsupportedViewError`` naming it, so the GUI can say why a view cannot be shown offline instead
of showing wrong tickets.
"""

from __future__ import annotations

from typing import Any

from console.domain.statuses import PRIORITY_RANK
from console.domain.view_conditions import ViewConditionError, Viewer
from console.domain.view_sql import TicketColumns, where_sql

from .records import UnsupportedViewError


class CacheColumns(TicketColumns):
    """The cache's schema (``console.store.schema``)."""

    expressions = {"type": "NULLIF(type, '')", "via": "json_extract(raw, '$.via.channel')",
                   "priority": "priority_rank", "due_at": "json_extract(raw, '$.due_at')",
                   "custom_status_id": "json_extract(raw, '$.custom_status_id')"}
    custom_fields = "json_extract(raw, '$.custom_fields')"
    not_null = frozenset({"status", "priority"})

    def encode(self, attribute: str, value: Any) -> Any:
        return PRIORITY_RANK[value] if attribute == "priority" else value

    def has_any_tag(self, tags: tuple[str, ...], params: list) -> str:
        params.extend(f" {t} " for t in tags)
        return "(" + " OR ".join("instr(tags, ?) > 0" for _ in tags) + ")"


COLUMNS = CacheColumns()


def where_for_conditions(conditions: dict[str, Any], me: int | None,
                         my_groups: list[int], now: float | None = None) -> tuple[str, list[Any]]:
    """SQL boolean expression (over ``tickets``) and its parameters for a view's conditions
    (time conditions count from ``now``, epoch seconds; None: the clock)."""
    try:
        return where_sql(conditions, Viewer(me, tuple(my_groups), now), COLUMNS)
    except ViewConditionError as exc:
        raise UnsupportedViewError(f"This view can't be shown offline: {exc}") from None
