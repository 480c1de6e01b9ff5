"""The ticket thread as one safe HTML document (no Qt).

``thread_html(comments, users, requester_id, colours)`` renders comments oldest first: customer
and agent replies on their own cards, internal notes on an amber-tinted card with a thick amber
edge and an "Internal note" label. ``colours`` is the current theme's ``Colours``
(``console.views.theme.colours()``; any object with the same attributes), so the thread is
readable in light and dark themes. Comment HTML is sanitized by ``console.domain.html`` (no
scripts, no remote images); plain bodies are escaped. Attachments link to ``attachment:<id>``
so the pane can open the cached file.
"""

from __future__ import annotations

import html

from console.domain.html import sanitize_comment_html, text_to_html
from console.domain.sla import parse_api_time

NOTE_LABEL = "Internal note"


def _when(value: str | None) -> str:
    moment = parse_api_time(value)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def _size(n: int | None) -> str:
    if not n:
        return ""
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def attachment_links(attachments: list[dict], muted: str) -> str:
    items = []
    for att in attachments:
        name = html.escape(att.get("file_name") or f"attachment {att.get('id')}")
        state = "" if att.get("local_path") else " — not downloaded yet"
        items.append(f'<a href="attachment:{int(att["id"])}">📎 {name}</a> '
                     f'<span style="color:{muted}">{_size(att.get("size"))}{state}</span>')
    return "<br>".join(items)


def comment_html(comment: dict, author: dict | None, requester_id: int | None, colours) -> str:
    """One comment card, coloured from ``colours`` (a theme's ``Colours``)."""
    c = colours
    name = html.escape((author or {}).get("name") or f"user #{comment.get('author_id')}")
    note = not comment.get("public", True)
    if note:
        background, border = c.note_card, f"3px solid {c.note_border}"
        label_html = f'<b style="color:{c.note_label}">{NOTE_LABEL}</b>'
    else:
        label = "Customer" if comment.get("author_id") == requester_id else "Public reply"
        background = c.customer_card if label == "Customer" else c.agent_card
        border, label_html = f"1px solid {c.card_border}", label
    body = (sanitize_comment_html(comment.get("html_body")) if comment.get("html_body")
            else text_to_html(comment.get("body")))
    files = attachment_links(comment.get("attachments") or [], c.card_muted)
    return (
        f'<table width="100%" cellspacing="0" cellpadding="8" style="margin-bottom:10px; '
        f'background-color:{background}; border:{border}; color:{c.card_ink}">'
        f'<tr><td style="color:{c.card_ink}"><b>{name}</b> &nbsp;<span style="color:{c.card_muted}">'
        f'{label_html} · {_when(comment.get("created_at"))}</span>'
        f'<div style="color:{c.card_ink}">{body}</div>'
        + (f'<div style="margin-top:6px">{files}</div>' if files else "")
        + "</td></tr></table>"
    )


def thread_html(comments: list[dict], users: dict[int, dict], requester_id: int | None, colours) -> str:
    """The whole thread, oldest first (the cache returns it in that order)."""
    if not comments:
        return (f'<p style="color:{colours.muted}">No comments in the cache yet; '
                "they arrive with the next sync.</p>")
    return "".join(comment_html(c, users.get(c.get("author_id")), requester_id, colours) for c in comments)


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
