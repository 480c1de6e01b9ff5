"""The ticket thread as one safe HTML document (no Qt).

``thread_html(comments, users, requester_id)`` renders comments oldest first: public replies on
a plain card, internal notes on a pale yellow card labelled "Internal note". Comment HTML is
sanitized by ``console.domain.html`` (no scripts, no remote images); plain bodies are escaped.
Attachments link to ``attachment:<id>`` so the pane can open the cached file.
"""

from __future__ import annotations

import html

from console.domain.html import sanitize_comment_html, text_to_html
from console.domain.sla import parse_api_time

NOTE_BACKGROUND = "#fff4c2"
NOTE_BORDER = "#e0c050"
CUSTOMER_BACKGROUND = "#f3f6fa"
AGENT_BACKGROUND = "#eaf4ea"
INK = "#1d1d1d"


def _when(value: str | None) -> str:
    moment = parse_api_time(value)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def _size(n: int | None) -> str:
    if not n:
        return ""
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def attachment_links(attachments: list[dict]) -> str:
    items = []
    for att in attachments:
        name = html.escape(att.get("file_name") or f"attachment {att.get('id')}")
        state = "" if att.get("local_path") else " — not downloaded yet"
        items.append(f'<a href="attachment:{int(att["id"])}">📎 {name}</a> '
                     f'<span style="color:#666">{_size(att.get("size"))}{state}</span>')
    return "<br>".join(items)


def comment_html(comment: dict, author: dict | None, requester_id: int | None) -> str:
    """One comment card."""
    name = html.escape((author or {}).get("name") or f"user #{comment.get('author_id')}")
    if not comment.get("public", True):
        label, background = "Internal note", NOTE_BACKGROUND
    elif comment.get("author_id") == requester_id:
        label, background = "Customer", CUSTOMER_BACKGROUND
    else:
        label, background = "Public reply", AGENT_BACKGROUND
    body = (sanitize_comment_html(comment.get("html_body")) if comment.get("html_body")
            else text_to_html(comment.get("body")))
    files = attachment_links(comment.get("attachments") or [])
    border = NOTE_BORDER if label == "Internal note" else "#c9d3de"
    return (
        f'<table width="100%" cellspacing="0" cellpadding="8" style="margin-bottom:10px; '
        f'background-color:{background}; border:1px solid {border}; color:{INK}">'
        f'<tr><td style="color:{INK}"><b>{name}</b> &nbsp;<span style="color:#555">{label} · '
        f'{_when(comment.get("created_at"))}</span>'
        f'<div style="color:{INK}">{body}</div>'
        + (f'<div style="margin-top:6px">{files}</div>' if files else "")
        + "</td></tr></table>"
    )


def thread_html(comments: list[dict], users: dict[int, dict], requester_id: int | None) -> str:
    """The whole thread, oldest first (the cache returns it in that order)."""
    if not comments:
        return '<p style="color:#777">No comments in the cache yet; they arrive with the next sync.</p>'
    return "".join(comment_html(c, users.get(c.get("author_id")), requester_id) for c in comments)


def load_ticket_details(reader, ticket_id: int) -> dict | None:
    """Everything the ticket pane shows, from indexed cache reads; None when not cached."""
    ticket = reader.ticket(ticket_id)
    if ticket is None:
        return None
    comments = reader.comments_for_ticket(ticket_id)
    people = {c["author_id"] for c in comments if c.get("author_id")}
    people |= {p for p in (ticket.get("requester_id"), ticket.get("assignee_id")) if p}
    users = reader.users_by_ids(sorted(people))
    return {"ticket": ticket, "comments": comments, "users": users,
            "requester": users.get(ticket.get("requester_id"))}
