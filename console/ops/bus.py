"""The change bus: one broadcast for what changed, the sync state and messages for the agent.

    bus.cache_changed(change, initiator)   # a Change (console.store) and who asked for it (or None)
    bus.sync_status_changed(status)        # a console.sync.status.SyncStatus snapshot
    bus.message(text, level)               # "info" | "warning" | "error": for the status bar

Widgets subscribe themselves and decide what to refresh (Anki's ``operation_did_execute``,
qutebrowser's message bridge); a widget skips a change whose ``initiator`` is itself.
``bridge_engine(engine, bus)`` feeds the sync engine's events in, once (``app.py`` calls it):
its changes arrive with the engine as initiator, its status as ``sync_status_changed``, and its
error/conflict messages as messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

LEVELS = ("info", "warning", "error")


class ChangeBus(QObject):
    cache_changed = Signal(object, object)   # Change, initiator
    sync_status_changed = Signal(object)     # SyncStatus
    message = Signal(str, str)               # text, level

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.status = None   # the latest SyncStatus, for widgets built after it was sent
        self.sync_status_changed.connect(self._remember)

    def _remember(self, status) -> None:
        self.status = status

    def info(self, text: str) -> None:
        self.message.emit(text, "info")

    def warn(self, text: str) -> None:
        self.message.emit(text, "warning")

    def error(self, text: str) -> None:
        self.message.emit(text, "error")


def bridge_engine(engine, bus: ChangeBus) -> Callable[[], None]:
    """Feed a SyncEngine's events into ``bus``; returns the function that disconnects it."""
    from console.sync import status as ev

    def on_event(event) -> None:
        if event.change:
            bus.cache_changed.emit(event.change, engine)
        if event.kind == ev.STATUS or event.kind == ev.ERROR:
            bus.sync_status_changed.emit(event.status)
        if event.message and event.kind in (ev.ERROR, ev.CONFLICT):
            bus.message.emit(event.message, "error" if event.kind == ev.ERROR else "warning")

    unsubscribe = engine.subscribe(on_event)
    bus.sync_status_changed.emit(engine.status)
    return unsubscribe
