"""User writes: validated create / update with ``user_fields`` merged key by key."""

from __future__ import annotations

import sqlite3

import orjson

from console.server.db import iso, now_ts, parse_iso
from console.server.errors import ApiError, forbidden, record_invalid

ROLES = ("end-user", "agent", "admin")
TEXT_KEYS = ("name", "email", "external_id", "phone", "time_zone", "locale", "signature", "notes")
BOOL_KEYS = ("active", "verified", "suspended")


def _field_value(definition: sqlite3.Row, value):
    key, kind = definition["key"], definition["type"]
    if value is None:
        return None
    ok = {"text": isinstance(value, str), "textarea": isinstance(value, str),
          "regexp": isinstance(value, str), "checkbox": isinstance(value, bool),
          "integer": isinstance(value, int) and not isinstance(value, bool),
          "decimal": isinstance(value, int | float) and not isinstance(value, bool)}
    if kind == "dropdown":
        options = [o.get("value") for o in orjson.loads(definition["custom_field_options"])]
        if value not in options:
            raise record_invalid("user_fields", f"{key} must be one of: {', '.join(map(str, options))}")
        return value
    if kind == "date":
        try:
            return iso(parse_iso(str(value)))[:10] + "T00:00:00+00:00"
        except ValueError:
            raise record_invalid("user_fields", f"{key} must be a date (YYYY-MM-DD)") from None
    if kind in ok and not ok[kind]:
        raise record_invalid("user_fields", f"{key} must be a {kind} value")
    return value


def merged_user_fields(conn: sqlite3.Connection, current: dict, incoming) -> dict:
    if not isinstance(incoming, dict):
        raise record_invalid("user_fields", "user_fields must be an object")
    definitions = {r["key"]: r for r in conn.execute("SELECT * FROM user_fields")}
    merged = dict(current)
    for key, value in incoming.items():
        if key not in definitions:
            raise record_invalid("user_fields", f"there is no user field with the key {key}")
        merged[key] = _field_value(definitions[key], value)
    return merged


def _columns(conn: sqlite3.Connection, actor: dict, data: dict, current: dict) -> dict:
    """Validated column values for the writable keys in ``data``; others are ignored."""
    cols: dict = {}
    for key in TEXT_KEYS:
        if key in data and (data[key] is not None or key not in ("name",)):
            if data[key] is not None and not isinstance(data[key], str):
                raise record_invalid(key, f"{key} must be a string")
            cols[key] = data[key].strip() if isinstance(data[key], str) and key == "email" else data[key]
    if cols.get("name") is not None and not cols["name"].strip():
        raise record_invalid("name", "Name: cannot be blank", "BlankValue")
    for key in BOOL_KEYS:
        if data.get(key) is not None:
            if not isinstance(data[key], bool):
                raise record_invalid(key, f"{key} must be true or false")
            cols[key] = int(data[key])
    if data.get("role") is not None:
        if data["role"] not in ROLES:
            raise record_invalid("role", f"role must be one of: {', '.join(ROLES)}")
        if data["role"] != current.get("role", "end-user") and actor["role"] != "admin":
            raise forbidden()
        cols["role"] = data["role"]
    if data.get("tags") is not None:
        if not isinstance(data["tags"], list) or not all(isinstance(t, str) for t in data["tags"]):
            raise record_invalid("tags", "tags must be a list of strings")
        cols["tags"] = orjson.dumps(data["tags"]).decode()
    if "default_group_id" in data:
        value = data["default_group_id"]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise record_invalid("default_group_id", "default_group_id must be an integer id")
        cols["default_group_id"] = value
    if data.get("user_fields") is not None:
        current_fields = orjson.loads(current.get("user_fields") or "{}")
        cols["user_fields"] = orjson.dumps(merged_user_fields(conn, current_fields, data["user_fields"])).decode()
    if cols.get("email"):
        clash = conn.execute("SELECT id FROM users WHERE email = ? AND id != ?",
                             (cols["email"], current.get("id", -1))).fetchone()
        if clash:
            raise record_invalid("email", f"Email: {cols['email']} is already being used by another user",
                                 "DuplicateValue")
    return cols


def create_user(conn: sqlite3.Connection, actor: dict, data: dict) -> int:
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise record_invalid("name", "Name: cannot be blank", "BlankValue")
    cols = _columns(conn, actor, data, {})
    ts = now_ts()
    cols.update(created_at=iso(ts), updated_at=iso(ts), generated_ts=ts)
    names = ", ".join(cols)
    cur = conn.execute(f"INSERT INTO users ({names}) VALUES ({', '.join('?' * len(cols))})", list(cols.values()))
    return cur.lastrowid


def update_user(conn: sqlite3.Connection, actor: dict, user_id: int, data: dict) -> None:
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise ApiError(404, "RecordNotFound", "Not found")
    if actor["role"] != "admin" and row["role"] != "end-user" and actor["id"] != user_id:
        raise forbidden()
    cols = _columns(conn, actor, data, dict(row))
    if not cols:
        return
    ts = now_ts()
    cols.update(updated_at=iso(ts), generated_ts=ts)
    sets = ", ".join(f"{k} = ?" for k in cols)
    conn.execute(f"UPDATE users SET {sets} WHERE id = ?", [*cols.values(), user_id])


def find_for_upsert(conn: sqlite3.Connection, data: dict) -> int | None:
    if isinstance(data.get("email"), str):
        row = conn.execute("SELECT id FROM users WHERE email = ?", (data["email"].strip(),)).fetchone()
        if row:
            return row["id"]
    if isinstance(data.get("external_id"), str):
        row = conn.execute("SELECT id FROM users WHERE external_id = ?", (data["external_id"],)).fetchone()
        if row:
            return row["id"]
    return None
