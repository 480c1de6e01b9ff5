"""The embedded helpdesk as a child process: start, wait for readiness, stop.

Used by the app (the demo helpdesk behind ``support-console``) and by the tests, so both start
the server exactly the same way: ``support-console serve ... --port 0``, then read the
``Serving helpdesk API at URL`` line it prints once it accepts requests.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

READY = "Serving helpdesk API at "


class HelpdeskStartError(RuntimeError):
    """The server exited or never became ready; the message carries its last output lines."""


def serve_command(*serve_args: str) -> list[str]:
    """``support-console serve ARGS`` for this interpreter, or for the frozen (installed) app."""
    base = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "console"]
    return [*base, "serve", *serve_args]


class HelpdeskProcess:
    """One ``serve`` child process; ``output`` keeps everything it printed."""

    def __init__(self, serve_args: list[str], *, cwd: str | Path | None = None, timeout: float = 60.0):
        self.serve_args = list(serve_args)
        self.cwd = cwd
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.output: list[str] = []

    def command(self) -> list[str]:
        """The command line this process runs: ``support-console serve`` with its arguments."""
        return serve_command(*self.serve_args)

    def start(self) -> HelpdeskProcess:
        self.url, self.output = "", []
        self.proc = subprocess.Popen(self.command(), cwd=self.cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc, lines), daemon=True).start()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if line.startswith(READY):
                self.url = line[len(READY):].strip()
                return self
        self.kill()
        raise HelpdeskStartError("The helpdesk did not start:\n" + "".join(self.output[-20:]))

    def _pump(self, proc: subprocess.Popen, lines: queue.Queue) -> None:
        for line in proc.stdout:
            self.output.append(line)
            lines.put(line)

    def stop(self) -> int | None:
        """SIGTERM and wait for a graceful exit (SIGKILL after 15 s); returns the exit code."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill(self) -> None:
        """SIGKILL: the crash case."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
