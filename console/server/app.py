"""The ASGI application: routers, error handlers, and the gate every request passes."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from fastapi import FastAPI

from console.server import errors
from console.server.api import auth
from console.server.api.ratelimit import MinuteBudget
from console.server.errors import MAX_ID
from console.server.store import Store

PUBLIC_PATHS = ("/healthz",)
PUBLIC_PREFIXES = ("/attachments/token/",)


@dataclass
class ServerSettings:
    export_delay: int = 60          # seconds: exports leave out younger changes
    rate_limit: int = 0             # requests per minute for the whole account (every user), 0 = unlimited
    incremental_limit: int = 0      # incremental export requests per minute, 0 = unlimited
    job_delay: float = 0.0          # seconds a bulk or merge job stays queued after its answer


def create_app(store: Store, settings: ServerSettings | None = None):
    """The FastAPI app wrapped in the gate (auth, roles, rate limits, ``.json`` paths)."""
    from console.server.api import brands, incremental, jobs, macros, search, tickets, uploads, users, views

    settings = settings or ServerSettings()
    app = FastAPI(title="Support Console helpdesk", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.settings = settings
    errors.install(app)

    @app.get("/healthz")
    def healthz():
        return errors.json_response({"status": "ok"})

    # tickets first: their routes are the ones read most, and routes are matched in order
    for module in (tickets, jobs, brands, incremental, users, macros, views, search, uploads):
        app.include_router(module.router, prefix="/api/v2")
    app.include_router(uploads.content_router)
    return Gate(app, store, settings)


def _error_messages(status: int, body: dict, headers: list | None = None) -> list[dict]:
    payload = orjson.dumps(body)
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    return [{"type": "http.response.start", "status": status, "headers": head + (headers or [])},
            {"type": "http.response.body", "body": payload}]


class Gate:
    """Pure ASGI wrapper: strips ``.json``, authenticates, checks roles, counts budgets,
    stamps rate-limit headers."""

    def __init__(self, app: FastAPI, store: Store, settings: ServerSettings):
        self.app = app
        self.fastapi = app
        self.store = store
        self.settings = settings
        self.account = MinuteBudget(settings.rate_limit)
        self.incremental = MinuteBudget(settings.incremental_limit)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path.endswith(".json"):
            path = path[:-5]
            scope["path"] = path
            scope["raw_path"] = path.encode()
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or not path.startswith("/api/"):
            return await self.app(scope, receive, send)
        if any(part.isdigit() and (not part.isascii() or len(part) > 19 or int(part) > MAX_ID)
               for part in path.split("/")):  # no record can have an id SQLite cannot hold
            return await self._answer(send, 404, errors.not_found().body())

        headers = dict(scope["headers"])
        user = auth.authenticate(self.store.conn(), headers.get(b"authorization", b"").decode("latin-1"))
        if user is None:
            return await self._answer(send, 401, {"error": "Couldn't authenticate you"})
        if not auth.allowed(user, auth.required_role(path)):
            return await self._answer(send, 403, errors.forbidden().body())
        scope.setdefault("state", {})["user"] = user

        ok, limit, remaining, reset = self.account.take("account")   # Zendesk: one budget for the account
        extra = [(b"x-rate-limit", str(limit).encode()), (b"x-rate-limit-remaining", str(remaining).encode()),
                 (b"ratelimit-limit", str(limit).encode()), (b"ratelimit-remaining", str(remaining).encode()),
                 (b"ratelimit-reset", str(reset).encode())]
        if ok and path.startswith("/api/v2/incremental/"):
            ok, inc_limit, inc_left, reset = self.incremental.take("account")
            extra.append((b"zendesk-ratelimit-incremental-exports",
                          f"total={inc_limit}; remaining={inc_left}; resets={reset}".encode()))
        if not ok:
            return await self._answer(send, 429, {"error": "TooManyRequests",
                                                  "description": f"Rate limited; retry in {reset} seconds"},
                                      extra + [(b"retry-after", str(reset).encode())])

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    async def _answer(send, status: int, body: dict, headers: list | None = None) -> None:
        for message in _error_messages(status, body, headers):
            await send(message)
