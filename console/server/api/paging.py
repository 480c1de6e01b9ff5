"""Cursor (``page[size]``) and offset (``page``/``per_page``) pagination with absolute links."""

from __future__ import annotations

import base64
import math
import re
import sqlite3
from decimal import Decimal
from urllib.parse import urlencode

import orjson
from starlette.requests import Request

from console.server.errors import ApiError, bad_request, fits

OBP_RECORD_CAP = 10_000
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def base_url(request: Request) -> str:
    """``scheme://host[:port]`` exactly as the client addressed us."""
    return str(request.base_url).rstrip("/")


def absolute(request: Request, path: str, params: dict | list | None = None) -> str:
    url = f"{base_url(request)}{path}"
    return f"{url}?{urlencode(params)}" if params else url


def parse_number(raw: str) -> Decimal | None:
    """A numeric query value as Zendesk takes it: ``100``, ``946684800.0`` (Singer's tap-zendesk
    sends every ``start_time`` as a float), ``1e3``. None when it is not a plain decimal number."""
    text = raw.strip()
    if not _NUMBER.fullmatch(text):
        return None
    value = Decimal(text)
    return value if value.adjusted() <= 30 else None  # no 10**999999 to build


def int_param(request: Request, name: str, default: int | None = None, *,
              low: int | None = None, high: int | None = None) -> int | None:
    """A numeric parameter rounded down to a whole number (``start_time=946684800.5`` means that second)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    number = parse_number(raw)
    if number is None:
        raise bad_request(f"{name} must be a number")
    value = math.floor(number)
    if not fits(value):
        raise bad_request(f"{name} is out of range")
    if low is not None and value < low:
        raise bad_request(f"{name} must be at least {low}")
    if high is not None and value > high:
        value = high
    return value


def parse_id(raw: str) -> int | None:
    """An id written as an integer or an integral float (``12.0``); None for anything else (an
    exponent such as ``1e5`` is not an id anyone writes: refused)."""
    number = parse_number(raw) if "e" not in raw.lower() else None
    if number is None or number != number.to_integral_value() or number < 0 or not fits(int(number)):
        return None
    return int(number)


def id_list(request: Request, *names: str, limit: int = 100) -> list[int]:
    """Comma-separated ids from the first of ``names`` that is present (``ids=1,2.0,3``)."""
    name = next((n for n in names if request.query_params.get(n)), names[0])
    ids = [parse_id(x) for x in (request.query_params.get(name) or "").split(",") if x.strip()]
    if None in ids:
        raise bad_request(f"{name} must be a comma-separated list of ids")
    if len(ids) > limit:
        raise ApiError(400, "TooManyValues", f"{name} accepts at most {limit} values")
    return ids


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode()


def decode_cursor(cursor: str, length: int) -> list:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, orjson.JSONDecodeError):
        raise bad_request("The cursor is not valid") from None
    if not isinstance(values, list) or len(values) != length or not all(_cursor_value(v) for v in values):
        raise bad_request("The cursor is not valid")
    return values


def _cursor_value(value) -> bool:
    """A cursor holds a sort value and an id: numbers within range or text, nothing else."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return fits(value)
    return isinstance(value, str)


def wants_cursor(request: Request) -> bool:
    q = request.query_params
    return any(k in q for k in ("page[size]", "page[after]", "page[before]"))


def list_page(request: Request, conn: sqlite3.Connection, *, table: str, where: str = "1",
              params: list | tuple = (), cbp_sorts: dict[str, str] | None = None,
              obp_sorts: dict[str, str] | None = None, default_sort: str = "id",
              ) -> tuple[list[sqlite3.Row], dict]:
    """Rows of one page plus the paging keys (``meta``/``links`` or ``next_page``/``count``)."""
    cbp_sorts = cbp_sorts or {"id": "id"}
    if wants_cursor(request):
        return _cursor_page(request, conn, table, where, list(params), cbp_sorts, default_sort)
    return _offset_page(request, conn, table, where, list(params), obp_sorts or cbp_sorts, default_sort)


def _cursor_page(request, conn, table, where, params, sorts, default_sort):
    q = request.query_params
    size = int_param(request, "page[size]", 100, low=1, high=100)
    sort = q.get("sort") or default_sort
    desc = sort.startswith("-")
    column = sorts.get(sort.lstrip("-"))
    if column is None:
        raise bad_request(f"sort must be one of {', '.join(sorted(sorts))} (optionally prefixed by -)")
    after, before = q.get("page[after]"), q.get("page[before]")
    if after and before:
        raise bad_request("page[after] and page[before] cannot be combined")
    backwards = bool(before)
    clause, args = where, list(params)
    if after or before:
        value, last_id = decode_cursor(after or before, 2)
        op = "<" if desc != backwards else ">"
        clause = f"({where}) AND ({column}, id) {op} (?, ?)"
        args += [value, last_id]
    order = "DESC" if desc != backwards else "ASC"
    rows = conn.execute(f"SELECT * FROM {table} WHERE {clause} ORDER BY {column} {order}, id {order} "
                        f"LIMIT ?", [*args, size + 1]).fetchall()
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def cursor_of(row):
        return encode_cursor([row[column], row["id"]])

    after_cursor = cursor_of(rows[-1]) if rows else None
    before_cursor = cursor_of(rows[0]) if rows else None
    keep = [(k, v) for k, v in q.multi_items() if k not in ("page[after]", "page[before]")]
    path = request.url.path
    next_link = absolute(request, path, [*keep, ("page[after]", after_cursor)]) \
        if after_cursor and (has_more or backwards) else None
    prev_link = absolute(request, path, [*keep, ("page[before]", before_cursor)]) \
        if before_cursor and (after or (backwards and has_more)) else None
    return rows, {"meta": {"has_more": has_more if not backwards else bool(next_link),
                           "after_cursor": after_cursor, "before_cursor": before_cursor},
                  "links": {"next": next_link, "prev": prev_link}}


def _offset_page(request, conn, table, where, params, sorts, default_sort):
    q = request.query_params
    page = int_param(request, "page", 1, low=1)
    per_page = int_param(request, "per_page", 100, low=1, high=100)
    offset = (page - 1) * per_page
    if offset >= OBP_RECORD_CAP:
        raise ApiError(400, {"title": "Invalid attribute",
                             "message": "Offset pagination is limited to the first 10,000 records; "
                                        "use cursor pagination (page[size])"})
    sort_by = q.get("sort_by") or default_sort.lstrip("-")
    column = sorts.get(sort_by)
    if column is None:
        raise bad_request(f"sort_by must be one of {', '.join(sorted(sorts))}")
    sort_order = (q.get("sort_order") or ("desc" if default_sort.startswith("-") else "asc")).lower()
    if sort_order not in ("asc", "desc"):
        raise bad_request("sort_order must be asc or desc")
    count = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params).fetchone()[0]
    rows = conn.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY {column} {sort_order}, "
                        f"id {sort_order} LIMIT ? OFFSET ?", [*params, per_page, offset]).fetchall()
    keep = [(k, v) for k, v in q.multi_items() if k not in ("page", "per_page")]
    path = request.url.path

    def link(n):
        return absolute(request, path, [*keep, ("page", n), ("per_page", per_page)])

    has_next = offset + len(rows) < count and offset + per_page < OBP_RECORD_CAP
    return rows, {"next_page": link(page + 1) if has_next else None,
                  "previous_page": link(page - 1) if page > 1 else None,
                  "count": count}


CATALOG_SORTS = {"id": "id", "position": "position", "title": "title", "alphabetical": "title",
                 "created_at": "created_at", "updated_at": "updated_at"}


def catalog_list(request: Request, *, table: str, key: str, to_json, where: str = "1",
                 params: list | tuple = ()):
    """One page of a catalog (macros, views) ordered by position, with ``?active=true|false``."""
    from console.server.errors import bad_request, json_response

    active = request.query_params.get("active")
    if active is not None:
        if active not in ("true", "false"):
            raise bad_request("active must be true or false")
        where, params = f"({where}) AND active = ?", [*params, int(active == "true")]
    conn, base = request.app.state.store.conn(), base_url(request)
    rows, paging = list_page(request, conn, table=table, where=where, params=params,
                             cbp_sorts=CATALOG_SORTS, obp_sorts=CATALOG_SORTS, default_sort="position")
    return json_response({key: [to_json(r, base) for r in rows], **paging})
