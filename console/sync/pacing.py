"""Request pacing under the helpdesk's rate limits: a token bucket the helpdesk itself refills.

A Zendesk account has one budget per minute for every console of the team (a few hundred
requests by plan; the incremental exports 10 a minute), reported on every answer:
``X-Rate-Limit`` / ``ratelimit-limit`` (the budget), ``X-Rate-Limit-Remaining`` /
``ratelimit-remaining`` (what the whole account has left), ``ratelimit-reset`` (seconds until the
window starts again) and, on a 429, ``Retry-After``. The export budget comes as
``zendesk-ratelimit-incremental-exports: total=10; remaining=9; resets=30``.

``Bucket`` holds what the account has left (the last report, less what this console sent since)
and spreads it over the time until the reset, keeping a reserve that only interactive requests
(open a ticket, send a reply: ``interactive=True``) may spend. Several consoles pacing this way
each slow down as the shared remainder shrinks, so together they approach the limit without
crossing it, instead of bursting into 429 storms; a 429 stops the bucket until ``Retry-After``.
``paced`` says whether background work is being held back now (the status bar shows it).

No I/O here: the client asks ``delay(...)``, waits that long (interruptibly), then ``spend()``s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

RESERVE = 0.1          # of the limit, kept for interactive requests
MIN_RESERVE = 2
PACED_ABOVE = 0.25     # seconds: a background wait longer than this counts as "being paced"
PACED_FOR = 5.0        # seconds the "paced" mark stays after the last held-back request


@dataclass(frozen=True)
class Report:
    """What one answer said about the budget (None: not said)."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None
    retry_after: float | None = None


def account_report(headers: Mapping[str, str], status: int) -> Report:
    """The account-wide budget from an answer's headers (names compared case-insensitively)."""
    h = {k.lower(): v for k, v in headers.items()}
    limit = _number(h.get("x-rate-limit") or h.get("ratelimit-limit"))
    remaining = _number(h.get("x-rate-limit-remaining") or h.get("ratelimit-remaining"))
    reset = _number(h.get("ratelimit-reset"))
    retry_after = _number(h.get("retry-after")) if status == 429 else None
    return Report(_int(limit), _int(remaining), reset, retry_after)


def export_report(headers: Mapping[str, str], status: int) -> Report | None:
    """The incremental exports' own budget (``zendesk-ratelimit-incremental-exports``), if reported."""
    h = {k.lower(): v for k, v in headers.items()}
    text = h.get("zendesk-ratelimit-incremental-exports")
    if not text:
        return None
    parts = dict(p.strip().partition("=")[::2] for p in text.split(";") if "=" in p)
    retry_after = _number(h.get("retry-after")) if status == 429 else None
    return Report(_int(_number(parts.get("total"))), _int(_number(parts.get("remaining"))),
                  _number(parts.get("resets")), retry_after)


class Bucket:
    """One rate-limited budget, shared by every thread of one client."""

    def __init__(self, *, reserve: float = RESERVE, clock: Callable[[], float] = time.monotonic) -> None:
        self.reserve = reserve
        self.clock = clock
        self._lock = threading.Lock()
        self.limit: int | None = None
        self._remaining = 0.0          # what the account had left at the last report, less our spending
        self._reset_at = 0.0           # clock time the window starts again
        self._blocked_until = 0.0      # a 429's Retry-After
        self._last_background = -1e9   # clock time of the last background request
        self._paced_at: float | None = None
        self.waited = 0.0              # seconds background requests were held back, in all

    # -- reports ---------------------------------------------------------------------------
    def observe(self, report: Report) -> None:
        now = self.clock()
        with self._lock:
            if report.limit:
                self.limit = report.limit
            if report.remaining is not None:
                self._remaining = float(report.remaining)
                self._reset_at = now + (report.reset if report.reset is not None else 60.0)
            if report.retry_after is not None:
                self._blocked_until = max(self._blocked_until, now + report.retry_after)

    def waited_out(self) -> None:
        """The caller slept a 429's ``Retry-After`` itself: the block is over."""
        with self._lock:
            self._blocked_until = min(self._blocked_until, self.clock())

    # -- asking ----------------------------------------------------------------------------
    def delay(self, *, interactive: bool) -> float:
        """Seconds to wait before the next request (0: go now). Interactive requests may use the
        reserve and never queue behind background ones. While the account has more than half its
        budget left, background requests go at once; below that, what is left above the reserve
        is spread evenly over the time until the reset."""
        now = self.clock()
        with self._lock:
            if now < self._blocked_until:
                return self._blocked_until - now
            if not self.limit:
                return 0.0
            if now >= self._reset_at:            # a new window: the account's budget is whole again
                self._remaining = float(self.limit)
                self._reset_at = now + 60.0
            if interactive:
                return 0.0 if self._remaining >= 1 else self._reset_at - now
            spare = self._remaining - max(MIN_RESERVE, self.limit * self.reserve)
            if spare < 1:
                return self._reset_at - now
            if self._remaining > self.limit / 2:
                return 0.0
            interval = (self._reset_at - now) / spare
            return max(0.0, self._last_background + interval - now)

    def spend(self, *, interactive: bool, waited: float = 0.0) -> None:
        """A request is going out now (after waiting ``waited`` seconds)."""
        now = self.clock()
        with self._lock:
            self._remaining = max(0.0, self._remaining - 1)
            if interactive:
                return
            self._last_background = now
            if waited > PACED_ABOVE:
                self._paced_at = now
                self.waited += waited

    def holding(self) -> None:
        """A background request is being held back right now."""
        with self._lock:
            self._paced_at = self.clock()

    @property
    def paced(self) -> bool:
        """Background requests were held back a moment ago (the budget is running low)."""
        with self._lock:
            at = self._paced_at
        return at is not None and self.clock() - at < PACED_FOR


def _number(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None and value != "" else None
    except ValueError:
        return None


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)
