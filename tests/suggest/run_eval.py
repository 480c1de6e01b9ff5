"""Print the evaluation table for some parts (a tool for tuning; the test is test_evaluation.py).

    .venv/bin/python -m tests.suggest.run_eval tuning scenarios [--misses]

Builds the synced demo cache once in /tmp/support-console-eval/ (the demo helpdesk, as the tests do).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from console.demo.accounts import demo_account
from tests.helpdesk import Helpdesk, sync_cache
from tests.suggest.evalset import HEADER, evaluate, now_utc

BASE = Path("/tmp/support-console-eval")


def demo_cache() -> Path:
    cache = BASE / "cache.sqlite"
    if not cache.exists():
        BASE.mkdir(parents=True, exist_ok=True)
        server = Helpdesk(BASE / "helpdesk.sqlite", "--demo", "--tickets", "60", "--export-delay", "0",
                          admin_token="demo-admin-token").start()
        try:
            supervisor = demo_account("supervisor")  # in every department: every canned reply
            sync_cache(server.url, cache, supervisor.email, supervisor.token)
        finally:
            server.stop()
    return cache


def main() -> None:
    parts = tuple(a for a in sys.argv[1:] if not a.startswith("--")) or ("scenarios", "tuning")
    work = Path(tempfile.mkdtemp()) / "cache.sqlite"
    shutil.copyfile(demo_cache(), work)
    scores = evaluate(work, parts, now_utc())
    print(HEADER)
    for score in scores.values():
        print(score.row())
    if "--misses" in sys.argv:
        for score in scores.values():
            for miss in score.misses:
                print("  ", miss)


if __name__ == "__main__":
    main()
