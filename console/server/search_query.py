"""Search (helpdesk-api.md §11): run the Zendesk query syntax subset on the server DB.

The syntax is ``console.domain.search_syntax`` (``parse_query`` gives a ``SearchQuery``); ``search``
runs it over tickets and users and returns ``([(result_type, id), ...], total_count)``. Free words
match whole words (``invoi*`` for a prefix); a cheap ``LIKE`` narrows rows before the word check runs.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

from console.domain.search_syntax import (
    CUSTOM_FIELD_RE,
    SORT_FIELDS,
    SearchQuery,
    SearchSyntaxError,
    SearchTerm,
    ordered_values,
    parse_query,
    time_compare_sql,
)
from console.domain.statuses import ALL_STATUSES as STATUS_ORDER
from console.domain.statuses import PRIORITIES as PRIORITY_ORDER

__all__ = ["SearchQuery", "SearchSyntaxError", "SearchTerm", "parse_query", "search"]


# ---------------------------------------------------------------- word matching


def _like_pattern(text: str) -> str:
    escaped = [re.sub(r"([\\%_])", r"\\\1", part) for part in text.split()]
    return "%" + "%".join(escaped) + "%"


@lru_cache(maxsize=256)
def _word_regex(text: str, prefix: bool) -> re.Pattern:
    body = r"\W+".join(re.escape(part) for part in text.split())
    return re.compile(r"(?<!\w)" + body + (r"" if prefix else r"(?!\w)"), re.IGNORECASE)


def _sql_word_match(value: str | None, text: str, prefix: int) -> int:
    return int(value is not None and bool(_word_regex(text, bool(prefix)).search(value)))


def _word_in(column: str, term: SearchTerm, params: list) -> str:
    params.extend((_like_pattern(term.text), term.text, int(term.wildcard)))
    return f"({column} LIKE ? ESCAPE '\\' AND sc_word_match({column}, ?, ?))"


# ---------------------------------------------------------------- SQL per result type


class _TicketSQL:
    def __init__(self, current_user_id: int):
        self.me = current_user_id

    def term(self, t: SearchTerm, params: list) -> str:
        if t.field is None:
            # the description is the first comment's body, so comments cover it
            parts = [_word_in("t.subject", t, params),
                     "t.id IN (SELECT ticket_id FROM comments WHERE " + _word_in("body", t, params) + ")"]
            if t.value.isdigit():
                parts.append("t.id = ?")
                params.append(int(t.value))
            return " OR ".join(parts)
        if t.field in ("status", "priority"):
            return self._ordered(f"t.{t.field}", t, params)
        if t.field in ("created", "updated"):
            return time_compare_sql(f"t.{t.field}_ts", t, params)
        if t.field in ("subject", "description"):
            return _word_in(f"t.{t.field}", t, params)
        if t.field == "ticket_type":
            return _equals("NULLIF(t.type, '')", None if t.value == "none" else t.value, params)
        if t.field in ("requester", "assignee"):
            return self._person(f"t.{t.field}_id", t, params)
        if t.field == "group":
            return _by_id_or_name("t.group_id", "SELECT id FROM groups WHERE deleted = 0 AND", t, params)
        if t.field == "organization":
            return _by_id_or_name("t.organization_id", None, t, params)
        if t.field == "via":
            return _equals("json_extract(t.via, '$.channel')", t.value, params)
        if t.field in ("tags", "external_id"):
            return _shared("t", t, params)
        custom = CUSTOM_FIELD_RE.fullmatch(t.field)
        params.extend((int(custom.group(1)), t.value))
        return ("EXISTS (SELECT 1 FROM json_each(t.custom_fields) AS cf WHERE json_extract(cf.value, '$.id') = ?"
                " AND lower(CAST(json_extract(cf.value, '$.value') AS TEXT)) = lower(?))")

    def _ordered(self, column: str, t: SearchTerm, params: list) -> str:
        if t.value == "none":
            return f"{column} IS NULL"
        chosen = ordered_values(t)
        if not chosen:
            return "0"
        params.extend(chosen)
        return f"{column} IN ({', '.join('?' * len(chosen))})"

    def _person(self, column: str, t: SearchTerm, params: list) -> str:
        value = t.value.lower()
        if value == "me":
            params.append(self.me)
            return f"{column} = ?"
        if value == "none" and t.field == "assignee":
            return f"{column} IS NULL"
        return _by_id_or_name(column, "SELECT id FROM users WHERE", t, params, by_email=True)

    def sort_key(self, order_by: str | None) -> str:
        return {
            None: "t.updated_ts", "updated": "t.updated_ts", "created": "t.created_ts",
            "priority": _rank_case("t.priority", PRIORITY_ORDER),
            "status": _rank_case("t.status", STATUS_ORDER), "ticket_type": "NULLIF(t.type, '')",
        }[order_by]


class _UserSQL:
    def term(self, t: SearchTerm, params: list) -> str:
        if t.field is None:
            return f"{_word_in('u.name', t, params)} OR {_word_in('u.email', t, params)}"
        if t.field == "name":
            return _word_in("u.name", t, params)
        if t.field == "email":
            return _text_equals("u.email", t, params)
        if t.field == "role":
            return _equals("u.role", t.value, params)
        return _shared("u", t, params)

    def sort_key(self, order_by: str | None) -> str:
        if order_by in (None, "updated", "created"):
            return f"CAST(strftime('%s', u.{order_by or 'updated'}_at) AS INTEGER)"
        return "NULL"


def _equals(column: str, value: str | None, params: list) -> str:
    if value is None:
        return f"{column} IS NULL"
    params.append(value)
    return f"{column} = ?"


def _text_equals(column: str, t: SearchTerm, params: list) -> str:
    """Case-insensitive equality, or a prefix match for ``value*``."""
    if t.wildcard:
        params.append(re.sub(r"([\\%_])", r"\\\1", t.text) + "%")
        return f"{column} LIKE ? ESCAPE '\\'"
    params.append(t.value)
    return f"lower({column}) = lower(?)"


def _shared(alias: str, t: SearchTerm, params: list) -> str:
    if t.field == "external_id":
        return _text_equals(f"{alias}.external_id", t, params)
    return f"EXISTS (SELECT 1 FROM json_each({alias}.tags) AS tg WHERE {_text_equals('tg.value', t, params)})"


def _by_id_or_name(column: str, lookup: str | None, t: SearchTerm, params: list, *,
                   by_email: bool = False) -> str:
    if t.value.isdigit():
        params.append(int(t.value))
        return f"{column} = ?"
    if t.value.lower() == "none":
        return f"{column} IS NULL"
    if lookup is None:
        return "0"
    match = _text_equals("name", t, params)
    if by_email:
        match = f"{match} OR {_text_equals('email', t, params)}"
    return f"{column} IN ({lookup} {match})"




def _rank_case(column: str, order: tuple[str, ...]) -> str:
    whens = " ".join(f"WHEN '{value}' THEN {rank}" for rank, value in enumerate(order))
    return f"CASE {column} {whens} END"


# ---------------------------------------------------------------- running


def search(conn: sqlite3.Connection, query: str, *, current_user_id: int, sort_by: str | None = None,
           sort_order: str | None = None, limit: int = 100,
           offset: int = 0) -> tuple[list[tuple[str, int]], int]:
    """Run a search → ([(result_type, id), ...] for the page, total number of matches)."""
    parsed = parse_query(query)
    order_by = parsed.order_by
    if sort_by:
        if sort_by.lower() not in SORT_FIELDS:
            raise SearchSyntaxError(f"Can't sort by '{sort_by}'")
        order_by = SORT_FIELDS[sort_by.lower()]
    direction = (sort_order or parsed.sort_order or "desc").lower()
    if direction not in ("asc", "desc"):
        raise SearchSyntaxError(f"Sort order must be asc or desc, not '{sort_order}'")

    conn.create_function("sc_word_match", 3, _sql_word_match, deterministic=True)
    selects, params = [], []
    if "ticket" in parsed.result_types:
        engine = _TicketSQL(int(current_user_id))
        where = _where(engine, parsed.terms, params)
        selects.append(f"SELECT 'ticket' AS kind, t.id AS id, {engine.sort_key(order_by)} AS k "
                       f"FROM tickets t WHERE t.deleted = 0{where}")
    if "user" in parsed.result_types:
        engine = _UserSQL()
        where = _where(engine, parsed.terms, params)
        selects.append(f"SELECT 'user' AS kind, u.id AS id, {engine.sort_key(order_by)} AS k "
                       f"FROM users u WHERE u.active = 1{where}")
    if not selects:
        return [], 0
    union = " UNION ALL ".join(selects)
    rows = conn.execute(  # one pass: the window count gives the total alongside the page
        f"SELECT kind, id, count(*) OVER () FROM ({union}) "
        f"ORDER BY (k IS NULL), k {direction}, kind, id {direction} LIMIT ? OFFSET ?",
        [*params, max(0, int(limit)), max(0, int(offset))]).fetchall()
    if rows:
        return [(row[0], int(row[1])) for row in rows], rows[0][2]
    return [], conn.execute(f"SELECT count(*) FROM ({union})", params).fetchone()[0]


def _where(engine: _TicketSQL | _UserSQL, terms: tuple[SearchTerm, ...], params: list) -> str:
    parts = []
    for term in terms:
        sql = f"COALESCE(({engine.term(term, params)}), 0)"
        parts.append(f" AND NOT {sql}" if term.negated else f" AND {sql}")
    return "".join(parts)
