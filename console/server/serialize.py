"""Database rows → API-shaped dicts (the JSON the helpdesk answers with)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

import orjson

from console.domain.ticket_fields import SYSTEM_TICKET_FIELDS

loads = orjson.loads
EMPTY_META = {"system": {}, "custom": {}}


def memo_loads() -> Callable[[str], Any]:
    """``orjson.loads`` that decodes each distinct text once (a page's ``via``/``tags``/``custom_fields``
    are mostly the same few texts). The values it returns are shared: for answers that are only
    serialized, never changed."""
    decoded: dict[str, Any] = {}

    def decode(text: str) -> Any:
        value = decoded.get(text)
        if value is None:
            value = decoded[text] = loads(text)
        return value

    return decode


def ticket_json(row: sqlite3.Row, base: str, *, export: bool = False, decode: Callable[[str], Any] = loads) -> dict:
    loads = decode
    custom_fields = loads(row["custom_fields"])
    data = {
        "id": row["id"], "url": f"{base}/api/v2/tickets/{row['id']}.json",
        "external_id": row["external_id"], "via": loads(row["via"]),
        "created_at": row["created_at"], "updated_at": row["updated_at"],
        "type": row["type"], "subject": row["subject"], "raw_subject": row["subject"],
        "description": row["description"], "priority": row["priority"],
        "status": "deleted" if row["deleted"] else row["status"],
        "custom_status_id": row["custom_status_id"], "recipient": None,
        "requester_id": row["requester_id"], "submitter_id": row["submitter_id"],
        "assignee_id": row["assignee_id"], "organization_id": row["organization_id"],
        "group_id": row["group_id"], "collaborator_ids": [], "follower_ids": [], "email_cc_ids": [],
        "forum_topic_id": None, "problem_id": None, "has_incidents": False,
        "is_public": bool(row["is_public"]), "due_at": None, "tags": loads(row["tags"]),
        "custom_fields": custom_fields, "fields": custom_fields,
        "satisfaction_rating": _satisfaction(row["satisfaction_rating"]),
        "sharing_agreement_ids": [], "followup_ids": [], "ticket_form_id": row["ticket_form_id"],
        "brand_id": row["brand_id"],
        "allow_channelback": False, "allow_attachments": True, "from_messaging_channel": False,
    }
    if export:
        data["generated_timestamp"] = row["generated_ts"]
    return data


def _satisfaction(text: str | None) -> dict | None:
    """Zendesk's ``satisfaction_rating``: null when never offered, else ``{score, comment}``."""
    return loads(text) if text else None


def custom_status_json(row: sqlite3.Row, base: str) -> dict:
    return {"id": row["id"], "url": f"{base}/api/v2/custom_statuses/{row['id']}.json",
            "status_category": row["status_category"], "agent_label": row["agent_label"],
            "end_user_label": row["end_user_label"], "description": row["description"],
            "end_user_description": "", "active": bool(row["active"]), "default": bool(row["is_default"]),
            "created_at": row["created_at"], "updated_at": row["updated_at"]}


def user_json(row: sqlite3.Row, base: str, field_keys: Iterable[str] = (),
              decode: Callable[[str], Any] = loads) -> dict:
    loads = decode
    fields = dict.fromkeys(field_keys)
    fields.update(loads(row["user_fields"]))
    role = row["role"]
    return {
        "id": row["id"], "url": f"{base}/api/v2/users/{row['id']}.json", "name": row["name"],
        "email": row["email"], "phone": row["phone"], "role": role,
        "role_type": 4 if role == "admin" else None, "custom_role_id": None,
        "organization_id": None, "default_group_id": row["default_group_id"],
        "time_zone": row["time_zone"], "iana_time_zone": row["time_zone"], "locale": row["locale"],
        "locale_id": 1, "active": bool(row["active"]), "suspended": bool(row["suspended"]),
        "verified": bool(row["verified"]), "shared": False, "shared_agent": False,
        "restricted_agent": False, "moderator": role != "end-user",
        "only_private_comments": False,
        "ticket_restriction": "requested" if role == "end-user" else None,
        "external_id": row["external_id"], "alias": None, "details": None, "notes": row["notes"],
        "signature": row["signature"], "tags": loads(row["tags"]), "photo": None,
        "last_login_at": None, "two_factor_auth_enabled": False,
        "created_at": row["created_at"], "updated_at": row["updated_at"], "user_fields": fields,
    }


def user_field_keys(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT key FROM user_fields ORDER BY position, id")]


def group_json(row: sqlite3.Row, base: str) -> dict:
    return {"id": row["id"], "url": f"{base}/api/v2/groups/{row['id']}.json", "name": row["name"],
            "description": row["description"], "default": bool(row["is_default"]),
            "deleted": bool(row["deleted"]), "is_public": True,
            "created_at": row["created_at"], "updated_at": row["updated_at"]}


def membership_json(row: sqlite3.Row, base: str) -> dict:
    return {"id": row["id"], "url": f"{base}/api/v2/group_memberships/{row['id']}.json",
            "user_id": row["user_id"], "group_id": row["group_id"], "default": bool(row["is_default"]),
            "created_at": row["created_at"], "updated_at": row["updated_at"]}


def user_field_json(row: sqlite3.Row, base: str) -> dict:
    return {"id": row["id"], "url": f"{base}/api/v2/user_fields/{row['id']}.json", "key": row["key"],
            "type": row["type"], "title": row["title"], "raw_title": row["title"],
            "description": row["description"], "active": bool(row["active"]),
            "position": row["position"], "custom_field_options": loads(row["custom_field_options"]),
            "created_at": row["created_at"], "updated_at": row["updated_at"]}


def ticket_field_json(row: sqlite3.Row, base: str) -> dict:
    system = row["type"] in SYSTEM_TICKET_FIELDS
    options = loads(row["custom_field_options"])
    field = {"id": row["id"], "url": f"{base}/api/v2/ticket_fields/{row['id']}.json", "type": row["type"],
             "title": row["title"], "raw_title": row["title"], "description": row["description"],
             "raw_description": row["description"], "position": row["position"], "active": bool(row["active"]),
             "required": bool(row["required"]), "visible_in_portal": system, "editable_in_portal": system,
             "required_in_portal": False, "removable": not system, "agent_description": row["description"],
             "created_at": row["created_at"], "updated_at": row["updated_at"]}
    if row["type"] == "tickettype":
        field["system_field_options"] = options
    elif options:
        field["custom_field_options"] = [{**o, "raw_name": o["name"], "default": False} for o in options]
    return field


def attachment_json(row: sqlite3.Row, base: str) -> dict:
    content_url = f"{base}/attachments/token/{row['content_token']}/?name={quote(row['file_name'])}"
    return {"id": row["id"], "url": f"{base}/api/v2/attachments/{row['id']}.json",
            "file_name": row["file_name"], "content_url": content_url,
            "mapped_content_url": content_url, "content_type": row["content_type"],
            "size": row["size"], "width": None, "height": None, "inline": bool(row["inline"]),
            "deleted": False, "malware_access_override": False,
            "malware_scan_result": "malware_not_found", "thumbnails": []}


def attachments_by_comment(conn: sqlite3.Connection, comment_ids: list[int], base: str) -> dict:
    found: dict[int, list] = {}
    for start in range(0, len(comment_ids), 900):
        chunk = comment_ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
                "SELECT id, comment_id, content_token, file_name, content_type, size, inline "
                f"FROM attachments WHERE comment_id IN ({marks}) ORDER BY id", chunk):
            found.setdefault(row["comment_id"], []).append(attachment_json(row, base))
    return found


def comment_json(row: sqlite3.Row, attachments: list, *, metadata: dict | None = None) -> dict:
    """Zendesk's comment: ``body`` as it came (an email with its quoted trail), ``plain_body`` the text
    shown; ``metadata`` is its audit's (the client, IP address and place it was written from)."""
    return {"id": row["id"], "type": "Comment", "author_id": row["author_id"],
            "body": row["original_body"] or row["body"], "html_body": row["html_body"], "plain_body": row["body"],
            "public": bool(row["public"]), "attachments": attachments, "audit_id": row["audit_id"],
            "via": loads(row["via"]), "created_at": row["created_at"], "metadata": metadata or EMPTY_META}


def comments_json(conn: sqlite3.Connection, rows: list[sqlite3.Row], base: str) -> list[dict]:
    files = attachments_by_comment(conn, [r["id"] for r in rows], base)
    audit_ids = [r["audit_id"] for r in rows]
    metadata: dict[int, dict] = {}
    for start in range(0, len(audit_ids), 900):
        chunk = audit_ids[start:start + 900]
        metadata.update((a, loads(m)) for a, m in conn.execute(
            f"SELECT id, metadata FROM audits WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    return [comment_json(r, files.get(r["id"], []), metadata=metadata.get(r["audit_id"])) for r in rows]


def brand_json(row: sqlite3.Row, base: str) -> dict:
    return {"id": row["id"], "url": f"{base}/api/v2/brands/{row['id']}.json", "name": row["name"],
            "brand_url": f"https://{row['subdomain']}.example.com", "subdomain": row["subdomain"],
            "has_help_center": False, "help_center_state": "disabled", "active": bool(row["active"]),
            "default": bool(row["is_default"]), "is_deleted": False, "logo": None,
            "ticket_form_ids": [], "signature_template": "{{agent.signature}}",
            "created_at": row["created_at"], "updated_at": row["updated_at"], "host_mapping": None}


def ticket_form_json(row: sqlite3.Row, base: str) -> dict:
    return {"id": row["id"], "url": f"{base}/api/v2/ticket_forms/{row['id']}.json", "name": row["name"],
            "raw_name": row["name"], "display_name": row["display_name"], "raw_display_name": row["display_name"],
            "end_user_visible": bool(row["end_user_visible"]), "position": row["position"],
            "ticket_field_ids": [], "active": bool(row["active"]), "default": bool(row["is_default"]),
            "created_at": row["created_at"], "updated_at": row["updated_at"], "in_all_brands": True,
            "restricted_brand_ids": []}


def comment_event(comment: dict) -> dict:
    keys = ("id", "type", "author_id", "body", "html_body", "plain_body", "public", "attachments",
            "audit_id")
    return {k: comment[k] for k in keys}


def audits_json(conn: sqlite3.Connection, rows: list[sqlite3.Row], base: str) -> list[dict]:
    """Audits with their Comment event (looked up in one query) ahead of the other events."""
    comment_ids = [r["comment_id"] for r in rows if r["comment_id"]]
    comments = {}
    if comment_ids:
        marks = ",".join("?" * len(comment_ids))
        found = conn.execute(f"SELECT * FROM comments WHERE id IN ({marks})", comment_ids).fetchall()
        comments = {c["id"]: c for c in comments_json(conn, found, base)}
    out = []
    for r in rows:
        events = loads(r["events"])
        if r["comment_id"] in comments:
            events.insert(0, comment_event(comments[r["comment_id"]]))
        out.append({"id": r["id"], "ticket_id": r["ticket_id"], "author_id": r["author_id"],
                    "created_at": r["created_at"], "via": loads(r["via"]),
                    "metadata": loads(r["metadata"]), "events": events})
    return out


def macro_json(row: sqlite3.Row, base: str) -> dict:
    restriction = loads(row["restriction"]) if row["restriction"] else None
    return {"id": row["id"], "url": f"{base}/api/v2/macros/{row['id']}.json", "title": row["title"],
            "raw_title": row["title"], "description": row["description"], "active": bool(row["active"]),
            "default": False, "position": row["position"], "restriction": restriction,
            "actions": loads(row["actions"]), "created_at": row["created_at"],
            "updated_at": row["updated_at"]}


def view_json(row: sqlite3.Row, base: str) -> dict:
    restriction = loads(row["restriction"]) if row["restriction"] else None
    return {"id": row["id"], "url": f"{base}/api/v2/views/{row['id']}.json", "title": row["title"],
            "raw_title": row["title"], "description": row["description"], "active": bool(row["active"]),
            "default": False, "position": row["position"], "restriction": restriction,
            "conditions": loads(row["conditions"]), "execution": loads(row["execution"]),
            "watchable": True, "created_at": row["created_at"], "updated_at": row["updated_at"]}


def sideload(conn: sqlite3.Connection, include: str | None, tickets: list[dict], base: str) -> dict:
    """``include=users,groups`` for a list of ticket dicts."""
    wanted = {part.strip() for part in (include or "").split(",")}
    extra: dict = {}
    if "users" in wanted:
        ids = sorted({t[k] for t in tickets for k in ("requester_id", "submitter_id", "assignee_id")
                      if t.get(k)})
        keys = user_field_keys(conn)
        extra["users"] = [user_json(r, base, keys) for r in rows_by_ids(conn, "users", ids)]
    if "groups" in wanted:
        ids = sorted({t["group_id"] for t in tickets if t.get("group_id")})
        extra["groups"] = [group_json(r, base) for r in rows_by_ids(conn, "groups", ids)]
    return extra


def rows_by_ids(conn: sqlite3.Connection, table: str, ids: list[int], where: str = "1") -> list:
    rows = []
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        rows += conn.execute(f"SELECT * FROM {table} WHERE id IN ({marks}) AND {where} ORDER BY id",
                             chunk).fetchall()
    return rows
