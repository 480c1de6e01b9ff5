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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from console import config
from console.server.process import HelpdeskProcess, HelpdeskStartError

log = logging.getLogger(__name__)
# The demo signs in as the agent ("My tickets" is theirs); agents sync through the ticket
# lists, since the incremental exports are admin-only (helpdesk-api.md §6.1, sync/pull_agent.py).
DEMO_ROLE = "agent"
SELF_CHECK_SECONDS = 90
UPGRADE_NOTICE_MS = 400   # a cache upgrade that takes longer is announced (1M tickets: ~20 s)


class StartError(Exception):
    """The app cannot start as asked; the message says why and what to do."""


@dataclass
class Target:
    url: str
    email: str
    token: str
    demo: bool = False


class DemoHelpdesk(HelpdeskProcess):
    """The embedded demo helpdesk as a child process on a free loopback port.

    It exits by itself when the app is gone (``serve --parent-pid``: never left orphaned and
    listening, even after kill -9 of the app); ``supervise()`` restarts it (same database, same
    port when it is free) if it dies while the app runs."""

    def __init__(self, db: Path, timeout: float = 120.0) -> None:
        super().__init__(self._args(db, 0), timeout=timeout)
        self.db = db
        self.restarts = 0

    @staticmethod
    def _args(db: Path, port: int) -> list[str]:
        return ["--demo", "--port", str(port), "--export-delay", "0", "--db", str(db), "--parent-pid", str(os.getpid())]

    def start(self) -> DemoHelpdesk:
        self.db.parent.mkdir(parents=True, exist_ok=True)
        try:
            super().start()
        except HelpdeskStartError as exc:
            raise StartError(str(exc).replace("The helpdesk", "The demo helpdesk", 1)) from exc
        log.info("demo helpdesk serving at %s (database %s)", self.url, self.db)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def restart(self) -> str:
        """Start it again on the same port if it is free, else on a new one; returns the URL."""
        port = (urlsplit(self.url).port or 0) if self.url else 0
        for attempt_port in (port, 0) if port else (0,):
            self.serve_args = self._args(self.db, attempt_port)
            try:
                super().start()
            except HelpdeskStartError:
                continue
            self.restarts += 1
            log.info("demo helpdesk restarted at %s", self.url)
            return self.url
        raise StartError("The demo helpdesk could not be restarted:\n" + "".join(self.output[-10:]))


async def supervise(demo: DemoHelpdesk, client, ops, engine, *, every: float = 1.0) -> None:
    """Watch the demo helpdesk child; if it dies, say so, restart it and let the outbox drain."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(every)
        if demo.alive():
            continue
        code = demo.proc.returncode if demo.proc is not None else None
        log.warning("the demo helpdesk stopped (exit code %s); restarting it", code)
        ops.bus.warn(f"The demo helpdesk stopped (exit code {code}); restarting it…")
        try:
            url = await loop.run_in_executor(ops.lanes.interactive, demo.restart)
        except StartError as exc:
            log.error("%s", exc)
            ops.bus.error(str(exc).splitlines()[0])
            await asyncio.sleep(10 * every)
            continue
        client.move_to(url)
        ops.bus.info("The demo helpdesk is back; sending what waited.")
        engine.request_sync()


def remembered_agent(reader) -> int | None:
    """The signed-in agent's id as the cache remembers it from the last sign-in (None: never signed in)."""
    remembered = reader.sync_state("me")
    return int(remembered) if remembered and str(remembered).isdigit() else None


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


def missing_display(found_library: Callable[[str], bool] | None = None) -> str | None:
    """On Linux without X11/Wayland, Qt would abort with a cryptic plugin error: say it plainly.
    ``found_library(soname)`` decides whether a system library is there (default: try to load it)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    frozen = getattr(sys, "frozen", False)   # the PyInstaller app ships the xcb platform only (X11, XWayland)
    if os.environ.get("WAYLAND_DISPLAY") and not frozen:
        return None
    if os.environ.get("DISPLAY"):
        from console import preflight

        missing = preflight.missing_xcb_libraries(found_library or preflight.loadable)
        return preflight.install_hint(missing) if missing else None
    if os.environ.get("WAYLAND_DISPLAY"):
        return ("support-console: this build draws through X11, and this Wayland session has no DISPLAY. "
                "Switch on XWayland (most desktops have it on), or run the console from its Python "
                "package (the README's first command), whose Qt speaks Wayland itself.")
    return ("support-console: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). Run it in a "
            "desktop session, or use 'support-console serve' / 'sync' / 'report', which need no display "
            "(QT_QPA_PLATFORM=offscreen runs the window invisibly, e.g. for --self-check).")


async def open_cache(cache: Path):
    """The session's ``CacheWriter``. A cache written by an older version is upgraded (its pending
    migrations run) on a worker thread, and if that takes more than ``UPGRADE_NOTICE_MS`` a small
    window says what is happening: before the main window exists, a long upgrade must not look like
    an app that does not start. A new or current cache opens at once, on this thread."""
    from console.store import CacheWriter
    from console.store.db import pending_migrations

    if not pending_migrations(cache):
        return CacheWriter(cache)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog

    notice = QProgressDialog("Updating the local cache for this version of Support Console.\n"
                             "This happens once; a large cache takes a minute or so.", "", 0, 0)
    notice.setWindowTitle("Support Console")
    notice.setCancelButton(None)   # (stopping halfway is not possible; closing the app is)
    notice.reset()   # (a QProgressDialog would show itself after its minimum duration)
    later = QTimer(notice, singleShot=True, interval=UPGRADE_NOTICE_MS)   # (goes with the notice)
    later.timeout.connect(notice.show)
    later.start()
    try:
        return await asyncio.get_running_loop().run_in_executor(None, CacheWriter, cache)
    finally:
        later.stop()
        notice.close()
        notice.deleteLater()


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

    import console.qt_import_hook  # noqa: F401  (before our own modules: see there)
    from console.ops.collector import GuiThreadCollector
    from console.views import theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Support Console")
    app.setQuitOnLastWindowClosed(False)
    GuiThreadCollector.install()   # cyclic garbage (closed views with timers) is freed on this thread only
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

    async def _target(self, lanes) -> Target:
        from console.demo.accounts import demo_account

        target = choose_target(self.args, self.prefs)
        if target is not None:
            return target
        if self.demo is None or not self.demo.alive():
            demo = self.demo or DemoHelpdesk(config.data_dir() / "demo" / "helpdesk.sqlite")
            await asyncio.get_running_loop().run_in_executor(lanes.interactive, demo.start)
            self.demo = demo
        account = demo_account(DEMO_ROLE)
        return Target(self.demo.url, account.email, account.token, demo=True)

    def _cache_path(self) -> Path:
        from console.store import default_cache_path

        if self.args.cache:
            return Path(self.args.cache)
        target = choose_target(self.args, self.prefs)
        return demo_cache_path() if target is None else default_cache_path(target.url, target.email)

    async def one_session(self, app) -> int | str:
        from console.demo.accounts import demo_account
        from console.lanes import Lanes
        from console.ops import Ops
        from console.store import CacheReader
        from console.sync.engine import SyncEngine
        from console.views.main_window import MainWindow, Workspace
        from console.views.theme import apply_theme

        cache = self._cache_path()
        cache.parent.mkdir(parents=True, exist_ok=True)
        writer = await open_cache(cache)
        lanes = Lanes(cache, writer)
        reader = CacheReader(cache)   # the GUI's own: the list's lazy rows
        client = engine = ops = window = task = watcher = None
        loop = asyncio.get_running_loop()
        try:
            # The window first, from the cache, when it knows who signed in last time: starting
            # the demo helpdesk and signing in take a second or more and happen behind it.
            me = await loop.run_in_executor(lanes.read, lambda: remembered_agent(lanes.reader()))
            expected = choose_target(self.args, self.prefs)
            if me is None:
                target = await self._target(lanes)
                client = self._client(target)
                me = await self._agent_id(lanes, client, reader)
                expected = target
            ops = Ops(lanes, me=me, attachments_folder=cache.parent / "attachments",
                      spelling_dictionary=config.data_dir() / "dictionary.txt")
            window = MainWindow(Workspace(
                ops=ops, reader=reader, me=me, prefs=self.prefs, cache_path=cache, log_file=self.log_file,
                helpdesk_url="demo helpdesk" if expected is None or expected.demo else expected.url,
                agent_name=demo_account(DEMO_ROLE).email if expected is None else expected.email,
                window_state=None if self.args.self_check else config.WindowState.load(),
                tray=not self.args.self_check))
            done: asyncio.Future = loop.create_future()
            window.restart_requested.connect(lambda _choice: done.done() or done.set_result("restart"))
            window.work_offline_changed.connect(self._remember_work_offline)
            window.settings_changed.connect(lambda names: self._apply_settings(app, ops.sync, names, apply_theme))
            window.destroyed.connect(lambda: done.done() or done.set_result(0))
            app.lastWindowClosed.connect(lambda: done.done() or done.set_result(0))
            window.show()
            if self.args.self_check:
                asyncio.ensure_future(self._self_check(window, ops, done))
            if client is None:
                target = await self._until(done, self._target(lanes))
                if target is None:
                    return await done   # closed while the helpdesk was starting
                client = self._client(target)
                await self._until(done, self._agent_id(lanes, client, reader))
            engine = SyncEngine(client, writer, lanes=lanes, interval=float(self.prefs.get("sync_interval_seconds")),
                                work_offline=bool(self.prefs.get("work_offline")),
                                thread_history_days=int(self.prefs.get("thread_history_days")))
            ops.attach_sync(engine)
            task = asyncio.ensure_future(engine.run())
            if target.demo and self.demo is not None:
                watcher = asyncio.ensure_future(supervise(self.demo, client, ops, engine))
            return await done
        finally:
            await self._close(window, engine, ops, lanes, reader, writer, client, task, watcher)

    def _client(self, target: Target):
        from console.sync.client import HelpdeskClient

        self.register_secret(target.token)
        log.info("signing in to %s as %s", "the demo helpdesk at " + target.url if target.demo else target.url,
                 target.email)
        return HelpdeskClient(target.url, target.email, target.token)

    @staticmethod
    async def _until(done: asyncio.Future, work):
        """``await work``, unless the window closes first (then None, and the work is cancelled)."""
        job = asyncio.ensure_future(work)
        await asyncio.wait({job, done}, return_when=asyncio.FIRST_COMPLETED)
        if job.done():
            return job.result()
        job.cancel()
        return None

    async def _close(self, window, engine, ops, lanes, reader, writer, client, *tasks) -> None:
        if window is not None:
            window.close()
        for task in tasks:
            if task is not None:
                task.cancel()
        if engine is not None:
            engine.stop()
            await engine.close()
        if ops is not None:
            ops.close()
        if window is not None:
            window.deleteLater()
        lanes.close()      # waits for every queued write (a draft asked for is never dropped)
        reader.close()
        writer.close()
        if client is not None:
            client.close()

    def _remember_work_offline(self, offline: bool) -> None:
        self.prefs.set("work_offline", offline)
        try:
            self.prefs.save()
        except OSError as exc:
            log.warning("could not save preferences: %s", exc)

    def _apply_settings(self, app, engine, names, apply_theme) -> None:   # engine: the session's SyncPort
        if names & {"theme", "font_size"}:
            apply_theme(app, self.prefs.get("theme"), self.prefs.get("font_size"))
        if "sync_interval_seconds" in names:
            engine.set_interval(float(self.prefs.get("sync_interval_seconds")))
        if "work_offline" in names:
            engine.set_work_offline(bool(self.prefs.get("work_offline")))

    async def _agent_id(self, lanes, client, reader) -> int | None:
        """The signed-in agent's user id: asked once per start; offline, the one the cache remembers."""
        from console.sync.client import HelpdeskError

        loop = asyncio.get_running_loop()
        try:
            me = (await loop.run_in_executor(lanes.interactive, client.probe))["user"]["id"]
        except (HelpdeskError, KeyError, TypeError) as exc:
            remembered = await loop.run_in_executor(lanes.read, lambda: remembered_agent(lanes.reader()))
            log.warning("could not ask who I am (%s); using the id the cache remembers (%s)", exc, remembered)
            return remembered
        await loop.run_in_executor(lanes.db, lanes.writer.set_sync_state, "me", str(me))
        return me

    async def _self_check(self, window, ops, done: asyncio.Future) -> None:
        """Exit 0 once the window painted queue rows, the engine reached the helpdesk and the spelling
        dictionary loaded (a bundle missing its data file fails here), else 1."""
        deadline = time.monotonic() + SELF_CHECK_SECONDS
        painted = None
        ops.spelling.ensure_loaded()
        while time.monotonic() < deadline and not done.done():
            await asyncio.sleep(0.2)
            if painted is None and window.ticket_model.rowCount():
                window.grab()   # paint: the lazy model fetches the visible rows
                if window.ticket_model.cached_rows:
                    painted = f"{window.ticket_model.rowCount()} tickets in {window.queue_pane.current_key()}"
            spelling = not ops.spelling.enabled or ops.spelling.ready and ops.spelling.misspelled("recieve")
            if painted and ops.sync.attached and ops.sync.status.online and spelling:
                print(f"self-check ok: {painted}; signed in to the helpdesk; spelling dictionary loaded")
                done.done() or done.set_result(0)
                return
        print("self-check failed: " + ("no queue rows painted" if not painted else "the helpdesk was not reached"
                                       if not (ops.sync.attached and ops.sync.status.online)
                                       else "the spelling dictionary did not load"), file=sys.stderr)
        done.done() or done.set_result(1)
