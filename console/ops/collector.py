"""When and where Python's cyclic garbage collector runs: one home for the policy.

**Only on the GUI thread.** Left automatic, a collection runs in whichever thread happens to
allocate when a threshold is crossed: a lane thread decoding a page. If the garbage it finds holds
a QObject (a closed view in a reference cycle), that object is destroyed on the lane thread, and Qt
cannot stop a timer from another thread: the timer stays registered and later fires on freed
memory (the segfaults in CI at stops 22-25: ``QTimerInfoList::activateTimers`` on the GUI thread,
a view's ``QTimer`` killed from a ``cache-read`` thread inside ``rows.loads``). So
``GuiThreadCollector.install()`` (one per process, owned by the application object) switches the
automatic collector off and runs the same generational checks from a GUI-thread timer every
``CHECK_MS``, as Anki's ``GarbageCollector`` does.

``keep_built()`` (the main window, once built) moves the session's long-lived objects (window,
models, imported modules) out of every later collection (``gc.freeze``): otherwise full
collections walked them mid-sync or mid-switch and stalled the event loop ~30 ms each.

**Not while a sync runs**, and one collection once it is over. ``CollectorPacing(bus)`` follows
``bus.sync_status_changed``. A collection keeps the GIL all the while, and the GUI thread waits
for the GIL. During a first sync of 100k tickets with the window open (bench_gui, GC_PROBE=1)
there were 12,697 young, 1,154 middle and 105 full collections: 10.3 s of held GIL in all, the
full ones up to 87 ms each (a frozen window while the agent typed), and they freed 93 objects: the
sync's pages are dicts and lists without cycles, which reference counting frees at once. So while a
sync runs the collector holds; when it ends one collection runs after ``IDLE_MS``, a quiet moment.

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

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

IDLE_MS = 3000
CHECK_MS = 250   # how often the GUI thread looks at the collector's counts (a young collection: ~0.1 ms)


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


class GuiThreadCollector(QObject):
    """The process's cyclic collector, run from the GUI thread's event loop (see the module docstring)."""

    _installed: GuiThreadCollector | None = None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._holds = 0
        self._timer = QTimer(self, interval=CHECK_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        gc.disable()

    @classmethod
    def install(cls) -> GuiThreadCollector:
        """The process's collector (made on first use, on the GUI thread, owned by the application)."""
        app = QCoreApplication.instance()
        if app is None or QThread.currentThread() is not app.thread():
            raise RuntimeError("the garbage collector is installed on the GUI thread, once the application exists")
        if cls._installed is None:
            cls._installed = cls(app)
            cls._installed.destroyed.connect(cls._forget)
        return cls._installed

    @classmethod
    def _forget(cls) -> None:
        cls._installed = None
        gc.enable()   # the application is gone: no event loop will collect any more

    def hold(self) -> None:
        self._holds += 1

    def unhold(self) -> None:
        self._holds = max(0, self._holds - 1)

    @property
    def holding(self) -> bool:
        return self._holds > 0

    def check(self) -> int:
        """What the automatic collector would do at this allocation count: a collection of the oldest
        generation whose threshold is crossed (none while held). Returns how many objects it freed."""
        if self._holds:
            return 0
        (young, middle, old), (t_young, t_middle, t_old) = gc.get_count(), gc.get_threshold()
        if young <= t_young:
            return 0
        generation = 2 if middle > t_middle and old > t_old else 1 if middle > t_middle else 0
        return gc.collect(generation)


class CollectorPacing(QObject):
    def __init__(self, bus, parent: QObject | None = None, *, give_back: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self._held = False
        self._give_back = give_back
        self._collector = GuiThreadCollector.install()
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
        if syncing and not self._held:
            self._idle.stop()
            self._held = True
            self._collector.hold()
        elif not syncing and self._held:
            self.release()
            self._idle.start()

    def release(self) -> None:
        """Collections again (at the end of a sync, and when the session closes)."""
        if self._held:
            self._held = False
            self._collector.unhold()
