"""``support-console sync`` as a real process: summary, resume after kill -9, clear errors."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from tests.helpdesk import REPO, Helpdesk
from tests.sync.conftest import sync_cli


def cache_state(cache, key):
    try:
        conn = sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=1)
        try:
            row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
            count = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None, 0
    return (row[0] if row else None), count


def test_a_killed_first_sync_resumes_from_its_cursor(tmp_path):
    db, cache = tmp_path / "helpdesk.sqlite", tmp_path / "cache.sqlite"
    # 2 export requests a minute: the third page waits on a 429, and is killed there
    slow = Helpdesk(db, "--demo", "--tickets", "2500", "--export-delay", "0", "--incremental-limit", "2").start()
    try:
        cmd = [sys.executable, "-m", "console", "sync", "--url", slow.url, "--email", slow.admin_email,
               "--token", slow.admin_token, "--cache", str(cache), "--once"]
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            cursor, count = cache_state(cache, "tickets_cursor")
            if cursor and count >= 1000:
                break
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
    finally:
        slow.stop()
    cursor, count = cache_state(cache, "tickets_cursor")
    assert cursor and 1000 <= count < 2500 + 20
    server = Helpdesk(db, "--export-delay", "0").start()
    try:
        done = sync_cli(server.url, server.admin_email, server.admin_token, cache, "--once")
        assert done.returncode == 0, done.stderr
        total = server.db_connection().execute("SELECT count(*) FROM tickets").fetchone()[0]
        lines = dict(line.split(": ", 1) for line in done.stdout.strip().splitlines())
        received = int(lines["tickets"].split("(")[1].split()[0])
        assert lines["tickets"].startswith(f"{total} ")
        assert received <= total - count  # resumed: only what the killed run had not stored
        assert "requests" in lines and "seconds" in lines
    finally:
        server.stop()


def test_bad_token_and_unreachable_url_are_one_clear_line(helpdesk, tmp_path):
    bad = sync_cli(helpdesk.url, helpdesk.admin_email, "wrong-token", tmp_path / "c.sqlite", "--once")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "did not accept the email and API token" in bad.stderr
    assert "Traceback" not in bad.stderr
    gone = sync_cli("http://127.0.0.1:9", helpdesk.admin_email, "t", tmp_path / "c.sqlite", "--once")
    assert gone.returncode == 3 and "cannot reach" in gone.stderr and "Traceback" not in gone.stderr
    garbage = sync_cli("ftp://nowhere", helpdesk.admin_email, "t", tmp_path / "c.sqlite", "--once")
    assert garbage.returncode == 2 and "Traceback" not in garbage.stderr


def test_token_from_the_environment(helpdesk, tmp_path):
    cmd = [sys.executable, "-m", "console", "sync", "--url", helpdesk.url, "--email", helpdesk.admin_email,
           "--cache", str(tmp_path / "c.sqlite")]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SUPPORT_CONSOLE_TOKEN": helpdesk.admin_token})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("tickets: ")
