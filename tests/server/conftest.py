"""Shared helpers for the query-engine tests: a real server database in a temp folder."""

from __future__ import annotations

import pytest

from console.server.db import connect
from tests.server.server_rows import ServerRows


@pytest.fixture
def server_db(tmp_path):
    conn = connect(tmp_path / "helpdesk.sqlite3")
    yield conn
    conn.close()


@pytest.fixture
def rows(server_db):
    return ServerRows(server_db)
