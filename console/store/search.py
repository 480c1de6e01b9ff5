"""Full-text search over the cache, fed by what an agent types in the search box.

The text is split by the shared tokenizer (``console.domain.search_syntax``, the helpdesk's too).
Accepted input: plain words (the last one, still being typed, matches as a prefix
unless the text ends with a space; a one-letter word always matches exactly), ``"exact phrases"``,
``OR`` between two terms, and ``-word`` to exclude; a field term (``status:pending``) is searched
as its text. Punctuation, brackets, ``*``, ``AND``, emoji or any script are
treated as text, never as FTS5 syntax: every term is quoted before it reaches SQLite.
What cannot be understood raises ``SearchSyntaxError`` with a message for the search box:
an unclosed quote, ``OR`` first or twice in a row, ``OR -word``, or only excluded words, an
unknown field (``colour:red``) or a field the cache cannot search.
A trailing ``OR`` (the agent is still typing) is ignored.

Field terms are filters, read as the helpdesk reads them (the same tokenizer and checks,
``search_syntax.field_term``): ``status:pending``, ``status<solved``, ``priority>=high``,
``ticket_type:incident``, ``requester:jane@example.org`` (name or email), ``assignee:me`` /
``assignee:none``, ``group:Billing``, ``tags:vip``, ``subject:refund``, ``created>2026-11-01``,
``updated:2026-11-03``, ``external_id:…``, each may be negated; ``type:ticket`` / ``type:user``
narrow the kinds. With only filters, the matching tickets are listed, newest first.
A number (``20`` or ``#20``) puts ticket 20 first.

Hits come newest first within each kind (tickets, comments by id; customers and canned
replies by relevance); each kind gets at most ``limit`` rows, then the lists are merged
in the order canned_reply, customer, ticket, comment and cut to ``limit``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from console.domain import search_syntax
from console.domain.search_syntax import SearchTerm, tokenize

from .records import SearchHit, SearchSyntaxError

_WORD_RE = re.compile(r"\w", re.UNICODE)
_SNIPPET = "snippet({table}, {col}, '[', ']', '…', 12)"


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


CACHE_FIELDS = ("status", "priority", "ticket_type", "requester", "assignee", "group", "tags", "subject",
                "created", "updated", "external_id")
_NUMBER_RE = re.compile(r"#?(\d{1,12})")


@dataclass(frozen=True)
class _Parsed:
    tokens: list[tuple[str, str]]        # free text: (kind, text), kind word/phrase/or/not_word/not_phrase
    typing: int                          # index in tokens of the word being typed (-1: none)
    filters: list[SearchTerm]            # checked field terms
    kinds: frozenset[str] | None         # type:ticket / type:user narrow the kinds (None: all)


def _parse(query: str) -> _Parsed:
    """The shared tokenizer's terms, split into free text and checked field terms."""
    try:
        terms = tokenize(query)
    except search_syntax.SearchSyntaxError as exc:
        raise SearchSyntaxError(str(exc)) from None
    tokens: list[tuple[str, str]] = []
    filters: list[SearchTerm] = []
    kinds: frozenset[str] | None = None
    typing = -1
    for position, term in enumerate(terms):
        if term.is_or:
            tokens.append(("or", term.value))
            continue
        if term.field is None:
            unknown = search_syntax.unknown_field(term)
            if unknown is not None:
                raise SearchSyntaxError(f"Unknown field '{unknown}': use {', '.join(CACHE_FIELDS)}, "
                                        "or quote it to search the text")
            kind = "phrase" if term.quoted else "word"
            tokens.append(("not_" + kind if term.negated else kind, term.value))
            if position == len(terms) - 1 and not query[-1:].isspace():
                typing = len(tokens) - 1
            continue
        if not term.value.strip():
            continue   # "status:" while typing the value
        try:
            checked = search_syntax.field_term(term)
        except search_syntax.SearchSyntaxError as exc:
            raise SearchSyntaxError(str(exc)) from None
        if checked.field == "type":
            kinds = frozenset({"ticket", "comment"} if checked.value.lower() == "ticket" else {"customer"})
        elif checked.field in ("order_by", "sort"):
            continue   # the cache lists newest first
        elif checked.field in CACHE_FIELDS:
            filters.append(checked)
        else:
            raise SearchSyntaxError(f"'{checked.field}:' can't be searched in the local cache; "
                                    f"use {', '.join(CACHE_FIELDS)}")
    return _Parsed(tokens, typing, filters, kinds)


def _tokens(query: str) -> list[tuple[str, str]]:
    return _parse(query).tokens


def _term(kind: str, text: str, typing: bool) -> str | None:
    """One quoted FTS5 term; ``typing``: the word being typed, matched as a prefix."""
    if not _WORD_RE.search(text):
        return None  # nothing searchable (emoji, brackets, a lone *): ignore the term
    if kind.endswith("phrase") or not typing:
        return _quote(text)
    searchable = "".join(_WORD_RE.findall(text))
    return _quote(text) + ("*" if len(searchable) > 1 else "")


def build_match(query: str) -> str | None:
    """FTS5 MATCH expression for the agent's text, or None when there is nothing to look for."""
    parsed = _parse(query)
    return _match(parsed.tokens, parsed.typing, bool(parsed.filters))


def _match(tokens: list[tuple[str, str]], typing: int, filtered: bool = False) -> str | None:
    groups: list[list[str]] = []
    excluded: list[str] = []
    pending_or = False
    for index, (kind, text) in enumerate(tokens):
        if kind == "or":
            if index == 0 or tokens[index - 1][0] == "or":
                raise SearchSyntaxError("OR needs a word on each side, like: refund OR cancel")
            pending_or = bool(groups)  # a trailing OR (still typing) is ignored
            continue
        term = _term(kind, text, index == typing)
        if kind.startswith("not_"):
            if pending_or:
                raise SearchSyntaxError("OR cannot be followed by an excluded word")
            if term:
                excluded.append(term)
            continue
        if term is None:
            continue
        if pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if not groups:
        if excluded and not filtered:
            raise SearchSyntaxError("Add a word to look for; excluded words (-word) only narrow a search")
        return None
    expr = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    if len(groups) > 1 and excluded:
        expr = f"({expr})"
    for term in excluded:
        expr += f" NOT {term}"
    return expr


def search(conn: sqlite3.Connection, query: str, limit: int = 50, me: int | None = None) -> list[SearchHit]:
    """Search canned replies, customers, ticket subjects and comment bodies (field terms filter tickets)."""
    parsed = _parse(query)
    match = _match(parsed.tokens, parsed.typing, bool(parsed.filters))
    if limit <= 0 or (match is None and not parsed.filters):
        return []
    kinds = parsed.kinds or frozenset({"canned_reply", "customer", "ticket", "comment"})
    where, params = _filters(parsed.filters, me)
    if parsed.filters:
        kinds &= {"ticket", "comment"}   # ticket fields: ticket results only
    try:
        if match is None:
            hits = _filtered_tickets(conn, where, params, limit) if "ticket" in kinds else []
        else:
            hits = (_macros(conn, match, limit) if "canned_reply" in kinds else [])
            hits += _customers(conn, match, limit) if "customer" in kinds else []
            hits += _tickets(conn, match, limit, where, params) if "ticket" in kinds else []
            hits += _comments(conn, match, limit, where, params) if "comment" in kinds else []
            hits = _customer_tickets(conn, hits, limit)
        number = _number(parsed)
        if number is not None and "ticket" in kinds:
            hits = _ticket_first(conn, number, hits, where, params)
    except sqlite3.OperationalError as exc:  # a last guard: never a traceback in the search box
        raise SearchSyntaxError(f"The search could not be understood ({exc}); try plain words") from exc
    return hits[:limit]


def _number(parsed: _Parsed) -> int | None:
    """``20`` or ``#20`` alone (filters aside): a ticket id."""
    words = [text for kind, text in parsed.tokens if kind == "word"]
    if len(parsed.tokens) == 1 and len(words) == 1:
        found = _NUMBER_RE.fullmatch(words[0])
        return int(found.group(1)) if found else None
    return None


def _ticket_first(conn: sqlite3.Connection, ticket_id: int, hits: list[SearchHit], where: str,
                  params: list) -> list[SearchHit]:
    row = conn.execute(f"SELECT t.id, t.subject FROM tickets AS t WHERE t.id = ? AND t.deleted = 0 AND {where}",
                       (ticket_id, *params)).fetchone()
    if row is None:
        return hits
    first = SearchHit("ticket", row[0], row[0], row[1], f"Ticket #{row[0]}")
    return [first] + [h for h in hits if not (h.kind == "ticket" and h.id == row[0])]


CUSTOMER_TICKETS = 5   # tickets listed under each customer found (the first few customers)


def _customer_tickets(conn: sqlite3.Connection, hits: list[SearchHit], limit: int) -> list[SearchHit]:
    """A customer found lists their newest tickets too (kind ``customer_ticket``, under them)."""
    out: list[SearchHit] = []
    customers = 0
    for hit in hits:
        out.append(hit)
        if hit.kind == "customer" and customers < 3:
            customers += 1
            rows = conn.execute("SELECT id, subject, status FROM tickets WHERE requester_id = ? AND deleted = 0 "
                                "ORDER BY updated_at DESC LIMIT ?", (hit.id, CUSTOMER_TICKETS))
            out += [SearchHit("customer_ticket", r[0], r[0], r[1], f"{hit.title} · {r[2]}") for r in rows]
    return out


def _filters(terms: list[SearchTerm], me: int | None) -> tuple[str, list]:
    """SQL over ``tickets AS t`` for the checked field terms (``1`` when there are none)."""
    parts: list[str] = []
    params: list = []
    for term in terms:
        sql = _filter(term, me, params)
        parts.append(f"NOT ({sql})" if term.negated else f"({sql})")
    return (" AND ".join(parts) if parts else "1"), params


def _like(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


def _filter(t: SearchTerm, me: int | None, params: list) -> str:
    name, value = t.field, t.value
    if name in ("status", "priority"):
        if value == "none":
            return f"t.{name} IS NULL"
        chosen = search_syntax.ordered_values(t)
        params.extend(chosen)
        return f"t.{name} IN ({', '.join('?' * len(chosen))})" if chosen else "0"
    if name == "ticket_type":
        if value == "none":
            return "NULLIF(t.type, '') IS NULL"
        params.append(value)
        return "t.type = ?"
    if name in ("created", "updated"):
        return search_syntax.time_compare_sql(f"CAST(strftime('%s', t.{name}_at) AS INTEGER)", t, params)
    if name in ("requester", "assignee"):
        column = f"t.{name}_id"
        if value.lower() == "me":
            params.append(me)
            return f"{column} = ?"
        if value.lower() == "none":
            return f"{column} IS NULL"
        if value.isdigit():
            params.append(int(value))
            return f"{column} = ?"
        params.extend((_prefix(t), _prefix(t)))
        return (f"{column} IN (SELECT id FROM users WHERE lower(name) LIKE lower(?) ESCAPE '\\' "
                "OR lower(email) LIKE lower(?) ESCAPE '\\')")
    if name == "group":
        if value.isdigit():
            params.append(int(value))
            return "t.group_id = ?"
        if value.lower() == "none":
            return "t.group_id IS NULL"
        params.append(_prefix(t))
        return "t.group_id IN (SELECT id FROM groups WHERE lower(name) LIKE lower(?) ESCAPE '\\')"
    if name == "tags":
        params.append("% " + _like(t.text.lower()) + ("%" if t.wildcard else " %"))
        return "lower(t.tags) LIKE ? ESCAPE '\\'"
    if name == "subject":
        params.append("%" + _like(t.text) + "%")
        return "t.subject LIKE ? ESCAPE '\\'"
    params.append(_prefix(t))   # external_id
    return "lower(t.external_id) LIKE lower(?) ESCAPE '\\'"


def _prefix(t: SearchTerm) -> str:
    """Equality, or a prefix for ``value*`` (as the helpdesk's ``_text_equals``), as a LIKE pattern."""
    return _like(t.text) + ("%" if t.wildcard else "")


def _filtered_tickets(conn: sqlite3.Connection, where: str, params: list, limit: int) -> list[SearchHit]:
    rows = conn.execute(f"SELECT t.id, t.subject, t.status FROM tickets AS t WHERE t.deleted = 0 AND {where} "
                        "ORDER BY t.updated_at DESC LIMIT ?", (*params, limit))
    return [SearchHit("ticket", r[0], r[0], r[1], r[2]) for r in rows]


def _macros(conn: sqlite3.Connection, match: str, limit: int) -> list[SearchHit]:
    rows = conn.execute(
        f"SELECT m.id, m.title, {_SNIPPET.format(table='macro_fts', col=1)} FROM macro_fts "
        "JOIN macros AS m ON m.id = macro_fts.rowid WHERE macro_fts MATCH ? AND m.active = 1 "
        "ORDER BY rank LIMIT ?", (match, limit))
    return [SearchHit("canned_reply", r[0], None, r[1], r[2]) for r in rows]


def _customers(conn: sqlite3.Connection, match: str, limit: int) -> list[SearchHit]:
    rows = conn.execute(
        "SELECT u.id, u.name, coalesce(u.email, ''), coalesce(u.username, '') FROM user_fts "
        "JOIN users AS u ON u.id = user_fts.rowid WHERE user_fts MATCH ? AND u.role = 'end-user' "
        "ORDER BY user_fts.rowid DESC LIMIT ?", (match, limit))
    return [SearchHit("customer", r[0], None, r[1], " · ".join(x for x in r[2:] if x)) for r in rows]


def _tickets(conn: sqlite3.Connection, match: str, limit: int, where: str = "1", params: list | None = None
             ) -> list[SearchHit]:
    rows = conn.execute(
        f"SELECT t.id, t.subject, {_SNIPPET.format(table='ticket_fts', col=0)} FROM ticket_fts "
        f"JOIN tickets AS t ON t.id = ticket_fts.rowid WHERE ticket_fts MATCH ? AND t.deleted = 0 AND {where} "
        "ORDER BY ticket_fts.rowid DESC LIMIT ?", (match, *(params or ()), limit))
    return [SearchHit("ticket", r[0], r[0], r[1], r[2]) for r in rows]


def _comments(conn: sqlite3.Connection, match: str, limit: int, where: str = "1", params: list | None = None
              ) -> list[SearchHit]:
    if where != "1":   # filtered: only comments of tickets the filters keep
        where = f"t.id IS NOT NULL AND {where}"
    rows = conn.execute(
        f"SELECT c.id, c.ticket_id, coalesce(t.subject, ''), {_SNIPPET.format(table='comment_fts', col=0)} "
        "FROM comment_fts JOIN comments AS c ON c.id = comment_fts.rowid "
        "LEFT JOIN tickets AS t ON t.id = c.ticket_id "
        f"WHERE comment_fts MATCH ? AND coalesce(t.deleted, 0) = 0 AND {where} "
        "ORDER BY comment_fts.rowid DESC LIMIT ?", (match, *(params or ()), limit))
    return [SearchHit("comment", r[0], r[1], r[2], r[3]) for r in rows]
