"""Start and stop the real embedded helpdesk (a subprocess on a free loopback port) for desktop tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time

import pytest


def start_helpdesk(db, *extra: str):
    """Start ``python -m console serve --demo --port 0`` on ``db``; returns (process, base URL)."""
    proc = subprocess.Popen([sys.executable, "-m", "console", "serve", "--demo", "--port", "0", "--db", str(db),
                             "--tickets", "30", "--export-delay", "0", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url, seen, deadline = None, [], time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        line = proc.stdout.readline()
        seen.append(line)
        match = re.search(r"Serving helpdesk API at (http://\S+)", line)
        if match:
            url = match.group(1)
            break
    if url is None:
        proc.kill()
        pytest.fail("the embedded helpdesk did not start:\n" + "".join(seen))
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
    return proc, url


def stop_helpdesk(proc) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
