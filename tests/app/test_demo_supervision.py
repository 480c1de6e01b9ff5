"""The demo helpdesk behind ``support-console``: never orphaned when the app dies, restarted when it dies.

The first test runs the real app as a process (offscreen) and kills it with SIGKILL and SIGTERM; the
second runs the app's supervisor on a real demo helpdesk child with a real engine and outbox.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
import qasync
import requests

from console.app import DemoHelpdesk, supervise
from console.demo.accounts import demo_account
from console.store import QueueSpec
from console.sync.client import HelpdeskClient
from console.sync.engine import SyncEngine
from tests.helpdesk import REPO
from tests.views.conftest import close_desk, open_desk


def _serve_children(pid: int, timeout: float = 120) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            children = [c for c in psutil.Process(pid).children(recursive=True) if "serve" in " ".join(c.cmdline())]
        except psutil.NoSuchProcess:
            return []
        listening = [c for c in children if any(conn.status == psutil.CONN_LISTEN for conn in c.net_connections())]
        if listening:
            return listening
        time.sleep(0.2)
    raise AssertionError("the app never started its demo helpdesk")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill -9", "TERM"])
def test_the_demo_helpdesk_exits_with_the_app(isolated_dirs, how):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO),
           "SUPPORT_CONSOLE_DATA_DIR": str(isolated_dirs["data"]), "SUPPORT_CONSOLE_CONFIG_DIR": str(isolated_dirs["config"]),
           "SUPPORT_CONSOLE_LOG_DIR": str(isolated_dirs["logs"])}
    app = subprocess.Popen([sys.executable, "-m", "console", "--demo"], env=env, cwd=REPO,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        [child] = _serve_children(app.pid)
        port = next(c.laddr.port for c in child.net_connections() if c.status == psutil.CONN_LISTEN)
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok
        # the log names it (written once the helpdesk answers: a signal sent before would race it)
        log_file, line = isolated_dirs["logs"] / "support-console.log", f"signing in to the demo helpdesk at http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not (log_file.exists() and line in log_file.read_text()):
            assert time.monotonic() < deadline and app.poll() is None, "the log never named the demo helpdesk"
            time.sleep(0.1)
        app.send_signal(how)
        app.wait(timeout=30)
        child.wait(timeout=15)          # gone too: never left orphaned and listening
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        if app.poll() is None:
            app.kill()


def test_a_dead_demo_helpdesk_is_restarted_and_the_outbox_drains(qtbot, qapp, tmp_path):
    demo = DemoHelpdesk(tmp_path / "demo" / "helpdesk.sqlite").start()
    agent = demo_account("agent")
    client = HelpdeskClient(demo.url, agent.email, agent.token, max_retries=0, timeout=(1.0, 5.0))
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    desk = open_desk(tmp_path / "cache.sqlite", None, engine=lambda writer, lanes: SyncEngine(
        client, writer, lanes=lanes, interval=30, max_backoff=0.5))
    messages = []
    desk.ops.bus.message.connect(lambda text, level: messages.append(text))
    text = "Your account is unfrozen; sign in again."

    async def scenario():
        await desk.engine.sync_once(resources=True)
        ticket_id = desk.reader.ticket_ids_for_queue(QueueSpec())[0]
        run = asyncio.ensure_future(desk.engine.run())
        watcher = asyncio.ensure_future(supervise(demo, client, desk.ops, desk.engine, every=0.2))
        first_url = demo.url
        demo.kill()                                   # the helpdesk dies under the running app
        desk.ops.replies.send(ticket_id=ticket_id, kind="reply", body=text)
        deadline = time.monotonic() + 60
        while not any("stopped" in m for m in messages) or not any("is back" in m for m in messages):
            assert time.monotonic() < deadline, messages
            await asyncio.sleep(0.1)
        assert demo.alive() and demo.restarts == 1 and demo.url == first_url, "same database, same address"
        while desk.reader.list_outbox()[0].state != "sent":
            assert time.monotonic() < deadline, desk.reader.list_outbox()
            await asyncio.sleep(0.1)
        desk.engine.stop()
        watcher.cancel()
        await run
        await desk.engine.close()
        return ticket_id

    try:
        with loop:
            ticket_id = loop.run_until_complete(scenario())
        admin = demo_account("admin")
        comments = requests.get(f"{demo.url}/api/v2/tickets/{ticket_id}/comments.json", timeout=10,
                                auth=(f"{admin.email}/token", admin.token)).json()["comments"]
        assert sum(text in c["body"] for c in comments) == 1
    finally:
        desk.engine = None
        close_desk(desk)
        client.close()
        demo.stop()
        asyncio.set_event_loop(None)
