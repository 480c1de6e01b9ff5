"""The ticket thread as one safe HTML document (no Qt).

``thread_html(comments, users, requester_id, colours)`` renders comments oldest first: customer
and agent replies on their own cards, internal notes on an amber-tinted card with a thick amber
edge and an "Internal note" label. ``colours`` is the current theme's ``Colours``
(``console.views.theme.colours()``; any object with the same attributes), so the thread is
readable in light and dark themes. Comment HTML is sanitized by ``console.domain.html`` (no
scripts, no remote images); plain bodies are escaped. Attachments link to ``attachment:<id>``
so the pane can open the cached file; downloaded images also show inline as ``cached-image:<id>``,
which the pane resolves to the cached file only (``inline_images``), never to anything remote.
Each card says how the message came ("via email", "via voice"). A card whose message came with
details (addresses, the client, IP address and place it was written from) has a "Details" link
(``comment-details:<id>``) that opens them under its header; one whose original ``body`` says more than
the text shown (an email's quoted trail) has "Show original" (``comment-original:<id>``), which shows
that original text instead. ``thread_html(..., opened=Opened(...))`` says which cards have them open.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from console.domain.attachments import shows_inline
from console.domain.channels import channel_of, message_details
from console.domain.html import sanitize_comment_html, text_to_html
from console.domain.sla import parse_api_time

NOTE_LABEL = "Internal note"
DETAILS_SCHEME, ORIGINAL_SCHEME = "comment-details", "comment-original"


@dataclass(frozen=True)
class Opened:
    """Comment ids whose details, and whose original body, the agent opened."""

    details: frozenset[int] = field(default_factory=frozenset)
    originals: frozenset[int] = field(default_factory=frozenset)
INLINE_WIDTH = 320   # a received image is shown this wide in the thread (click: open it)


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
        if att.get("local_path") and shows_inline(att):   # from the cache only (the pane loads cached-image:)
            items.append(f'<a href="attachment:{int(att["id"])}"><img src="cached-image:{int(att["id"])}" '
                         f'width="{INLINE_WIDTH}"></a>')
    return "<br>".join(items)


def inline_images(comments: list[dict]) -> dict[int, str]:
    """Attachment id → cached file of each image shown inline (what the pane may load)."""
    return {int(a["id"]): a["local_path"] for c in comments for a in c.get("attachments") or []
            if a.get("local_path") and isinstance(a.get("id"), int) and shows_inline(a)}


def _toggles(comment: dict, opened: Opened, muted: str) -> tuple[str, str]:
    """(the header's links, the details block) of one card."""
    comment_id = comment.get("id")
    if not isinstance(comment_id, int):
        return "", ""
    links, block = [], ""
    details = message_details(comment)
    if details:
        links.append(f'<a href="{DETAILS_SCHEME}:{comment_id}">'
                     f'{"Hide details" if comment_id in opened.details else "Details"}</a>')
        if comment_id in opened.details:
            rows = "".join(f'<tr><td style="color:{muted}; padding-right:8px">{html.escape(label)}</td>'
                           f"<td>{html.escape(value)}</td></tr>" for label, value in details)
            block = f'<table cellspacing="0" cellpadding="1" style="margin-top:4px">{rows}</table>'
    if comment.get("original_body"):
        links.append(f'<a href="{ORIGINAL_SCHEME}:{comment_id}">'
                     f'{"Hide original" if comment_id in opened.originals else "Show original"}</a>')
    return (" &nbsp;" + " · ".join(links)) if links else "", block


def comment_html(comment: dict, author: dict | None, requester_id: int | None, colours,
                 opened: Opened | None = None) -> str:
    """One comment card, coloured from ``colours`` (a theme's ``Colours``)."""
    opened = opened or Opened()
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
    original = comment.get("original_body") if comment.get("id") in opened.originals else None
    if original:   # the body as it came (text: escaped, never rendered)
        body = (f'<div style="color:{c.card_muted}"><i>Original as received:</i></div>'
                + text_to_html(original))
    elif comment.get("safe_html") is not None:   # sanitized off the GUI thread (console.ops.tickets)
        body = comment["safe_html"]
    elif comment.get("html_body"):
        body = sanitize_comment_html(comment.get("html_body"))
    else:
        body = text_to_html(comment.get("body"))
    files = attachment_links(comment.get("attachments") or [], c.card_muted)
    via = comment.get("via") if isinstance(comment.get("via"), dict) else {}
    channel = channel_of(via, via.get("comment_type"))
    label_html += f" · via {html.escape(channel)}" if channel else ""
    links, details = _toggles(comment, opened, c.card_muted)
    return (
        f'<table width="100%" cellspacing="0" cellpadding="8" style="margin-bottom:10px; '
        f'background-color:{background}; border:{border}; color:{c.card_ink}">'
        f'<tr><td style="color:{c.card_ink}"><b>{name}</b> &nbsp;<span style="color:{c.card_muted}">'
        f'{label_html} · {_when(comment.get("created_at"))}</span>{links}{details}'
        f'<div style="color:{c.card_ink}">{body}</div>'
        + (f'<div style="margin-top:6px">{files}</div>' if files else "")
        + "</td></tr></table>"
    )


OUTBOX_STATES = {   # state -> (label, colour role)
    "queued": ("Queued — goes out by itself when the helpdesk answers", "warning"),
    "sending": ("Sending…", "info"),
    "sent": ("Sent", "ok"),
    "failed": ("Not sent", "error"),
    "conflict": ("Not sent: the ticket changed meanwhile — see Conflicts", "error"),
}


def _local_time(epoch: float) -> str:
    from datetime import datetime

    when = datetime.fromtimestamp(epoch)
    same_day = when.date() == datetime.now().date()
    return f"{when:%H:%M:%S}" if same_day and epoch - datetime.now().timestamp() < 3600 else \
        (f"{when:%H:%M}" if same_day else f"{when:%a %d %b %H:%M}")


def outbox_card_html(entry, author: dict | None, colours) -> str:
    """A reply or note the agent sent that is not in the thread yet, with its state."""
    c = colours
    note = entry.kind == "note"
    label, role = OUTBOX_STATES.get(entry.state, (entry.state, "muted"))
    if entry.state == "failed" and entry.retry_at:
        label = "Not sent yet — retrying"
    elif entry.state == "queued" and entry.retry_at and not entry.attempts:   # undo-send grace or send later
        label = f"Waits until {_local_time(entry.retry_at)} — Undo (Ctrl+Z) or edit it in the Outbox"
    colour = getattr(c, role)
    detail = f'<br><span style="color:{c.card_muted}">{html.escape(entry.last_error)}</span>' \
        if entry.last_error and entry.state in ("failed", "conflict") else ""
    background = c.note_card if note else c.agent_card
    border = f"3px solid {c.note_border}" if note else f"1px dashed {colour}"
    kind = f'<b style="color:{c.note_label}">{NOTE_LABEL}</b>' if note else "Your reply"
    name = html.escape((author or {}).get("name") or "You")
    body = entry.payload.get("html_body") and sanitize_comment_html(entry.payload["html_body"]) \
        or text_to_html(str(entry.payload.get("body") or ""))
    return (
        f'<table width="100%" cellspacing="0" cellpadding="8" style="margin-bottom:10px; '
        f'background-color:{background}; border:{border}; color:{c.card_ink}">'
        f'<tr><td style="color:{c.card_ink}"><b>{name}</b> &nbsp;<span style="color:{c.card_muted}">{kind}</span>'
        f' &nbsp;<b style="color:{colour}">{html.escape(label)}</b>{detail}'
        f'<div style="color:{c.card_ink}">{body}</div></td></tr></table>'
    )


def thread_html(comments: list[dict], users: dict[int, dict], requester_id: int | None, colours,
                pending: list | None = None, me: int | None = None, opened: Opened | None = None) -> str:
    """The whole thread, oldest first (the cache returns it in that order), then the agent's
    replies still on their way (``pending``: outbox entries) with their state."""
    cards = [outbox_card_html(e, users.get(me) if me else None, colours) for e in pending or []]
    if not comments and not cards:
        return (f'<p style="color:{colours.muted}">No comments in the cache yet; '
                "they arrive with the next sync.</p>")
    return "".join(comment_html(c, users.get(c.get("author_id")), requester_id, colours, opened)
                   for c in comments) \
        + "".join(cards)
