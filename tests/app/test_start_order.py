"""The app shows the cached queues before it reaches the helpdesk, then signs in behind the window.

A real helpdesk process, frozen (SIGSTOP) while the app starts: the window must already list the
agent's cached tickets and say it is not connected; once the helpdesk thaws the same window goes
online, and a reply queued while it was frozen arrives once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import time

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from console import app as app_module
from console import config
from console.secrets import TOKEN_ENV
from console.store import CacheWriter
from console.views.main_window import MainWindow
from tests.helpdesk import AGENT, Helpdesk, sync_cache


@pytest.fixture
def demo_desk(tmp_path):
    server = Helpdesk(tmp_path / "helpdesk.sqlite", "--demo", "--tickets", "20", "--export-delay", "0",
                      admin_token="demo-admin-token").start()
    yield server
    server.stop()


def _bodies(helpdesk, ticket_id: int) -> list[str]:
    return [c["body"] for c in helpdesk.get(f"tickets/{ticket_id}/comments.json").json()["comments"]]


def _window() -> MainWindow | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)


def test_the_window_shows_the_cache_while_the_helpdesk_is_frozen(qapp, demo_desk, tmp_path, monkeypatch,
                                                                  isolated_dirs):
    helpdesk = demo_desk
    cache = tmp_path / "cache.sqlite"
    me = sync_cache(helpdesk.url, cache)
    with CacheWriter(cache) as writer:
        writer.set_sync_state("me", str(me))   # signed in here before
    monkeypatch.setenv(TOKEN_ENV, AGENT.token)
    args = argparse.Namespace(url=helpdesk.url, email=AGENT.email, cache=str(cache), demo=False,
                              self_check=False, verbose=False)
    prefs = config.Preferences.load()
    session = app_module.Session(args, prefs, None, lambda _secret: None)
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    qapp.setQuitOnLastWindowClosed(False)   # as app.run() does: closing the window ends the session, not Qt
    os.kill(helpdesk.proc.pid, signal.SIGSTOP)
    frozen = True
    seen: dict = {}

    async def scenario():
        started = time.monotonic()
        run = asyncio.ensure_future(session.one_session(qapp))
        try:
            while (window := _window()) is None or not window.ticket_model.rowCount():
                assert time.monotonic() - started < 20, "no window with the cached queue"
                await asyncio.sleep(0.05)
            seen["shown_after"] = time.monotonic() - started
            seen["rows"] = window.ticket_model.rowCount()
            seen["online_while_frozen"] = window.ops.sync.status.online
            seen["attached_while_frozen"] = window.ops.sync.attached
            # the agent answers while the helpdesk is still frozen: queued, sent once it thaws
            tid = window.ticket_model.ticket_id_at(0)
            window.ops.replies.send(ticket_id=tid, kind="reply", body="Answered before the helpdesk woke up")
            await asyncio.sleep(0.5)
            os.kill(helpdesk.proc.pid, signal.SIGCONT)
            nonlocal frozen
            frozen = False
            while not (window.ops.sync.attached and window.ops.sync.status.online):
                assert time.monotonic() - started < 60, "never went online after the helpdesk thawed"
                await asyncio.sleep(0.1)
            seen["tid"] = tid
            while "Answered before the helpdesk woke up" not in _bodies(helpdesk, tid):
                assert time.monotonic() - started < 60, "the queued reply never arrived"
                await asyncio.sleep(0.2)
            window.close()
            await asyncio.wait_for(run, 20)
        finally:
            if not run.done():
                run.cancel()

    try:
        loop.run_until_complete(scenario())
    finally:
        if frozen:
            os.kill(helpdesk.proc.pid, signal.SIGCONT)
        qapp.setQuitOnLastWindowClosed(True)
        loop.close()
        asyncio.set_event_loop(None)
    assert seen["rows"] > 0 and seen["shown_after"] < 10
    assert not seen["online_while_frozen"], "the window never claims a helpdesk it has not reached"
    assert not seen["attached_while_frozen"], "the sign-in waits behind the window"
    bodies = _bodies(helpdesk, seen["tid"])
    assert bodies.count("Answered before the helpdesk woke up") == 1
