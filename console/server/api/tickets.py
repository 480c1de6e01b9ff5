"""Tickets: list, show, show_many, create (idempotent), update, tags, delete, comments, audits.

Reads bounded by an id or one page of an index walk are ``async def``: they run on the event loop,
a few SQLite point lookups each, and skip the worker-thread hop that cost more than the read itself
(bench/bench_load.py: 860 -> ~1,900 requests/s). Writes, and reads that may scan (a ``count`` of a
whole table, search, exports), stay ``def`` and run on the worker threads, where SQLite's time
does not hold up the loop."""

from __future__ import annotations

import hashlib

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from console.server import serialize, ticket_ops
from console.server.api.auth import caller
from console.server.api.paging import base_url, id_list, list_page
from console.server.db import now_ts
from console.server.errors import ApiError, envelope, json_body, json_response, not_found

router = APIRouter()
IDEMPOTENCY_WINDOW = 2 * 3600
TICKET_CBP_SORTS = {"id": "id", "updated_at": "updated_ts", "status": "status", "created_at": "created_ts"}
TICKET_OBP_SORTS = {"id": "id", "created_at": "created_ts", "updated_at": "updated_ts", "status": "status",
                    "subject": "subject", "assignee": "assignee_id", "group": "group_id",
                    "requester": "requester_id"}


def store(request: Request):
    return request.app.state.store


def client_meta(request: Request) -> dict:
    return {"client": request.headers.get("user-agent", ""),
            "ip_address": request.client.host if request.client else None}


def ticket_and_audit(conn, ticket_id: int, audit_id: int, base: str) -> dict:
    ticket = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    audit = conn.execute("SELECT * FROM audits WHERE id = ?", (audit_id,)).fetchone()
    return {"ticket": serialize.ticket_json(ticket, base),
            "audit": serialize.audits_json(conn, [audit], base)[0]}


@router.get("/tickets")
def list_tickets(request: Request):
    conn, base = store(request).conn(), base_url(request)
    where, params = "deleted = 0", []
    if request.query_params.get("external_id") is not None:
        where += " AND external_id = ?"
        params.append(request.query_params["external_id"])
    rows, paging = list_page(request, conn, table="tickets", where=where, params=params,
                             cbp_sorts=TICKET_CBP_SORTS, obp_sorts=TICKET_OBP_SORTS)
    tickets = [serialize.ticket_json(r, base) for r in rows]
    extra = serialize.sideload(conn, request.query_params.get("include"), tickets, base)
    return json_response({"tickets": tickets, **extra, **paging})


@router.get("/custom_statuses")
def list_custom_statuses(request: Request):
    """The account's custom ticket statuses (Zendesk's list is not paginated); ``active=true|false``
    and ``status_categories=open,pending`` filter it."""
    conn, base = store(request).conn(), base_url(request)
    where, params = ["1"], []
    active = request.query_params.get("active")
    if active in ("true", "false"):
        where.append("active = ?")
        params.append(int(active == "true"))
    categories = [c for c in (request.query_params.get("status_categories") or "").split(",") if c.strip()]
    if categories:
        where.append(f"status_category IN ({','.join('?' * len(categories))})")
        params += [c.strip() for c in categories]
    rows = conn.execute(f"SELECT * FROM custom_statuses WHERE {' AND '.join(where)} ORDER BY id", params).fetchall()
    return json_response({"custom_statuses": [serialize.custom_status_json(r, base) for r in rows]})


@router.get("/ticket_fields")
def list_ticket_fields(request: Request):
    """The account's ticket fields, system and custom (Zendesk's list: one page here)."""
    conn, base = store(request).conn(), base_url(request)
    rows = conn.execute("SELECT * FROM ticket_fields ORDER BY position, id").fetchall()
    return json_response({"ticket_fields": [serialize.ticket_field_json(r, base) for r in rows],
                          "next_page": None, "previous_page": None, "count": len(rows)})


@router.get("/custom_statuses/{status_id:int}")
def show_custom_status(request: Request, status_id: int):
    conn, base = store(request).conn(), base_url(request)
    row = conn.execute("SELECT * FROM custom_statuses WHERE id = ?", (status_id,)).fetchone()
    if row is None:
        raise not_found()
    return json_response({"custom_status": serialize.custom_status_json(row, base)})


@router.get("/tickets/show_many")
async def show_many(request: Request):
    conn, base = store(request).conn(), base_url(request)
    rows = serialize.rows_by_ids(conn, "tickets", id_list(request, "ids"), "deleted = 0")
    tickets = [serialize.ticket_json(r, base) for r in rows]
    extra = serialize.sideload(conn, request.query_params.get("include"), tickets, base)
    return json_response({"tickets": tickets, **extra})


@router.get("/tickets/{ticket_id:int}")
async def show_ticket(request: Request, ticket_id: int):
    conn, base = store(request).conn(), base_url(request)
    ticket = serialize.ticket_json(ticket_ops.current_ticket(conn, ticket_id), base)
    extra = serialize.sideload(conn, request.query_params.get("include"), [ticket], base)
    return json_response({"ticket": ticket, **extra})


@router.post("/tickets")
def create_ticket(request: Request, body: dict = Depends(json_body)):
    data = envelope(body, "ticket")
    key = request.headers.get("idempotency-key")
    if key is not None and not (0 < len(key) <= 255):
        raise ApiError(400, "IdempotentRequestError", "Idempotency-Key must be 1 to 255 characters")
    user, base = caller(request), base_url(request)
    digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    lookup = {"x-idempotency-lookup": "miss"} if key else {}
    with store(request).write() as conn:
        if key:
            replay = _idempotent_replay(conn, key, user["id"], digest, base)
            if replay is not None:
                return replay
        ticket_id, audit_id = ticket_ops.create_ticket(conn, user, data, base, client_meta(request))
        payload = orjson.dumps(ticket_and_audit(conn, ticket_id, audit_id, base))
        if key:
            conn.execute("INSERT INTO idempotency_keys (key, user_id, body_hash, status_code, response, "
                         "created_ts) VALUES (?, ?, ?, 201, ?, ?)",
                         (key, user["id"], digest, payload.decode(), now_ts()))
    return Response(payload, 201, media_type="application/json",
                    headers={"Location": f"{base}/api/v2/tickets/{ticket_id}.json", **lookup})


def _idempotent_replay(conn, key: str, user_id: int, digest: str, base: str) -> Response | None:
    row = conn.execute("SELECT * FROM idempotency_keys WHERE key = ?", (key,)).fetchone()
    if row is not None and row["created_ts"] < now_ts() - IDEMPOTENCY_WINDOW:
        conn.execute("DELETE FROM idempotency_keys WHERE key = ?", (key,))
        row = None
    if row is None:
        return None
    if row["body_hash"] != digest or row["user_id"] != user_id:
        raise ApiError(400, "IdempotentRequestError",
                       "Request parameters don't match the given idempotency key",
                       headers={"x-idempotency-lookup": "hit"})
    ticket_id = orjson.loads(row["response"])["ticket"]["id"]
    return Response(row["response"].encode(), row["status_code"], media_type="application/json",
                    headers={"x-idempotency-lookup": "hit",
                             "Location": f"{base}/api/v2/tickets/{ticket_id}.json"})


@router.put("/tickets/{ticket_id:int}")
def update_ticket(request: Request, ticket_id: int, body: dict = Depends(json_body)):
    data = envelope(body, "ticket")
    user, base = caller(request), base_url(request)
    with store(request).write() as conn:
        audit_id = ticket_ops.update_ticket(conn, user, ticket_id, data, base, client_meta(request))
        payload = ticket_and_audit(conn, ticket_id, audit_id, base)
    return json_response(payload)


@router.delete("/tickets/{ticket_id:int}")
def delete_ticket(request: Request, ticket_id: int):
    with store(request).write() as conn:
        ticket_ops.delete_ticket(conn, ticket_id)
    return Response(status_code=204)


@router.get("/tickets/{ticket_id:int}/tags")
async def show_tags(request: Request, ticket_id: int):
    row = ticket_ops.current_ticket(store(request).conn(), ticket_id)
    return json_response({"tags": orjson.loads(row["tags"])})


async def _tags_body(request: Request) -> dict:
    body = await json_body(request)
    return body.get("ticket") if isinstance(body.get("ticket"), dict) else body


def _tags(request: Request, ticket_id: int, data: dict, mode: str):
    user, base = caller(request), base_url(request)
    with store(request).write() as conn:
        ticket_ops.change_tags(conn, user, ticket_id, data, mode, client_meta(request), base)
        row = ticket_ops.current_ticket(conn, ticket_id)
    return json_response({"tags": orjson.loads(row["tags"])})


@router.put("/tickets/{ticket_id:int}/tags")
def add_tags(request: Request, ticket_id: int, data: dict = Depends(_tags_body)):
    return _tags(request, ticket_id, data, "add")


@router.delete("/tickets/{ticket_id:int}/tags")
def remove_tags(request: Request, ticket_id: int, data: dict = Depends(_tags_body)):
    return _tags(request, ticket_id, data, "remove")


@router.post("/tickets/{ticket_id:int}/tags")
def set_tags(request: Request, ticket_id: int, data: dict = Depends(_tags_body)):
    return _tags(request, ticket_id, data, "set")


@router.get("/tickets/{ticket_id:int}/comments")
async def list_comments(request: Request, ticket_id: int):
    conn, base = store(request).conn(), base_url(request)
    ticket_ops.current_ticket(conn, ticket_id)
    sorts = {"created_at": "created_ts"}
    rows, paging = list_page(request, conn, table="comments", where="ticket_id = ?", params=[ticket_id],
                             cbp_sorts=sorts, obp_sorts=sorts, default_sort="created_at")
    comments = serialize.comments_json(conn, rows, base)
    extra = {}
    if "users" in (request.query_params.get("include") or ""):
        ids = sorted({c["author_id"] for c in comments})
        keys = serialize.user_field_keys(conn)
        extra["users"] = [serialize.user_json(r, base, keys) for r in serialize.rows_by_ids(conn, "users", ids)]
    return json_response({"comments": comments, **extra, **paging})


@router.get("/tickets/{ticket_id:int}/audits")
async def list_audits(request: Request, ticket_id: int):
    conn, base = store(request).conn(), base_url(request)
    ticket_ops.current_ticket(conn, ticket_id)
    rows, paging = list_page(request, conn, table="audits", where="ticket_id = ?", params=[ticket_id])
    return json_response({"audits": serialize.audits_json(conn, rows, base), **paging})


@router.get("/tickets/{ticket_id:int}/audits/{audit_id:int}")
async def show_audit(request: Request, ticket_id: int, audit_id: int):
    conn, base = store(request).conn(), base_url(request)
    ticket_ops.current_ticket(conn, ticket_id)
    row = conn.execute("SELECT * FROM audits WHERE id = ? AND ticket_id = ?", (audit_id, ticket_id)).fetchone()
    if row is None:
        raise not_found()
    return json_response({"audit": serialize.audits_json(conn, [row], base)[0]})
