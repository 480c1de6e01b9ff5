"""Macros (canned replies): list, active, show, and the two apply endpoints (nothing is saved).

Who sees a macro (Zendesk's rule): an admin every macro of the account; an agent (and ``/macros/active``,
for anyone) the shared ones, those restricted to one of the user's groups, and their own personal macros. A macro an
agent may not see answers 404 everywhere (list, show, apply), as if it did not exist."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request

from console.domain.macro_actions import macro_effect
from console.server import placeholders_bridge, serialize, ticket_ops
from console.server.api.auth import caller
from console.server.api.paging import base_url, catalog_list
from console.server.comment_text import html_from_text, text_from_html
from console.server.errors import json_response, not_found

router = APIRouter()


def _macro_row(conn, macro_id: int, user: dict):
    where, params = _visible_sql(user)
    row = conn.execute(f"SELECT * FROM macros WHERE id = ? AND {where}", (macro_id, *params)).fetchone()
    if row is None:
        raise not_found()
    return row


def _visible_sql(user: dict) -> tuple[str, list]:
    """Macros this user may see: all for an admin, else the ones the agent can use."""
    return ("1", []) if user.get("role") == "admin" else _usable_sql(user)


def _usable_sql(user: dict) -> tuple[str, list]:
    """Macros shared with everyone, with the user, or with one of the user's groups."""
    return ("(restriction IS NULL OR restriction = 'null' "
            "OR (json_extract(restriction, '$.type') = 'User' AND json_extract(restriction, '$.id') = ?) "
            "OR (json_extract(restriction, '$.type') = 'Group' AND EXISTS (SELECT 1 FROM group_memberships m, "
            "json_each(COALESCE(json_extract(restriction, '$.ids'), json_array(json_extract(restriction, '$.id')))) g "
            "WHERE m.user_id = ? AND m.group_id = g.value)))", [user["id"], user["id"]])


def _list(request: Request, where: str = "1", params: list | tuple = ()):
    return catalog_list(request, table="macros", key="macros", to_json=serialize.macro_json,
                        where=where, params=params)


@router.get("/macros")
def list_macros(request: Request):
    return _list(request, *_visible_sql(caller(request)))


@router.get("/macros/active")
def active_macros(request: Request):
    where, params = _usable_sql(caller(request))
    return _list(request, f"active = 1 AND {where}", params)


@router.get("/macros/{macro_id:int}")
def show_macro(request: Request, macro_id: int):
    row = _macro_row(request.app.state.store.conn(), macro_id, caller(request))
    return json_response({"macro": serialize.macro_json(row, base_url(request))})


def apply_actions(ticket: dict, actions: list, current_user_id: int) -> dict | None:
    """Change ``ticket`` as the actions say (``console.domain.macro_actions``); return the comment the
    macro adds (raw templates), if any."""
    effect = macro_effect(actions, tags=ticket.get("tags") or [], me=current_user_id)
    ticket.update(effect.field_changes)
    if effect.custom_fields:
        merged = {f["id"]: f for f in ticket.get("custom_fields") or []}
        merged.update({f["id"]: f for f in effect.custom_fields})
        ticket["custom_fields"] = ticket["fields"] = list(merged.values())
    if not effect.has_comment:
        return None
    comment: dict = {"public": effect.public}
    if effect.comment_text is not None:
        comment["body"] = effect.comment_text
    if effect.comment_html is not None:
        comment["html_body"] = effect.comment_html
    return comment


def _finish_comment(comment: dict, context: dict | None) -> dict:
    body = placeholders_bridge.render(comment.get("body"), context)
    html_body = placeholders_bridge.render(comment.get("html_body"), context)
    if html_body is None:
        html_body = html_from_text(body or "")
    if body is None:
        body = text_from_html(html_body)
    return {"body": body, "html_body": html_body, "public": comment.get("public", True),
            "scoped_body": [["channel:all", body]]}


@router.get("/macros/{macro_id:int}/apply")
def apply_macro(request: Request, macro_id: int):
    """What the macro would change, without a ticket: changed fields plus the comment."""
    row = _macro_row(request.app.state.store.conn(), macro_id, caller(request))
    changes: dict = {}
    comment = apply_actions(changes, orjson.loads(row["actions"]), caller(request)["id"])
    if comment is not None:
        changes["comment"] = _finish_comment(comment, None)
    return json_response({"result": {"ticket": changes}})


@router.get("/tickets/{ticket_id:int}/macros/{macro_id:int}/apply")
def apply_macro_to_ticket(request: Request, ticket_id: int, macro_id: int):
    """The FULL ticket as it would be after the macro, its comment rendered for this ticket."""
    conn, base, user = request.app.state.store.conn(), base_url(request), caller(request)
    macro = _macro_row(conn, macro_id, user)
    ticket = serialize.ticket_json(ticket_ops.current_ticket(conn, ticket_id), base)
    comment = apply_actions(ticket, orjson.loads(macro["actions"]), user["id"])
    if comment is not None:
        context = placeholders_bridge.ticket_context(conn, ticket_id, user, base)
        ticket["comment"] = _finish_comment(comment, context)
    return json_response({"result": {"ticket": ticket}})
