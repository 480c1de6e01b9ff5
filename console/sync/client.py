"""HTTP client for the helpdesk (Zendesk Support API v2 subset), on one ``requests.Session``.

What it guarantees (helpdesk-api.md §13, §15, §19.6, §19.8):
- token Basic auth (``email/token:TOKEN``) or Bearer; timeouts on every call;
- idempotent requests (GET, and POST create with an ``Idempotency-Key``) are retried on 5xx and
  connection errors with exponential backoff and jitter;
- non-idempotent requests (PUT, POST without a key) are never re-sent automatically: a failure
  after the request may have reached the server raises :class:`AmbiguousOutcome`, and the
  caller decides (the sync engine checks the ticket's audits for its op id);
- 429 is always safe to retry: the client sleeps exactly ``Retry-After`` seconds when that is
  short (``max_inline_wait``); a longer wait (capped at ``retry_after_cap``) is raised as
  :class:`RateLimited` so the engine schedules it, shows it and can be stopped meanwhile;
- it paces itself under the helpdesk's rate limits (``pacing.py``: the account's budget and the
  exports' own, read from every answer's headers): background requests are spread over what is
  left of the minute, requests made inside ``with client.interactive():`` (open a ticket, send)
  may use the reserve and never wait behind them; ``paced`` says when background work is held back;
- every transport failure (refused, reset, timeout, a cut-off or undecodable answer) comes back as
  one of these types, never as a raw ``requests``/``urllib3`` exception; a 2xx whose body is not a
  JSON object is :class:`MalformedAnswer` (for a write: it may well have been applied);
- errors come back as typed exceptions carrying the Zendesk error code and description,
  whether ``error`` is a string or an object;
- ``interrupt()`` cuts every wait short (the engine stops): the waiting call raises
  :class:`Unreachable` at once; ``resume()`` allows waiting again.
"""

from __future__ import annotations

import base64
import http.client
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import orjson
import requests
import urllib3

from console import __version__

from . import pacing

T = TypeVar("T")


def json_object(content: bytes, status: int = 200) -> dict:
    """An answer's body as the JSON object the API promises; anything else is ``MalformedAnswer``."""
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise MalformedAnswer(f"the helpdesk answered {status} with malformed JSON", status=status) from exc
    if not isinstance(body, dict):
        raise MalformedAnswer("the helpdesk answered with JSON that is not an object", status=status)
    return body

log = logging.getLogger(__name__)


class HelpdeskError(Exception):
    """A failure talking to the helpdesk; ``str()`` is a one-line human message."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 description: str | None = None, body: object = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.description = description
        self.body = body


class AuthError(HelpdeskError):
    """401/403: wrong token or not allowed."""


class NotFound(HelpdeskError):
    """404 RecordNotFound (for a ticket we hold: it was deleted)."""


class Conflict(HelpdeskError):
    """409: the ticket changed since the ``updated_stamp`` we sent (or a transient DB race)."""


class Invalid(HelpdeskError):
    """400/422: the helpdesk refused the request as it is (e.g. a closed ticket)."""


class Unreachable(HelpdeskError):
    """No answer: connection refused, DNS, TLS, timeouts, or 5xx after all retries."""


class AmbiguousOutcome(Unreachable):
    """A non-idempotent request failed after it may have reached the server."""


class RateLimited(Unreachable):
    """429 with a wait longer than the client sleeps in place; ``retry_after`` is the (capped) wait."""

    def __init__(self, message: str, *, retry_after: float, **kw):
        super().__init__(message, status=429, **kw)
        self.retry_after = retry_after


class MalformedAnswer(Invalid):
    """A 2xx answer whose body is not the JSON object the API promises (cut off, a list, HTML...)."""


@dataclass
class RateBudget:
    limit: int | None = None
    remaining: int | None = None
    reset_after: float | None = None


def basic_auth_header(email: str, token: str) -> str:
    raw = f"{email}/token:{token}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


class HelpdeskClient:
    """One session to one helpdesk account. Thread-safe for use from executor threads."""

    def __init__(self, base_url: str, email: str | None, token: str, *, bearer: bool = False,
                 timeout: tuple[float, float] = (5.0, 30.0), max_retries: int = 5,
                 backoff_base: float = 0.5, backoff_cap: float = 30.0,
                 sleep: Callable[[float], None] | None = None,
                 max_inline_wait: float = 10.0, retry_after_cap: float = 120.0):
        self.base_url = base_url.rstrip("/")
        self.api_root = self.base_url + "/api/v2/"
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_inline_wait = max_inline_wait
        self.retry_after_cap = retry_after_cap
        self._interrupted = threading.Event()
        self.sleep = sleep or self._interrupted.wait
        self.requests_made = 0
        self.rate_limited = 0   # 429 answers seen (pacing should keep this at 0)
        self.last_server_date: str | None = None  # HTTP Date of the last answer (server clock)
        self.last_answer_at: float | None = None  # time.monotonic() of the last HTTP answer of any status
        self.budget = RateBudget()
        self.account_bucket = pacing.Bucket()   # the account's requests per minute (all its consoles)
        self.export_bucket = pacing.Bucket()    # the incremental exports' own budget
        self._local = threading.local()
        self._lock = threading.Lock()
        self.session = requests.Session()
        self.session.headers.update({
            "Accept": "application/json",
            "User-Agent": f"SupportConsole/{__version__}",
            "Authorization": f"Bearer {token}" if bearer or not email else basic_auth_header(email, token),
        })
        # requests' adapters do not retry by default; keep it that way (§19.8 d).
        adapter = requests.adapters.HTTPAdapter(max_retries=0, pool_connections=4, pool_maxsize=8)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    @contextmanager
    def interactive(self) -> Iterator[None]:
        """Requests made inside (on this thread) are the agent's: they may use the reserve."""
        before = getattr(self._local, "interactive", False)
        self._local.interactive = True
        try:
            yield
        finally:
            self._local.interactive = before

    @property
    def paced(self) -> bool:
        """Background requests are being held back under the helpdesk's rate limit."""
        return self.account_bucket.paced or self.export_bucket.paced

    def interrupt(self) -> None:
        """Cut short every wait in progress or to come (retries, Retry-After): they raise Unreachable."""
        self._interrupted.set()

    def resume(self) -> None:
        self._interrupted.clear()

    def _wait(self, seconds: float) -> None:
        if self._interrupted.is_set():
            raise Unreachable("stopped while waiting to retry")
        self.sleep(seconds)
        if self._interrupted.is_set():
            raise Unreachable("stopped while waiting to retry")

    def move_to(self, base_url: str) -> None:
        """The same helpdesk answers at a new address (the demo helpdesk restarted on another port)."""
        self.base_url = base_url.rstrip("/")
        self.api_root = self.base_url + "/api/v2/"

    # ---- public calls -------------------------------------------------------------------
    def get(self, path: str, params: dict | None = None, *, timeout: tuple[float, float] | None = None,
            retries: int | None = None) -> dict:
        return self.request("GET", path, params=params, idempotent=True, timeout=timeout, retries=retries)

    def get_decoded(self, path: str, params: dict | None, decode: Callable[[bytes], T]) -> T:
        """``get`` whose answer's bytes go to ``decode`` (a sync page: ``decoder.PageDecoder``)."""
        return self.request("GET", path, params=params, idempotent=True, decode=decode)

    def probe(self, timeout: tuple[float, float] = (3.0, 5.0)) -> dict:
        """Is the helpdesk answering? One quick ``users/me`` with no retries (raises Unreachable)."""
        with self.interactive():
            return self.get("users/me.json", timeout=timeout, retries=0)

    def get_url(self, url: str) -> dict:
        """Follow a paging URL verbatim (``links.next``, ``after_url``, ``next_page``)."""
        if urlsplit(url).netloc != urlsplit(self.base_url).netloc:
            raise Invalid(f"refusing to follow a paging link to another host: {url}")
        return self.request("GET", url, idempotent=True)

    def post(self, path: str, body: dict, *, idempotency_key: str | None = None) -> dict:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self.request("POST", path, json_body=body, headers=headers,
                            idempotent=idempotency_key is not None)

    def upload(self, file_name: str, content: bytes, content_type: str) -> dict:
        """``POST /uploads?filename=`` with the raw bytes: ``{"upload": {"token": ...}}``. Not idempotent
        (an upload whose answer is lost only leaves an unused token behind, which expires)."""
        return self.request("POST", "uploads.json", params={"filename": file_name}, raw=(content, content_type),
                            idempotent=False)

    def put(self, path: str, body: dict) -> dict:
        return self.request("PUT", path, json_body=body, idempotent=False)

    def delete(self, path: str) -> dict:
        return self.request("DELETE", path, idempotent=True)

    # ---- machinery ----------------------------------------------------------------------
    def url_for(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.api_root, path.lstrip("/"))

    def request(self, method: str, path: str, *, params: dict | None = None, json_body: object = None,
                headers: dict | None = None, idempotent: bool, timeout: tuple[float, float] | None = None,
                retries: int | None = None, raw: tuple[bytes, str] | None = None,
                decode: Callable[[bytes], Any] | None = None) -> Any:
        url = self.url_for(path)
        timeout = timeout or self.timeout
        max_retries = self.max_retries if retries is None else retries
        data = orjson.dumps(json_body) if json_body is not None else None
        send_headers = {"Content-Type": "application/json"} if data is not None else {}
        if raw is not None:   # a file's bytes (POST /uploads)
            data, send_headers = raw[0], {"Content-Type": raw[1] or "application/octet-stream"}
        send_headers.update(headers or {})
        attempt = 0
        while True:
            attempt += 1
            self._pace(url)
            try:
                with self._lock:
                    self.requests_made += 1
                response = self.session.request(method, url, params=params, data=data,
                                                headers=send_headers, timeout=timeout)
            except requests.exceptions.SSLError as exc:
                raise Unreachable(f"TLS failure talking to {self.base_url}: {_short(exc)}") from exc
            except requests.exceptions.ConnectTimeout as exc:
                # Never reached the server: safe to retry whatever the method.
                if attempt <= max_retries:
                    self._backoff(attempt)
                    continue
                raise Unreachable(f"{self.base_url} did not answer (connect timeout)") from exc
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                refused = _connection_refused(exc)
                if idempotent or refused:
                    if attempt <= max_retries:
                        self._backoff(attempt)
                        continue
                    raise Unreachable(f"cannot reach {self.base_url}: {_short(exc)}") from exc
                raise AmbiguousOutcome(
                    f"{method} {urlsplit(url).path} may or may not have been applied: {_short(exc)}") from exc
            except (requests.exceptions.RequestException, http.client.HTTPException,
                    urllib3.exceptions.HTTPError, OSError) as exc:
                # the answer was cut off or cannot be decoded (ChunkedEncodingError, IncompleteRead,
                # ContentDecodingError...): the request reached the helpdesk
                if idempotent and attempt <= max_retries:
                    self._backoff(attempt)
                    continue
                if idempotent:
                    raise Unreachable(f"{self.base_url} sent a broken answer: {_short(exc)}") from exc
                raise AmbiguousOutcome(f"{method} {urlsplit(url).path} got a broken answer and may or may not "
                                       f"have been applied: {_short(exc)}") from exc
            self.last_answer_at = time.monotonic()
            self._read_budget(response)
            self.last_server_date = response.headers.get("Date") or self.last_server_date
            status = response.status_code
            if status == 429:
                with self._lock:
                    self.rate_limited += 1
                asked = _retry_after(response, default=None)
                wait = min(self.retry_after_cap, asked if asked is not None else self.backoff_base * 2 ** attempt)
                if wait <= self.max_inline_wait and attempt <= max_retries + 5:
                    log.info("rate limited; waiting %.0f s as asked", wait)
                    self._wait(wait)
                    self.account_bucket.waited_out()
                    self.export_bucket.waited_out()
                    continue
                raise RateLimited(f"the helpdesk asks us to wait {wait:.0f} s before the next request (429)",
                                  retry_after=wait)
            if status >= 500:
                if idempotent and attempt <= max_retries:
                    wait = _retry_after(response, default=None)
                    self._backoff(attempt, at_least=wait)
                    continue
                if not idempotent:
                    raise AmbiguousOutcome(
                        f"{method} {urlsplit(url).path} got {status}; it may or may not have been applied",
                        status=status)
                raise Unreachable(f"{self.base_url} is failing ({status})", status=status)
            if status >= 400:
                raise _error_for(response)
            if decode is not None:
                return decode(response.content)
            if status == 204 or not response.content:
                return {}
            body = json_object(response.content, status)
            body["_headers"] = {k.lower(): v for k, v in response.headers.items()
                                if k.lower().startswith(("x-idempotency", "location"))}
            return body

    def _backoff(self, attempt: int, at_least: float | None = None) -> None:
        wait = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        wait = random.uniform(wait / 2, wait)
        if at_least:
            wait = max(wait, min(at_least, self.retry_after_cap))
        self._wait(wait)

    def _read_budget(self, response: requests.Response) -> None:
        h = response.headers
        self.account_bucket.observe(pacing.account_report(h, response.status_code))
        exports = pacing.export_report(h, response.status_code)
        if exports is not None:
            self.export_bucket.observe(exports)
        try:
            if "X-Rate-Limit" in h:
                self.budget.limit = int(h["X-Rate-Limit"])
            if "X-Rate-Limit-Remaining" in h:
                self.budget.remaining = int(h["X-Rate-Limit-Remaining"])
            if "ratelimit-reset" in h:
                self.budget.reset_after = float(h["ratelimit-reset"])
        except ValueError:
            pass

    def _pace(self, url: str) -> None:
        """Wait until the rate limits let this request go (see ``pacing.py``), then count it."""
        interactive = bool(getattr(self._local, "interactive", False))
        buckets = [self.account_bucket] + ([self.export_bucket] if "/incremental/" in url else [])
        waited = 0.0
        first = None   # never more in all than the first answer said (it can only get shorter)
        while (delay := max(b.delay(interactive=interactive) for b in buckets)) > 0:
            first = delay if first is None else first
            left = min(delay, first - waited)
            if left <= 0:
                break
            if not interactive:
                for bucket in buckets:
                    bucket.holding()
            step = min(left, 1.0)   # look again each second: another console's report may change it
            self._wait(step)
            waited += step
        if waited:
            log.debug("paced: waited %.1f s for the helpdesk's rate limit", waited)
        for bucket in buckets:
            bucket.spend(interactive=interactive, waited=waited)


def _retry_after(response: requests.Response, default: float | None) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default


def _connection_refused(exc: Exception) -> bool:
    text = repr(exc)
    return "Connection refused" in text or "NewConnectionError" in text or "Name or service not known" in text


def _short(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "timed out", "Name or service not known", "certificate verify failed",
                   "Connection reset", "Remote end closed connection", "Connection aborted"):
        if marker in text:
            return marker.lower()
    return text[:160]


def _error_for(response: requests.Response) -> HelpdeskError:
    status = response.status_code
    code = description = None
    body: object = None
    try:
        body = response.json()
    except ValueError:
        body = response.text[:500]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code = error.get("title")
            description = error.get("message")
        else:
            code = error
            description = body.get("description")
        details = body.get("details")
        if isinstance(details, dict):
            parts = [d.get("description", "") for v in details.values() if isinstance(v, list)
                     for d in v if isinstance(d, dict)]
            if parts:
                description = "; ".join(p for p in parts if p) or description
    text = description or code or f"HTTP {status}"
    kinds = {401: AuthError, 403: AuthError, 404: NotFound, 409: Conflict}
    cls = kinds.get(status, Invalid)
    if status == 401:
        text = "the helpdesk did not accept the email and API token"
    return cls(f"{text} ({status})", status=status, code=code if isinstance(code, str) else None,
               description=description, body=body)
