"""A sync that is killed (SIGKILL) right after the helpdesk answered a send, before the cache records it.

    python -m tests.sync.crash_after_send --url URL --email EMAIL --token TOKEN --cache CACHE [--after upload]

One ``sync_once`` with the real engine, whose outbox sender is :class:`CrashAfterSend`: the
reply goes out over HTTP and lands on the helpdesk, then the process dies before ``mark_sent``,
so the cache still says "sending". The kill test in test_push.py then runs the real
``support-console sync`` on that cache, which must find the reply and not send it twice.
``--after upload`` dies instead once the entry's files are uploaded, before the comment is sent
(tests/sync/test_outgoing_files.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

from console.store import CacheWriter
from console.sync.client import HelpdeskClient
from console.sync.engine import SyncEngine
from console.sync.push import OutboxSender


class CrashAfterSend(OutboxSender):
    """Dies the moment a send has an answer, before the answer is written to the cache."""

    def _recorded(self, entry, response, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)


class CrashAfterUpload(OutboxSender):
    """Dies the moment the entry's files are on the helpdesk, before the comment is sent."""

    def upload_files(self, entry):
        tokens = super().upload_files(entry)
        if tokens:
            os.kill(os.getpid(), signal.SIGKILL)
        return tokens


async def crash_during_sync(url: str, email: str, token: str, cache: str, after: str = "send") -> None:
    client = HelpdeskClient(url, email, token, max_retries=3)
    writer = CacheWriter(cache)
    engine = SyncEngine(client, writer)
    sender = CrashAfterUpload if after == "upload" else CrashAfterSend
    engine.sender = sender(client, writer, engine.puller)
    try:
        await engine.sync_once(resources=True)
    finally:
        await engine.close()
        writer.close()
        client.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("--url", "--email", "--token", "--cache"):
        parser.add_argument(name, required=True)
    parser.add_argument("--after", choices=("send", "upload"), default="send")
    args = parser.parse_args()
    asyncio.run(crash_during_sync(args.url, args.email, args.token, args.cache, args.after))
    return 0  # only reached if nothing was sent


if __name__ == "__main__":
    raise SystemExit(main())
