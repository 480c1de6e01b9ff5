"""API-shaped records for store tests (importable by name; conftest modules are not)."""

from __future__ import annotations


def make_ticket(ticket_id: int, version: int = 1000, **fields) -> dict:
    """A ticket as the cursor export returns it (helpdesk-api.md §3.1, §6.2)."""
    ticket = {
        "id": ticket_id, "url": f"https://acme.example/api/v2/tickets/{ticket_id}.json",
        "subject": f"Question number {ticket_id}", "status": "open", "priority": "normal", "type": "question",
        "requester_id": 9000 + ticket_id % 3, "submitter_id": 9000, "assignee_id": None, "group_id": 10,
        "organization_id": None, "tags": [], "custom_fields": [], "via": {"channel": "email"},
        "created_at": f"2025-10-01T08:{ticket_id % 60:02d}:00Z", "updated_at": "2025-10-02T09:00:00Z",
        "generated_timestamp": version,
    }
    ticket.update(fields)
    return ticket


def make_comment(comment_id: int, body: str, **fields) -> dict:
    comment = {"id": comment_id, "type": "Comment", "author_id": 9000, "body": body,
               "html_body": f"<p>{body}</p>", "plain_body": body, "public": True, "attachments": [],
               "audit_id": comment_id * 10, "created_at": f"2025-10-02T10:{comment_id % 60:02d}:00Z"}
    comment.update(fields)
    return comment


def comment_event(ticket_id: int, comment: dict) -> dict:
    """A ticket_events item carrying one comment child event (helpdesk-api.md §6.5)."""
    return {"id": comment["id"] * 10, "ticket_id": ticket_id, "timestamp": 1759492937,
            "created_at": comment["created_at"], "updater_id": comment["author_id"], "via": "Web form",
            "event_type": "Audit",
            "child_events": [dict(comment, event_type="Comment"),
                             {"id": comment["id"] * 10 + 1, "event_type": "Change", "status": "pending",
                              "previous_value": "open"}]}


def make_user(user_id: int, name: str, email: str, role: str = "end-user", **fields) -> dict:
    user = {"id": user_id, "name": name, "email": email, "role": role, "active": True,
            "updated_at": "2025-09-30T17:22:10Z", "user_fields": {"username": name.split()[0].lower() + "42"}}
    user.update(fields)
    return user
