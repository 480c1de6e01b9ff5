"""Full-text search over the cache, fed by what an agent types in the search box.

The text is split by the shared tokenizer (``console.domain.search_syntax``, the helpdesk's too).
Accepted input: plain words (the last one, still being typed, matches as a prefix
unless the text ends with a space; a one-letter word always matches exactly), ``"exact phrases"``,
``OR`` between two terms, and ``-word`` to exclude; a field term (``status:pending``) is searched
as its text. Punctuation, brackets, ``*``, ``AND``, emoji or any script are
treated as text, never as FTS5 syntax: every term is quoted before it reaches SQLite.
What cannot be understood raises ``SearchSyntaxError`` with a message for the search box:
an unclosed quote, ``OR`` first or twice in a row, ``OR -word``, or only excluded words.
A trailing ``OR`` (the agent is still typing) is ignored.

Hits come newest first within each kind (tickets, comments by id; customers and canned
replies by relevance); each kind gets at most ``limit`` rows, then the lists are merged
in the order canned_reply, customer, ticket, comment and cut to ``limit``.
"""

from __future__ import annotations

import re
import sqlite3

from console.domain import search_syntax
from console.domain.search_syntax import tokenize

from .records import SearchHit, SearchSyntaxError

_WORD_RE = re.compile(r"\w", re.UNICODE)
_SNIPPET = "snippet({table}, {col}, '[', ']', '…', 12)"


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _tokens(query: str) -> list[tuple[str, str]]:
    """The shared tokenizer's terms as (kind, text): kind is word, phrase, or, not_word, not_phrase.

    A field term (``status:pending``) is searched as its text for now."""
    try:
        terms = tokenize(query)
    except search_syntax.SearchSyntaxError as exc:
        raise SearchSyntaxError(str(exc)) from None
    tokens = []
    for term in terms:
        if term.is_or:
            tokens.append(("or", term.value))
            continue
        kind = "phrase" if term.quoted and term.field is None else "word"
        tokens.append(("not_" + kind if term.negated else kind, term.value if term.field is None else term.source))
    return tokens


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
    groups: list[list[str]] = []
    excluded: list[str] = []
    pending_or = False
    tokens = _tokens(query)
    typing = -1 if query[-1:].isspace() else len(tokens) - 1  # index of the word being typed
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
        if excluded:
            raise SearchSyntaxError("Add a word to look for; excluded words (-word) only narrow a search")
        return None
    expr = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    if len(groups) > 1 and excluded:
        expr = f"({expr})"
    for term in excluded:
        expr += f" NOT {term}"
    return expr


def search(conn: sqlite3.Connection, query: str, limit: int = 50) -> list[SearchHit]:
    """Search canned replies, customers, ticket subjects and comment bodies."""
    match = build_match(query)
    if match is None or limit <= 0:
        return []
    try:
        hits = _macros(conn, match, limit) + _customers(conn, match, limit)
        hits += _tickets(conn, match, limit) + _comments(conn, match, limit)
    except sqlite3.OperationalError as exc:  # a last guard: never a traceback in the search box
        raise SearchSyntaxError(f"The search could not be understood ({exc}); try plain words") from exc
    return hits[:limit]


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


def _tickets(conn: sqlite3.Connection, match: str, limit: int) -> list[SearchHit]:
    rows = conn.execute(
        f"SELECT t.id, t.subject, {_SNIPPET.format(table='ticket_fts', col=0)} FROM ticket_fts "
        "JOIN tickets AS t ON t.id = ticket_fts.rowid WHERE ticket_fts MATCH ? AND t.deleted = 0 "
        "ORDER BY ticket_fts.rowid DESC LIMIT ?", (match, limit))
    return [SearchHit("ticket", r[0], r[0], r[1], r[2]) for r in rows]


def _comments(conn: sqlite3.Connection, match: str, limit: int) -> list[SearchHit]:
    rows = conn.execute(
        f"SELECT c.id, c.ticket_id, coalesce(t.subject, ''), {_SNIPPET.format(table='comment_fts', col=0)} "
        "FROM comment_fts JOIN comments AS c ON c.id = comment_fts.rowid "
        "LEFT JOIN tickets AS t ON t.id = c.ticket_id "
        "WHERE comment_fts MATCH ? AND coalesce(t.deleted, 0) = 0 "
        "ORDER BY comment_fts.rowid DESC LIMIT ?", (match, limit))
    return [SearchHit("comment", r[0], r[1], r[2], r[3]) for r in rows]
