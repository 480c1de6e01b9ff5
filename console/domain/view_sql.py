"""View conditions as SQL: the ``Test``s of ``view_conditions`` written over one schema's tickets.

The cache and the embedded helpdesk keep tickets differently (the cache: tags as `` a b ``,
priorities as ranks, via and custom fields inside ``raw``; the helpdesk: JSON columns). Each says
how to read an attribute in a ``TicketColumns`` (``console.store.viewsql``,
``console.server.conditions``) and ``where_sql`` writes the same tests over either, so both
answer what ``view_conditions.matches`` answers for the same tickets.

A test on a column that can be NULL says so explicitly: "is not" keeps the tickets with no value
(SQL's ``x NOT IN (...)`` alone would drop them), "is one of (none, …)" keeps them too. Plain
``=``, ``IN`` and ``IS NULL`` stay plain so that the cache's indexes serve them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .view_conditions import Test, ViewConditions, Viewer, iso_time, parse_conditions


class TicketColumns:
    """How one schema holds what the tests compare; subclass per schema."""

    #: attributes whose SQL expression is not the column of that name
    expressions: Mapping[str, str] = {}
    #: SQL giving the ticket's custom fields as a JSON array of {"id", "value"}
    custom_fields: str = "custom_fields"
    #: attributes whose SQL expression is never NULL
    not_null: frozenset[str] = frozenset()

    def column(self, attribute: str, field_id: int | None, params: list) -> str:
        """SQL for the attribute (``view_conditions.ticket_value``); appends its own parameters."""
        if attribute == "custom_field":
            params.append(field_id)
            return custom_field_sql(self.custom_fields)
        return self.expressions.get(attribute, attribute)

    def encode(self, attribute: str, value: Any) -> Any:
        """A test value as ``column`` holds it (e.g. a priority as its rank)."""
        return value

    def encode_time(self, attribute: str, epoch: float) -> Any:
        """A moment as ``column`` holds the time fields: the API's ISO text by default."""
        return iso_time(epoch)

    def has_any_tag(self, tags: tuple[str, ...], params: list) -> str:
        """SQL that is true (never NULL) when the ticket has any of ``tags``."""
        raise NotImplementedError


def where_sql(conditions: Mapping | ViewConditions | None, viewer: Viewer,
              columns: TicketColumns) -> tuple[str, list]:
    """A boolean SQL expression over ``tickets`` and its parameters; ``ViewConditionError`` as parsing."""
    all_tests, any_tests = parse_conditions(conditions).tests(viewer)
    params: list = []
    parts = [_test_sql(t, columns, params) for t in all_tests]
    if any_tests:
        parts.append("(" + " OR ".join(_test_sql(t, columns, params) for t in any_tests) + ")")
    return (" AND ".join(parts) if parts else "1"), params


def custom_field_sql(fields_json: str) -> str:
    """A custom field's value as text (``view_conditions.custom_field_text``) from a JSON array of
    ``{"id", "value"}`` objects; one ``?`` for the field id."""
    value = ("CASE json_type(cf.value, '$.value') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
             "ELSE CAST(json_extract(cf.value, '$.value') AS TEXT) END")
    return (f"(SELECT NULLIF({value}, '') FROM json_each({fields_json}) AS cf "
            "WHERE json_extract(cf.value, '$.id') = ? LIMIT 1)")


def _test_sql(test: Test, columns: TicketColumns, params: list) -> str:
    if test.since is not None:   # NULL (no due date) is neither before nor after
        expr = columns.column(test.attribute, None, params)
        params.append(columns.encode_time(test.attribute, test.since[1]))
        return f"COALESCE({expr} {test.since[0]} ?, 0)"
    if test.attribute == "tags":
        sql = columns.has_any_tag(test.values, params)
        return f"NOT {sql}" if test.negated else sql
    if not test.values:  # "is one of my groups" for an agent in none
        return "1" if test.negated else "0"
    expr = columns.column(test.attribute, test.field_id, params)
    nullable = test.attribute not in columns.not_null
    encoded = [columns.encode(test.attribute, v) for v in test.values]
    with_none = None in encoded
    concrete = list(dict.fromkeys(v for v in encoded if v is not None))
    if not concrete:
        return f"{expr} IS {'NOT ' if test.negated else ''}NULL"
    params.extend(concrete)
    if len(concrete) == 1:
        sql = f"{expr} {'!=' if test.negated else '='} ?"
    else:
        sql = f"{expr} {'NOT IN' if test.negated else 'IN'} ({', '.join('?' * len(concrete))})"
    if not nullable:
        return sql
    if test.negated:  # NULL is "no value": not one of the values, unless "none" is one of them
        return f"COALESCE({sql}, {0 if with_none else 1})"
    return f"COALESCE({sql}, 1)" if with_none else sql
