"""Big export pages are decoded in a helper process, so the app's own threads never hold the GIL for long.

A sync page of 1,000 tickets or ticket events is ~1.2 MB of JSON. In the app's process, turning it
into rows meant ``orjson.loads`` (~11 ms in one C call that keeps the GIL), the rows (~15-20 ms of
Python) and freeing the parsed page (~3 ms) on a sync thread, while the GUI thread waited for the
GIL between every slice: with that work in threads beside a 5 ms timer, the timer's longest gap
was 34-53 ms (p99 19-39); with the same work in other processes, 10-14 ms (p99 3-4). So a page
whose body is larger than ``OFF_PROCESS_BYTES`` goes, as bytes, to one helper process (spawned on
the first such page, niced like the sync threads), which decodes it and builds the ``Page`` with its
rows (``store.prepare_*``); what comes back is the rows alone, a third of the JSON's size, unpickled
in ~1-2 ms. Smaller pages (every incremental sync) are decoded in place: no process is started.

The helper is closed at the end of each sync round (``close()``), so an idle session holds none, and
it exits by itself within ``PARENT_WATCH_S`` when the app dies.
A helper that dies (killed, out of memory) costs nothing but time: that page is decoded in place
and the next big page starts a new one.

    decoder = PageDecoder()
    page = decoder.decode(raw_bytes, build, *args)   # build(body: dict, *args) -> Page, module level
    decoder.close()
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import orjson

from .client import MalformedAnswer

log = logging.getLogger(__name__)

# a page of 1,000 objects is ~1 MB, an incremental page a few KB (the variable: to try the helper on small data)
OFF_PROCESS_BYTES = int(os.environ.get("SUPPORT_CONSOLE_DECODER_BYTES") or 256 * 1024)
PARENT_WATCH_S = 0.5
T = TypeVar("T")


def decode_here(raw: bytes, build: Callable[..., T], *args: Any) -> T:
    """The page from its bytes, in this process; an unreadable body is ``MalformedAnswer``."""
    try:
        body = orjson.loads(raw or b"{}")
    except orjson.JSONDecodeError as exc:
        raise MalformedAnswer("the helpdesk answered 200 with malformed JSON", status=200) from exc
    if not isinstance(body, dict):
        raise MalformedAnswer("the helpdesk answered with JSON that is not an object", status=200)
    return build(body, *args)


def _in_helper(raw: bytes, build: Callable[..., T], args: tuple) -> tuple[T | None, str | None]:
    """Run in the helper process: (page, None), or (None, why) for an answer the sync cannot read."""
    try:
        return decode_here(raw, build, *args), None
    except MalformedAnswer as exc:   # its status does not cross the process boundary: sent as words
        return None, str(exc)


def _helper_started() -> None:
    """In the helper process: niced like the sync's threads, and gone as soon as the app is (even by
    kill -9: a pool's worker waiting for work would otherwise wait, orphaned, for ever)."""
    from console.lanes import BACKGROUND_NICE
    try:
        os.nice(BACKGROUND_NICE)
    except OSError:   # not allowed: the priority stays as it is
        pass
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_S)
        os._exit(0)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class PageDecoder:
    """Decodes big pages in one helper process (started when first needed), small ones in place."""

    def __init__(self, *, off_process_bytes: int | None = None) -> None:
        self.off_process_bytes = OFF_PROCESS_BYTES if off_process_bytes is None else off_process_bytes
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.pages_off_process = 0   # what the helper decoded (tests, logs)

    def decode(self, raw: bytes, build: Callable[..., T], *args: Any) -> T:
        if len(raw) < self.off_process_bytes:
            return decode_here(raw, build, *args)
        pool = self._helper()
        try:
            page, problem = pool.submit(_in_helper, raw, build, args).result()
        except BrokenProcessPool:
            log.warning("the page decoder process died; decoding this page in the app")
            self._drop(pool)
            return decode_here(raw, build, *args)
        if problem is not None:
            raise MalformedAnswer(problem, status=200)
        if not self.pages_off_process:
            log.info("decoding big pages in a helper process")
        self.pages_off_process += 1
        return page   # type: ignore[return-value]

    def _helper(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: a fresh interpreter (no copy of the app's threads, Qt or sockets), the same
                # on every platform and in the frozen bundle (cli.main calls freeze_support)
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_helper_started)
                log.debug("page decoder process started")
            return self._pool

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    @property
    def running(self) -> bool:
        return self._pool is not None

    def close(self) -> None:
        """End the helper process (if one runs); the next big page starts another."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
