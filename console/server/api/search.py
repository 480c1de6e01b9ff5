"""Search over tickets and users (offset pages only, 1,000 results at most) and its count."""

from __future__ import annotations

from fastapi import APIRouter, Request

from console.server import search_query, serialize
from console.server.api.auth import caller
from console.server.api.paging import absolute, base_url, int_param
from console.server.errors import ApiError, json_response

router = APIRouter()
RESULT_CAP = 1000


def _query(request: Request) -> str:
    query = (request.query_params.get("query") or "").strip()
    kind = request.query_params.get("filter[type]")
    if kind and f"type:{kind}" not in query:
        query = f"{query} type:{kind}".strip()
    if not query:
        raise ApiError(400, "invalid", "Invalid search: the query parameter is required")
    return query


def _run(request: Request, query: str, limit: int, offset: int):
    q = request.query_params
    try:
        return search_query.search(request.app.state.store.conn(), query, current_user_id=caller(request)["id"],
                                   sort_by=q.get("sort_by"), sort_order=q.get("sort_order"),
                                   limit=limit, offset=offset)
    except search_query.SearchSyntaxError as exc:
        raise ApiError(400, "invalid", f"Invalid search: {exc}") from None


@router.get("/search")
def search(request: Request):
    if any(k.startswith("page[") for k in request.query_params):
        raise ApiError(400, {"title": "Invalid attribute",
                             "message": "Search does not support cursor pagination (page[size])"})
    page = int_param(request, "page", 1, low=1)
    per_page = int_param(request, "per_page", 100, low=1, high=100)
    if page * per_page > RESULT_CAP:
        raise ApiError(422, "invalid", "Invalid search: Requested response size was greater than "
                       "Search Response Limits")
    query = _query(request)
    found, total = _run(request, query, per_page, (page - 1) * per_page)
    results = _hydrate(request, found)
    keep = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "per_page")]

    def link(n):
        return absolute(request, request.url.path, [*keep, ("page", n), ("per_page", per_page)])

    has_next = page * per_page < min(total, RESULT_CAP)
    return json_response({"results": results, "facets": None, "next_page": link(page + 1) if has_next else None,
                          "previous_page": link(page - 1) if page > 1 else None, "count": total})


def _hydrate(request: Request, found: list[tuple[str, int]]) -> list[dict]:
    conn, base = request.app.state.store.conn(), base_url(request)
    by_kind: dict[str, dict[int, dict]] = {"ticket": {}, "user": {}}
    ticket_ids = [i for kind, i in found if kind == "ticket"]
    user_ids = [i for kind, i in found if kind == "user"]
    for row in serialize.rows_by_ids(conn, "tickets", ticket_ids):
        by_kind["ticket"][row["id"]] = serialize.ticket_json(row, base)
    keys = serialize.user_field_keys(conn)
    for row in serialize.rows_by_ids(conn, "users", user_ids):
        by_kind["user"][row["id"]] = serialize.user_json(row, base, keys)
    return [{**by_kind[kind][i], "result_type": kind} for kind, i in found if i in by_kind.get(kind, {})]


@router.get("/search/count")
def search_count(request: Request):
    _found, total = _run(request, _query(request), 1, 0)
    return json_response({"count": total})
