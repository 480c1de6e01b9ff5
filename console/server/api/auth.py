"""Token authentication (Basic ``email/token:T`` or Bearer ``T``) and role rules."""

from __future__ import annotations

import base64
import binascii
import sqlite3

from starlette.requests import Request

AGENT_ROLES = ("agent", "admin")


def authenticate(conn: sqlite3.Connection, header: str | None) -> dict | None:
    """The active user the Authorization header proves, or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    email = None
    if scheme == "bearer":
        token = value.strip()
    elif scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        login, _, token = decoded.partition(":")
        if not login.endswith("/token"):
            return None  # email + password sign-in is not supported
        email = login[: -len("/token")]
    else:
        return None
    if not token:
        return None
    row = conn.execute("SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id "
                       "WHERE t.token = ? AND u.active = 1 AND u.suspended = 0", (token,)).fetchone()
    if row is None or (email is not None and (row["email"] or "").lower() != email.lower()):
        return None
    return dict(row)


def required_role(path: str) -> str:
    """Which role a path needs: 'any' signed-in user, 'agent' or 'admin'."""
    if path in ("/api/v2/users/me",):
        return "any"
    if path.startswith("/api/v2/incremental/"):
        return "admin"
    return "agent"


def allowed(user: dict, need: str) -> bool:
    if need == "any":
        return True
    if need == "admin":
        return user["role"] == "admin"
    return user["role"] in AGENT_ROLES


def caller(request: Request) -> dict:
    """The authenticated user of this request (set by the gate)."""
    return request.scope["state"]["user"]
