"""Zendesk-style error bodies and the JSON response helper used by every endpoint."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

MAX_ID = 2**63 - 1  # SQLite's INTEGER: every id and number the API takes must fit


def fits(value: int) -> bool:
    return -MAX_ID - 1 <= value <= MAX_ID


class ApiError(Exception):
    """An error answered as ``{"error": ..., "description": ..., "details": ...}``."""

    def __init__(self, status: int, error: str | dict, description: str | None = None,
                 details: dict | None = None, headers: dict | None = None):
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict:
        body: dict[str, Any] = {"error": self.error}
        if self.description is not None:
            body["description"] = self.description
        if self.details is not None:
            body["details"] = self.details
        return body


def json_response(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    """orjson-encoded JSON response (fast path for big export pages)."""
    return Response(orjson.dumps(data), status_code=status, media_type="application/json",
                    headers=headers)


def not_found(description: str = "Not found") -> ApiError:
    return ApiError(404, "RecordNotFound", description)


def bad_request(description: str, error: str = "InvalidValue") -> ApiError:
    return ApiError(400, error, description)


def forbidden() -> ApiError:
    return ApiError(403, "Forbidden", "You do not have access to this page. "
                    "Please contact the account owner of this help desk for further help.")


def unauthorized() -> ApiError:
    return ApiError(401, "Couldn't authenticate you")


def record_invalid(field: str, description: str, code: str = "InvalidValue") -> ApiError:
    """422 with the per-field ``details`` map Zendesk uses for validation failures."""
    return ApiError(422, "RecordInvalid", "Record validation errors",
                    {field: [{"description": description, "error": code}]})


def install(app: FastAPI) -> None:
    """Answer every failure (ours, routing, validation, crashes) with a Zendesk-style body."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> Response:
        return json_response(exc.body(), exc.status, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            body = {"error": "InvalidEndpoint", "description": "Not found"}
        elif exc.status_code == 405:
            body = {"error": "InvalidEndpoint", "description": "Method not allowed for this resource"}
        else:
            body = {"error": "BadRequest", "description": str(exc.detail)}
        return json_response(body, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> Response:
        details: dict[str, list] = {}
        for err in exc.errors():
            name = str(err.get("loc", ["", "value"])[-1])
            details.setdefault(name, []).append({"description": err.get("msg", "invalid"),
                                                 "error": "InvalidValue"})
        return json_response({"error": "InvalidValue", "description": "Invalid request parameters",
                              "details": details}, 400)

    @app.exception_handler(OverflowError)
    async def _out_of_range(_request: Request, exc: OverflowError) -> Response:
        # the last line of defence: a number beyond SQLite's range that no check caught
        return json_response({"error": "InvalidValue", "description": "A number in the request is out of range"}, 400)

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> Response:
        return json_response({"error": "InternalError", "description": type(exc).__name__}, 500)


MAX_JSON_BYTES = 2 * 1024 * 1024  # a JSON request body; a comment alone is capped at 64 KB


def too_large(limit: int, what: str = "The request body") -> ApiError:
    return ApiError(413, "RequestTooLarge", f"{what} is larger than {limit // 1024} KB")


async def read_capped(request: Request, limit: int, what: str = "The request body") -> bytes:
    """The body, refused with a 413 as soon as it is known to pass ``limit`` (never read whole first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large(limit, what)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit, what)
        chunks.append(chunk)
    return b"".join(chunks)


async def json_body(request: Request) -> dict:
    """The request body as a JSON object, or a 400 (413 when too big) that says what is wrong with it."""
    raw = await read_capped(request, MAX_JSON_BYTES)
    if not raw.strip():
        raise ApiError(400, "InvalidJSON", "The request body is empty; a JSON object was expected")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "InvalidJSON", f"The request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "InvalidJSON", "The request body must be a JSON object")
    return data


def envelope(body: dict, key: str) -> dict:
    """``body[key]`` when it is an object (``{"ticket": {...}}``), else a 400."""
    inner = body.get(key)
    if not isinstance(inner, dict):
        raise ApiError(400, "InvalidJSON", f'The body must be {{"{key}": {{...}}}}')
    return inner
