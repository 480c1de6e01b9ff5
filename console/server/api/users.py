"""Users, user fields, groups and group memberships (reads by id on the event loop: see tickets.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from console.server import serialize, user_ops
from console.server.api.auth import caller
from console.server.api.paging import base_url, id_list, list_page, parse_id
from console.server.db import iso, now_ts
from console.server.errors import (
    envelope,
    fits,
    forbidden,
    json_body,
    json_response,
    not_found,
    record_invalid,
)

router = APIRouter()
USER_SORTS = {"id": "id", "name": "name", "created_at": "created_at", "updated_at": "updated_at"}


def _ctx(request: Request):
    return request.app.state.store.conn(), base_url(request)


def _users(conn, rows, base) -> list[dict]:
    keys = serialize.user_field_keys(conn)
    return [serialize.user_json(r, base, keys) for r in rows]


def _one_user(conn, base, user_id: int) -> dict:
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise not_found()
    return _users(conn, [row], base)[0]


@router.get("/users")
def list_users(request: Request):
    conn, base = _ctx(request)
    roles = request.query_params.getlist("role[]") or request.query_params.getlist("role")
    where, params = "1", []
    if roles:
        where = f"role IN ({','.join('?' * len(roles))})"
        params = roles
    rows, paging = list_page(request, conn, table="users", where=where, params=params,
                             obp_sorts=USER_SORTS)
    return json_response({"users": _users(conn, rows, base), **paging})


@router.get("/users/me")
async def me(request: Request):
    conn, base = _ctx(request)
    return json_response({"user": _one_user(conn, base, caller(request)["id"])})


@router.get("/users/show_many")
async def show_many_users(request: Request):
    conn, base = _ctx(request)
    if request.query_params.get("external_ids"):
        ext = [x for x in request.query_params["external_ids"].split(",") if x][:100]
        rows = conn.execute(f"SELECT * FROM users WHERE external_id IN ({','.join('?' * len(ext))}) "
                            "ORDER BY id", ext).fetchall()
    else:
        rows = serialize.rows_by_ids(conn, "users", id_list(request, "ids"))
    return json_response({"users": _users(conn, rows, base)})


@router.get("/users/search")
def search_users(request: Request):
    conn, base = _ctx(request)
    q = request.query_params
    if q.get("external_id") is not None:
        where, params = "external_id = ?", [q["external_id"]]
    else:
        query = (q.get("query") or "").strip()
        if not query:
            raise record_invalid("query", "query or external_id is required", "BlankValue")
        key, sep, value = query.partition(":")
        if sep and key in ("email", "name", "external_id", "role"):
            value = value.strip().strip('"')
            where, params = {"email": ("email = ?", [value]), "name": ("name LIKE ?", [f"%{value}%"]),
                             "external_id": ("external_id = ?", [value]),
                             "role": ("role = ?", [value])}[key]
        else:
            where, params = "(email LIKE ? OR name LIKE ?)", [f"%{query}%", f"%{query}%"]
    rows, paging = list_page(request, conn, table="users", where=where, params=params,
                             obp_sorts=USER_SORTS)
    return json_response({"users": _users(conn, rows, base), **paging})


@router.get("/users/{user_id:int}")
async def show_user(request: Request, user_id: int):
    conn, base = _ctx(request)
    return json_response({"user": _one_user(conn, base, user_id)})


@router.put("/users/{user_id:int}")
def update_user(request: Request, user_id: int, body: dict = Depends(json_body)):
    data = envelope(body, "user")
    with request.app.state.store.write() as conn:
        user_ops.update_user(conn, caller(request), user_id, data)
        user = _one_user(conn, base_url(request), user_id)
    return json_response({"user": user})


@router.post("/users")
def create_user(request: Request, body: dict = Depends(json_body)):
    data = envelope(body, "user")
    with request.app.state.store.write() as conn:
        user_id = user_ops.create_user(conn, caller(request), data)
        user = _one_user(conn, base_url(request), user_id)
    return json_response({"user": user}, 201)


@router.post("/users/create_or_update")
def create_or_update_user(request: Request, body: dict = Depends(json_body)):
    data = envelope(body, "user")
    with request.app.state.store.write() as conn:
        user_id = user_ops.find_for_upsert(conn, data)
        if user_id is None:
            user_id, status = user_ops.create_user(conn, caller(request), data), 201
        else:
            user_ops.update_user(conn, caller(request), user_id, data)
            status = 200
        user = _one_user(conn, base_url(request), user_id)
    return json_response({"user": user}, status)


@router.get("/user_fields")
def list_user_fields(request: Request):
    conn, base = _ctx(request)
    rows = conn.execute("SELECT * FROM user_fields ORDER BY position, id").fetchall()
    return json_response({"user_fields": [serialize.user_field_json(r, base) for r in rows],
                          "next_page": None, "previous_page": None, "count": len(rows)})


@router.get("/groups")
def list_groups(request: Request):
    conn, base = _ctx(request)
    where = "deleted = 0" if request.query_params.get("exclude_deleted") == "true" else "1"
    rows, paging = list_page(request, conn, table="groups", where=where)
    return json_response({"groups": [serialize.group_json(r, base) for r in rows], **paging})


@router.get("/groups/assignable")
def assignable_groups(request: Request):
    conn, base = _ctx(request)
    rows, paging = list_page(request, conn, table="groups", where="deleted = 0")
    return json_response({"groups": [serialize.group_json(r, base) for r in rows], **paging})


@router.get("/groups/{group_id:int}")
def show_group(request: Request, group_id: int):
    conn, base = _ctx(request)
    row = conn.execute("SELECT * FROM groups WHERE id = ?", (group_id,)).fetchone()
    if row is None:
        raise not_found()
    return json_response({"group": serialize.group_json(row, base)})


@router.get("/users/{user_id:int}/groups")
def user_groups(request: Request, user_id: int):
    conn, base = _ctx(request)
    _one_user(conn, base, user_id)
    rows, paging = list_page(request, conn, table="groups", where="id IN (SELECT group_id FROM "
                             "group_memberships WHERE user_id = ?)", params=[user_id])
    return json_response({"groups": [serialize.group_json(r, base) for r in rows], **paging})


def _memberships(request: Request, where: str, params: list):
    conn, base = _ctx(request)
    rows, paging = list_page(request, conn, table="group_memberships", where=where, params=params)
    return json_response({"group_memberships": [serialize.membership_json(r, base) for r in rows], **paging})


@router.get("/group_memberships")
def list_memberships(request: Request):
    where, params = ["1"], []
    for name in ("group_id", "user_id"):
        value = request.query_params.get(name)
        if value is not None:
            if parse_id(value) is None:
                raise record_invalid(name, f"{name} must be an integer id")
            where.append(f"{name} = ?")
            params.append(parse_id(value))
    return _memberships(request, " AND ".join(where), params)


@router.get("/groups/{group_id:int}/memberships")
def group_memberships(request: Request, group_id: int):
    return _memberships(request, "group_id = ?", [group_id])


@router.get("/users/{user_id:int}/group_memberships")
def user_memberships(request: Request, user_id: int):
    return _memberships(request, "user_id = ?", [user_id])


@router.post("/group_memberships")
def create_membership(request: Request, body: dict = Depends(json_body)):
    if caller(request)["role"] != "admin":  # only admins manage who is in which department
        raise forbidden()
    data = envelope(body, "group_membership")
    user_id, group_id = data.get("user_id"), data.get("group_id")
    for name, value in (("user_id", user_id), ("group_id", group_id)):
        if isinstance(value, bool) or not isinstance(value, int) or not fits(value):
            raise record_invalid(name, f"{name} must be an integer id")
    with request.app.state.store.write() as conn:
        user = conn.execute("SELECT role FROM users WHERE id = ?", (user_id,)).fetchone()
        if user is None or user["role"] == "end-user":
            raise record_invalid("user_id", f"user {user_id} is not an agent")
        if conn.execute("SELECT 1 FROM groups WHERE id = ? AND deleted = 0", (group_id,)).fetchone() is None:
            raise record_invalid("group_id", f"group {group_id} does not exist")
        if conn.execute("SELECT 1 FROM group_memberships WHERE user_id = ? AND group_id = ?",
                        (user_id, group_id)).fetchone():
            raise record_invalid("user_id", "this agent is already in that group", "DuplicateValue")
        is_default = bool(data.get("default")) if isinstance(data.get("default"), bool) else False
        cur = conn.execute("INSERT INTO group_memberships (user_id, group_id, is_default, created_at, "
                           "updated_at) VALUES (?, ?, ?, ?, ?)",
                           (user_id, group_id, int(is_default), iso(now_ts()), iso(now_ts())))
        row = conn.execute("SELECT * FROM group_memberships WHERE id = ?", (cur.lastrowid,)).fetchone()
    return json_response({"group_membership": serialize.membership_json(row, base_url(request))}, 201)
