"""The process's worker threads, in one place (no Qt): every blocking call runs on one of them.

    lanes = Lanes(cache_path, writer)       # one per signed-in session
    lanes.db        # ONE thread: the cache's writes, in the order they were asked for
    lanes.read      # N threads, each with its own CacheReader (``lanes.reader()`` on that thread)
    lanes.net       # background HTTP (sync pages, thread fetches)
    lanes.interactive   # HTTP the agent waits for (send, open ticket): never queued behind a page
    lanes.spelling  # ONE thread: the spelling dictionary's load, slow suggestions, the agent's own words
    lanes.ranking   # ONE thread, niced like the sync: reads whose Python work is long (the canned-reply
                    # catalog), so they never take the CPU and the GIL from the GUI thread during a sync
    lanes.close()   # waits for running work, closes the per-thread readers

Like Anki's ``taskman`` (one collection executor) with the helpdesk server's per-thread
connections (``server/store.py``): a paint never waits for a worker's query, and a GUI write
never waits on the GUI thread for a sync page's transaction. The GUI's ``ops.Runner`` and the
sync engine share one ``Lanes``; the ``sync`` command makes its own.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from console.store import CacheReader, CacheWriter

log = logging.getLogger(__name__)


SWITCH_INTERVAL_S = 0.001   # the GIL's time slice while worker threads run beside the GUI thread
BACKGROUND_NICE = 10        # the sync's threads (fetching, writing) yield the CPU to the GUI thread


def _background() -> None:
    """Lower this worker thread's CPU priority (Linux: per thread); the agent's typing comes first."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
    except (AttributeError, OSError):   # not Linux, or not allowed: the priority stays as it is
        pass


class Lanes:
    """Thread pools for one cache: db (1 thread), read (N, per-thread readers), net, interactive."""

    def __init__(self, cache_path: str | Path, writer: CacheWriter, *, read_threads: int = 2,
                 net_threads: int = 2) -> None:
        self.path = Path(cache_path)
        self.writer = writer
        # Python work on these threads (page decoding, row conversion) holds the GIL in slices of
        # the switch interval; with four or five busy at once the GUI thread waited for several
        # 5 ms slices in turn (GUI stalls of 25-50 ms during a sync). A shorter slice lets it in sooner.
        if sys.getswitchinterval() > SWITCH_INTERVAL_S:
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        self._local = threading.local()
        self._readers: list[CacheReader] = []
        self._readers_lock = threading.Lock()
        self.db = ThreadPoolExecutor(1, thread_name_prefix="cache-db", initializer=_background)
        self.read = ThreadPoolExecutor(read_threads, thread_name_prefix="cache-read")
        self.net = ThreadPoolExecutor(net_threads, thread_name_prefix="sync-net", initializer=_background)
        self.interactive = ThreadPoolExecutor(1, thread_name_prefix="sync-interactive")
        # its own lane: the 0.4 s dictionary load never waits behind (or delays) a read the GUI waits for
        self.spelling = ThreadPoolExecutor(1, thread_name_prefix="spelling", initializer=_background)
        self.ranking = ThreadPoolExecutor(1, thread_name_prefix="cache-ranking", initializer=_background)
        self._closed = False

    def reader(self) -> CacheReader:
        """This thread's own read connection (opened on first use, closed by ``close()``)."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = CacheReader(self.path)
            self._local.reader = reader
            with self._readers_lock:
                self._readers.append(reader)
        return reader

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Finish what is running and every queued write (queued reads and requests are dropped),
        then close every reader."""
        if self._closed:
            return
        self._closed = True
        for pool in (self.interactive, self.net, self.read, self.ranking):
            pool.shutdown(wait=True, cancel_futures=True)
        self.spelling.shutdown(wait=True)   # an added word being written to the agent's dictionary is kept
        self.db.shutdown(wait=True)   # a draft or an outbox entry asked for is never dropped
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for reader in readers:
            try:
                reader.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                log.debug("could not close a cache reader", exc_info=True)
