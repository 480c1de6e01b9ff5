"""``support-console serve``: open the database, make sure someone can sign in, serve the API."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import secrets
import signal
import socket
import sys
from pathlib import Path

from console.demo.accounts import DEMO_ACCOUNTS, demo_account
from console.server import db

LOOPBACK_NAMES = ("localhost",)
# Threads the (sync) endpoints run on, each with its own SQLite reader. The process is one GIL:
# anyio's default of 40 made 20 kept-alive clients queue on it (p99 52 ms at 1,100 requests/s
# on two cores); 6 keeps p99 near 35 ms at the same rate (bench/bench_load.py).
REQUEST_THREADS = 6


def default_db_path() -> Path:
    from platformdirs import user_data_dir
    return Path(user_data_dir("support-console")) / "helpdesk.sqlite"


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ensure_admin(conn, email: str, name: str, token: str | None) -> str | None:
    """Create the admin on an empty database, or give the existing admin ``token``.
    Returns a newly generated token (to print once), else None."""
    generated = None
    row = conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()
    if row is None:
        ts = db.now_ts()
        cur = conn.execute("INSERT INTO users (name, email, role, created_at, updated_at, generated_ts) "
                           "VALUES (?, ?, 'admin', ?, ?, ?)", (name, email, db.iso(ts), db.iso(ts), ts))
        user_id = cur.lastrowid
        if token is None:
            token = generated = secrets.token_urlsafe(24)
    else:
        user_id = row["id"]
    if token is not None:
        conn.execute("INSERT OR REPLACE INTO api_tokens (token, user_id, created_at) VALUES (?, ?, ?)",
                     (token, user_id, db.iso(db.now_ts())))
    return generated


PUBLISHED_TOKENS = frozenset(account.token for account in DEMO_ACCOUNTS)


def secured(args) -> bool:
    """``--admin-token`` with a secret of one's own: the published demo tokens must stop working."""
    return bool(args.admin_token) and args.admin_token not in PUBLISHED_TOKENS


def retire_published_tokens(conn, keep: str) -> dict[str, str]:
    """Revoke every published demo token (but ``keep``); each demo account that had one gets a fresh
    token instead. Returns {role label: new token} for the accounts given one now (to print once)."""
    fresh = {}
    for account in DEMO_ACCOUNTS:
        if account.token == keep:
            continue
        rows = conn.execute("SELECT user_id FROM api_tokens WHERE token = ?", (account.token,)).fetchall()
        conn.execute("DELETE FROM api_tokens WHERE token = ?", (account.token,))
        for row in rows:
            if account.role_label == "admin":
                continue  # the admin has the --admin-token
            token = secrets.token_urlsafe(24)
            conn.execute("INSERT INTO api_tokens (token, user_id, created_at) VALUES (?, ?, ?)",
                         (token, row["user_id"], db.iso(db.now_ts())))
            fresh[account.role_label] = token
    return fresh


def prepare_database(path: Path, args) -> dict[str, str]:
    """Seed (``--demo``) or create the admin on an empty database; print what to sign in with.

    With ``secured(args)`` the published demo tokens are retired (``retire_published_tokens``):
    the demo agent and supervisor get generated tokens, printed this once. Returns those."""
    conn = db.connect(path)
    try:
        empty = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
        admin = demo_account("admin")
        if empty and args.demo:
            from console.demo.seed import seed_workspace
            print(f"Seeding the demo workspace ({args.tickets} tickets)...", flush=True)
            seed_workspace(conn, tickets=args.tickets, seed=args.seed, admin_token=args.admin_token)
        conn.execute("BEGIN IMMEDIATE")
        generated = ensure_admin(conn, admin.email, admin.name, args.admin_token)
        fresh = retire_published_tokens(conn, args.admin_token) if secured(args) else {}
        conn.execute("COMMIT")
        if args.demo:
            print("Demo accounts (email / API token):", flush=True)
            for account in DEMO_ACCOUNTS:
                if account.role_label == "admin":
                    token = args.admin_token or account.token
                elif secured(args):
                    token = fresh.get(account.role_label, "(generated at an earlier start, printed then)")
                else:
                    token = account.token
                print(f"  {account.role_label:<11} {account.email}  {token}", flush=True)
        elif generated:
            print(f"Created admin {admin.email} with API token: {generated}", flush=True)
        return fresh
    finally:
        conn.close()


def bind_socket(host: str, port: int) -> socket.socket:
    """The listening socket. ``IPPROTO_TCP`` matters: asyncio sets ``TCP_NODELAY`` on accepted
    connections only when the listener says it is TCP, and without it Nagle's algorithm meets the
    client's delayed ACK and every request on a kept-alive connection waits ~40 ms."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def watch_parent(pid: int, server, interval: float = 0.5) -> None:
    """Shut the server down when process ``pid`` is gone (the app that started it died, even by kill -9),
    so a demo helpdesk is never left orphaned and listening. Re-parenting (a new ``getppid()``) or a
    failed signal-0 probe both mean the parent is gone."""
    import os
    import threading
    import time

    parent = os.getppid()

    def alive() -> bool:
        if os.getppid() != parent:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def watch() -> None:
        while alive():
            time.sleep(interval)
        server.should_exit = True
        logging.getLogger(__name__).info("the process that started this helpdesk (%s) is gone; stopping", pid)
        try:   # stdout was a pipe to that process: writing to it may fail now
            print(f"The process that started this helpdesk ({pid}) is gone; stopping.", flush=True)
        except (BrokenPipeError, OSError):
            pass
        time.sleep(10)   # a graceful stop takes well under this; never linger listening
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run(args, *, wrap_app=None) -> int:
    """``serve``; ``wrap_app(app)``, when given, wraps the ASGI app (e.g. in more middleware)."""
    from console.logging_setup import SERVER_LOG_FILE_NAME, register_secret, setup_logging

    for token in (args.admin_token, *(account.token for account in DEMO_ACCOUNTS)):
        register_secret(token)
    try:
        setup_logging(verbose=bool(args.verbose), name=SERVER_LOG_FILE_NAME)
    except OSError as exc:
        print(f"Not logging to a file ({exc}); serving anyway.", file=sys.stderr)
    if not is_loopback(args.host) and not secured(args):
        print(f"Refusing to serve on non-loopback host {args.host} without an --admin-token of your own "
              "(anyone on the network could reach the helpdesk; the demo tokens are published).",
              file=sys.stderr)
        return 2
    path = Path(args.db) if args.db else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        for token in prepare_database(path, args).values():
            register_secret(token)
        sock = bind_socket(args.host, args.port)
    except (OSError, ValueError) as exc:
        print(f"Cannot start the helpdesk: {exc}", file=sys.stderr)
        return 1
    return serve(sock, path, args, wrap_app=wrap_app)


def uvicorn_config(app, *, verbose: bool = False, tls_cert: str | None = None, tls_key: str | None = None):
    """How uvicorn serves the helpdesk (``serve`` and the tests that run it in-process)."""
    import uvicorn

    # http/loop "auto": httptools and uvloop (dependencies) where they install, else h11 and asyncio
    return uvicorn.Config(app, log_level="debug" if verbose else "warning", access_log=verbose,
                          timeout_graceful_shutdown=5, ssl_certfile=tls_cert, ssl_keyfile=tls_key)


def serve(sock: socket.socket, path: Path, args, *, wrap_app=None) -> int:
    import uvicorn

    from console.server.app import ServerSettings, create_app
    from console.server.store import Store

    store = Store(path)
    settings = ServerSettings(export_delay=max(0, args.export_delay), rate_limit=max(0, args.rate_limit),
                              incremental_limit=max(0, args.incremental_limit),
                              job_delay=max(0.0, args.job_delay))
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host

    class AnnouncingServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            """SIGINT/SIGTERM → graceful shutdown and exit code 0 (uvicorn would re-raise them)."""
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

        async def startup(self, sockets=None):
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
            await super().startup(sockets=sockets)
            if self.started:
                print(f"Serving helpdesk API at {scheme}://{shown_host}:{port}", flush=True)

    app = create_app(store, settings)
    if wrap_app is not None:
        app = wrap_app(app)
    config = uvicorn_config(app, verbose=bool(args.verbose), tls_cert=args.tls_cert, tls_key=args.tls_key)
    scheme = "https" if config.ssl_certfile else "http"
    server = AnnouncingServer(config)
    if getattr(args, "parent_pid", 0):
        watch_parent(args.parent_pid, server)
    try:
        server.run(sockets=[sock])
    finally:
        store.close()
    return 0
