"""Per-minute request budgets (fixed one-minute windows), as the rate-limit headers report them."""

from __future__ import annotations

import math
import threading
import time

UNLIMITED_REPORTED = 100_000  # what the headers advertise when no limit is configured


class MinuteBudget:
    """``limit`` requests per key per minute; ``limit == 0`` never refuses."""

    def __init__(self, limit: int):
        self.limit = max(0, int(limit))
        self._lock = threading.Lock()
        self._window = -1
        self._used: dict = {}

    def take(self, key) -> tuple[bool, int, int, int]:
        """Spend one request: (allowed, limit, remaining, seconds until the window resets)."""
        now = time.time()
        window = int(now // 60)
        reset = max(1, math.ceil((window + 1) * 60 - now))
        with self._lock:
            if window != self._window:
                self._window, self._used = window, {}
            used = self._used.get(key, 0)
            shown = self.limit or UNLIMITED_REPORTED
            if self.limit and used >= self.limit:
                return False, shown, 0, reset
            self._used[key] = used + 1
            return True, shown, max(0, shown - used - 1), reset
