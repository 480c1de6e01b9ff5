"""How long an outbox entry waits before its next attempt (DESIGN.md invariant 10).

Each entry keeps its own count (the outbox's ``attempts`` column, raised by every send), so one
entry the helpdesk keeps refusing backs off on its own while the rest of the outbox and the pulls
carry on. Waits double from ``base`` up to ``cap`` with jitter (half to all of the step, so
several consoles that failed together do not come back together). A ``Retry-After`` is honoured
up to ``retry_after_cap``: a helpdesk asking for an hour is asked again after that cap, and the
wait is shown, never slept through in a thread that ``stop()`` cannot reach.

After ``visible_after`` attempts the entry is shown as *failed — retrying at HH:MM* (state
``failed`` with a ``retry_at``, still pending and retried by itself); before that it stays
*queued* with a quiet ``retry_at``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 2.0             # seconds before the second attempt
    cap: float = 300.0            # longest wait between two attempts
    visible_after: int = 5        # attempts after which the agent sees "failed — retrying at HH:MM"
    retry_after_cap: float = 120.0
    uniform: Callable[[float, float], float] = field(default=random.uniform, compare=False, repr=False)

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt (1 = the first)."""
        step = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        wait = self.uniform(step / 2, step)
        if retry_after is not None:
            wait = max(wait, self.capped_retry_after(retry_after))
        return wait

    def capped_retry_after(self, retry_after: float) -> float:
        return min(max(0.0, retry_after), self.retry_after_cap)

    def visible(self, attempts: int) -> bool:
        return attempts >= self.visible_after


def retry_message(attempts: int, reason: str, retry_at: float) -> str:
    """The agent-facing line of an entry that keeps failing."""
    at = time.strftime("%H:%M", time.localtime(retry_at))
    return f"Sending failed {attempts} times ({reason}); retrying at {at}."


SETTLE_S = (0.2, 0.5, 1.0)   # further looks before a lost job's outcome is called unsent


class SettleLooks:
    """Looks again, after short waits, before an unknown outcome is called *not delivered*.

    A merge or an ``update_many`` is a job that the helpdesk may still have queued when its lost
    answer is checked: one look right away can miss a change that lands a moment later, and the
    change would be sent twice. The waits are shared by every check made through one instance, so a
    batch of 100 entries waits at most ``sum(waits)`` in all, not per entry. ``wait`` is the client's
    interruptible ``_wait`` (it raises Unreachable once the engine stops)."""

    def __init__(self, wait: Callable[[float], None], waits: tuple[float, ...] = SETTLE_S):
        self._wait = wait
        self._waits = list(waits)

    def until(self, look: Callable[[], object]) -> object:
        """``look()`` until it is truthy or the waits are spent; its last answer."""
        found = look()
        while not found and self._waits:
            self._wait(self._waits.pop(0))
            found = look()
        return found
