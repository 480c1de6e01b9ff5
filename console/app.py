"""The desktop app: ``support-console`` (``run(args) -> int``).

With no helpdesk configured (no ``--url``, no saved ``helpdesk_url``) it starts the embedded
demo helpdesk as a child process (workspace in ``<data dir>/demo``), signs in to it and opens
the window: one command gives a working app. ``--url/--email`` (token from
``config.resolve_token``: $SUPPORT_CONSOLE_TOKEN or the keyring) connects to any
Zendesk-compatible helpdesk; ``--cache`` picks the cache file. The Qt event loop runs asyncio
through qasync; the ``SyncEngine`` runs on it and its events feed the window.
``--self-check`` opens the window offscreen on the demo workspace, waits until the first queue
painted rows, and exits 0 (1 if that never happens).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from console import config
from console.server.process import HelpdeskProcess, HelpdeskStartError

log = logging.getLogger(__name__)
# The demo signs in as the agent ("My tickets" is theirs); agents sync through the ticket
# lists, since the incremental exports are admin-only (helpdesk-api.md §6.1, sync/pull_agent.py).
DEMO_ROLE = "agent"
SELF_CHECK_SECONDS = 90


class StartError(Exception):
    """The app cannot start as asked; the message says why and what to do."""


@dataclass
class Target:
    url: str
    email: str
    token: str
    demo: bool = False


class DemoHelpdesk(HelpdeskProcess):
    """The embedded demo helpdesk as a child process on a free loopback port."""

    def __init__(self, db: Path, timeout: float = 120.0) -> None:
        super().__init__(["--demo", "--port", "0", "--export-delay", "0", "--db", str(db)], timeout=timeout)
        self.db = db

    def start(self) -> DemoHelpdesk:
        self.db.parent.mkdir(parents=True, exist_ok=True)
        try:
            super().start()
        except HelpdeskStartError as exc:
            raise StartError(str(exc).replace("The helpdesk", "The demo helpdesk", 1)) from exc
        return self


def choose_target(args, prefs: config.Preferences) -> Target | None:
    """Where to connect; None = the demo helpdesk. Raises StartError for an incomplete choice."""
    if getattr(args, "demo", False) or getattr(args, "self_check", False):
        return None
    url = args.url or prefs.get("helpdesk_url")
    if not url:
        return None
    email = args.email or prefs.get("agent_email")
    if not email:
        raise StartError(f"Which account? Pass --email with --url {url}.")
    token = config.resolve_token(url, email, store=config.TokenStore(prefs.get("token_storage")))
    if not token:
        raise StartError(f"No API token for {email} at {url}: set {config.TOKEN_ENV} or sign in from "
                         "File → Connect to a helpdesk… (the token is then kept in the keyring).")
    return Target(url, email, token)


def missing_display() -> str | None:
    """On Linux without X11/Wayland, Qt would abort with a cryptic plugin error: say it plainly."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("WAYLAND_DISPLAY"):
        return None
    if os.environ.get("DISPLAY"):
        import ctypes.util

        if ctypes.util.find_library("xcb-cursor") is None:  # Qt >= 6.5's X11 plugin needs it
            return ("support-console: Qt's X11 support needs the system library libxcb-cursor "
                    "(Debian/Ubuntu: sudo apt install libxcb-cursor0; Fedora: sudo dnf install xcb-util-cursor).")
        return None
    return ("support-console: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). Run it in a "
            "desktop session, or use 'support-console serve' / 'sync' / 'report', which need no display "
            "(QT_QPA_PLATFORM=offscreen runs the window invisibly, e.g. for --self-check).")


def demo_cache_path() -> Path:
    return config.data_dir() / "demo" / "cache.sqlite"


def run(args) -> int:
    from console.logging_setup import register_secret, setup_logging

    if args.self_check:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if missing := missing_display():
        print(missing, file=sys.stderr)
        return 2
    log_file = setup_logging(verbose=args.verbose)
    prefs = config.Preferences.load()

    import qasync
    from PySide6.QtWidgets import QApplication, QMessageBox

    from console.views import theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Support Console")
    app.setQuitOnLastWindowClosed(False)
    try:
        theme.apply_theme(app, prefs.get("theme"), prefs.get("font_size"))
    except theme.ThemeError as exc:
        log.warning("theme: %s", exc)
    app.setWindowIcon(theme.app_icon())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    session = Session(args, prefs, log_file, register_secret)
    try:
        with loop:
            return loop.run_until_complete(session.main(app))
    except StartError as exc:
        if args.self_check:
            print(f"self-check failed: {exc}", file=sys.stderr)
            return 1
        QMessageBox.critical(None, "Support Console", str(exc))
        print(str(exc), file=sys.stderr)
        return 2


class Session:
    """One or more sign-in sessions in a row (File → Connect restarts with the new choice)."""

    def __init__(self, args, prefs, log_file, register_secret) -> None:
        self.args, self.prefs, self.log_file, self.register_secret = args, prefs, log_file, register_secret
        self.demo: DemoHelpdesk | None = None

    async def main(self, app) -> int:
        try:
            while True:
                outcome = await self.one_session(app)
                if outcome != "restart":
                    return int(outcome)
                self.args.url = self.args.email = None
                self.args.demo = False
        finally:
            if self.demo is not None:
                self.demo.stop()

    async def _target(self) -> Target:
        from console.demo.accounts import demo_account

        target = choose_target(self.args, self.prefs)
        if target is not None:
            return target
        if self.demo is None:
            loop = asyncio.get_running_loop()
            self.demo = await loop.run_in_executor(None, DemoHelpdesk(config.data_dir() / "demo" /
                                                                      "helpdesk.sqlite").start)
        account = demo_account(DEMO_ROLE)
        return Target(self.demo.url, account.email, account.token, demo=True)

    async def one_session(self, app) -> int | str:
        from console.store import CacheReader, CacheWriter, default_cache_path
        from console.sync.client import HelpdeskClient, HelpdeskError
        from console.sync.engine import SyncEngine
        from console.views.main_window import MainWindow, Workspace

        target = await self._target()
        self.register_secret(target.token)
        cache = Path(self.args.cache) if self.args.cache else (
            demo_cache_path() if target.demo else default_cache_path(target.url, target.email))
        cache.parent.mkdir(parents=True, exist_ok=True)
        client = HelpdeskClient(target.url, target.email, target.token)
        writer, reader = CacheWriter(cache), CacheReader(cache)
        state = config.WindowState.load()
        loop = asyncio.get_running_loop()
        me = await self._agent_id(loop, client, state, target, HelpdeskError)
        workspace = Workspace(reader=reader, writer=writer, me=me, prefs=self.prefs, cache_path=cache,
                              log_file=self.log_file, helpdesk_url="demo helpdesk" if target.demo else target.url,
                              agent_name=target.email, extras={"window_state": None if self.args.self_check else state,
                                                               "tray": not self.args.self_check})
        window = MainWindow(workspace)
        engine = SyncEngine(client, writer, interval=float(self.prefs.get("sync_interval_seconds")),
                            work_offline=bool(self.prefs.get("work_offline")))
        window.attach_engine(engine, loop)
        window.restore_window_state()
        window.show()
        done: asyncio.Future = loop.create_future()
        window.restart_requested.connect(lambda: done.done() or done.set_result("restart"))
        window.destroyed.connect(lambda: done.done() or done.set_result(0))
        app.lastWindowClosed.connect(lambda: done.done() or done.set_result(0))
        task = asyncio.ensure_future(engine.run())
        if self.args.self_check:
            asyncio.ensure_future(self._self_check(window, done))
        try:
            outcome = await done
        finally:
            window.close()
            engine.stop()
            await engine.close()
            task.cancel()
            window.deleteLater()
            reader.close()
            writer.close()
            client.close()
        return outcome

    async def _agent_id(self, loop, client, state, target: Target, errors) -> int | None:
        """The signed-in agent's user id (asked once per start; remembered for offline starts)."""
        key = f"{target.email.lower()}@{target.url}" if not target.demo else f"{target.email.lower()}@demo"
        known = state.values.setdefault("agent_ids", {})
        try:
            me = (await loop.run_in_executor(None, client.get, "users/me.json"))["user"]["id"]
        except errors as exc:
            log.warning("could not ask who I am (%s); using the remembered id", exc)
            return known.get(key)
        known[key] = me
        return me

    async def _self_check(self, window, done: asyncio.Future) -> None:
        deadline = time.monotonic() + SELF_CHECK_SECONDS
        while time.monotonic() < deadline and not done.done():
            await asyncio.sleep(0.2)
            if window.ticket_model.rowCount():
                window.grab()   # paint: the lazy model fetches the visible rows
                if window.ticket_model.cached_rows:
                    print(f"self-check ok: {window.ticket_model.rowCount()} tickets in "
                          f"{window.queue_pane.current_key()}")
                    done.done() or done.set_result(0)
                    return
        print("self-check failed: no queue rows painted", file=sys.stderr)
        done.done() or done.set_result(1)
