"""Search (helpdesk-api.md §11): parse the Zendesk query syntax subset and run it on the server DB.

``parse_query`` turns text into a ``SearchQuery`` (testable on its own); ``search`` runs it over
tickets and users and returns ``([(result_type, id), ...], total_count)``. Free words match whole
words (``invoi*`` for a prefix); a cheap ``LIKE`` narrows rows before the word check runs.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache

from console.server.conditions import PRIORITY_ORDER, STATUS_ORDER, TICKET_TYPES
from console.server.db import parse_iso

DAY = 86400
COMPARISONS = ("<", ">", "<=", ">=")
TICKET_KEYWORDS = {"status", "priority", "ticket_type", "requester", "assignee", "group", "organization",
                   "created", "updated", "subject", "description", "via"}
USER_KEYWORDS = {"email", "name", "role"}
SHARED_KEYWORDS = {"tags", "external_id"}
CONTROL_KEYWORDS = {"type", "order_by", "sort"}
ORDERED_KEYWORDS = {"status", "priority", "created", "updated"}
RESULT_TYPES = ("ticket", "user", "organization", "group")
ROLES = ("end-user", "agent", "admin")
SORT_FIELDS = {"updated_at": "updated", "updated": "updated", "created_at": "created", "created": "created",
               "priority": "priority", "status": "status", "ticket_type": "ticket_type",
               "relevance": None}
_KEY_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(<=|>=|:|<|>)")
_CUSTOM_FIELD_RE = re.compile(r"custom_field_(\d+)")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SearchSyntaxError(ValueError):
    """The query text can't be understood; the message says why, for the search box."""


@dataclass(frozen=True)
class SearchTerm:
    """One condition: a keyword (``field``) or free text (``field is None``)."""

    field: str | None
    op: str
    value: str
    negated: bool = False
    quoted: bool = False

    @property
    def wildcard(self) -> bool:
        return not self.quoted and self.value.endswith("*")

    @property
    def text(self) -> str:
        """The value without its trailing wildcard."""
        return self.value[:-1] if self.wildcard else self.value


@dataclass(frozen=True)
class SearchQuery:
    terms: tuple[SearchTerm, ...] = ()
    result_type: str | None = None
    order_by: str | None = None
    sort_order: str | None = None
    result_types: frozenset[str] = field(default=frozenset({"ticket", "user"}))


# ---------------------------------------------------------------- parsing


MAX_QUERY_CHARS = 2000  # longer queries are refused with a message, not run as a huge SQL statement
MAX_TERMS = 60


def parse_query(query: str) -> SearchQuery:
    """Parse query text; raises SearchSyntaxError with a message fit for the search box."""
    terms: list[SearchTerm] = []
    result_type = order_by = sort_order = None
    if len(query or "") > MAX_QUERY_CHARS:
        raise SearchSyntaxError(f"The search is too long: at most {MAX_QUERY_CHARS} characters")
    for term in _tokens(query or ""):
        if len(terms) >= MAX_TERMS:
            raise SearchSyntaxError(f"The search has too many terms: at most {MAX_TERMS}")
        if term.field == "type":
            result_type = term.value.lower()
        elif term.field == "order_by":
            order_by = SORT_FIELDS[term.value.lower()]
        elif term.field == "sort":
            sort_order = term.value.lower()
        else:
            terms.append(term)
    if not terms and result_type is None:
        raise SearchSyntaxError("Type something to search for")
    return SearchQuery(tuple(terms), result_type, order_by, sort_order,
                       _result_types(terms, result_type))


def _tokens(query: str):
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        negated = query[i] == "-" and i + 1 < n and not query[i + 1].isspace()
        if negated:
            i += 1
        key = _KEY_RE.match(query, i)
        if key and _is_keyword(key.group(1).lower()):
            name, op = key.group(1).lower(), key.group(2)
            value, quoted, i = _value(query, key.end())
            yield _keyword_term(name, op, value, negated, quoted)
        elif query[i] == '"':
            value, _quoted, i = _value(query, i)
            if not value.strip():
                raise SearchSyntaxError("An exact phrase in quotes can't be empty")
            yield SearchTerm(None, ":", value.strip(), negated, quoted=True)
        else:
            value, _quoted, i = _value(query, i)
            if value != "-":
                yield _free_word(value, negated)


def _value(query: str, i: int) -> tuple[str, bool, int]:
    """Read a quoted or bare value starting at ``i`` → (value, quoted, next index)."""
    if i < len(query) and query[i] == '"':
        end = query.find('"', i + 1)
        if end < 0:
            raise SearchSyntaxError(f'Unbalanced quote: a " at position {i + 1} is never closed')
        return query[i + 1:end], True, end + 1
    end = i
    while end < len(query) and not query[end].isspace():
        end += 1
    value = query[i:end]
    if '"' in value:
        raise SearchSyntaxError(f'Unbalanced quote in "{value}"')
    return value, False, end


def _is_keyword(name: str) -> bool:
    return (name in TICKET_KEYWORDS or name in USER_KEYWORDS or name in SHARED_KEYWORDS
            or name in CONTROL_KEYWORDS or bool(_CUSTOM_FIELD_RE.fullmatch(name)))


def _free_word(value: str, negated: bool) -> SearchTerm:
    if "*" in value[:-1] or value == "*":
        raise SearchSyntaxError(f"'*' only works at the end of a word (in '{value}')")
    return SearchTerm(None, ":", value, negated)


def _keyword_term(name: str, op: str, value: str, negated: bool, quoted: bool) -> SearchTerm:
    if op in COMPARISONS and name not in ORDERED_KEYWORDS:
        raise SearchSyntaxError(f"'{name}' can't be compared with '{op}'; use '{name}:'")
    if not value.strip():
        raise SearchSyntaxError(f"'{name}{op}' needs a value")
    value = value.strip()
    if not quoted and "*" in value[:-1]:
        raise SearchSyntaxError(f"'*' only works at the end of a word (in '{value}')")
    lowered = value.lower()
    if name in CONTROL_KEYWORDS and negated:
        raise SearchSyntaxError(f"'{name}:' can't be negated")
    if name == "type" and lowered not in RESULT_TYPES:
        raise SearchSyntaxError(f"Unknown type '{value}' (use ticket or user)")
    if name == "order_by" and lowered not in SORT_FIELDS:
        raise SearchSyntaxError(f"Can't order by '{value}' (use updated, created, priority, status "
                                "or ticket_type)")
    if name == "sort" and lowered not in ("asc", "desc"):
        raise SearchSyntaxError(f"Sort must be asc or desc, not '{value}'")
    if name == "status" and lowered not in STATUS_ORDER:
        raise SearchSyntaxError(f"Unknown status '{value}' (use {', '.join(STATUS_ORDER)})")
    if name == "priority" and lowered not in PRIORITY_ORDER and not (op == ":" and lowered == "none"):
        raise SearchSyntaxError(f"Unknown priority '{value}' (use {', '.join(PRIORITY_ORDER)})")
    if name == "ticket_type" and lowered not in TICKET_TYPES and lowered != "none":
        raise SearchSyntaxError(f"Unknown ticket type '{value}' (use {', '.join(TICKET_TYPES)})")
    if name == "role" and lowered not in ROLES:
        raise SearchSyntaxError(f"Unknown role '{value}' (use {', '.join(ROLES)})")
    if name in ("created", "updated"):
        time_window(value)
    if name in ("status", "priority", "ticket_type", "role", "via"):
        value = lowered
    return SearchTerm(name, op, value, negated, quoted)


def time_window(value: str) -> tuple[int, int]:
    """A date (a whole day) or ISO datetime (one second) → [start, end) epoch seconds."""
    try:
        start = parse_iso(value)
    except ValueError:
        raise SearchSyntaxError(f"'{value}' is not a date; use 2025-10-01 or 2025-10-01T12:00:00Z") from None
    return start, start + (DAY if _DATE_RE.fullmatch(value) else 1)


def _result_types(terms: list[SearchTerm], result_type: str | None) -> frozenset[str]:
    types = {"ticket", "user"} if result_type is None else {result_type} & {"ticket", "user"}
    if any(t.field in TICKET_KEYWORDS or (t.field or "").startswith("custom_field_") for t in terms):
        types.discard("user")
    if any(t.field in USER_KEYWORDS for t in terms):
        types.discard("ticket")
    return frozenset(types)


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
            return _time_compare(f"t.{t.field}_ts", t, params)
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
        custom = _CUSTOM_FIELD_RE.fullmatch(t.field)
        params.extend((int(custom.group(1)), t.value))
        return ("EXISTS (SELECT 1 FROM json_each(t.custom_fields) AS cf WHERE json_extract(cf.value, '$.id') = ?"
                " AND lower(CAST(json_extract(cf.value, '$.value') AS TEXT)) = lower(?))")

    def _ordered(self, column: str, t: SearchTerm, params: list) -> str:
        if t.value == "none":
            return f"{column} IS NULL"
        order = STATUS_ORDER if t.field == "status" else PRIORITY_ORDER
        rank = order.index(t.value)
        chosen = {":": order[rank:rank + 1], "<": order[:rank], "<=": order[:rank + 1],
                  ">": order[rank + 1:], ">=": order[rank:]}[t.op]
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


def _time_compare(column: str, t: SearchTerm, params: list) -> str:
    start, end = time_window(t.value)
    if t.op == ":":
        params.extend((start, end))
        return f"{column} >= ? AND {column} < ?"
    bound, cmp = {"<": (start, "<"), "<=": (end, "<"), ">": (end, ">="), ">=": (start, ">=")}[t.op]
    params.append(bound)
    return f"{column} {cmp} ?"


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
