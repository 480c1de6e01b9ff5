"""A helper process for Python work that must not run beside the GUI thread. No Qt.

Python work in any thread of the app's process takes the GIL from the GUI thread: with a page's
decoding in threads beside a 5 ms timer, the timer's longest gap was 34-53 ms; with the same work
in other processes, 10-14 ms. So the sync's big pages (``sync/decoder.py``) and the spelling
dictionary (``ops/spelling.py``) work in helper processes.

A helper is the app's own executable (``console --helper-process``, the bundle's binary when
frozen), started with ``subprocess`` (vfork: multiprocessing's fork of a 200 MB process held the GIL
28-52 ms, a stall of its own), niced like the sync threads, speaking length-prefixed pickles over
its stdin and stdout: a module-level function and its arguments go in, its result (or the words of
its exception) comes back. It starts on the first call; when the app dies, even by kill -9, its
stdin ends and so does it. State a function keeps in module globals lives as long as the helper.

    helper = HelperProcess("page-decoder")
    helper.call(function, *args, wait_s=60)   # HelperGone: it died or was silent (the next call starts another)
    helper.close()                            # never waits

Not on Windows (select() takes no pipes there): ``HelperProcess.supported`` is False and callers do
the work in place.
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

try:
    import fcntl
except ImportError:   # Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

FLAG = "--helper-process"   # cli.main hands a process started with it to ``serve``
_SIZE = struct.Struct("!Q")
PIPE_BYTES = 4 << 20   # a sync page's JSON, or its rows, in one write
T = TypeVar("T")


class HelperGone(Exception):
    """The helper died, or did not answer in time: it is stopped, and the next call starts another."""


class HelperFailed(Exception):
    """The function raised in the helper: its type and message, as words."""


def send(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_SIZE.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    head = stream.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise EOFError
    (size,) = _SIZE.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - our own process, over its own pipe


def serve(stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> int:
    """The helper process: run each (function, args) that arrives; return at the end of stdin."""
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    from console.lanes import BACKGROUND_NICE
    try:
        os.nice(BACKGROUND_NICE)
    except OSError:   # not allowed: the priority stays as it is
        pass
    while True:
        try:
            function, args = receive(stdin)
        except EOFError:   # the app closed us, or died
            return 0
        try:
            answer: tuple[Any, str | None] = (function(*args), None)
        except Exception as exc:  # noqa: BLE001 - the caller decides; the helper serves on
            answer = (None, f"{type(exc).__name__}: {exc}")
        try:
            send(stdout, answer)
        except OSError:   # the app closed us while we worked, or died
            return 0


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


def command() -> list[str]:
    if getattr(sys, "frozen", False):   # the bundle: its executable is the app
        return [sys.executable, FLAG]
    return [sys.executable, "-m", "console", FLAG]


class HelperProcess:
    """One helper process, started on the first call; calls from several threads go one at a time."""

    supported = sys.platform != "win32"

    def __init__(self, name: str) -> None:
        self.name = name
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def call(self, function: Callable[..., T], *args: Any, wait_s: float = 60.0) -> T:
        """``function(*args)`` in the helper. HelperFailed: it raised; HelperGone: the helper died
        or was silent for ``wait_s`` (it is then killed)."""
        with self._lock:
            try:
                process = self._start()
                assert process.stdin is not None and process.stdout is not None
                send(process.stdin, (function, args))
                if not select.select([process.stdout], [], [], wait_s)[0]:
                    raise TimeoutError(f"no answer in {wait_s:.0f} s")   # stopped, or stuck
                result, problem = receive(process.stdout)
            except (OSError, EOFError, pickle.PickleError, ValueError, TypeError) as exc:
                self._stop(kill=isinstance(exc, TimeoutError))
                raise HelperGone(f"the {self.name} process is gone ({exc})") from exc
        if problem is not None:
            raise HelperFailed(problem)
        return result

    def _start(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            import console
            env = dict(os.environ)
            if not getattr(sys, "frozen", False):   # the helper imports the same console package as the app
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(console.__file__).resolve().parents[1]),
                                                                  env.get("PYTHONPATH")]))
            self._process = subprocess.Popen(command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
            for pipe in (self._process.stdin, self._process.stdout):
                _widen(pipe)
            log.info("%s process started (pid %d)", self.name, self._process.pid)
        return self._process

    def _stop(self, *, kill: bool = False) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if kill:
            process.kill()
        for pipe in (process.stdin, process.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass

        def reap() -> None:   # no zombie, and none left stuck
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        threading.Thread(target=reap, name=f"{self.name}-exit", daemon=True).start()

    @property
    def running(self) -> bool:
        return self._process is not None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def close(self) -> None:
        """End the helper (if one runs): its stdin ends. The next call starts another. Never waits
        (a call in flight then meets HelperGone)."""
        self._stop()
