"""Start and stop the real embedded helpdesk (a subprocess on a free loopback port) for desktop tests."""

from __future__ import annotations

import pytest

from console.server.process import HelpdeskProcess, HelpdeskStartError


def start_helpdesk(db, *extra: str) -> tuple[HelpdeskProcess, str]:
    """``serve --demo --tickets 30 --port 0`` on ``db``; returns (process, base URL)."""
    process = HelpdeskProcess(["--demo", "--port", "0", "--db", str(db), "--tickets", "30",
                               "--export-delay", "0", *extra], timeout=90)
    try:
        process.start()
    except HelpdeskStartError as exc:
        pytest.fail(str(exc))
    return process, process.url


def stop_helpdesk(process: HelpdeskProcess) -> None:
    process.stop()
