"""A bulk seed draws its rows in a forked child while this process writes them into SQLite.

Drawing the rows (names, conversations, HTML, JSON) is about two thirds of a bulk load's CPU and
SQLite's inserts a third; on two cores they overlap. The child inherits the seeded Random, the staff
and the customer factory at the fork, so it draws exactly the rows a load in one process draws: the
same seed and day still give an identical database. It sends each batch down a pipe as ``(sql, rows)``
and this process runs ``executemany`` on them, in order, inside the caller's transaction; the pipe's
buffer is the back-pressure. A thread would not do: it takes the GIL back after every row's step.

Where ``os.fork`` does not exist, ``produce`` runs here, on the connection itself.
"""

from __future__ import annotations

import marshal
import os
import queue
import signal
import sqlite3
import struct
import threading
import traceback
from collections.abc import Callable
from typing import Any

Progress = Callable[[int, int], None]
BUFFER = 1 << 20
FRAME = struct.Struct("<Q")     # each message: its length, then its marshal bytes


class GeneratorFailed(RuntimeError):
    """The child drawing the rows raised or died; the message carries its traceback."""


class RowPipe:
    """Stands in for the connection in the child: ``executemany`` sends the batch to the writer.

    A thread of the child writes the batches into the pipe, a few batches behind, so the
    drawing goes on while the parent is busy inserting the last batch (a pipe holds 64 KB, a batch ~16 MB;
    the thread waits in ``write`` without the GIL)."""

    def __init__(self, fd: int, depth: int = 3):
        self.fd = fd
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._write_all, name="seed-pipe", daemon=True)
        self.thread.start()

    def executemany(self, sql: str, rows) -> None:
        self.send("rows", sql, rows if isinstance(rows, list) else list(rows))

    def send(self, *message: Any) -> None:
        if self.failed is not None:
            raise self.failed
        self.queue.put(marshal.dumps(message))

    def close(self) -> None:
        """Send what is queued, then end the pipe."""
        self.queue.put(None)
        self.thread.join()
        if self.failed is not None:
            raise self.failed

    def _write_all(self) -> None:
        try:
            while (data := self.queue.get()) is not None:
                for part in (FRAME.pack(len(data)), data):     # the batch itself is never copied
                    view = memoryview(part)
                    while view:
                        view = view[os.write(self.fd, view):]
        except BaseException as exc:               # noqa: BLE001 - the parent went away; send() raises it
            self.failed = exc
            while self.queue.get() is not None:    # unblock the drawing thread until close()
                pass
        finally:
            os.close(self.fd)


def run_forked(conn: sqlite3.Connection, produce: Callable[[Any, Progress | None], Any],
               progress: Progress | None = None) -> Any:
    """``produce(sink, progress)`` in a forked child, its ``executemany`` batches written to ``conn`` here;
    returns what ``produce`` returned (plain data: ``marshal`` carries the batches, the same interpreter
    on both ends, twice as fast as pickle on rows of strings and ints). Raises ``GeneratorFailed`` if the child fails."""
    if not hasattr(os, "fork"):
        return produce(conn, progress)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:                                   # the child: draw, send, never return into the caller
        os.close(read_fd)
        code, pipe = 1, None
        try:
            pipe = RowPipe(write_fd)
            result = produce(pipe, lambda done, total: pipe.send("progress", done, total))
            pipe.send("done", result)
            pipe.close()
            code = 0
        except BaseException:                      # noqa: BLE001 - everything goes to the parent
            try:
                if pipe is not None:
                    pipe.send("error", traceback.format_exc())
                    pipe.close()
            except BaseException:                  # noqa: BLE001 - the parent sees the pipe end
                pass
        finally:
            os._exit(code)                         # no atexit, no finalizers: the parent owns the connection
    os.close(write_fd)
    finished = False
    try:
        with os.fdopen(read_fd, "rb", buffering=BUFFER) as pipe_in:
            while True:
                head = pipe_in.read(FRAME.size)
                size = FRAME.unpack(head)[0] if len(head) == FRAME.size else -1
                data = pipe_in.read(size) if size > 0 else b""
                if len(data) != size:
                    raise GeneratorFailed("the process drawing the demo rows ended without finishing")
                message = marshal.loads(data)
                kind = message[0]
                if kind == "rows":
                    conn.executemany(message[1], message[2])
                elif kind == "progress":
                    if progress:
                        progress(message[1], message[2])
                elif kind == "done":
                    finished = True
                    return message[1]
                else:
                    raise GeneratorFailed(f"drawing the demo rows failed:\n{message[1]}")
    finally:
        if not finished:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)
