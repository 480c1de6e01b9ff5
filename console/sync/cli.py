"""``support-console sync``: sync a cache headlessly and print a summary.

Bad credentials, an unreachable URL or an unusable cache path give one line on stderr and a
non-zero exit (2 = usage/credentials, 3 = helpdesk unreachable or failing, 4 = cache problem).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
import sys
import time
from pathlib import Path

from console.connection import BadUrl, normalize_url
from console.secrets import resolve_token
from console.store import CacheReader, StoreError, quarantine

from . import status as ev
from .client import AuthError, HelpdeskClient, HelpdeskError, Unreachable
from .engine import SyncEngine, SyncReport


def run(args) -> int:
    from console.logging_setup import register_secret, setup_logging

    register_secret(args.token)
    try:
        setup_logging(verbose=bool(args.verbose))
    except OSError as exc:
        print(f"support-console sync: not logging to a file ({exc}); syncing anyway", file=sys.stderr)
    try:
        url = normalize_url(args.url)
    except BadUrl as exc:
        return _fail(str(exc), 2)
    token = resolve_token(url, args.email, args.token)
    register_secret(token)
    logging.getLogger(__name__).info("sync %s from %s (%s)", args.cache, url, "watch" if args.watch else "once")
    if not token:
        return _fail(f"no API token for {args.email} at {url}: pass --token, set SUPPORT_CONSOLE_TOKEN, "
                     "or sign in once with the console to keep it in the keyring", 2)
    from console.store import CacheWriter

    try:
        Path(args.cache).expanduser().parent.mkdir(parents=True, exist_ok=True)
        writer = CacheWriter(Path(args.cache).expanduser())
    except (OSError, sqlite3.Error, StoreError) as exc:
        return _fail(f"cannot open the cache {args.cache}: {exc}", 4)
    client = HelpdeskClient(url, args.email, token, max_retries=3)
    try:
        return asyncio.run(_main(client, writer, watch=bool(args.watch)))
    finally:
        client.close()
        writer.close()


async def _main(client: HelpdeskClient, writer, *, watch: bool) -> int:
    engine = SyncEngine(client, writer)
    engine.subscribe(_Progress(errors=watch))
    try:
        if watch:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, engine.stop)
            try:
                await engine.sync_once()
            except AuthError as exc:
                return _fail(str(exc), 2)
            except HelpdeskError as exc:
                print(f"sync: {exc}; will keep retrying", file=sys.stderr)
            await engine.run()
            return 0
        try:
            report = await engine.sync_once(resources=True)
        except AuthError as exc:
            return _fail(f"{exc}", 2)
        except Unreachable as exc:
            return _fail(f"{exc}", 3)
        except HelpdeskError as exc:
            return _fail(f"the sync stopped: {exc}", 3)
        except StoreError as exc:
            return _fail(f"the cache could not be written: {exc}", 4)
        print(_summary(report, writer.path))
        return 0
    finally:
        await engine.close()


def _fail(message: str, code: int) -> int:
    print(f"support-console sync: {message}", file=sys.stderr)
    return code


def _summary(report: SyncReport, cache: Path) -> str:
    conn = sqlite3.connect(f"file:{cache}?mode=ro", uri=True)
    try:
        tickets = conn.execute("SELECT count(*) FROM tickets WHERE deleted = 0").fetchone()[0]
        comments = conn.execute("SELECT count(*) FROM comments").fetchone()[0]
        users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    finally:
        conn.close()
    with CacheReader(cache) as reader:
        held = reader.quarantined()
    unreadable = f"unreadable: {quarantine.summary(held)}\n" if held else ""
    return (f"tickets: {tickets} ({report.tickets} received)\n"
            f"comments: {comments} ({report.comments} received)\n"
            f"users: {users} ({report.users} received)\n"
            f"{unreadable}"
            f"outbox: {report.sent} sent, {report.conflicts} conflicts, {report.failed} failed, "
            f"{report.waiting} waiting to retry\n"
            f"requests: {report.requests}\n"
            f"seconds: {report.seconds:.1f}")


class _Progress:
    """Progress lines on stderr, at most one a second per phase."""

    def __init__(self, *, errors: bool) -> None:
        self._last = 0.0
        self._errors = errors  # --once reports its one failure itself

    def __call__(self, event: ev.SyncEvent) -> None:
        s = event.status
        if self._errors and event.kind == ev.ERROR and event.message:
            print(f"sync: {event.message}", file=sys.stderr)
        if event.kind != ev.STATUS or s.phase not in ("tickets", "users", "comments"):
            return
        now = time.monotonic()
        if now - self._last < 1.0:
            return
        self._last = now
        total = f"/~{s.total}" if s.total else ""
        print(f"sync: {s.phase} {s.done}{total}", file=sys.stderr, flush=True)
