"""The HTTP client against a scripted loopback HTTP server (faults the real helpdesk won't make on cue)."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from console.sync import client as hc


class Script:
    """Responses to play in order: (status, headers, body bytes) or "reset" (close without answering)."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.seen = []


@pytest.fixture
def scripted():
    holder = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            script = holder["script"]
            script.seen.append((self.command, self.path, dict(self.headers), body))
            step = script.steps.pop(0) if script.steps else (200, {}, b"{}")
            if step == "reset":
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            status, headers, payload = step
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_DELETE = _serve

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def make(*steps, **kw):
        holder["script"] = Script(*steps)
        sleeps = []
        c = hc.HelpdeskClient(f"http://127.0.0.1:{server.server_port}", "a@b.test", "tok",
                              sleep=sleeps.append, **kw)
        return c, holder["script"], sleeps

    yield make
    server.shutdown()


def ok(body):
    return (200, {"Content-Type": "application/json"}, json.dumps(body).encode())


def test_token_basic_auth_and_json(scripted):
    c, script, _ = scripted(ok({"ticket": {"id": 1}}))
    assert c.get("tickets/1.json")["ticket"] == {"id": 1}
    auth = script.seen[0][2]["Authorization"]
    assert auth == hc.basic_auth_header("a@b.test", "tok")
    import base64
    assert base64.b64decode(auth.split()[1]) == b"a@b.test/token:tok"


def test_429_sleeps_exactly_retry_after_then_retries_even_put(scripted):
    c, script, sleeps = scripted((429, {"Retry-After": "7"}, b"{}"), ok({"ticket": {"id": 2}}))
    assert c.put("tickets/2.json", {"ticket": {}})["ticket"]["id"] == 2
    assert sleeps == [7.0]
    assert len(script.seen) == 2


def test_get_retries_5xx_with_backoff(scripted):
    c, script, sleeps = scripted((503, {}, b""), (502, {}, b""), ok({"x": 1}))
    assert c.get("x")["x"] == 1
    assert len(sleeps) == 2 and all(s > 0 for s in sleeps)


def test_put_is_never_resent_after_5xx(scripted):
    c, script, _ = scripted((503, {}, b""), ok({}))
    with pytest.raises(hc.AmbiguousOutcome):
        c.put("tickets/3.json", {"ticket": {"comment": {"body": "hi"}}})
    assert len(script.seen) == 1


def test_put_is_never_resent_after_a_connection_reset(scripted):
    c, script, _ = scripted("reset", ok({}))
    with pytest.raises(hc.AmbiguousOutcome):
        c.put("tickets/3.json", {"ticket": {"comment": {"body": "hi"}}})
    assert len(script.seen) == 1


def test_idempotent_create_is_retried_after_a_reset(scripted):
    c, script, _ = scripted("reset", (201, {"x-idempotency-lookup": "hit"}, b'{"ticket": {"id": 9}}'))
    body = c.post("tickets.json", {"ticket": {}}, idempotency_key="k1")
    assert body["ticket"]["id"] == 9 and body["_headers"]["x-idempotency-lookup"] == "hit"
    assert [s[2]["Idempotency-Key"] for s in script.seen] == ["k1", "k1"]


def test_error_bodies_string_and_object(scripted):
    c, _, _ = scripted((404, {}, b'{"error": "RecordNotFound", "description": "Not found"}'),
                       (403, {}, b'{"error": {"title": "Forbidden", "message": "Access restricted"}}'),
                       (409, {}, b'{"error": "UpdateConflict", "description": "changed"}'),
                       (422, {}, b'{"error": "RecordInvalid", "description": "x", "details": '
                                 b'{"status": [{"description": "Status: closed prevents ticket update"}]}}'),
                       (401, {}, b'{"error": "Couldn\'t authenticate you"}'))
    with pytest.raises(hc.NotFound) as e:
        c.get("tickets/1")
    assert e.value.code == "RecordNotFound"
    with pytest.raises(hc.AuthError, match="Access restricted"):
        c.get("x")
    with pytest.raises(hc.Conflict):
        c.get("x")
    with pytest.raises(hc.Invalid, match="closed prevents"):
        c.get("x")
    with pytest.raises(hc.AuthError, match="did not accept"):
        c.get("x")


def test_malformed_json_is_a_clear_error(scripted):
    c, _, _ = scripted((200, {"Content-Type": "application/json"}, b'{"tickets": [1, 2'))
    with pytest.raises(hc.Invalid, match="malformed JSON"):
        c.get("tickets")


def test_slows_down_before_the_budget_runs_out(scripted):
    """Inside the reserve (10% of the limit) background requests wait for the window's reset
    (console/sync/pacing.py); the agent's own requests still go at once."""
    c, _, sleeps = scripted((200, {"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "3",
                                   "ratelimit-reset": "20"}, b"{}"), ok({}), ok({}))
    c.get("a")
    assert sleeps == []
    with c.interactive():
        c.get("b")
    assert sleeps == []
    c.get("c")
    assert 19 <= sum(sleeps) <= 20 and max(sleeps) <= 1.0, sleeps


def test_unreachable_is_one_clear_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = hc.HelpdeskClient(f"http://127.0.0.1:{port}", "a@b.test", "tok", sleep=lambda s: None, max_retries=1)
    with pytest.raises(hc.Unreachable, match="cannot reach"):
        c.get("users/me")


def test_refuses_paging_links_to_another_host(scripted):
    c, _, _ = scripted()
    with pytest.raises(hc.Invalid, match="another host"):
        c.get_url("http://evil.example/api/v2/tickets.json?page=2")


def test_a_long_retry_after_is_capped_and_raised_not_slept(scripted):
    c, script, sleeps = scripted((429, {"Retry-After": "3600"}, b"{}"), ok({}), retry_after_cap=90)
    with pytest.raises(hc.RateLimited) as got:
        c.get("tickets")
    assert got.value.retry_after == 90 and sleeps == [] and len(script.seen) == 1


def test_interrupt_cuts_a_wait_short(scripted):
    import threading
    import time

    c, _script, _ = scripted((503, {}, b""), ok({}))
    c.sleep = c._interrupted.wait  # the real, interruptible wait
    c.backoff_base = c.backoff_cap = 30.0
    threading.Timer(0.2, c.interrupt).start()
    started = time.monotonic()
    with pytest.raises(hc.Unreachable, match="stopped"):
        c.get("x")
    assert time.monotonic() - started < 5
