"""Uploads (raw bytes → token), attachments, and attachment content served by secret URL.

Content is served from the API's own origin, so it is always a download, never a page: the
``Content-Disposition`` is ``attachment``, ``X-Content-Type-Options: nosniff``, a sandboxing CSP,
and a type that a browser could run (HTML, SVG, XML, scripts) is served as
``application/octet-stream`` (the JSON still says what the uploader sent).
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from console.domain.attachments import MAX_ATTACHMENT_BYTES
from console.server import serialize
from console.server.api.paging import base_url
from console.server.db import iso, now_ts
from console.server.errors import ApiError, bad_request, json_response, not_found, read_capped

router = APIRouter()
content_router = APIRouter()
UPLOAD_LIFETIME = 3600
MAX_UPLOAD_BYTES = MAX_ATTACHMENT_BYTES  # Zendesk's attachment limit (console.domain.attachments)
MAX_NAME = 255


def _upload_body(conn, token: str, base: str) -> dict:
    rows = conn.execute("SELECT * FROM attachments WHERE upload_token = ? ORDER BY id", (token,)).fetchall()
    files = [serialize.attachment_json(r, base) for r in rows]
    return {"upload": {"token": token, "expires_at": iso(rows[0]["expires_ts"] or now_ts()),
                       "attachment": files[-1], "attachments": files}}


@router.post("/uploads")
async def create_upload(request: Request):
    filename = (request.query_params.get("filename") or "").strip()
    if not filename:
        raise bad_request("filename is required (POST /uploads?filename=NAME)")
    if len(filename) > MAX_NAME or any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in filename):
        raise ApiError(422, "RecordInvalid", "Record validation errors",
                       {"filename": [{"description": f"The file name must be 1 to {MAX_NAME} printable "
                                                     "characters", "error": "InvalidValue"}]})
    content = await read_capped(request, MAX_UPLOAD_BYTES, "An upload")
    if not content:
        raise ApiError(422, "RecordInvalid", "Record validation errors",
                       {"file": [{"description": "The uploaded file is empty", "error": "BlankValue"}]})
    content_type = (request.headers.get("content-type") or "application/octet-stream").split(";")[0]
    token = request.query_params.get("token")
    store, base = request.app.state.store, base_url(request)

    def write() -> dict:
        with store.write() as conn:
            nonlocal token
            if token:
                if conn.execute("SELECT 1 FROM attachments WHERE upload_token = ? AND comment_id IS NULL",
                                (token,)).fetchone() is None:
                    raise not_found("The upload token is unknown, used or expired")
            else:
                token = secrets.token_urlsafe(12)
            conn.execute("INSERT INTO attachments (upload_token, content_token, file_name, content_type, size, "
                         "content, created_at, expires_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (token, secrets.token_urlsafe(24), filename, content_type, len(content), content,
                          iso(now_ts()), now_ts() + UPLOAD_LIFETIME))
            return _upload_body(conn, token, base)

    return json_response(await run_in_threadpool(write), 201)


@router.delete("/uploads/{token}")
def delete_upload(request: Request, token: str):
    with request.app.state.store.write() as conn:
        cur = conn.execute("DELETE FROM attachments WHERE upload_token = ? AND comment_id IS NULL", (token,))
        if cur.rowcount == 0:
            raise not_found()
    return Response(status_code=204)


@router.get("/attachments/{attachment_id:int}")
def show_attachment(request: Request, attachment_id: int):
    row = request.app.state.store.conn().execute("SELECT * FROM attachments WHERE id = ?",
                                                 (attachment_id,)).fetchone()
    if row is None:
        raise not_found()
    return json_response({"attachment": serialize.attachment_json(row, base_url(request))})


@content_router.get("/attachments/token/{content_token}/")
@content_router.get("/attachments/token/{content_token}")
def attachment_content(request: Request, content_token: str):
    row = request.app.state.store.conn().execute(
        "SELECT file_name, content_type, content FROM attachments WHERE content_token = ?",
        (content_token,)).fetchone()
    if row is None:
        raise not_found()
    return Response(bytes(row["content"]), media_type=served_type(row["content_type"]),
                    headers={"Content-Disposition": download_disposition(row["file_name"]),
                             "X-Content-Type-Options": "nosniff",
                             "Content-Security-Policy": "sandbox; default-src 'none'"})


_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_ACTIVE = ("html", "xml", "svg", "script", "ecmascript", "xhtml", "x-shockwave", "pdf")


def served_type(content_type: str | None) -> str:
    """The uploader's type when it is a plain, passive one; else application/octet-stream."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if not _TYPE.match(kind) or any(word in kind for word in _ACTIVE):
        return "application/octet-stream"
    return kind


def download_disposition(file_name: str | None) -> str:
    """``attachment`` with an ASCII fallback name and the real one in RFC 5987 form (no header injection)."""
    name = file_name or "attachment"
    fallback = re.sub(r'[^A-Za-z0-9._ -]+', "_", name).strip(" .")[:150] or "attachment"
    return f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{quote(name, safe="")}'
