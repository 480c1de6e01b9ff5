"""What the operations ask of the sync engine, and the stand-in used when there is none.

The engine (``console.sync.engine.SyncEngine``) is the only road to the network. Operations only
call these typed requests; ``NoSync`` answers them when no engine is attached (a window on a cache
with nothing to sync with, and widget tests), so no operation checks for None.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from console.sync.status import SyncStatus


class NoSync:
    """No helpdesk: requests are dropped, downloads refused, the status says "offline"."""

    can_download = False

    def __init__(self) -> None:
        self.status = SyncStatus(online=False)

    def request_push(self) -> None: ...
    def request_ticket(self, ticket_id: int) -> None: ...
    def request_sync(self) -> None: ...
    def request_view(self, view_id: int) -> None: ...
    def set_work_offline(self, offline: bool) -> None: ...
    def set_interval(self, seconds: float) -> None: ...

    def download(self, attachment: dict, folder: Path) -> Future:
        future: Future = Future()
        future.set_exception(RuntimeError("not connected to a helpdesk"))
        return future


class SyncPort:
    """The session's one road to the engine, attached late: ``NoSync`` until ``attach(engine)``.

    The window shows the cache before the helpdesk is reached (the demo helpdesk's start and the
    sign-in take a second or more); operations and widgets hold this port, so whatever they asked
    for before goes to ``NoSync`` (dropped: the engine's first round pushes the outbox anyway) and
    everything after goes to the engine.
    """

    def __init__(self, engine=None) -> None:
        self.engine = engine if engine is not None else NoSync()

    @property
    def attached(self) -> bool:
        return not isinstance(self.engine, NoSync)

    @property
    def status(self) -> SyncStatus:
        return self.engine.status

    @property
    def can_download(self) -> bool:
        return bool(getattr(self.engine, "can_download", True))

    def request_push(self) -> None:
        self.engine.request_push()

    def request_ticket(self, ticket_id: int) -> None:
        self.engine.request_ticket(ticket_id)

    def request_sync(self) -> None:
        self.engine.request_sync()

    def request_view(self, view_id: int) -> None:
        self.engine.request_view(view_id)

    def set_work_offline(self, offline: bool) -> None:
        self.engine.set_work_offline(offline)

    def set_interval(self, seconds: float) -> None:
        self.engine.set_interval(seconds)

    def download(self, attachment: dict, folder: Path) -> Future:
        return self.engine.download(attachment, folder)
