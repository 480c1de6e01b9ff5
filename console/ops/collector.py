"""When Python's cyclic garbage collector runs in a session: one home for the policy.

``keep_built()`` (the main window, once built) moves the session's long-lived objects (window,
models, imported modules) out of every later collection (``gc.freeze``): otherwise full
collections walked them mid-sync or mid-switch and stalled the event loop ~30 ms each.

Then the collector waits while a sync runs, and one collection runs once it is over.

``CollectorPacing(bus)`` follows ``bus.sync_status_changed``. A collection keeps the GIL all the
while, and the GUI thread waits for the GIL. During a first sync of 100k tickets with the window
open (bench_gui, GC_PROBE=1) there were 12,697 young, 1,154 middle and 105 full collections:
10.3 s of held GIL in all, the full ones up to 87 ms each (a frozen window while the agent typed),
and they freed 93 objects: the sync's pages are dicts and lists without cycles, which reference
counting frees at once. So while a sync runs the collector is off; when it ends it is on again and
one collection runs after ``IDLE_MS``, a quiet moment.

At that moment the session also gives back what the sync took and no longer uses (``give_back``,
run on the db lane by ``Ops``): the writer's SQLite page cache (``CacheWriter.release_memory``),
then the C heap's free pages (``trim_heap``: glibc keeps freed memory otherwise). After a first
sync of 5,000 tickets (no window) that took resident memory from ~95 MB to ~81 MB; the trim alone
returned 6 MB.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

IDLE_MS = 3000


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, looked up once (``find_library`` may run ldconfig), or None."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def trim_heap() -> bool:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``); False where there is none."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


class CollectorPacing(QObject):
    def __init__(self, bus, parent: QObject | None = None, *, give_back: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self._held = False
        self._give_back = give_back
        self._idle = QTimer(self, singleShot=True, interval=IDLE_MS)
        self._idle.timeout.connect(self._quiet)
        bus.sync_status_changed.connect(self.on_sync_status)

    def _quiet(self) -> None:
        gc.collect()
        if self._give_back is not None:
            self._give_back()

    @staticmethod
    def keep_built() -> None:
        gc.freeze()

    @property
    def holding(self) -> bool:
        return self._held

    def on_sync_status(self, status) -> None:
        syncing = bool(getattr(status, "syncing", False))
        if syncing and not self._held and gc.isenabled():
            self._idle.stop()
            self._held = True
            gc.disable()
        elif not syncing and self._held:
            self.release()
            self._idle.start()

    def release(self) -> None:
        """The collector on again (at the end of a sync, and when the session closes)."""
        if self._held:
            self._held = False
            gc.enable()
