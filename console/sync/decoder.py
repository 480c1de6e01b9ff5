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

The helper is the app's own executable (``console --page-decoder``, the bundle too) started with
``subprocess`` (vfork: multiprocessing's fork of a 200 MB process held the GIL 28-52 ms, a stall of
its own), speaking length-prefixed pickles over its stdin and stdout. It is closed at the end of each
sync round (``close()``), so an idle session holds none; when the app dies, even by kill -9, its
stdin ends and so does it.
A helper that dies (killed, out of memory) costs nothing but time: that page is decoded in place
and the next big page starts a new one.

    decoder = PageDecoder()
    page = decoder.decode(raw_bytes, build, *args)   # build(body: dict, *args) -> Page, module level
    decoder.close()
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from .client import MalformedAnswer, json_object

try:
    import fcntl
except ImportError:   # Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

# a page of 1,000 objects is ~1 MB, an incremental page a few KB (the variable: to try the helper on small data)
OFF_PROCESS_BYTES = int(os.environ.get("SUPPORT_CONSOLE_DECODER_BYTES") or 256 * 1024)
ANSWER_WAIT_S = 60.0   # a page takes ~30 ms; a helper silent this long is stuck (or stopped)
FLAG = "--page-decoder"   # cli.main hands a process started with it to ``serve``
_SIZE = struct.Struct("!Q")
PIPE_BYTES = 4 << 20   # a page's JSON, or its rows, in one write
T = TypeVar("T")


def decode_here(raw: bytes, build: Callable[..., T], *args: Any) -> T:
    """The page from its bytes, in this process; an unreadable body is ``MalformedAnswer``."""
    return build(json_object(raw or b"{}"), *args)


def _send(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_SIZE.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise EOFError
    (size,) = _SIZE.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - our own process, over its own pipe


def serve(stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> int:
    """The helper process: decode each (raw, build, args) that arrives; return at the end of stdin."""
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    from console.lanes import BACKGROUND_NICE
    try:
        os.nice(BACKGROUND_NICE)
    except OSError:   # not allowed: the priority stays as it is
        pass
    while True:
        try:
            raw, build, args = _receive(stdin)
        except EOFError:   # the app closed us, or died
            return 0
        try:
            answer: tuple[Any, str | None] = (decode_here(raw, build, *args), None)
        except MalformedAnswer as exc:   # its status does not cross the process boundary: sent as words
            answer = (None, str(exc))
        _send(stdout, answer)


def _widen(pipe: IO[bytes] | None) -> None:
    """Let a whole page through the pipe in one write (Linux; elsewhere the pipe stays as it is). A
    64 KB pipe took a 1.2 MB page in 19 writes, and the niced sync thread took the GIL back after each
    one: the GUI thread, handing it over every time, waited up to ~60 ms in all."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if pipe is None or set_size is None:
        return
    for size in (PIPE_BYTES, 1 << 20):
        try:
            fcntl.fcntl(pipe.fileno(), set_size, size)
            return
        except OSError:   # above /proc/sys/fs/pipe-max-size for this user: try the usual maximum
            continue


def _command() -> list[str]:
    if getattr(sys, "frozen", False):   # the bundle: its executable is the app
        return [sys.executable, FLAG]
    return [sys.executable, "-m", "console", FLAG]


class PageDecoder:
    """Decodes big pages in one helper process (started when first needed), small ones in place."""

    def __init__(self, *, off_process_bytes: int | None = None) -> None:
        self.off_process_bytes = OFF_PROCESS_BYTES if off_process_bytes is None else off_process_bytes
        if sys.platform == "win32":   # select() takes no pipes there: every page is decoded in place
            self.off_process_bytes = sys.maxsize
        self._helper: subprocess.Popen | None = None
        self._lock = threading.Lock()   # one page at a time through the pipe
        self.pages_off_process = 0   # what the helper decoded (tests, logs)

    def decode(self, raw: bytes, build: Callable[..., T], *args: Any) -> T:
        if len(raw) < self.off_process_bytes:
            return decode_here(raw, build, *args)
        with self._lock:
            try:
                helper = self._start()
                assert helper.stdin is not None and helper.stdout is not None
                _send(helper.stdin, (raw, build, args))
                if not select.select([helper.stdout], [], [], ANSWER_WAIT_S)[0]:
                    raise TimeoutError(f"no answer in {ANSWER_WAIT_S:.0f} s")   # stopped, or stuck
                page, problem = _receive(helper.stdout)
            except (OSError, EOFError, pickle.PickleError, ValueError, TypeError) as exc:
                log.warning("the page decoder process is gone (%s); decoding this page in the app", exc)
                self._stop(kill=isinstance(exc, TimeoutError))
                return decode_here(raw, build, *args)
        if problem is not None:
            raise MalformedAnswer(problem, status=200)
        if not self.pages_off_process:
            log.info("decoding big pages in a helper process")
        self.pages_off_process += 1
        return page

    def _start(self) -> subprocess.Popen:
        if self._helper is None or self._helper.poll() is not None:
            import console
            env = dict(os.environ)
            if not getattr(sys, "frozen", False):   # the helper imports the same console package as the app
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(console.__file__).resolve().parents[1]),
                                                                  env.get("PYTHONPATH")]))
            self._helper = subprocess.Popen(_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
            for pipe in (self._helper.stdin, self._helper.stdout):
                _widen(pipe)
        return self._helper

    def _stop(self, *, kill: bool = False) -> None:
        helper, self._helper = self._helper, None
        if helper is None:
            return
        if kill:
            helper.kill()
        for pipe in (helper.stdin, helper.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass

        def reap() -> None:   # no zombie, and none left stuck
            try:
                helper.wait(timeout=5)
            except subprocess.TimeoutExpired:
                helper.kill()
                helper.wait()
        threading.Thread(target=reap, name="page-decoder-exit", daemon=True).start()

    @property
    def running(self) -> bool:
        return self._helper is not None

    @property
    def helper_pid(self) -> int | None:
        return self._helper.pid if self._helper is not None else None

    def close(self) -> None:
        """End the helper process (if one runs): its stdin ends. The next big page starts another.
        Never waits (a page in flight is then decoded in place)."""
        self._stop()
