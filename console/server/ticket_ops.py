"""Ticket writes: create, update (with a comment), tags, delete — each one audit, validated first.

Every function runs inside ``Store.write()``; on any ``ApiError`` the caller's transaction
rolls back, so a bad request stores nothing.
"""

from __future__ import annotations

import sqlite3

import orjson

from console.domain.statuses import ALL_STATUSES, PRIORITIES, TICKET_TYPES
from console.server import placeholders_bridge
from console.server.comment_text import comment_bodies
from console.server.db import iso, now_ts, parse_iso
from console.server.errors import ApiError, fits, not_found, record_invalid

MAX_COMMENTS = 5000          # Zendesk: a ticket holds at most 5000 comments
MAX_COMMENT_BYTES = 65_535   # Zendesk: a comment body is limited to about 64 KB
API_VIA = '{"channel": "api", "source": {"from": {}, "to": {}, "rel": null}}'


def dumps(value) -> str:
    return orjson.dumps(value).decode()


def as_id(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise record_invalid(field, f"{field} must be an integer id")
    if isinstance(value, str) and not (value.isascii() and value.strip().isdigit()):
        raise record_invalid(field, f"{field} must be an integer id")
    number = int(value)
    if not fits(number):
        raise record_invalid(field, f"{field} must be an integer id")
    return number


def as_choice(value, field: str, choices: tuple, nullable: bool = True) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or value not in choices:
        raise record_invalid(field, f"{field} must be one of: {', '.join(choices)}")
    return value


def as_text(value, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise record_invalid(field, f"{field} must be a string")
    return value


def as_tags(value, field: str = "tags") -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise record_invalid(field, f"{field} must be a list of strings")
    seen: list[str] = []
    for tag in value:
        for part in tag.lower().split():
            if part not in seen:
                seen.append(part)
    return seen


def as_custom_fields(value) -> list[dict]:
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items):
        raise record_invalid("custom_fields", "custom_fields must be a list of {id, value}")
    return [{"id": as_id(i["id"], "custom_fields"), "value": i.get("value")} for i in items]


def _user_exists(conn, user_id: int, field: str, agents_only: bool = False) -> None:
    row = conn.execute("SELECT role FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise record_invalid(field, f"{field}: user {user_id} does not exist")
    if agents_only and row["role"] == "end-user":
        raise record_invalid(field, f"{field}: user {user_id} is not an agent")


def _group_exists(conn, group_id: int) -> None:
    if conn.execute("SELECT 1 FROM groups WHERE id = ? AND deleted = 0", (group_id,)).fetchone() is None:
        raise record_invalid("group_id", f"group_id: group {group_id} does not exist")


def _custom_status(conn, value, status: str | None) -> dict:
    """``custom_status_id`` sets the status too (its category); a different ``status`` beside it is refused."""
    status_id = as_id(value, "custom_status_id")
    row = conn.execute("SELECT status_category, active FROM custom_statuses WHERE id = ?", (status_id,)).fetchone()
    if row is None or not row["active"]:
        raise record_invalid("custom_status_id", f"custom_status_id: {status_id} is not an active custom status")
    if status is not None and status != row["status_category"]:
        raise record_invalid("custom_status_id", f"custom_status_id: {status_id} is a '{row['status_category']}' "
                             f"status, not '{status}'")
    return {"status": row["status_category"], "custom_status_id": status_id}


def default_custom_status(conn, status: str) -> int | None:
    row = conn.execute("SELECT id FROM custom_statuses WHERE status_category = ? AND is_default = 1 AND active = 1",
                       (status,)).fetchone()
    return row["id"] if row else None


def brand_and_form(conn, data: dict) -> tuple[int | None, int | None]:
    """A new ticket's ``brand_id`` and ``ticket_form_id``: the ones asked for, else the account's defaults."""
    chosen = []
    for key, table in (("brand_id", "brands"), ("ticket_form_id", "ticket_forms")):
        wanted = as_id(data.get(key), key)
        if wanted is not None:
            if conn.execute(f"SELECT 1 FROM {table} WHERE id = ? AND active = 1", (wanted,)).fetchone() is None:
                raise record_invalid(key, f"{key}: {wanted} is not an active one of this account")
            chosen.append(wanted)
            continue
        row = conn.execute(f"SELECT id FROM {table} WHERE is_default = 1 AND active = 1").fetchone()
        chosen.append(row["id"] if row else None)
    return chosen[0], chosen[1]


def _field_changes(conn, data: dict, current: dict) -> dict:
    """Validated new values for the plain ticket fields present in ``data``."""
    new: dict = {}
    if "subject" in data and data["subject"] is not None:
        new["subject"] = as_text(data["subject"], "subject")
    if data.get("status") is not None:
        new["status"] = as_choice(data["status"], "status", ALL_STATUSES)
    if data.get("custom_status_id") is not None:
        new.update(_custom_status(conn, data["custom_status_id"], new.get("status")))
    if "priority" in data:
        new["priority"] = as_choice(data["priority"], "priority", PRIORITIES)
    if "type" in data:
        new["type"] = as_choice(data["type"], "type", TICKET_TYPES)
    if "external_id" in data:
        new["external_id"] = as_text(data["external_id"], "external_id")
    if data.get("requester_id") is not None:
        new["requester_id"] = as_id(data["requester_id"], "requester_id")
        _user_exists(conn, new["requester_id"], "requester_id")
    if "assignee_email" in data and data["assignee_email"] is not None:
        row = conn.execute("SELECT id FROM users WHERE email = ?", (str(data["assignee_email"]),)).fetchone()
        if row is None:
            raise record_invalid("assignee_email", "assignee_email: no such agent")
        new["assignee_id"] = row["id"]
    if "assignee_id" in data:
        new["assignee_id"] = as_id(data["assignee_id"], "assignee_id")
    if new.get("assignee_id") is not None:
        _user_exists(conn, new["assignee_id"], "assignee_id", agents_only=True)
    if "group_id" in data:
        new["group_id"] = as_id(data["group_id"], "group_id")
        if new["group_id"] is not None:
            _group_exists(conn, new["group_id"])
    if "organization_id" in data:
        new["organization_id"] = as_id(data["organization_id"], "organization_id")
    tags = list(current.get("tags", []))
    if data.get("tags") is not None:
        tags = as_tags(data["tags"])
    if data.get("additional_tags") is not None:
        tags += [t for t in as_tags(data["additional_tags"], "additional_tags") if t not in tags]
    if data.get("remove_tags") is not None:
        gone = set(as_tags(data["remove_tags"], "remove_tags"))
        tags = [t for t in tags if t not in gone]
    if tags != current.get("tags", []):
        new["tags"] = tags
    if data.get("custom_fields") is not None or data.get("fields") is not None:
        merged = {f["id"]: f for f in current.get("custom_fields", [])}
        merged.update({f["id"]: f for f in as_custom_fields(data.get("custom_fields") or data["fields"])})
        new["custom_fields"] = list(merged.values())
    return {k: v for k, v in new.items() if current.get(k) != v or k not in current}


def _metadata(data: dict, client: dict) -> dict:
    custom = data.get("metadata")
    if custom is not None and not isinstance(custom, dict):
        raise record_invalid("metadata", "metadata must be an object")
    return {"system": client, "custom": custom or {}}


def _comment_input(conn, comment, actor: dict) -> dict | None:
    """Validated comment fields (author, public, text, uploads) or None when absent."""
    if comment is None:
        return None
    if isinstance(comment, str):
        comment = {"body": comment}
    if not isinstance(comment, dict):
        raise record_invalid("comment", "comment must be an object")
    body, html_body = comment.get("body"), comment.get("html_body")
    for name, value in (("body", body), ("html_body", html_body)):
        if value is not None and not isinstance(value, str):
            raise record_invalid("comment", f"comment.{name} must be a string")
    if not (body or "").strip() and not (html_body or "").strip():
        raise record_invalid("comment", "Comment: value is blank", "BlankValue")
    for name, value in (("body", body), ("html_body", html_body)):
        if value is not None and len(value.encode("utf-8", "surrogatepass")) > MAX_COMMENT_BYTES:
            raise record_invalid("comment", f"Comment: {name} is too long (at most {MAX_COMMENT_BYTES} bytes)",
                                 "TooLong")
    public = comment.get("public", True)
    if public is None:
        public = True
    if not isinstance(public, bool):
        raise record_invalid("comment", "comment.public must be true or false")
    author_id = as_id(comment.get("author_id"), "comment.author_id") or actor["id"]
    author = conn.execute("SELECT * FROM users WHERE id = ?", (author_id,)).fetchone()
    if author is None:
        raise record_invalid("comment", f"comment.author_id: user {author_id} does not exist")
    uploads = comment.get("uploads") or []
    if not isinstance(uploads, list) or not all(isinstance(u, str) for u in uploads):
        raise record_invalid("comment", "comment.uploads must be a list of upload tokens")
    for token in uploads:
        if conn.execute("SELECT 1 FROM attachments WHERE upload_token = ? AND comment_id IS NULL",
                        (token,)).fetchone() is None:
            raise record_invalid("comment", f"comment.uploads: unknown or used upload token {token}")
    return {"body": body if html_body is None else None, "html_body": html_body,
            "public": public, "author": dict(author), "uploads": uploads}


def _insert_audit(conn, ticket_id: int, author_id: int, ts: int, events: list, metadata: dict) -> int:
    audit_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM audits").fetchone()[0]
    for i, event in enumerate(events):
        event.setdefault("id", audit_id * 1000 + i + 1)
    conn.execute("INSERT INTO audits (id, ticket_id, author_id, created_at, created_ts, via, metadata, "
                 "events) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (audit_id, ticket_id, author_id, iso(ts), ts, API_VIA, dumps(metadata), dumps(events)))
    return audit_id


def _insert_comment(conn, ticket_id: int, audit_id: int, comment: dict, ts: int, base: str) -> dict:
    body, html_body = comment["body"], comment["html_body"]
    if comment["author"]["role"] != "end-user":
        body = placeholders_bridge.render_for_ticket(conn, ticket_id, comment["author"], body, base)
        html_body = placeholders_bridge.render_for_ticket(conn, ticket_id, comment["author"],
                                                          html_body, base)
    plain, markup = comment_bodies(body, html_body)
    cur = conn.execute("INSERT INTO comments (ticket_id, audit_id, author_id, body, html_body, public, via, "
                       "created_at, created_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (ticket_id, audit_id, comment["author"]["id"], plain, markup,
                        int(comment["public"]), API_VIA, iso(ts), ts))
    comment_id = cur.lastrowid
    conn.execute("UPDATE audits SET comment_id = ? WHERE id = ?", (comment_id, audit_id))
    for token in comment["uploads"]:
        conn.execute("UPDATE attachments SET comment_id = ?, expires_ts = NULL WHERE upload_token = ? "
                     "AND comment_id IS NULL", (comment_id, token))
    return {"id": comment_id, "body": plain}


def current_ticket(conn, ticket_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM tickets WHERE id = ? AND deleted = 0", (ticket_id,)).fetchone()
    if row is None:
        raise not_found()
    return row


def _row_state(row: sqlite3.Row) -> dict:
    state = dict(row)
    state["tags"] = orjson.loads(row["tags"])
    state["custom_fields"] = orjson.loads(row["custom_fields"])
    return state


def _requester_for_create(conn, data: dict, actor: dict, ts: int) -> int:
    if data.get("requester_id") is not None:
        requester_id = as_id(data["requester_id"], "requester_id")
        _user_exists(conn, requester_id, "requester_id")
        return requester_id
    requester = data.get("requester")
    if requester is None:
        return actor["id"]
    if not isinstance(requester, dict) or not isinstance(requester.get("email"), str):
        raise record_invalid("requester", "requester must be an object with an email")
    email = requester["email"].strip()
    row = conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()
    if row:
        return row["id"]
    name = requester.get("name") if isinstance(requester.get("name"), str) else email.split("@")[0]
    cur = conn.execute("INSERT INTO users (name, email, role, created_at, updated_at, generated_ts) "
                       "VALUES (?, ?, 'end-user', ?, ?, ?)", (name, email, iso(ts), iso(ts), ts))
    return cur.lastrowid


def create_ticket(conn, actor: dict, data: dict, base: str, client: dict) -> tuple[int, int]:
    """Insert a ticket with its first comment; returns (ticket id, audit id)."""
    ts = now_ts()
    if data.get("comment") is None:
        raise record_invalid("comment", "A new ticket needs a comment", "BlankValue")
    requester_id = _requester_for_create(conn, data, actor, ts)
    fields = _field_changes(conn, {k: v for k, v in data.items() if k != "requester_id"}, {})
    submitter_id = as_id(data.get("submitter_id"), "submitter_id") or actor["id"]
    _user_exists(conn, submitter_id, "submitter_id")
    comment_data = data["comment"] if isinstance(data["comment"], dict) else {"body": data["comment"]}
    comment = _comment_input(conn, {"author_id": submitter_id, **comment_data}, actor)
    status = fields.get("status") or ("open" if fields.get("assignee_id") else "new")
    if status == "closed":
        raise record_invalid("status", "A new ticket cannot be closed")
    custom_status_id = fields.get("custom_status_id") or default_custom_status(conn, status)
    row = {"subject": fields.get("subject"), "status": status, "priority": fields.get("priority"),
           "type": fields.get("type"), "requester_id": requester_id, "submitter_id": submitter_id,
           "assignee_id": fields.get("assignee_id"), "group_id": fields.get("group_id"),
           "organization_id": fields.get("organization_id"), "external_id": fields.get("external_id"),
           "tags": fields.get("tags", []), "custom_fields": fields.get("custom_fields", [])}
    cur = conn.execute(
        "INSERT INTO tickets (external_id, subject, status, priority, type, requester_id, submitter_id, "
        "assignee_id, group_id, organization_id, tags, custom_fields, is_public, created_at, updated_at, "
        "created_ts, updated_ts, generated_ts, custom_status_id, brand_id, ticket_form_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row["external_id"], row["subject"], status, row["priority"], row["type"], requester_id,
         submitter_id, row["assignee_id"], row["group_id"], row["organization_id"], dumps(row["tags"]),
         dumps(row["custom_fields"]), int(comment["public"]), iso(ts), iso(ts), ts, ts, ts, custom_status_id,
         *brand_and_form(conn, data)))
    ticket_id = cur.lastrowid
    events = [{"type": "Create", "field_name": k, "value": v} for k, v in row.items()
              if v not in (None, []) and k not in ("custom_fields", "external_id", "organization_id")]
    audit_id = _insert_audit(conn, ticket_id, actor["id"], ts, events, _metadata(data, client))
    first = _insert_comment(conn, ticket_id, audit_id, comment, ts, base)
    conn.execute("UPDATE tickets SET description = ? WHERE id = ?", (first["body"], ticket_id))
    return ticket_id, audit_id


def check_safe_update(row: sqlite3.Row, data: dict) -> None:
    """``safe_update`` present (true OR false, Zendesk's quirk) → ``updated_stamp`` must match."""
    if "safe_update" not in data:
        return
    stamp = data.get("updated_stamp")
    if not isinstance(stamp, str):
        raise record_invalid("updated_stamp", "safe_update needs updated_stamp (the updated_at you saw)")
    try:
        seen = parse_iso(stamp)
    except ValueError:
        raise record_invalid("updated_stamp", "updated_stamp is not an ISO-8601 time") from None
    if seen != row["updated_ts"]:
        raise ApiError(409, "UpdateConflict", "Safe Update prevented the update due to outdated ticket "
                       f"data; the ticket was updated at {row['updated_at']}")


def update_ticket(conn, actor: dict, ticket_id: int, data: dict, base: str, client: dict) -> int:
    """Apply field changes and an optional comment as one audit; returns the audit id."""
    row = current_ticket(conn, ticket_id)
    check_safe_update(row, data)
    if row["status"] == "closed":
        raise record_invalid("status", "Status: closed prevents ticket update")
    state = _row_state(row)
    changes = _field_changes(conn, data, state)
    comment = _comment_input(conn, data.get("comment"), actor)
    if comment and conn.execute("SELECT COUNT(*) FROM comments WHERE ticket_id = ?",
                                (ticket_id,)).fetchone()[0] >= MAX_COMMENTS:
        raise record_invalid("comment", "The ticket has reached its limit of 5000 comments", "TooMany")
    if changes.get("assignee_id") and state["status"] == "new" and "status" not in changes:
        changes["status"] = "open"
    return _write_update(conn, actor, row, state, changes, comment, _metadata(data, client), base)


def _write_update(conn, actor, row, state, changes, comment, metadata, base) -> int:
    """One audit for ``changes`` and ``comment``. A write that changes something gives the ticket a
    new version: ``updated_at`` strictly later than the last one (a burst runs ahead of the clock),
    so no two versions share a stamp and a stale ``updated_stamp`` always meets a 409. The audit
    (and its comment) carry that same stamp, as Zendesk's do, so the audit that made a version is
    the one whose ``created_at`` is the version's ``updated_at``; ``generated_timestamp`` never
    lags behind it, or an export copy of a newer version would look older than a PUT answer."""
    ts = now_ts()
    events = [{"type": "Change", "field_name": k, "value": v, "previous_value": state.get(k)}
              for k, v in changes.items()]
    moves = bool(events or comment)
    version = max(ts, row["updated_ts"] + 1) if moves else ts
    audit_id = _insert_audit(conn, row["id"], actor["id"], version, events, metadata)
    sets, args = [], []
    for key, value in changes.items():
        sets.append(f"{key} = ?")
        args.append(dumps(value) if key in ("tags", "custom_fields") else value)
    if moves:
        sets += ["updated_at = ?", "updated_ts = ?", "generated_ts = ?"]
        args += [iso(version), version, max(version, row["generated_ts"] + 1)]
    if comment and comment["public"]:
        sets.append("is_public = 1")
    if sets:
        conn.execute(f"UPDATE tickets SET {', '.join(sets)} WHERE id = ?", [*args, row["id"]])
    if comment:
        _insert_comment(conn, row["id"], audit_id, comment, version, base)
    return audit_id


def change_tags(conn, actor: dict, ticket_id: int, data: dict, mode: str, client: dict, base: str) -> int:
    """``mode``: 'add' (PUT), 'remove' (DELETE) or 'set' (POST) on /tickets/{id}/tags."""
    row = current_ticket(conn, ticket_id)
    check_safe_update(row, data)
    if row["status"] == "closed":
        raise record_invalid("status", "Status: closed prevents ticket update")
    tags = as_tags(data.get("tags"))
    key = {"add": "additional_tags", "remove": "remove_tags", "set": "tags"}[mode]
    state = _row_state(row)
    changes = _field_changes(conn, {key: tags}, state)
    return _write_update(conn, actor, row, state, changes, None, _metadata({}, client), base)


def delete_ticket(conn, ticket_id: int) -> None:
    current_ticket(conn, ticket_id)
    conn.execute("UPDATE tickets SET deleted = 1, generated_ts = max(?, generated_ts + 1) WHERE id = ?",
                 (now_ts(), ticket_id))
