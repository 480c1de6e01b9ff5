"""Views (department queues): list, active, show, their tickets and counts."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request

from console.server import conditions, serialize
from console.server.api.auth import caller
from console.server.api.paging import base_url, catalog_list, list_page, parse_ids
from console.server.errors import ApiError, bad_request, json_response, not_found, record_invalid

router = APIRouter()
TICKET_SORTS = {"id": "id", "nice_id": "id", "updated": "updated_ts", "updated_at": "updated_ts",
                "created": "created_ts", "created_at": "created_ts", "status": "status",
                "priority": "priority", "requester": "requester_id", "assignee": "assignee_id",
                "group": "group_id", "type": "type", "ticket_type": "type"}


def _view_row(conn, view_id: int):
    row = conn.execute("SELECT * FROM views WHERE id = ?", (view_id,)).fetchone()
    if row is None:
        raise not_found()
    return row


@router.get("/views")
def list_views(request: Request):
    return catalog_list(request, table="views", key="views", to_json=serialize.view_json)


@router.get("/views/active")
def active_views(request: Request):
    return catalog_list(request, table="views", key="views", to_json=serialize.view_json, where="active = 1")


@router.get("/views/{view_id:int}")
def show_view(request: Request, view_id: int):
    row = _view_row(request.app.state.store.conn(), view_id)
    return json_response({"view": serialize.view_json(row, base_url(request))})


def view_filter(conn, row, user: dict) -> tuple[str, list]:
    """The SQL filter of a view's conditions for this agent (never deleted tickets)."""
    groups = [r[0] for r in conn.execute("SELECT group_id FROM group_memberships WHERE user_id = ?",
                                         (user["id"],))]
    try:
        where, params = conditions.view_where(orjson.loads(row["conditions"]), current_user_id=user["id"],
                                              current_group_ids=groups)
    except ValueError as exc:
        raise record_invalid("conditions", f"This view's conditions are not supported: {exc}") from None
    return f"deleted = 0 AND ({where})", params


@router.get("/views/{view_id:int}/tickets")
def view_tickets(request: Request, view_id: int):
    conn, base = request.app.state.store.conn(), base_url(request)
    row = _view_row(conn, view_id)
    where, params = view_filter(conn, row, caller(request))
    execution = orjson.loads(row["execution"] or "{}")
    sort = execution.get("sort_by") or "id"
    sort = sort if sort in TICKET_SORTS else "id"
    default_sort = ("-" if execution.get("sort_order") == "desc" else "") + sort
    rows, paging = list_page(request, conn, table="tickets", where=where, params=params,
                             cbp_sorts=TICKET_SORTS, obp_sorts=TICKET_SORTS, default_sort=default_sort)
    tickets = [serialize.ticket_json(r, base) for r in rows]
    include = request.query_params.get("include")
    extra = serialize.sideload(conn, include if include != "None" else None, tickets, base)
    return json_response({"tickets": tickets, **extra, **paging})


def _count(request: Request, conn, row) -> dict:
    where, params = view_filter(conn, row, caller(request))
    value = conn.execute(f"SELECT COUNT(*) FROM tickets WHERE {where}", params).fetchone()[0]
    return {"view_id": row["id"], "url": f"{base_url(request)}/api/v2/views/{row['id']}/count.json",
            "value": value, "pretty": str(value), "fresh": True}


@router.get("/views/{view_id:int}/count")
def view_count(request: Request, view_id: int):
    conn = request.app.state.store.conn()
    return json_response({"view_count": _count(request, conn, _view_row(conn, view_id))})


@router.get("/views/count_many")
def count_many(request: Request):
    raw = request.query_params.get("ids") or request.query_params.get("count_many") or ""
    ids = parse_ids(raw, "ids")
    if not ids:
        raise bad_request("ids (or count_many) is required")
    if len(ids) > 20:
        raise ApiError(400, "TooManyValues", "count_many accepts at most 20 view ids")
    conn = request.app.state.store.conn()
    rows = serialize.rows_by_ids(conn, "views", ids)
    return json_response({"view_counts": [_count(request, conn, r) for r in rows]})
