"""Requests on a kept-alive connection answer at once: no Nagle + delayed-ACK stall (~40 ms each)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
import uvicorn

from console.server.app import ServerSettings, create_app
from console.server.main import bind_socket, uvicorn_config
from console.server.store import Store

REQUESTS = 50
STALL = 0.040  # what each request waited with Nagle's algorithm on the server side


def test_fifty_requests_on_one_keep_alive_session_do_not_stall(helpdesk):
    ticket = helpdesk.create_ticket(subject="Keep-alive")
    session = requests.Session()
    session.auth = helpdesk.admin_auth
    url = helpdesk.api(f"tickets/{ticket['id']}.json")
    assert session.get(url, timeout=10).status_code == 200  # the connection is open from here on
    started = time.perf_counter()
    for _ in range(REQUESTS):
        assert session.get(url, timeout=10).json()["ticket"]["id"] == ticket["id"]
    elapsed = time.perf_counter() - started
    pools = session.get_adapter(url).poolmanager.pools
    assert [pools[key].num_connections for key in pools.keys()] == [1]  # noqa: SIM118 (no __iter__)
    # Stalled, 50 requests take >= 2 s; answered at once, ~0.3 s on two busy cores.
    assert elapsed < REQUESTS * STALL / 2, f"{REQUESTS} kept-alive requests took {elapsed:.2f} s"


@pytest.mark.parametrize("loop", ["asyncio", "auto"])  # auto: uvloop where installed (it sets the option itself)
def test_the_served_socket_sets_tcp_nodelay_on_accepted_connections(tmp_path, loop):
    store = Store(tmp_path / "helpdesk.sqlite")
    config = uvicorn_config(create_app(store, ServerSettings(export_delay=0)))
    config.loop = loop
    server = uvicorn.Server(config)
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        session = requests.Session()
        assert session.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
        connections = list(server.server_state.connections)  # the kept-alive one, server side
        assert len(connections) == 1
        accepted = connections[0].transport.get_extra_info("socket")
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        session.close()
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        store.close()
