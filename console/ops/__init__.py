"""The application layer between the widgets and the cache/sync (QtCore only, like ``models/``).

Widgets *ask* through operations and *listen* to one broadcast (Anki's ``aqt/operations`` with
``operation_did_execute``): ``Ops`` bundles them for one signed-in session::

    ops = Ops(lanes, me=agent_id, sync=engine, attachments_folder=folder)
    ops.bus        # ChangeBus: cache_changed(Change, initiator), sync_status_changed, message
    ops.runner     # Runner: read / write / call off the GUI thread
    ops.tickets, ops.replies, ops.conflicts, ops.attachments, ops.queues, ops.search, ops.dashboard
    ops.undo       # UndoStack (Ctrl+Z, the toast's Undo)
    shown = ops.open_ticket()   # an OpenTicket for one place that shows a ticket

``sync`` is the sync engine (the only road to the network) or ``NoSync()`` when there is none.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from console.lanes import Lanes

from .attachments import AttachmentOps
from .bus import ChangeBus, bridge_engine
from .conflicts import ConflictOps
from .dashboard import DashboardOps
from .queues import QueueOps
from .replies import ReplyOps, SendRefused
from .runner import Cache, Runner, Written
from .search import SearchOps
from .sync import NoSync
from .tickets import OpenTicket, TicketDetails, TicketOps
from .undo import UndoStack

__all__ = ["Cache", "ChangeBus", "NoSync", "OpenTicket", "Ops", "Runner", "SendRefused", "TicketDetails",
           "Written", "bridge_engine"]


class Ops(QObject):
    """Everything a window asks of the cache and the helpdesk, for one session."""

    def __init__(self, lanes: Lanes, *, me: int | None, sync=None, attachments_folder: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lanes, self.me = lanes, me
        self.sync = sync if sync is not None else NoSync()
        self.bus = ChangeBus(self)
        self.runner = Runner(lanes, self.bus, self)
        self.undo = UndoStack(self)
        self.tickets = TicketOps(self.runner, self.sync, self.undo, self)
        self.replies = ReplyOps(self.runner, self.sync, me=me, parent=self)
        self.conflicts = ConflictOps(self.runner, self.sync, self)
        self.attachments = AttachmentOps(self.runner, self.sync, attachments_folder, self)
        self.queues = QueueOps(self.runner, me=me, sync=self.sync, parent=self)
        self.search = SearchOps(self.runner, self)
        self.dashboard = DashboardOps(self.runner, self)
        self._unbridge = bridge_engine(self.sync, self.bus) if hasattr(self.sync, "subscribe") else None
        if self._unbridge is None:
            self.bus.sync_status_changed.emit(self.sync.status)

    def open_ticket(self, parent: QObject | None = None) -> OpenTicket:
        return OpenTicket(self.runner, self.sync, me=self.me, parent=parent or self)

    def close(self) -> None:
        """Stop listening to the engine and drop late answers (the lanes are closed by their owner)."""
        if self._unbridge is not None:
            self._unbridge()
            self._unbridge = None
        self.runner.close()
