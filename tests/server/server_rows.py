"""Hand-made rows in a real server database, the way the API layer stores them (importable by name)."""

from __future__ import annotations

import json

from console.server.db import iso, parse_iso


class ServerRows:
    """Writes hand-made rows into a server database, the way the API layer stores them."""

    def __init__(self, conn):
        self.conn = conn

    def group(self, gid: int, name: str) -> int:
        now = iso(0)
        self.conn.execute("INSERT INTO groups (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                          (gid, name, now, now))
        return gid

    def user(self, uid: int, name: str, email: str | None, *, role: str = "end-user",
             tags: list[str] = (), external_id: str | None = None, active: int = 1,
             created: str = "2025-01-01T00:00:00Z") -> int:
        self.conn.execute(
            "INSERT INTO users (id, name, email, role, active, external_id, tags, created_at, updated_at,"
            " generated_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uid, name, email, role, active, external_id, json.dumps(list(tags)), created, created,
             parse_iso(created)))
        return uid

    def ticket(self, tid: int, *, subject: str = "", description: str = "", status: str = "open",
               priority: str | None = None, type: str | None = None, requester_id: int = 1,
               assignee_id: int | None = None, group_id: int | None = None,
               organization_id: int | None = None, tags: list[str] = (), custom_fields: list = (),
               channel: str = "api", created: str = "2025-10-01T10:00:00Z",
               updated: str | None = None, deleted: int = 0, external_id: str | None = None) -> dict:
        updated = updated or created
        row = {
            "id": tid, "external_id": external_id, "subject": subject, "description": description,
            "status": status, "priority": priority, "type": type, "requester_id": requester_id,
            "submitter_id": requester_id, "assignee_id": assignee_id, "group_id": group_id,
            "organization_id": organization_id, "tags": json.dumps(list(tags)),
            "custom_fields": json.dumps(list(custom_fields)),
            "via": json.dumps({"channel": channel, "source": {"from": {}, "to": {}, "rel": None}}),
            "created_at": created, "updated_at": updated, "created_ts": parse_iso(created),
            "updated_ts": parse_iso(updated), "generated_ts": parse_iso(updated), "deleted": deleted,
        }
        cols = ", ".join(row)
        self.conn.execute(f"INSERT INTO tickets ({cols}) VALUES ({', '.join('?' * len(row))})",
                          tuple(row.values()))
        if description:
            self.comment(tid, requester_id, description, created=created)
        return api_ticket(row)

    def comment(self, ticket_id: int, author_id: int, body: str, *, public: int = 1,
                created: str = "2025-10-01T10:00:00Z") -> None:
        self.conn.execute(
            "INSERT INTO comments (ticket_id, audit_id, author_id, body, html_body, public, created_at,"
            " created_ts) VALUES (?, 0, ?, ?, ?, ?, ?, ?)",
            (ticket_id, author_id, body, f"<p>{body}</p>", public, created, parse_iso(created)))


def api_ticket(row: dict) -> dict:
    """The API shape of a stored ticket row (what the cache and ``ticket_matches`` see)."""
    ticket = dict(row)
    ticket["tags"] = json.loads(row["tags"])
    ticket["custom_fields"] = json.loads(row["custom_fields"])
    ticket["via"] = json.loads(row["via"])
    return ticket
