"""Liquid placeholders rendered for one ticket, via console.domain.placeholders."""

from __future__ import annotations

import sqlite3

from console.server import serialize


def _renderer():
    try:
        from console.domain import placeholders
    except ImportError:  # the renderer module is not installed yet: leave text as written
        return None
    return placeholders


def ticket_context(conn: sqlite3.Connection, ticket_id: int, current_user: dict, base: str) -> dict | None:
    """The API-shaped context (ticket, requester, assignee, group, comments) for rendering."""
    module = _renderer()
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    if module is None or row is None:
        return None
    keys = serialize.user_field_keys(conn)

    def user(uid):
        found = conn.execute("SELECT * FROM users WHERE id = ?", (uid,)).fetchone() if uid else None
        return serialize.user_json(found, base, keys) if found else None

    group = conn.execute("SELECT * FROM groups WHERE id = ?", (row["group_id"],)).fetchone()
    comments = conn.execute("SELECT * FROM comments WHERE ticket_id = ? ORDER BY created_ts, id",
                            (ticket_id,)).fetchall()
    me = conn.execute("SELECT * FROM users WHERE id = ?", (current_user["id"],)).fetchone()
    return module.ticket_context(
        serialize.ticket_json(row, base), user(row["requester_id"]), user(row["assignee_id"]),
        serialize.user_json(me, base, keys) if me else None,
        serialize.group_json(group, base) if group else None,
        serialize.comments_json(conn, comments, base))


def render(template: str | None, context: dict | None) -> str | None:
    module = _renderer()
    if template is None or context is None or module is None or "{" not in template:
        return template
    try:
        return module.render(template, context)
    except Exception:  # a broken template is kept as written rather than failing the write
        return template


def render_for_ticket(conn: sqlite3.Connection, ticket_id: int, current_user: dict, text: str | None,
                      base: str) -> str | None:
    if text is None or "{" not in text:
        return text
    return render(text, ticket_context(conn, ticket_id, current_user, base))
