"""Run cache work off the GUI thread and hand the answer back on it (Anki's ``CollectionOp``/``QueryOp``).

    runner = Runner(lanes, bus)
    runner.read(lambda reader: reader.ticket(7), done=show, failed=complain)
    runner.write(lambda cache: cache.writer.mark_seen([7]), initiator=self)   # -> Change, broadcast
    runner.call(check_connection, url, email, token, done=show_answer)         # any blocking call

- ``read`` runs on the read lane with that thread's own ``CacheReader``;
- ``write`` runs on the db lane (one thread, so writes happen in the order asked). ``work``
  gets a :class:`Cache` (``.writer`` and the db thread's ``.reader``) and returns the
  ``Change`` it made, or ``Written(change, value)``; the change is broadcast once on the bus as
  ``cache_changed(change, initiator)`` before ``done(value or change)`` runs;
- ``call`` runs a plain function on the read lane (start-up calls, the connection check).

Callbacks run on the GUI thread. Without ``failed``, a ``StoreError`` becomes a message on the
bus (its text is meant for people) and anything else is logged with its traceback and shown as
"something went wrong". After ``close()`` nothing more is started and late answers are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from console.lanes import Lanes
from console.store import CacheReader, CacheWriter, Change, StoreError

from .bus import ChangeBus

log = logging.getLogger(__name__)

Callback = Callable[[Any], None] | None


_DELETED = ("already deleted", "Signal source has been deleted")   # PySide's words for a deleted QObject


@dataclass(frozen=True)
class Cache:
    """What a write sees on the db thread: the one writer, and that thread's reader."""

    writer: CacheWriter
    reader: CacheReader


@dataclass(frozen=True)
class Written:
    """A write's answer when it has a value besides its ``Change``."""

    change: Change
    value: Any = None


class _Relay(QObject):
    arrived = Signal(object)   # a no-argument callable, run on the GUI thread


class Runner(QObject):
    """The GUI's one way to run blocking work; see the module docstring."""

    def __init__(self, lanes: Lanes, bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lanes, self.bus = lanes, bus
        self._relay = _Relay(self)
        # always queued: an answer never runs inside the call that asked for it, even when the work
        # finished before its callback was attached
        self._relay.arrived.connect(self._run_on_gui, Qt.ConnectionType.QueuedConnection)
        # what waits for each answer (its callbacks, the work itself), held here and let go on the GUI
        # thread: dropped last on a lane thread, a widget a callback holds was freed there, and Qt
        # cannot unregister a QObject's timers from another thread (a freed timer then fired: segfault)
        self._futures: dict[Future, tuple[Callback, Callback, list]] = {}
        self._closed = False

    # -- asking ---------------------------------------------------------------------------

    def read(self, work: Callable[[CacheReader], Any], *, done: Callback = None, failed: Callback = None) -> None:
        self._submit(self.lanes.read, lambda: work(self.lanes.reader()), done, failed)

    def read_in_background(self, work: Callable[[CacheReader], Any], *, done: Callback = None,
                           failed: Callback = None) -> None:
        """``read`` on the niced ranking lane: for long Python work (seconds of CPU under a sync's load
        are fine; a GUI-thread stall is not)."""
        self._submit(self.lanes.ranking, lambda: work(self.lanes.reader()), done, failed)

    def write(self, work: Callable[[Cache], Change | Written], *, done: Callback = None,
              failed: Callback = None, initiator: object = None) -> None:
        def run() -> Written:
            answer = work(Cache(self.lanes.writer, self.lanes.reader()))
            return answer if isinstance(answer, Written) else Written(answer or Change(), answer or Change())

        def delivered(written: Written) -> None:
            if written.change:
                self.bus.cache_changed.emit(written.change, initiator)
            if done is not None:
                done(written.value)

        self._submit(self.lanes.db, run, delivered, failed)

    def call(self, work: Callable[..., Any], *args: Any, done: Callback = None, failed: Callback = None) -> None:
        self._submit(self.lanes.read, lambda: work(*args), done, failed)

    def watch(self, future: Future, *, done: Callback = None, failed: Callback = None, _work: list | None = None) -> None:
        """Hand the answer of work started elsewhere (an engine download) back on the GUI thread."""
        if self._closed:
            return
        self._futures[future] = (done, failed, _work if _work is not None else [])
        future.add_done_callback(lambda f: self._deliver(lambda: self._finish(f)))

    def _deliver(self, call) -> None:
        """From any thread: run ``call`` on the GUI thread (dropped once closed)."""
        if self._closed:
            return
        try:
            self._relay.arrived.emit(call)
        except RuntimeError:   # the relay went with its window at shutdown: nobody is waiting
            log.debug("an answer arrived after the runner was deleted")

    # -- machinery ------------------------------------------------------------------------

    def _submit(self, pool, work: Callable[[], Any], done: Callback, failed: Callback) -> None:
        if self._closed or self.lanes.closed:
            return
        held = [work]   # the lane keeps only this list: the work's closure goes on the GUI thread (_finish)
        try:
            future = pool.submit(lambda: held[0]())
        except RuntimeError:   # the pool shut down between the check and the submit
            return
        self.watch(future, done=done, failed=failed, _work=held)

    @Slot(object)
    def _run_on_gui(self, call) -> None:
        try:
            call()
        except RuntimeError as exc:
            if not any(gone in str(exc) for gone in _DELETED):   # the asker closed meanwhile: nothing to show
                raise
            log.debug("an answer arrived for a closed widget: %s", exc)

    def _finish(self, future: Future) -> None:
        done, failed, work = self._futures.pop(future, (None, None, []))
        work.clear()
        if self._closed or future.cancelled():
            return
        error = future.exception()
        if error is None:
            if done is not None:
                done(future.result())
            return
        if failed is not None:
            failed(error)
        elif isinstance(error, StoreError):
            log.warning("cache operation failed: %s", error)
            self.bus.message.emit(str(error), "error")
        else:
            log.error("background operation failed", exc_info=error)
            self.bus.message.emit(f"Something went wrong: {error}", "error")

    @property
    def busy(self) -> int:
        """Operations not answered yet (tests, shutdown)."""
        return len(self._futures)

    def close(self) -> None:
        """Drop answers from now on (the lanes are closed by their owner)."""
        self._closed = True
        self._futures.clear()   # on the GUI thread: what waited for an answer goes here
