"""``sync`` and ``serve`` log to their own files in the log dir, and never write the tokens they use."""

import os
import stat
import subprocess
import sys

import requests

from console.logging_setup import LOG_FILE_NAME, SERVER_LOG_FILE_NAME
from tests.helpdesk import REPO, Helpdesk

ADMIN_TOKEN = "log-test-admin-token-7c1d"
EMAIL = "admin@demo.support-console.test"


def run_sync(url, cache, log_dir, *extra, token=ADMIN_TOKEN, env=None):
    cmd = [sys.executable, "-m", "console", "sync", "--url", url, "--email", EMAIL, "--cache", str(cache),
           "--once", *extra]
    if token:
        cmd += ["--token", token]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SUPPORT_CONSOLE_LOG_DIR": str(log_dir), **(env or {})})


def all_log_text(folder):
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.log*")))


def test_sync_and_serve_write_logs_without_tokens(tmp_path, monkeypatch):
    serve_logs, sync_logs, quiet_logs = tmp_path / "serve-logs", tmp_path / "sync-logs", tmp_path / "quiet"
    monkeypatch.setenv("SUPPORT_CONSOLE_LOG_DIR", str(serve_logs))
    server = Helpdesk(tmp_path / "helpdesk.sqlite", "--demo", "--tickets", "12", "--export-delay", "0",
                      "--verbose", admin_token=ADMIN_TOKEN).start()
    try:
        done = run_sync(server.url, tmp_path / "cache.sqlite", sync_logs, "--verbose")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("tickets: "), "the summary is unchanged"
        # the token in the environment instead of --token is registered too
        refused = run_sync(server.url, tmp_path / "other.sqlite", quiet_logs, token=None,
                           env={"SUPPORT_CONSOLE_TOKEN": "wrong-env-token-31f0"})
        assert refused.returncode == 2 and "did not accept" in refused.stderr
        assert requests.get(f"{server.url}/api/v2/users/me.json", auth=(f"{EMAIL}/token", ADMIN_TOKEN),
                            timeout=10).status_code == 200
    finally:
        assert server.stop() == 0

    sync_log = sync_logs / LOG_FILE_NAME
    text = sync_log.read_text(encoding="utf-8")
    assert f"from {server.url}" in text and "(verbose=True)" in text and " DEBUG " in text
    assert ADMIN_TOKEN not in text
    assert stat.S_IMODE(sync_log.stat().st_mode) == 0o600
    assert "logging to" in done.stderr, "--verbose echoes the log to stderr"

    quiet = (quiet_logs / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "(verbose=False)" in quiet and " DEBUG " not in quiet and "wrong-env-token-31f0" not in quiet
    assert "logging to" not in refused.stderr, "without --verbose the log stays in its file"

    assert not (serve_logs / LOG_FILE_NAME).exists(), "serve keeps its own log file"
    served = all_log_text(serve_logs)
    assert "helpdesk.log (verbose=True)" in served and SERVER_LOG_FILE_NAME == "helpdesk.log"
    assert ADMIN_TOKEN not in served and "demo-agent-token" not in served
    assert "faker" not in served, "third-party chatter stays out of the helpdesk log"


def test_an_unwritable_log_dir_does_not_stop_a_sync(tmp_path, helpdesk):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the log folder should be")
    done = run_sync(helpdesk.url, tmp_path / "cache.sqlite", blocker / "logs", token=helpdesk.admin_token)
    assert done.returncode == 0, done.stderr
    assert "not logging to a file" in done.stderr and "Traceback" not in done.stderr
