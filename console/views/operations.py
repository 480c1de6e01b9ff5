"""One small helper that runs blocking work (SQLite, files) off the GUI thread.

``Operations.run(work, on_done=None, on_failed=None)`` runs ``work()`` on a worker thread and
calls ``on_done(result)`` or ``on_failed(exc)`` back on the GUI thread. Callbacks of an
operation whose owner was closed are dropped. Like Anki's ``aqt/operations``: the GUI asks,
the helper answers success or failure, nothing else blocks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    finished = Signal(object, object, object)   # callback, value, is_error


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay, on_done, on_failed) -> None:
        super().__init__()
        self.work, self.relay, self.on_done, self.on_failed = work, relay, on_done, on_failed

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # handed to the GUI thread, never lost
            self.relay.finished.emit(self.on_failed, exc, True)
        else:
            self.relay.finished.emit(self.on_done, result, False)


class Operations(QObject):
    """Runs callables on a private thread pool; results come back as queued calls."""

    busy_changed = Signal(int)   # number of operations in flight

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._in_flight = 0
        self._closed = False

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_failed: Callable[[Exception], None] | None = None) -> None:
        if self._closed:
            return
        self._in_flight += 1
        self.busy_changed.emit(self._in_flight)
        self._pool.start(_Job(work, self._relay, on_done, on_failed))

    @Slot(object, object, object)
    def _on_finished(self, callback, value, is_error: bool) -> None:
        self._in_flight -= 1
        self.busy_changed.emit(self._in_flight)
        if self._closed:
            return
        if callback is not None:
            callback(value)
        elif is_error:
            log.error("background operation failed: %s", value, exc_info=value)

    def wait(self, msecs: int = 5000) -> bool:
        """Block until every job ran (tests, shutdown); queued callbacks still need the event loop."""
        return self._pool.waitForDone(msecs)

    def close(self) -> None:
        self._closed = True
        self._pool.waitForDone(5000)
