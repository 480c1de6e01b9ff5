"""Background jobs: ``PUT /tickets/update_many``, ``POST /tickets/{id}/merge`` and ``GET /job_statuses/{id}``.

Both of Zendesk's forms: ``?ids=1,2`` with one ``{"ticket": {...}}`` for all, or
``{"tickets": [{"id": 1, ...}, ...]}`` with a change per ticket; at most 100 tickets. The answer
is ``{"job_status": {"id", "url", "status": "queued", ...}}`` at once; the job then applies each
ticket's update exactly as ``PUT /tickets/{id}`` does (its own transaction and audit, so
``safe_update`` + ``updated_stamp`` and ``metadata`` work per ticket), and its status lists one
result per ticket: ``{"id", "index", "success": true, "action": "update", "status": "Updated"}``
or ``{"id", "index", "success": false, "error": "UpdateConflict" | "TicketNotFound" |
"RecordInvalid", "details": "..."}``. A job runs after the answer, ``--job-delay`` seconds later (0 by default). Jobs are kept in the helpdesk's database (table
``job_statuses``, created on first use), so their status survives a restart of the helpdesk.

Merge (``{"ids": [...], "target_comment", "source_comment", "*_is_public"}``, ≤ 5 sources): the
sources are closed with Zendesk's tag ``closed_by_merge`` and a comment naming the target, the
target gets a comment naming them, all in one transaction (a refusal merges none).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from console.domain.merge import MAX_SOURCES, MERGED_TAG, merge_comments
from console.server import ticket_ops
from console.server.api.auth import caller
from console.server.api.paging import base_url, id_list
from console.server.api.tickets import client_meta, store
from console.server.db import iso, now_ts
from console.server.errors import ApiError, bad_request, json_body, json_response, not_found

router = APIRouter()
MAX_BULK = 100
_TABLE = ("CREATE TABLE IF NOT EXISTS job_statuses (id TEXT PRIMARY KEY, job_type TEXT NOT NULL, "
          "status TEXT NOT NULL, total INTEGER NOT NULL, progress INTEGER NOT NULL DEFAULT 0, "
          "results TEXT NOT NULL DEFAULT '[]', message TEXT, created_at TEXT NOT NULL, user_id INTEGER)")


def _queued(request: Request, run: Callable[[], None]) -> BackgroundTask:
    """The job runs after its answer, once it has waited ``--job-delay`` in the queue (Zendesk's
    jobs wait seconds): a client that lost the answer must look for a change still to land."""
    delay = request.app.state.settings.job_delay

    def queued() -> None:
        if delay:
            time.sleep(delay)
        run()

    return BackgroundTask(run_in_threadpool, queued)


def _job_json(row, base: str) -> dict:
    return {"id": row["id"], "url": f"{base}/api/v2/job_statuses/{row['id']}.json", "job_type": row["job_type"],
            "status": row["status"], "total": row["total"], "progress": row["progress"],
            "message": row["message"], "results": orjson.loads(row["results"])}


def _updates(request: Request, body: dict) -> list[dict]:
    """Each ticket's update, as ``{"id": ..., ...}``."""
    if isinstance(body.get("tickets"), list):
        tickets = body["tickets"]
        if not all(isinstance(t, dict) and isinstance(t.get("id"), int) and not isinstance(t.get("id"), bool)
                   for t in tickets):
            raise bad_request("tickets must be a list of objects, each with an integer id")
    else:
        ids = id_list(request, "ids", limit=MAX_BULK)
        change = body.get("ticket")
        if not ids or not isinstance(change, dict):
            raise bad_request("update_many takes {\"tickets\": [{\"id\": ...}]} or ?ids=1,2 with {\"ticket\": {...}}")
        tickets = [{**change, "id": i} for i in ids]
    if not tickets:
        raise bad_request("update_many needs at least one ticket")
    if len(tickets) > MAX_BULK:
        raise ApiError(400, "TooManyValues", f"update_many accepts at most {MAX_BULK} tickets")
    return tickets


@router.put("/tickets/update_many")
async def update_many(request: Request, body: dict = Depends(json_body)):
    tickets = _updates(request, body)
    user, base, client, db = caller(request), base_url(request), client_meta(request), store(request)
    job_id = secrets.token_hex(16)

    def create() -> dict:
        with db.write() as conn:
            conn.execute(_TABLE)
            conn.execute("INSERT INTO job_statuses (id, job_type, status, total, created_at, user_id) "
                         "VALUES (?, 'bulk_update', 'queued', ?, ?, ?)", (job_id, len(tickets), iso(now_ts()), user["id"]))
            return _job_json(conn.execute("SELECT * FROM job_statuses WHERE id = ?", (job_id,)).fetchone(), base)

    def run() -> None:
        results = []
        for index, update in enumerate(tickets):
            ticket_id = update["id"]
            data = {k: v for k, v in update.items() if k != "id"}
            try:
                with db.write() as conn:
                    ticket_ops.update_ticket(conn, user, ticket_id, data, base, client)
                results.append({"id": ticket_id, "index": index, "success": True, "action": "update",
                                "status": "Updated"})
            except ApiError as exc:
                error = exc.error if isinstance(exc.error, str) else "RecordInvalid"
                if exc.status == 404:
                    error = "TicketNotFound"
                results.append({"id": ticket_id, "index": index, "success": False, "action": "update",
                                "error": error, "details": exc.description or str(exc)})
            except Exception as exc:  # noqa: BLE001 - one bad ticket never leaves the job running forever
                results.append({"id": ticket_id, "index": index, "success": False, "action": "update",
                                "error": "InternalError", "details": type(exc).__name__})
            if index % 10 == 9 or index == len(tickets) - 1:
                with db.write() as conn:
                    conn.execute("UPDATE job_statuses SET status = ?, progress = ?, results = ? WHERE id = ?",
                                 ("completed" if index == len(tickets) - 1 else "working", index + 1,
                                  orjson.dumps(results).decode(), job_id))

    job = await run_in_threadpool(create)
    response = json_response({"job_status": job})
    response.background = _queued(request, run)
    return response


@router.get("/job_statuses/{job_id}")
def show_job_status(request: Request, job_id: str):
    conn = store(request).conn()
    conn.execute(_TABLE)
    row = conn.execute("SELECT * FROM job_statuses WHERE id = ?", (job_id,)).fetchone()
    if row is None:
        raise not_found()
    return json_response({"job_status": _job_json(row, base_url(request))})


MAX_MERGE_SOURCES = MAX_SOURCES   # Zendesk merges at most 5 tickets into one per request


@router.post("/tickets/{ticket_id:int}/merge")
async def merge_tickets(request: Request, ticket_id: int, body: dict = Depends(json_body)):
    """Merge the ``ids`` tickets into this one (a job): each source gets ``source_comment`` and is
    closed with the tag ``closed_by_merge``; the target gets ``target_comment``. One transaction:
    all of the sources are merged, or (any refused) none."""
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise bad_request("ids must be a non-empty list of ticket ids")
    if len(ids) > MAX_MERGE_SOURCES:
        raise ApiError(400, "TooManyValues", f"at most {MAX_MERGE_SOURCES} tickets can be merged at once")
    if ticket_id in ids:
        raise ApiError(422, "RecordInvalid", "A ticket cannot be merged into itself")
    texts = {}
    for key in ("target_comment", "source_comment"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise bad_request(f"{key} must be a string")
        texts[key] = value
    shown = {k: body.get(f"{k}_is_public", True) is not False for k in ("target_comment", "source_comment")}
    user, base, client, db = caller(request), base_url(request), client_meta(request), store(request)
    job_id = secrets.token_hex(16)
    sources = list(dict.fromkeys(ids))

    def create() -> dict:
        with db.write() as conn:
            conn.execute(_TABLE)
            for source in [ticket_id, *sources]:
                row = conn.execute("SELECT status FROM tickets WHERE id = ? AND deleted = 0", (source,)).fetchone()
                if row is None:
                    raise not_found(f"Ticket {source} not found")
                if row["status"] == "closed":
                    raise ApiError(422, "RecordInvalid", f"Ticket {source} is closed and cannot be merged")
            conn.execute("INSERT INTO job_statuses (id, job_type, status, total, created_at, user_id) "
                         "VALUES (?, 'merge', 'queued', ?, ?, ?)", (job_id, len(sources), iso(now_ts()), user["id"]))
            return _job_json(conn.execute("SELECT * FROM job_statuses WHERE id = ?", (job_id,)).fetchone(), base)

    def run() -> None:
        listed = ", ".join(f"#{s}" for s in sources)
        default_target, default_source = merge_comments(ticket_id, sources)
        target_text, source_text = texts["target_comment"] or default_target, texts["source_comment"] or default_source
        try:
            with db.write() as conn:
                for source in sources:
                    ticket_ops.update_ticket(conn, user, source, {
                        "status": "closed", "additional_tags": [MERGED_TAG],
                        "comment": {"body": source_text, "public": shown["source_comment"]}}, base, client)
                ticket_ops.update_ticket(conn, user, ticket_id, {
                    "comment": {"body": target_text, "public": shown["target_comment"]}}, base, client)
            results = [{"id": s, "index": i, "success": True, "action": "merge", "status": "Merged"}
                       for i, s in enumerate(sources)]
            status, message = "completed", f"Merged {listed} into #{ticket_id}"
        except ApiError as exc:
            results = [{"id": s, "index": i, "success": False, "action": "merge", "error": str(exc.error),
                        "details": exc.description or str(exc)} for i, s in enumerate(sources)]
            status, message = "failed", exc.description or str(exc)
        with db.write() as conn:
            conn.execute("UPDATE job_statuses SET status = ?, progress = ?, results = ?, message = ? WHERE id = ?",
                         (status, len(sources), orjson.dumps(results).decode(), message, job_id))

    job = await run_in_threadpool(create)
    response = json_response({"job_status": job})
    response.background = _queued(request, run)
    return response
