"""Sync-engine fixtures: caches and engines wired to a real helpdesk process on loopback."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from console.store import CacheWriter, OutboxEntry
from console.sync.client import HelpdeskClient
from console.sync.engine import SyncEngine
from console.sync.retry import RetryPolicy
from tests.faultproxy import FaultProxy
from tests.helpdesk import REPO, Helpdesk


class Account:
    """One console install: a cache file, its writer, a client and an engine (re-openable)."""

    def __init__(self, url: str, email: str, token: str, cache, *, engine_options: dict | None = None,
                 **client_options):
        self.url, self.email, self.token, self.cache = url, email, token, cache
        self.client_options = {"max_retries": 2, "backoff_base": 0.05, **client_options}
        self.engine_options = {"interval": 0.2, "max_backoff": 0.5,
                               "retry": RetryPolicy(base=0.05, cap=0.5),  # fast, like the client's backoff
                               **(engine_options or {})}
        self.writer = self.client = self.engine = None
        self.open()

    def open(self) -> Account:
        self.writer = CacheWriter(self.cache)
        self.client = HelpdeskClient(self.url, self.email, self.token, **self.client_options)
        self.engine = SyncEngine(self.client, self.writer, **self.engine_options)
        return self

    def close(self) -> None:
        asyncio.run(self.engine.close())
        self.client.close()
        self.writer.close()

    def sync(self, **kwargs):
        return asyncio.run(self.engine.sync_once(**kwargs))

    def push(self):
        return asyncio.run(self.engine.push_now())

    # -- the agent queues work as console.ops does: into the outbox, then a push is asked for --
    def queue(self, kind: str, ticket_id: int | None, payload: dict, updated_stamp: str | None = None) -> OutboxEntry:
        if updated_stamp is None and ticket_id is not None:
            updated_stamp = self.writer.cached_updated_at(ticket_id)
        change = self.writer.enqueue(kind, ticket_id, payload, updated_stamp)
        self.engine.request_push()   # delivered now when the engine runs, else by the next sync/push
        return self.writer.get_entry(change.op_id)

    def queue_reply(self, ticket_id: int, body: str, *, public: bool = True, fields: dict | None = None,
                    updated_stamp: str | None = None) -> OutboxEntry:
        payload = {"body": body, **({"fields": dict(fields)} if fields else {})}
        return self.queue("reply" if public else "note", ticket_id, payload, updated_stamp)

    def queue_fields(self, ticket_id: int, fields: dict, *, updated_stamp: str | None = None) -> OutboxEntry:
        return self.queue("fields", ticket_id, {"fields": dict(fields)}, updated_stamp)

    def queue_new_ticket(self, ticket: dict) -> OutboxEntry:
        return self.queue("new_ticket", None, dict(ticket))


@pytest.fixture
def account_factory(tmp_path):
    made: list[Account] = []

    def make(server, name: str = "a", *, url: str | None = None, token: str | None = None,
             email: str | None = None, engine_options: dict | None = None, **client_options) -> Account:
        account = Account(url or server.url, email or server.admin_email, token or server.admin_token,
                          tmp_path / f"cache-{name}.sqlite", engine_options=engine_options, **client_options)
        made.append(account)
        return account

    yield make
    for account in made:
        try:
            account.close()
        except Exception:  # noqa: BLE001 - already closed by the test
            pass


def sync_cli(server_url: str, email: str, token: str, cache, *extra: str, env: dict | None = None,
             timeout: float = 60) -> subprocess.CompletedProcess:
    """``support-console sync`` as a real subprocess."""
    cmd = [sys.executable, "-m", "console", "sync", "--url", server_url, "--email", email,
           "--token", token, "--cache", str(cache), *extra]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def queued_jobs(tmp_path, request):
    """A helpdesk whose jobs wait in the queue after their answer, as Zendesk's do (0.6 s unless the
    test says), behind a proxy."""
    delay = str(getattr(request, "param", 0.6))
    server = Helpdesk(tmp_path / "slow-jobs.sqlite", "--export-delay", "0", "--job-delay", delay).start()
    front = FaultProxy(server.port)
    yield server, front
    front.close()
    server.stop()
