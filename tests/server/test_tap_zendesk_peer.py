"""Singer's tap-zendesk, unchanged and with its own configuration, exports the embedded helpdesk.

tap-zendesk has no base-URL setting: every request goes to ``https://{subdomain}.zendesk.com``
(its own ``requests`` calls, ``aiohttp`` for the audits that carry the comments, zenpy for the
user fields). So the test gives it what a real account gives: a name that resolves (a private
``/etc/hosts`` in a mount namespace of the tap's process only, naming a random loopback address)
and HTTPS on port 443 with a certificate its CA bundle trusts (``SSL_CERT_FILE`` /
``REQUESTS_CA_BUNDLE``, the standard variables). No adapter, no patch, no code of ours inside it.

tap-zendesk pins its dependencies exactly (zenpy 2.0.24, requests 2.33.0, aiohttp, singer-python
6.0.1), which cannot share an environment with the zenpy 2.0.57 the other peer test uses, so it
lives in its own virtualenv as Singer taps always do, built once under ``.venv-tap-zendesk``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.helpdesk import REPO, Helpdesk

trustme = pytest.importorskip("trustme")

TAP_VERSION = "2.8.2"
TAP_VENV = REPO / ".venv-tap-zendesk"
SUBDOMAIN = "local"
HOST = f"{SUBDOMAIN}.zendesk.com"
STREAMS = ("tickets", "ticket_comments", "users")

# The tap's own discovery for the streams the helpdesk serves (full --discover also probes
# organizations, SLA policies, Talk... which the embedded helpdesk does not implement).
DISCOVER = textwrap.dedent("""
    import json, sys
    import singer
    from zenpy import Zenpy
    from tap_zendesk.discover import load_shared_schema_refs
    from tap_zendesk.streams import STREAMS
    config = json.load(open(sys.argv[1]))
    client = Zenpy(subdomain=config["subdomain"], oauth_token=config["access_token"])
    refs = load_shared_schema_refs()
    streams = []
    for name in sys.argv[2:]:
        stream = STREAMS[name](client, config)
        schema = singer.resolve_schema_references(stream.load_schema(), refs)
        metadata = stream.load_metadata()
        for entry in metadata:
            if not entry["breadcrumb"]:
                entry["metadata"]["selected"] = True
        streams.append({"stream": name, "tap_stream_id": name, "schema": schema, "metadata": metadata})
    json.dump({"streams": streams}, sys.stdout)
""")


def _tap_python() -> Path:
    python = TAP_VENV / "bin" / "python"
    marker = TAP_VENV / f"tap-zendesk-{TAP_VERSION}"
    if not marker.exists():
        shutil.rmtree(TAP_VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(TAP_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"tap-zendesk=={TAP_VERSION}"],
                       check=True, timeout=600, capture_output=True)
        marker.touch()
    return python


def _loopback_443() -> str:
    """A free random 127.x.y.z on port 443 (skips where this user may not bind port 443)."""
    for _ in range(20):
        address = f"127.{random.randint(16, 250)}.{random.randint(0, 255)}.{random.randint(2, 250)}"
        probe = socket.socket()
        try:
            probe.bind((address, 443))
            return address
        except PermissionError:
            pytest.skip("binding port 443 needs root here; the tap always speaks to port 443")
        except OSError:
            continue
        finally:
            probe.close()
    pytest.fail("no free loopback address for port 443")


@pytest.fixture
def namespace_runner(tmp_path):
    """Runs a command in a private mount namespace whose /etc/hosts names ``HOST``."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is not installed")
    hosts = tmp_path / "hosts"

    def run(address: str, argv: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
        hosts.write_text(f"{address} {HOST}\n127.0.0.1 localhost\n")
        script = 'mount --bind "$0" /etc/hosts && exec "$@"'
        return subprocess.run([unshare, "--mount", "--propagation", "private", "sh", "-c", script, str(hosts),
                               *argv], env=env, capture_output=True, text=True, timeout=timeout)

    probe = subprocess.run([unshare, "--mount", "--propagation", "private", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {probe.stderr.decode().strip()}")
    return run


@pytest.fixture
def tls_helpdesk(tmp_path):
    ca = trustme.CA()
    address = _loopback_443()
    cert = ca.issue_cert(HOST, address)
    cert_file, ca_file = tmp_path / "server.pem", tmp_path / "ca.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    ca.cert_pem.write_to_path(str(ca_file))
    server = Helpdesk(tmp_path / "helpdesk.sqlite", "--demo", "--tickets", "12", "--export-delay", "0",
                      "--host", address, "--tls-cert", str(cert_file), admin_token="demo-admin-token")
    server.start(443)
    server.address, server.ca_file = address, ca_file
    time.sleep(1.05)  # exports leave out the current second
    yield server
    server.stop()


def _records(stdout: str) -> tuple[dict[str, list[dict]], dict]:
    records: dict[str, list[dict]] = {name: [] for name in STREAMS}
    state: dict = {}
    for line in stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            records[message["stream"]].append(message["record"])
        elif message["type"] == "STATE":
            state = message["value"]
    return records, state


def test_tap_zendesk_exports_tickets_comments_and_users(tls_helpdesk, namespace_runner, tmp_path):
    python = _tap_python()
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"subdomain": SUBDOMAIN, "access_token": tls_helpdesk.admin_token,
                                  "start_date": "2000-01-01T00:00:00Z", "request_timeout": 30}))
    env = {**os.environ, "SSL_CERT_FILE": str(tls_helpdesk.ca_file),
           "REQUESTS_CA_BUNDLE": str(tls_helpdesk.ca_file)}
    discovered = namespace_runner(tls_helpdesk.address, [str(python), "-c", DISCOVER, str(config), *STREAMS], env)
    assert discovered.returncode == 0, discovered.stderr[-3000:]
    catalog = tmp_path / "catalog.json"
    catalog.write_text(discovered.stdout)
    tap = namespace_runner(tls_helpdesk.address, [str(python.parent / "tap-zendesk"), "--config", str(config),
                                     "--catalog", str(catalog)], env)
    assert tap.returncode == 0, tap.stderr[-3000:]
    records, state = _records(tap.stdout)

    def api(path: str) -> dict:
        answer = tls_helpdesk.get(path, verify=str(tls_helpdesk.ca_file))
        assert answer.status_code == 200, answer.text
        return answer.json()

    tickets = api("tickets.json?per_page=100")["tickets"]
    assert len(tickets) >= 12
    emitted = {t["id"]: t for t in records["tickets"]}
    assert sorted(emitted) == sorted(t["id"] for t in tickets), tap.stderr[-4000:]
    for ticket in tickets:
        mine = emitted[ticket["id"]]
        assert (mine["subject"], mine["status"], mine["requester_id"], mine["group_id"], mine["tags"]) == \
               (ticket["subject"], ticket["status"], ticket["requester_id"], ticket["group_id"], ticket["tags"])
        assert mine["generated_timestamp"] > 0

    comments = [(c["ticket_id"], c["id"], c["body"], c["author_id"], c["public"]) for c in records["ticket_comments"]]
    expected = [(t["id"], c["id"], c["body"], c["author_id"], c["public"])
                for t in tickets for c in api(f"tickets/{t['id']}/comments.json")["comments"]]
    assert sorted(comments) == sorted(expected) and len(expected) > len(tickets)

    users = api("users.json?per_page=100")["users"]
    emitted_users = {u["id"]: u for u in records["users"]}
    assert sorted(emitted_users) == sorted(u["id"] for u in users)
    for user in users:
        assert (emitted_users[user["id"]]["email"], emitted_users[user["id"]]["role"]) == (user["email"], user["role"])
    customer = next(u for u in users if u["role"] == "end-user" and u["user_fields"].get("plan"))
    assert emitted_users[customer["id"]]["user_fields"]["plan"] == customer["user_fields"]["plan"]

    bookmarks = state["bookmarks"]
    assert bookmarks["tickets"]["generated_timestamp"] > "2000-01-01"
    assert bookmarks["users"]["updated_at"] > "2000-01-01"
