"""The embedded helpdesk with a test-only fault switch: ``python -m tests.fault_server serve ARGS``.

It is ``support-console serve`` (``console.server.main.run``) with one more ASGI layer around the
app, :class:`DropAfterCommit`, which production never installs:

- ``POST /api/v2/x-console/faults`` with ``{"drop_response_after_commit": N}``: the next N successful
  ticket updates (``PUT /api/v2/tickets/ID``) commit, then the connection is closed without an
  answer, so the client cannot know whether its change landed (the exactly-once tests).

Start it with ``tests.helpdesk.Helpdesk(..., faults=True)``. ``tests/faultproxy.py`` injects
network faults from outside instead (a proxy); this one needs the server's own commit point.
"""

from __future__ import annotations

import re
import sys
import threading

import orjson

from console.server.process import HelpdeskProcess

FAULTS_PATH = "/api/v2/x-console/faults"
TICKET_UPDATE = re.compile(r"/api/v2/tickets/\d+")


class DropAfterCommit:
    """Pure ASGI wrapper around the helpdesk app (outermost, so ``send`` is the server's own)."""

    def __init__(self, app):
        self.app = app
        self.remaining = 0
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"].removesuffix(".json")
        if scope["method"] == "POST" and path == FAULTS_PATH:
            return await self._set_faults(receive, send)
        if scope["method"] != "PUT" or not TICKET_UPDATE.fullmatch(path):
            return await self.app(scope, receive, send)
        dropped = False

        async def send_or_drop(message):
            nonlocal dropped
            if dropped:
                return
            if message["type"] == "http.response.start" and message["status"] < 300 and self._take():
                transport = getattr(getattr(send, "__self__", None), "transport", None)
                if transport is not None:  # uvicorn's connection: close it instead of answering
                    dropped = True
                    transport.close()
                    return
            await send(message)

        await self.app(scope, receive, send_or_drop)

    def _take(self) -> bool:
        with self._lock:
            if self.remaining > 0:
                self.remaining -= 1
                return True
            return False

    async def _set_faults(self, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            count = orjson.loads(body or b"{}").get("drop_response_after_commit", 0)
        except (orjson.JSONDecodeError, AttributeError):
            count = None
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return await _answer(send, 422, {"error": "RecordInvalid",
                                             "description": "drop_response_after_commit must be a non-negative integer"})
        with self._lock:
            self.remaining = count
        await _answer(send, 200, {"faults": {"drop_response_after_commit": count}})


async def _answer(send, status: int, body: dict) -> None:
    payload = orjson.dumps(body)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


class FaultHelpdeskProcess(HelpdeskProcess):
    """A ``HelpdeskProcess`` that runs this module instead of ``support-console serve``."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tests.fault_server", "serve", *self.serve_args]


def main(argv: list[str]) -> int:
    from console.cli import build_parser
    from console.server import main as server_main

    args = build_parser().parse_args(argv)
    if args.command != "serve":
        raise SystemExit("usage: python -m tests.fault_server serve ARGS")
    return server_main.run(args, wrap_app=DropAfterCommit)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
