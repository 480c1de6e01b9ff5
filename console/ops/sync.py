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
