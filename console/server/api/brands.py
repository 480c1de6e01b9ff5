"""The account's brands and ticket forms (Zendesk's lists are not paginated at these sizes)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from console.server import serialize
from console.server.api.paging import base_url
from console.server.errors import json_response, not_found

router = APIRouter()


@router.get("/brands")
def list_brands(request: Request):
    conn, base = request.app.state.store.conn(), base_url(request)
    rows = conn.execute("SELECT * FROM brands ORDER BY id").fetchall()
    return json_response({"brands": [serialize.brand_json(r, base) for r in rows], "next_page": None,
                          "previous_page": None, "count": len(rows)})


@router.get("/brands/{brand_id:int}")
def show_brand(request: Request, brand_id: int):
    conn, base = request.app.state.store.conn(), base_url(request)
    row = conn.execute("SELECT * FROM brands WHERE id = ?", (brand_id,)).fetchone()
    if row is None:
        raise not_found()
    return json_response({"brand": serialize.brand_json(row, base)})


@router.get("/ticket_forms")
def list_ticket_forms(request: Request):
    """``active=true|false`` filters, as Zendesk's does."""
    conn, base = request.app.state.store.conn(), base_url(request)
    active = request.query_params.get("active")
    where, params = ("WHERE active = ?", [int(active == "true")]) if active in ("true", "false") else ("", [])
    rows = conn.execute(f"SELECT * FROM ticket_forms {where} ORDER BY position, id", params).fetchall()
    return json_response({"ticket_forms": [serialize.ticket_form_json(r, base) for r in rows], "next_page": None,
                          "previous_page": None, "count": len(rows)})


@router.get("/ticket_forms/{form_id:int}")
def show_ticket_form(request: Request, form_id: int):
    conn, base = request.app.state.store.conn(), base_url(request)
    row = conn.execute("SELECT * FROM ticket_forms WHERE id = ?", (form_id,)).fetchone()
    if row is None:
        raise not_found()
    return json_response({"ticket_form": serialize.ticket_form_json(row, base)})
