"""Big export pages are decoded in a helper process, so the app's own threads never hold the GIL for long.

A sync page of 1,000 tickets or ticket events is ~1.2 MB of JSON. In the app's process, turning it
into rows meant ``orjson.loads`` (~11 ms in one C call that keeps the GIL), the rows (~15-20 ms of
Python) and freeing the parsed page (~3 ms) on a sync thread, while the GUI thread waited for the
GIL between every slice: with that work in threads beside a 5 ms timer, the timer's longest gap
was 34-53 ms (p99 19-39); with the same work in other processes, 10-14 ms (p99 3-4). So a page
whose body is larger than ``OFF_PROCESS_BYTES`` goes, as bytes, to one helper process (started on
the first such page, niced like the sync threads), which decodes it and builds the ``Page`` with its
rows (``store.prepare_*``); what comes back is the rows alone, a third of the JSON's size, unpickled
in ~1-2 ms. Smaller pages (every incremental sync) are decoded in place: no process is started.

The helper is a ``console.helper_process.HelperProcess``, closed at the end of each sync round
(``close()``), so an idle session holds none. A helper that dies (killed, out of memory) or is silent
for ``ANSWER_WAIT_S`` costs nothing but time: that page is decoded in place and the next big page
starts a new one.

    decoder = PageDecoder()
    page = decoder.decode(raw_bytes, build, *args)   # build(body: dict, *args) -> Page, module level
    decoder.close()
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from console.helper_process import HelperFailed, HelperGone, HelperProcess

from .client import MalformedAnswer, json_object

log = logging.getLogger(__name__)

# a page of 1,000 objects is ~1 MB, an incremental page a few KB (the variable: to try the helper on small data)
OFF_PROCESS_BYTES = int(os.environ.get("SUPPORT_CONSOLE_DECODER_BYTES") or 256 * 1024)
ANSWER_WAIT_S = 60.0   # a page takes ~30 ms; a helper silent this long is stuck (or stopped)
T = TypeVar("T")


def decode_here(raw: bytes, build: Callable[..., T], *args: Any) -> T:
    """The page from its bytes, in this process; an unreadable body is ``MalformedAnswer``."""
    return build(json_object(raw or b"{}"), *args)


def decode_in_helper(raw: bytes, build: Callable[..., T], args: tuple) -> tuple[T | None, str | None]:
    """``decode_here`` in the helper: a malformed page comes back as words (its status does not cross)."""
    try:
        return decode_here(raw, build, *args), None
    except MalformedAnswer as exc:
        return None, str(exc)


class PageDecoder:
    """Decodes big pages in one helper process (started when first needed), small ones in place."""

    def __init__(self, *, off_process_bytes: int | None = None) -> None:
        self.off_process_bytes = OFF_PROCESS_BYTES if off_process_bytes is None else off_process_bytes
        if not HelperProcess.supported:   # every page is decoded in place there
            self.off_process_bytes = sys.maxsize
        self._helper = HelperProcess("page-decoder")
        self.pages_off_process = 0   # what the helper decoded (tests, logs)

    def decode(self, raw: bytes, build: Callable[..., T], *args: Any) -> T:
        if len(raw) < self.off_process_bytes:
            return decode_here(raw, build, *args)
        try:
            page, problem = self._helper.call(decode_in_helper, raw, build, args, wait_s=ANSWER_WAIT_S)
        except (HelperGone, HelperFailed) as exc:
            log.warning("the page decoder failed (%s); decoding this page in the app", exc)
            return decode_here(raw, build, *args)
        if problem is not None:
            raise MalformedAnswer(problem, status=200)
        if not self.pages_off_process:
            log.info("decoding big pages in a helper process")
        self.pages_off_process += 1
        return page  # type: ignore[return-value]

    @property
    def running(self) -> bool:
        return self._helper.running

    @property
    def helper_pid(self) -> int | None:
        return self._helper.pid

    def close(self) -> None:
        """End the helper process (if one runs): its stdin ends. The next big page starts another.
        Never waits (a page in flight is then decoded in place)."""
        self._helper.close()
