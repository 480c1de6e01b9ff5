"""Turn API-shaped objects (helpdesk-api.md §3.1, §4.1, §6.5, §7.1, §8, §9.1, §10.1) into rows.

Each function takes one API dict and returns the tuple for the matching INSERT in
``writer.py``; a dict missing what the cache needs, or holding a value of the wrong type or a
timestamp that is not one, raises ``BadPayloadError`` (the writer quarantines that one record).
What can be kept is kept: a status the cache does not know (real helpdesks add values) is stored
as it came, ranked ``OTHER_STATUS_RANK``; odd tags are read as well as they can be.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from typing import Any

import orjson

from console.domain import statuses
from console.domain.channels import SYSTEM_DETAILS
from console.domain.html import comment_html_from_text

from .records import BadPayloadError

STATUS_RANK = {**statuses.STATUS_RANK, "deleted": 9}  # new 0 .. closed 5 (the domain's order), deleted 9
OTHER_STATUS_RANK = 6  # a status the cache does not know: after closed, before deleted
PRIORITY_RANK = statuses.PRIORITY_RANK  # none 0, low 1 .. urgent 4

TICKET_COLUMNS = ("id", "subject", "status", "status_rank", "priority", "priority_rank", "type",
                  "requester_id", "submitter_id", "assignee_id", "group_id", "organization_id",
                  "external_id", "tags", "created_at", "updated_at", "generated_ts", "deleted", "raw")
COMMENT_COLUMNS = ("id", "ticket_id", "author_id", "public", "body", "html_body", "created_at",
                   "attachments", "audit_id", "via", "raw")
USER_COLUMNS = ("id", "name", "email", "username", "role", "active", "organization_id",
                "user_fields", "updated_at", "raw")
ATTACHMENT_COLUMNS = ("id", "comment_id", "ticket_id", "file_name", "content_type", "size",
                      "content_url", "inline")

_TAG_RE = re.compile(r"<[^>]*>")

# ``raw`` keeps only what the columns do not: the keys below are put back from the columns on
# read (``ticket_from_row``/``user_from_row``), so the cache holds each value once.
TICKET_SOURCE = ("id", "subject", "status", "priority", "type", "requester_id", "submitter_id", "assignee_id",
                 "group_id", "organization_id", "external_id", "tags", "created_at", "updated_at",
                 "generated_ts", "raw")
USER_SOURCE = ("id", "name", "email", "role", "active", "organization_id", "user_fields", "updated_at", "raw")
# ``comments.html_body`` is '' when it is exactly ``comment_html_from_text(body)`` (what Zendesk
# gives a plain-text comment); NULL when the helpdesk sent none (or an empty one).
DERIVED_HTML = ""
_ZD_COMMENT = '<div class="zd-comment" dir="auto">'
ABSENT = "_absent"  # in a slim ``raw``: the keys the API object did not have


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def loads(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def plain(row: tuple) -> tuple:
    """``row`` if every value is one SQLite can store (None, int, float, str), else BadPayloadError."""
    for value in row:
        if value is not None and not isinstance(value, int | float | str):
            raise BadPayloadError(f"A record of id {row[0]!r} holds a {type(value).__name__} where a value belongs")
    return row


def _id(obj: Any, what: str, key: str = "id") -> int:
    if not isinstance(obj, dict):
        raise BadPayloadError(f"Expected a {what} object, got {type(obj).__name__}")
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadPayloadError(f"A {what} has no valid '{key}': {value!r}")
    return value


def epoch(iso: str | None) -> int:
    """Epoch seconds of an API timestamp (``2025-10-03T11:40:51Z``); 0 when missing."""
    if not iso:
        return 0
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
    except ValueError as exc:
        raise BadPayloadError(f"Not a timestamp: {iso!r}") from exc


def _text(obj: dict, key: str, what: str, default: str | None = None) -> str | None:
    value = obj.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadPayloadError(f"{what} has a {key} that is not text: {value!r:.60}")
    return value


def _ref(obj: dict, key: str, what: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadPayloadError(f"{what} has a {key} that is not an id: {value!r:.60}")
    return value


def _time(obj: dict, key: str, what: str) -> str | None:
    value = _text(obj, key, what)
    if value:
        try:
            epoch(value)
        except BadPayloadError:
            raise BadPayloadError(f"{what} has a {key} that is not a timestamp: {value!r:.60}") from None
    return value


def _tags(value: Any) -> list[str]:
    """Tags as well as they can be read: a list of words (a space-separated string is split)."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(t) for t in value if isinstance(t, str | int | float) and not isinstance(t, bool)]
    return []


def _custom_fields(value: Any) -> list[dict]:
    """Custom fields as ``[{"id": int, "value": ...}]`` (one object alone is read as a list of one)."""
    items = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("id"), int) and not isinstance(i["id"], bool)]


def ticket_row(ticket: dict[str, Any]) -> tuple:
    """Row for ``tickets``; the version is ``generated_timestamp`` (else ``updated_at``: a write's
    answer carries none, or a 0 that must not demote the row)."""
    ticket_id = _id(ticket, "ticket")
    what = f"Ticket {ticket_id}"
    status = _text(ticket, "status", what) or "open"
    priority = _text(ticket, "priority", what)
    updated_at = _time(ticket, "updated_at", what)
    created_at = _time(ticket, "created_at", what)
    version = ticket.get("generated_timestamp")
    if isinstance(version, bool) or not isinstance(version, int) or version <= 0:
        version = epoch(updated_at)
    tags = _tags(ticket.get("tags"))
    fields = _custom_fields(ticket.get("custom_fields"))
    if tags != ticket.get("tags") or fields != ticket.get("custom_fields"):
        ticket = {**ticket, "tags": tags, "custom_fields": fields}  # what every reader of raw can rely on
    columns = (ticket_id, _text(ticket, "subject", what) or "", status, STATUS_RANK.get(status, OTHER_STATUS_RANK),
               priority, PRIORITY_RANK.get(priority, 0), _text(ticket, "type", what),
               _ref(ticket, "requester_id", what), _ref(ticket, "submitter_id", what),
               _ref(ticket, "assignee_id", what), _ref(ticket, "group_id", what),
               _ref(ticket, "organization_id", what), _scalar_text(ticket.get("external_id")),
               " " + " ".join(tags) + " ", created_at, updated_at, version, int(status == "deleted"))
    restored = _ticket_from_columns(columns[0], columns[1], status, priority, *columns[6:16], version)
    return (*columns, dumps(_slim(ticket, restored)))


def _scalar_text(value: Any) -> str | None:
    return None if value is None else str(value) if isinstance(value, str | int) else None


def _ticket_from_columns(ticket_id, subject, status, priority, kind, requester_id, submitter_id, assignee_id,
                         group_id, organization_id, external_id, tags, created_at, updated_at,
                         version) -> dict[str, Any]:
    return {"id": ticket_id, "subject": subject, "raw_subject": subject, "status": status, "priority": priority,
            "type": kind, "requester_id": requester_id, "submitter_id": submitter_id, "assignee_id": assignee_id,
            "group_id": group_id, "organization_id": organization_id, "external_id": external_id,
            "tags": tags.split(), "created_at": created_at, "updated_at": updated_at,
            "generated_timestamp": version}


def ticket_from_row(values: tuple) -> dict[str, Any]:
    """The API ticket from the ``TICKET_SOURCE`` columns of a row (a full ``raw`` works too)."""
    return _restore(loads(values[-1]), _ticket_from_columns(*values[:-1]))


def slim_ticket_raw(values: tuple) -> str:
    """``raw`` of a stored ticket (``TICKET_SOURCE`` columns) without what its columns give back."""
    return dumps(_reslim(loads(values[-1]), _ticket_from_columns(*values[:-1])))


def slim_user_raw(values: tuple) -> str:
    """``raw`` of a stored user (``USER_SOURCE`` columns) without what its columns give back."""
    user_id, name, email, role, active, organization_id, user_fields, updated_at, raw = values
    return dumps(_reslim(loads(raw), _user_from_columns(user_id, name, email, role, active, organization_id,
                                                        loads(user_fields), updated_at)))


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _slim(obj: dict[str, Any], restored: dict[str, Any]) -> dict[str, Any]:
    """``obj`` without the keys whose values ``restored`` gives back exactly (and ``fields``,
    Zendesk's read duplicate of ``custom_fields``); keys ``obj`` lacks are named in ``_absent``
    so that reading it back gives ``obj`` exactly."""
    slim = {k: v for k, v in obj.items() if k not in restored or not _same(restored[k], v)}
    if "fields" in slim and "custom_fields" in obj and _same(slim["fields"], obj["custom_fields"]):
        del slim["fields"]
    copied = ("fields",) if "custom_fields" in obj else ()
    absent = [k for k in (*restored, *copied) if k not in obj]
    if absent:
        slim[ABSENT] = absent
    return slim


def _reslim(raw: dict[str, Any], restored: dict[str, Any]) -> dict[str, Any]:
    """A stored ``raw`` made slim: a full one (the previous schema's, it has ``id``) as it is; a slim
    one (never ``id``: the column always gives it back) stays as it is."""
    return _slim(raw, restored) if "id" in raw else raw


def _restore(slim: dict[str, Any], restored: dict[str, Any]) -> dict[str, Any]:
    full = {**restored, **slim}
    if "fields" not in full and "custom_fields" in full:
        full["fields"] = full["custom_fields"]
    for key in full.pop(ABSENT, ()):
        full.pop(key, None)
    return full


def comment_row(comment: dict[str, Any], ticket_id: int) -> tuple:
    """Row for ``comments``; ``body`` is the plain text."""
    comment_id = _id(comment, "comment")
    what = f"Comment {comment_id}"
    body = _text(comment, "plain_body", what) or _text(comment, "body", what) or ""
    via = comment.get("via")
    kind = comment.get("type")
    if isinstance(kind, str) and kind != "Comment":   # VoiceComment: kept with how it came
        via = {**(via if isinstance(via, dict) else {}), "comment_type": kind}
    attachments = comment.get("attachments") or []
    if not isinstance(attachments, list):
        raise BadPayloadError(f"{what} has attachments that are not a list")
    return (comment_id, ticket_id, _ref(comment, "author_id", what), int(bool(comment.get("public", True))),
            body, stored_html(body, _text(comment, "html_body", what)), _time(comment, "created_at", what),
            dumps(attachments), _ref(comment, "audit_id", what), None if via is None else dumps(via),
            comment_raw(comment, body, what))


def comment_raw(comment: dict[str, Any], text: str, what: str) -> str | None:
    """``comments.raw``: the original ``body`` when it says more than the plain ``text`` (not just other
    spacing), and the ``metadata.system`` details the agent can open (``channels.SYSTEM_DETAILS``); None
    when there is neither."""
    extra: dict[str, Any] = {}
    original = _text(comment, "body", what)
    if original and original.split() != text.split():
        extra["body"] = original
    metadata = comment.get("metadata")
    system = metadata.get("system") if isinstance(metadata, dict) else None
    kept = {k: system[k] for k, _label in SYSTEM_DETAILS if system.get(k)} if isinstance(system, dict) else {}
    if kept:   # only what the agent is shown (no coordinates, no custom keys): ~100 bytes a message
        extra["metadata"] = {"system": kept}
    return dumps(extra) if extra else None


def stored_html(body: str, html_body: Any) -> str | None:
    """``html_body`` as the cache keeps it (``DERIVED_HTML`` when the body's rendering says it all)."""
    if not html_body or not isinstance(html_body, str):
        return None
    if html_body.startswith(_ZD_COMMENT) and html_body == comment_html_from_text(body):
        return DERIVED_HTML
    return html_body


def html_body_of(body: str, stored: str | None) -> str | None:
    """The comment's ``html_body`` back from what ``stored_html`` kept."""
    return comment_html_from_text(body) if stored == DERIVED_HTML else stored


def attachment_rows(comment: dict[str, Any], ticket_id: int) -> list[tuple]:
    rows = []
    for att in comment.get("attachments") or []:
        what = f"Attachment {_id(att, 'attachment')}"
        rows.append((att["id"], comment["id"], ticket_id, _text(att, "file_name", what),
                     _text(att, "content_type", what), _ref(att, "size", what), _text(att, "content_url", what),
                     int(bool(att.get("inline")))))
    return rows


def user_row(user: dict[str, Any]) -> tuple:
    user_id = _id(user, "user")
    what = f"User {user_id}"
    fields = user.get("user_fields") or {}
    username = fields.get("username") if isinstance(fields, dict) else None
    name, role = _text(user, "name", what) or "", _text(user, "role", what) or "end-user"
    email, active, organization_id = _text(user, "email", what), user.get("active", True) is not False, \
        _ref(user, "organization_id", what)
    updated_at = _time(user, "updated_at", what)
    restored = _user_from_columns(user_id, name, email, role, int(active), organization_id, fields, updated_at)
    return (user_id, name, email, username if isinstance(username, str) else None, role, int(active),
            organization_id, dumps(fields), updated_at, dumps(_slim(user, restored)))


def _user_from_columns(user_id, name, email, role, active, organization_id, user_fields, updated_at) -> dict:
    return {"id": user_id, "name": name, "email": email, "role": role, "active": bool(active),
            "organization_id": organization_id, "user_fields": user_fields, "updated_at": updated_at}


def user_from_row(values: tuple) -> dict[str, Any]:
    """The API user from the ``USER_SOURCE`` columns of a row (a full ``raw`` works too)."""
    user_id, name, email, role, active, organization_id, user_fields, updated_at, raw = values
    return _restore(loads(raw), _user_from_columns(user_id, name, email, role, active, organization_id,
                                                   loads(user_fields), updated_at))


def group_row(group: dict[str, Any]) -> tuple:
    return (_id(group, "group"), group.get("name") or "", group.get("description"),
            int(bool(group.get("deleted"))), dumps(group))


def custom_status_row(status: dict[str, Any]) -> tuple:
    status_id = _id(status, "custom status")
    category = status.get("status_category")
    if not isinstance(category, str) or not category:
        raise BadPayloadError(f"Custom status {status_id} has no status_category")
    label = status.get("agent_label")
    return (status_id, category, label if isinstance(label, str) and label else category,
            int(bool(status.get("active", True))), int(bool(status.get("default"))), dumps(status))


def named_row(item: dict[str, Any], what: str) -> tuple:
    """Row for ``brands`` / ``ticket_forms``: id, name, active, default, raw."""
    item_id = _id(item, what)
    name = item.get("name")
    return (item_id, name if isinstance(name, str) and name else f"{what} {item_id}",
            int(bool(item.get("active", True))), int(bool(item.get("default"))), dumps(item))


def membership_row(membership: dict[str, Any]) -> tuple:
    membership_id = _id(membership, "group membership")
    _id(membership, "group membership", "user_id")
    _id(membership, "group membership", "group_id")
    return (membership_id, membership["user_id"], membership["group_id"], int(bool(membership.get("default"))))


def macro_row(macro: dict[str, Any]) -> tuple:
    """Row for ``macros``: the reply text comes from the comment actions, tags stripped."""
    macro_id = _id(macro, "macro")
    texts = []
    for action in macro.get("actions") or []:
        if isinstance(action, dict) and action.get("field") in ("comment_value", "comment_value_html"):
            value = action.get("value")
            if isinstance(value, list):
                value = value[-1] if value else ""
            texts.append(unescape(_TAG_RE.sub(" ", str(value or ""))))
    restriction = macro.get("restriction") or {}
    ids = restriction.get("ids") or ([restriction["id"]] if restriction.get("id") is not None else [])
    return (macro_id, macro.get("title") or "", " ".join(" ".join(texts).split()),
            int(macro.get("active", True) is not False), macro.get("position"),
            restriction.get("type"), dumps(ids), dumps(macro))


def view_row(view: dict[str, Any]) -> tuple:
    view_id = _id(view, "view")
    conditions = view.get("conditions") or {"all": view.get("all") or [], "any": view.get("any") or []}
    return (view_id, view.get("title") or "", int(view.get("active", True) is not False),
            view.get("position"), dumps(conditions), dumps(view.get("execution") or {}), dumps(view))


def ticket_field_row(field: dict[str, Any]) -> tuple:
    field_id = _id(field, "ticket field")
    kind = field.get("type")
    if not isinstance(kind, str) or not kind:
        raise BadPayloadError(f"Ticket field {field_id} has no type")
    return (field_id, kind, field.get("title") or "", int(field.get("active", True) is not False),
            field.get("position"), dumps(field))


def user_field_row(field: dict[str, Any]) -> tuple:
    field_id = _id(field, "user field")
    return (field_id, field.get("key") or "", field.get("type"), field.get("title"),
            int(field.get("active", True) is not False), field.get("position"),
            dumps(field.get("custom_field_options") or []), dumps(field))
