"""Run the embedded helpdesk (``support-console serve``) as a real subprocess for tests."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

from console.demo.accounts import demo_account
from console.server.process import READY, HelpdeskProcess  # noqa: F401 (READY re-exported)
from tests.fault_server import FaultHelpdeskProcess

ADMIN_TOKEN = "test-admin-token"
REPO = Path(__file__).resolve().parents[1]
# The app signs in as the demo agent, who syncs through the ticket lists (console/sync/pull_agent.py),
# so tests of what the app shows run on what that path puts in the cache, not on an admin's export.
AGENT = demo_account("agent")


class Helpdesk:
    """A helpdesk server process on a free loopback port with its own database file."""

    def __init__(self, db: str | Path, *extra: str, admin_token: str = ADMIN_TOKEN, timeout: float = 60,
                 faults: bool = False):
        """``faults=True`` runs tests/fault_server.py (``serve`` plus the test-only fault switch)."""
        self.db = str(db)
        self.faults = faults
        self.extra = list(extra)
        self.admin_token = admin_token
        self.admin_email = demo_account("admin").email
        self.timeout = timeout
        self.process: HelpdeskProcess | None = None
        self.url = ""
        self.tokens: dict[str, str] = {}  # demo role label -> token, as printed at a start

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, port: int = 0) -> Helpdesk:
        launcher = FaultHelpdeskProcess if self.faults else HelpdeskProcess
        self.process = launcher(["--db", self.db, "--port", str(port), "--admin-token", self.admin_token,
                                 *self.extra], cwd=REPO, timeout=self.timeout).start()
        self.url = self.process.url
        for line in self.process.output:  # "  agent       agent@demo...  TOKEN" (a generated one is printed once)
            parts = line.split()
            if len(parts) == 3 and "@" in parts[1] and not parts[2].startswith("("):
                self.tokens[parts[0]] = parts[2]
        return self

    def token_for(self, role_label: str) -> str:
        """The demo account's token on this server: the published one, or the one generated for it."""
        return self.tokens.get(role_label) or demo_account(role_label).token

    @property
    def proc(self) -> subprocess.Popen | None:
        return self.process.proc if self.process else None

    @property
    def output(self) -> list[str]:
        return self.process.output if self.process else []

    @property
    def port(self) -> int:
        return urlsplit(self.url).port

    def stop(self) -> int | None:
        """SIGTERM and wait for a graceful exit; returns the exit code."""
        return self.process.stop() if self.process else None

    def kill(self) -> None:
        """SIGKILL: the crash case."""
        if self.process:
            self.process.kill()

    def restart(self, same_port: bool = True) -> Helpdesk:
        port = self.port if same_port and self.url else 0
        self.stop()
        for _attempt in range(50):
            try:
                return self.start(port)
            except RuntimeError:
                if not same_port:
                    raise
                time.sleep(0.1)  # the old socket may linger a moment
        raise RuntimeError("could not restart on the same port")

    # -- talking to it ---------------------------------------------------------------------
    @property
    def admin_auth(self) -> tuple[str, str]:
        """requests ``auth=`` for the admin: Basic ``email/token`` + token."""
        return (f"{self.admin_email}/token", self.admin_token)

    def api(self, path: str) -> str:
        return f"{self.url}/api/v2/{path.lstrip('/')}"

    def request(self, method: str, path: str, auth=None, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return requests.request(method, self.api(path), auth=auth or self.admin_auth, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def db_connection(self) -> sqlite3.Connection:
        """Direct access to the server's database (WAL: safe beside the running server)."""
        conn = sqlite3.connect(self.db, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    def wait_exportable(self, delay: float = 0.0, timeout: float = 10.0) -> None:
        """Sleep until every change so far is old enough for the exports (run with ``--export-delay 0``
        unless ``delay`` says otherwise). A burst of writes to one ticket stamps its versions a few
        seconds ahead of the clock, so "wait a second" is not always enough."""
        conn = self.db_connection()
        try:
            newest = max(conn.execute("SELECT coalesce(max(generated_ts), 0) FROM tickets").fetchone()[0],
                         conn.execute("SELECT coalesce(max(created_ts), 0) FROM audits").fetchone()[0])
        finally:
            conn.close()
        wait = newest + 1 + delay - time.time()
        if wait > timeout:
            raise AssertionError(f"changes stamped {wait:.0f} s ahead of the clock")
        time.sleep(max(0.0, wait) + 0.05)

    def add_user(self, name: str, email: str, role: str, token: str | None = None) -> int:
        """Create a user through the API (admin); optionally give them an API token."""
        r = self.post("users/create_or_update", json={"user": {"name": name, "email": email, "role": role}})
        r.raise_for_status()
        user_id = r.json()["user"]["id"]
        if token:
            with self.db_connection() as conn:
                conn.execute("INSERT OR REPLACE INTO api_tokens (token, user_id, created_at) "
                             "VALUES (?, ?, '2025-01-01T00:00:00Z')", (token, user_id))
        return user_id

    def create_ticket(self, **fields) -> dict:
        fields.setdefault("comment", {"body": "Please help me with my account."})
        r = self.post("tickets.json", json={"ticket": fields})
        assert r.status_code == 201, r.text
        return r.json()["ticket"]


def sync_cache(url: str, cache, email: str | None = None, token: str | None = None):
    """One full sync of ``cache`` from the helpdesk with the real engine; returns the agent's user id."""
    from console.store import CacheWriter
    from console.sync.client import HelpdeskClient
    from console.sync.engine import SyncEngine

    client = HelpdeskClient(url, email or AGENT.email, token or AGENT.token)
    writer = CacheWriter(cache)

    async def once():
        engine = SyncEngine(client, writer)
        try:
            await engine.sync_once(resources=True)
        finally:
            await engine.close()

    try:
        asyncio.run(once())
        return client.get("users/me.json")["user"]["id"]
    finally:
        writer.close()
        client.close()


def scenario_ticket_id(reader, scenario: str) -> int:
    """The id of the demo ticket built for ``scenario`` (external_id ``demo:<scenario>``) in a cache."""
    from console.store import QueueSpec

    for ticket_id in reader.ticket_ids_for_queue(QueueSpec(), "id", descending=False)[:40]:
        ticket = reader.ticket(ticket_id)
        if ticket and ticket.get("external_id") == f"demo:{scenario}":
            return ticket_id
    raise LookupError(f"no demo ticket for scenario {scenario}")
