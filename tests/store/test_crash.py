"""A kill -9 right after save_draft / enqueue returns must not lose the row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from console.store import CacheReader

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import os, sys, time
    from console.store import CacheWriter
    writer = CacheWriter(sys.argv[1])
    writer.save_draft(42, "reply", "Hi Jane, your refund is on its way")
    entry = writer.enqueue("reply", 42, {"body": "queued before the crash"}, "2025-10-02T09:00:00Z")
    print(entry.op_id, flush=True)
    time.sleep(60)  # killed here, connection still open, no clean close
""")


def test_kill_9_after_save_draft_and_enqueue_keeps_both(cache_path):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(cache_path)], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        op_id = child.stdout.readline().strip()
        assert op_id, "the child did not get as far as enqueue"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
    with CacheReader(cache_path) as reader:
        assert reader.load_draft(42, "reply").body == "Hi Jane, your refund is on its way"
        assert [(e.op_id, e.state) for e in reader.list_outbox()] == [(op_id, "queued")]
