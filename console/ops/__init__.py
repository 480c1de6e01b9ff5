"""The application layer between the widgets and the cache/sync (QtCore only, like ``models/``).

Widgets *ask* through operations and *listen* to one broadcast (Anki's ``aqt/operations`` with
``operation_did_execute``): ``Ops`` bundles them for one signed-in session::

    ops = Ops(lanes, me=agent_id, sync=engine, attachments_folder=folder, spelling_dictionary=path)
    ops.bus        # ChangeBus: cache_changed(Change, initiator), sync_status_changed, message
    ops.runner     # Runner: read / write / call off the GUI thread
    ops.tickets, ops.replies, ops.outbox, ops.new_tickets, ops.bulk, ops.merges, ops.conflicts,
    ops.attachments, ops.queues, ops.search, ops.dashboard
    ops.suggestions   # ranked canned replies, department suggestion (console.ops.suggestions)
    ops.spelling   # SpellCheck: the editors' dictionary (loaded on first use) and the agent's own words
    ops.undo       # UndoStack (Ctrl+Z, the toast's Undo)
    shown = ops.open_ticket()   # an OpenTicket for one place that shows a ticket

``sync`` is the sync engine (the only road to the network); without one (widget tests, or the app
before it reached the helpdesk) ``ops.sync`` answers as ``NoSync`` until ``ops.attach_sync(engine)``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject

import console.qt_import_hook  # noqa: F401  (before our own modules: see there)
from console.lanes import Lanes
from console.store import Change

from .attachments import AttachmentOps
from .bulk import BulkOps
from .bus import ChangeBus, bridge_engine
from .collector import CollectorPacing, trim_heap
from .conflicts import ConflictOps
from .dashboard import DashboardOps
from .merges import MergeOps
from .new_tickets import NewTicketOps
from .outbox import OutboxOps
from .queues import QueueOps
from .replies import PolicyContradiction, ReplyOps, SendRefused
from .runner import Cache, Runner, Written
from .search import SearchOps
from .spelling import SpellCheck
from .suggestions import SuggestionOps
from .sync import NoSync, SyncPort
from .tickets import OpenTicket, TicketDetails, TicketOps
from .undo import UndoStack

__all__ = ["Cache", "ChangeBus", "NoSync", "OpenTicket", "Ops", "PolicyContradiction", "Runner", "SendRefused",
           "SyncPort", "TicketDetails", "Written", "bridge_engine"]


def warm_imports() -> None:
    """Import and build what a first draft, canned reply or suggestion needs (the template engine;
    ranking, routing and the policy rules, whose patterns compile on import)."""
    import console.suggest  # noqa: F401
    from console.domain import fragments, placeholders, policy_guard, routing

    routing.intent_patterns()
    policy_guard.promise_patterns()

    placeholders.render_preview("{{ ticket.id }}", {"ticket": {"id": 1}})
    fragments.render_with_fragments("{{ x }}", {"x": 1}, {})


class Ops(QObject):
    """Everything a window asks of the cache and the helpdesk, for one session."""

    def __init__(self, lanes: Lanes, *, me: int | None, sync=None, attachments_folder: Path | None = None,
                 spelling_dictionary: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lanes, self.me = lanes, me
        self.sync = SyncPort()
        self.bus = ChangeBus(self)
        self.runner = Runner(lanes, self.bus, self)
        self.undo = UndoStack(self)
        self.tickets = TicketOps(self.runner, self.sync, self.undo, self)
        self.outbox = OutboxOps(self.runner, self.sync, self)
        self.replies = ReplyOps(self.runner, self.sync, me=me, outbox=self.outbox, undo=self.undo, parent=self)
        self.new_tickets = NewTicketOps(self.runner, self.sync, me=me, parent=self)
        self.bulk = BulkOps(self.runner, self.sync, self.undo, me=me, parent=self)
        self.merges = MergeOps(self.runner, self.sync, self)
        self.conflicts = ConflictOps(self.runner, self.sync, self)
        self.attachments = AttachmentOps(self.runner, self.sync, attachments_folder, self)
        self.queues = QueueOps(self.runner, me=me, sync=self.sync, parent=self)
        self.search = SearchOps(self.runner, self, me=me)
        self.dashboard = DashboardOps(self.runner, self)
        self.suggestions = SuggestionOps(self.runner, me=me, parent=self)
        self.spelling = SpellCheck(self.runner, lanes.spelling, personal_path=spelling_dictionary, parent=self)
        self.collector = CollectorPacing(self.bus, parent=self, give_back=self._give_back_memory)
        self._warmed = False
        self._unbridge: Callable[[], None] | None = None
        if sync is not None:
            self.attach_sync(sync)
        else:
            self.bus.sync_status_changed.emit(self.sync.status)

    def attach_sync(self, engine) -> None:
        """From now on requests go to ``engine`` and its events feed the bus (once per session)."""
        if self.sync.attached:
            raise RuntimeError("this session already has a sync engine")
        self.sync.engine = engine
        if hasattr(engine, "subscribe"):
            self._unbridge = bridge_engine(engine, self.bus)
        else:
            self.bus.sync_status_changed.emit(engine.status)

    def _give_back_memory(self) -> None:
        """After a sync, at a quiet moment (``CollectorPacing``): on the db lane, behind any write."""
        def give_back(cache: Cache) -> Change:
            cache.writer.release_memory()
            trim_heap()
            return Change()   # nothing the views show
        self.runner.write(give_back)

    def warm_up(self) -> None:
        """What the first paint did not need, loaded off the GUI thread while the agent reads the list.

        python-liquid (placeholders, fragments: ~0.4 s of imports) was otherwise imported on the
        GUI thread at the first keystroke in a draft or the first canned reply, stalling the
        window that long; once is enough (imports are cached)."""
        if not self._warmed:
            self._warmed = True
            self.runner.call(warm_imports)

    def open_ticket(self, parent: QObject | None = None) -> OpenTicket:
        return OpenTicket(self.runner, self.sync, me=self.me, parent=parent or self)

    def close(self) -> None:
        """Stop listening to the engine and drop late answers (the lanes are closed by their owner)."""
        if self._unbridge is not None:
            self._unbridge()
            self._unbridge = None
        self.collector.release()
        self.spelling.close()
        self.runner.close()
