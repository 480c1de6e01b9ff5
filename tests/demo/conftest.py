"""Fixtures for the demo workspace tests: one seeded database shared by the package."""

from __future__ import annotations

import pytest

from console.demo.seed import seed_workspace
from console.server.db import connect
from tests.demo.seed_helpers import ANCHOR


@pytest.fixture(scope="package")
def workspace(tmp_path_factory):
    """A 400-ticket workspace (seed 7, fixed anchor, custom admin token) and its summary."""
    path = tmp_path_factory.mktemp("seed") / "helpdesk.sqlite"
    conn = connect(path)
    summary = seed_workspace(conn, tickets=400, seed=7, anchor_ts=ANCHOR, admin_token="custom-admin-token")
    yield conn, summary
    conn.close()


@pytest.fixture(scope="package")
def db(workspace):
    return workspace[0]
