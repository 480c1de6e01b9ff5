"""Shared constants and small readers for the demo workspace tests."""

from __future__ import annotations

import json

ANCHOR = 1_790_000_000 - 1_790_000_000 % 86400     # a fixed midnight UTC
DAY = 86400


def user(conn, user_id: int) -> dict:
    data = dict(conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone())
    data["user_fields"] = json.loads(data["user_fields"])
    return data
