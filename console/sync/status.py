"""What the sync engine tells its subscribers: a status snapshot, and events carrying it.

No Qt here: the GUI subscribes a plain callable and turns events into signals itself.
Callbacks run on the engine's event loop thread (under qasync: the Qt main thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from console.store import Change

log = logging.getLogger(__name__)

# SyncEvent.kind values
STATUS = "status"      # online/offline, progress, pending count... changed
CHANGE = "change"      # the cache changed: ``event.change`` says what (refresh those models)
ERROR = "error"        # a sync round or an outbox entry failed: ``event.message`` is for people
CONFLICT = "conflict"  # an outbox entry hit a 409 the agent must resolve (``event.op_id``)
SENT = "sent"          # an outbox entry was delivered (``event.op_id``)


@dataclass(frozen=True)
class SyncStatus:
    """A snapshot for the status bar.

    ``online`` is None until the first call answers. ``phase`` is "" when idle, else one of
    "pushing", "tickets", "users", "comments", "resources". ``done``/``total`` is the
    progress of the current phase (``total`` an estimate, None when unknown).
    ``last_synced_at`` is the helpdesk's clock (its HTTP Date, as ``YYYY-MM-DDTHH:MM:SSZ``) at the end of
    the last good round. ``retry_in`` is the wait before the next round after a failed one (a
    helpdesk's ``Retry-After`` included, capped). ``failing`` counts outbox entries shown as
    *failed — retrying at HH:MM* (each waits its own backoff); ``next_retry_at`` is the soonest
    planned retry of any entry (local epoch). ``unreadable`` counts records from the helpdesk
    the cache could not read (quarantined; ``CacheReader.quarantined()`` names them). ``paced``:
    background sync is being slowed down to stay inside the helpdesk's rate limit (``pacing.py``).
    """

    online: bool | None = None
    work_offline: bool = False
    syncing: bool = False
    phase: str = ""
    done: int = 0
    total: int | None = None
    last_synced_at: str | None = None
    pending: int = 0
    conflicts: int = 0
    error: str | None = None
    retry_in: float | None = None
    failing: int = 0
    next_retry_at: float | None = None
    unreadable: int = 0
    paced: bool = False

    def but(self, **changes: Any) -> SyncStatus:
        return replace(self, **changes)


@dataclass(frozen=True)
class SyncEvent:
    kind: str
    status: SyncStatus
    change: Change = field(default_factory=Change)
    message: str | None = None
    op_id: str | None = None


Subscriber = Callable[[SyncEvent], None]


class Subscribers:
    """A plain callback list; a failing subscriber is logged, never breaks the engine."""

    def __init__(self) -> None:
        self._callbacks: list[Subscriber] = []

    def add(self, callback: Subscriber) -> Callable[[], None]:
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

    def emit(self, event: SyncEvent) -> None:
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:  # noqa: BLE001 - a subscriber bug must not stop syncing
                log.exception("sync subscriber %r failed on %s", callback, event.kind)
