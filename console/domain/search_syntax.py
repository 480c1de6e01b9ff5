"""The search syntax (helpdesk-api.md §11), read once for the helpdesk and the cache.

``tokenize(text)`` splits what an agent typed into ``SearchTerm``s, the same way for both
searches: free words, ``"exact phrases"``, ``-`` to exclude (``-word``, ``-"a phrase"``,
``-status:solved``) and Zendesk's field terms ``name:value`` / ``name<value`` / ``name>=value``
(``status:pending``, ``requester:jane@example.org``, ``created>2026-11-01``,
``group:"Ask Before Buying"``, ``custom_field_27642:eur``). A word ends at a space or a quote; a
field is recognised only for the keywords below (``a:b`` is a word). Tokenizing checks nothing
but the quotes: an unclosed ``"`` raises ``SearchSyntaxError``.

``parse_query(text)`` is the helpdesk's reading on top (``console.server.search_query`` runs it):
every field term's value checked (``field_term``), the result types it can match, ``type:``,
``order_by:`` and ``sort:``. The cache's search box (``console.store.search``) reads the same
tokens its own way: ``OR`` between terms, the word being typed as a prefix; field terms are
searched as their text there for now.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from .statuses import ALL_STATUSES, PRIORITIES, TICKET_TYPES

DAY = 86400
COMPARISONS = ("<", ">", "<=", ">=")
TICKET_KEYWORDS = frozenset({"status", "priority", "ticket_type", "requester", "assignee", "group",
                             "organization", "created", "updated", "subject", "description", "via"})
USER_KEYWORDS = frozenset({"email", "name", "role"})
SHARED_KEYWORDS = frozenset({"tags", "external_id"})
CONTROL_KEYWORDS = frozenset({"type", "order_by", "sort"})
ORDERED_KEYWORDS = frozenset({"status", "priority", "created", "updated"})
RESULT_TYPES = ("ticket", "user", "organization", "group")
ROLES = ("end-user", "agent", "admin")
SORT_FIELDS = {"updated_at": "updated", "updated": "updated", "created_at": "created", "created": "created",
               "priority": "priority", "status": "status", "ticket_type": "ticket_type",
               "relevance": None}
MAX_QUERY_CHARS = 2000  # longer queries are refused with a message, not run as a huge SQL statement
MAX_TERMS = 60
_KEY_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(<=|>=|:|<|>)")
CUSTOM_FIELD_RE = re.compile(r"custom_field_(\d+)")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SearchSyntaxError(ValueError):
    """The search text can't be understood; the message says why, for the search box."""


@dataclass(frozen=True)
class SearchTerm:
    """One term: a field term (``field`` set) or free text (``field is None``: a word or, ``quoted``,
    a phrase). ``source`` is the term as typed (without a leading ``-``)."""

    field: str | None
    op: str
    value: str
    negated: bool = False
    quoted: bool = False
    source: str = dataclasses.field(default="", compare=False, repr=False)

    @property
    def wildcard(self) -> bool:
        return not self.quoted and self.value.endswith("*")

    @property
    def text(self) -> str:
        """The value without its trailing wildcard."""
        return self.value[:-1] if self.wildcard else self.value

    @property
    def is_or(self) -> bool:
        """A bare ``OR`` (the cache's search box joins the terms on both sides)."""
        return self.field is None and not self.quoted and not self.negated and self.value == "OR"


def is_keyword(name: str) -> bool:
    name = name.lower()
    return (name in TICKET_KEYWORDS or name in USER_KEYWORDS or name in SHARED_KEYWORDS
            or name in CONTROL_KEYWORDS or bool(CUSTOM_FIELD_RE.fullmatch(name)))


def tokenize(query: str) -> list[SearchTerm]:
    """The terms of ``query`` in order; ``SearchSyntaxError`` for a quote that is never closed."""
    terms: list[SearchTerm] = []
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        negated = query[i] == "-" and i + 1 < n and not query[i + 1].isspace()
        start = i + 1 if negated else i
        key = _KEY_RE.match(query, start)
        if key and is_keyword(key.group(1)):
            value, quoted, i = _value(query, key.end())
            terms.append(SearchTerm(key.group(1).lower(), key.group(2), value, negated, quoted, query[start:i]))
        else:
            value, quoted, i = _value(query, start)
            terms.append(SearchTerm(None, ":", value, negated, quoted, query[start:i]))
    return terms


def _value(query: str, i: int) -> tuple[str, bool, int]:
    """A quoted or bare value starting at ``i`` → (value, quoted, next index)."""
    if i < len(query) and query[i] == '"':
        end = query.find('"', i + 1)
        if end < 0:
            raise SearchSyntaxError(f'A quote is not closed: add a closing " (after position {i + 1}) '
                                    "to search for the exact phrase")
        return query[i + 1:end], True, end + 1
    end = i
    while end < len(query) and not query[end].isspace() and query[end] != '"':
        end += 1
    return query[i:end], False, end


# ---------------------------------------------------------------- the helpdesk's reading


@dataclass(frozen=True)
class SearchQuery:
    terms: tuple[SearchTerm, ...] = ()
    result_type: str | None = None
    order_by: str | None = None
    sort_order: str | None = None
    result_types: frozenset[str] = frozenset({"ticket", "user"})


def parse_query(query: str) -> SearchQuery:
    """The helpdesk's reading of ``query``; ``SearchSyntaxError`` with a message fit for the search box."""
    terms: list[SearchTerm] = []
    result_type = order_by = sort_order = None
    if len(query or "") > MAX_QUERY_CHARS:
        raise SearchSyntaxError(f"The search is too long: at most {MAX_QUERY_CHARS} characters")
    for token in tokenize(query or ""):
        term = field_term(token) if token.field else free_term(token)
        if term is None:
            continue
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
    return SearchQuery(tuple(terms), result_type, order_by, sort_order, _result_types(terms, result_type))


def free_term(term: SearchTerm) -> SearchTerm | None:
    """A word or phrase as the helpdesk searches it (None: nothing to search, a lone ``-``)."""
    if term.quoted:
        if not term.value.strip():
            raise SearchSyntaxError("An exact phrase in quotes can't be empty")
        return SearchTerm(None, ":", term.value.strip(), term.negated, True, term.source)
    if term.value in ("", "-"):
        return None
    if "*" in term.value[:-1] or term.value == "*":
        raise SearchSyntaxError(f"'*' only works at the end of a word (in '{term.value}')")
    return term


def field_term(term: SearchTerm) -> SearchTerm:
    """A field term checked as the helpdesk reads it (value lower-cased where case does not count)."""
    name, op, negated, quoted = term.field or "", term.op, term.negated, term.quoted
    if op in COMPARISONS and name not in ORDERED_KEYWORDS:
        raise SearchSyntaxError(f"'{name}' can't be compared with '{op}'; use '{name}:'")
    value = term.value.strip()
    if not value:
        raise SearchSyntaxError(f"'{name}{op}' needs a value")
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
    if name == "status" and lowered not in ALL_STATUSES:
        raise SearchSyntaxError(f"Unknown status '{value}' (use {', '.join(ALL_STATUSES)})")
    if name == "priority" and lowered not in PRIORITIES and not (op == ":" and lowered == "none"):
        raise SearchSyntaxError(f"Unknown priority '{value}' (use {', '.join(PRIORITIES)})")
    if name == "ticket_type" and lowered not in TICKET_TYPES and lowered != "none":
        raise SearchSyntaxError(f"Unknown ticket type '{value}' (use {', '.join(TICKET_TYPES)})")
    if name == "role" and lowered not in ROLES:
        raise SearchSyntaxError(f"Unknown role '{value}' (use {', '.join(ROLES)})")
    if name in ("created", "updated"):
        time_window(value)
    if name in ("status", "priority", "ticket_type", "role", "via"):
        value = lowered
    return SearchTerm(name, op, value, negated, quoted, term.source)


def ordered_values(term: SearchTerm) -> tuple[str, ...]:
    """The statuses / priorities a checked ``status`` or ``priority`` term selects (``status<solved``:
    new, open, pending, hold); the helpdesk's search and the cache's read it the same way."""
    order = ALL_STATUSES if term.field == "status" else PRIORITIES
    rank = order.index(term.value)
    return {":": order[rank:rank + 1], "<": order[:rank], "<=": order[:rank + 1],
            ">": order[rank + 1:], ">=": order[rank:]}[term.op]


_UNKNOWN_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]+):([^/:].*)")   # "a::b" (a canned reply's Department::Title) is no field


def unknown_field(term: SearchTerm) -> str | None:
    """The name in a free word that looks like a field term but names no field (``colour:red`` →
    ``colour``); None for anything else (``a:b``, ``http://…``, ``10:30``, ``Billing::Refund`` stay words)."""
    if term.field is not None or term.quoted:
        return None
    match = _UNKNOWN_RE.fullmatch(term.value)
    return match.group(1) if match and not match.group(1).isdigit() else None


def time_window(value: str) -> tuple[int, int]:
    """A date (a whole day) or ISO datetime (one second) → [start, end) epoch seconds (UTC)."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text + "T00:00:00+00:00" if _DATE_RE.fullmatch(text)
                                        else text.replace("Z", "+00:00"))
    except ValueError:
        raise SearchSyntaxError(f"'{value}' is not a date; use 2025-10-01 or 2025-10-01T12:00:00Z") from None
    start = int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())
    return start, start + (DAY if _DATE_RE.fullmatch(text) else 1)


def time_compare_sql(column: str, term: SearchTerm, params: list) -> str:
    """SQL comparing an epoch-seconds ``column`` with a date term (``created>2026-11-01``,
    ``updated:2026-11-30``: the whole day), its values appended to ``params`` (the helpdesk's
    search and the cache's use the same rule)."""
    start, end = time_window(term.value)
    if term.op == ":":
        params.extend((start, end))
        return f"{column} >= ? AND {column} < ?"
    bound, cmp = {"<": (start, "<"), "<=": (end, "<"), ">": (end, ">="), ">=": (start, ">=")}[term.op]
    params.append(bound)
    return f"{column} {cmp} ?"


def _result_types(terms: list[SearchTerm], result_type: str | None) -> frozenset[str]:
    types = {"ticket", "user"} if result_type is None else {result_type} & {"ticket", "user"}
    if any(t.field in TICKET_KEYWORDS or (t.field or "").startswith("custom_field_") for t in terms):
        types.discard("user")
    if any(t.field in USER_KEYWORDS for t in terms):
        types.discard("ticket")
    return frozenset(types)
