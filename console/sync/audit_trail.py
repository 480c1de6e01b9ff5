"""Reading a ticket's audits after a 409: what did *someone else* change since the version an
outbox entry was written against? (helpdesk-api.md §3.7, §14, §19.7; DESIGN.md invariant 3.)

The version an entry saw is its ``updated_stamp``. The answer is decided from audit ids and the
audits' own events, never by comparing second-resolution times with ``<=``:

1. **Ours are not theirs.** An audit whose ``metadata.custom.console_op_id`` is one of this
   cache's own outbox entries was written by this console; it never counts as another agent's.
2. **The boundary is an audit id.** Audits are ordered by id; the entry saw every audit up to the
   one that made its version, and none after it:
   - if one of our own deliveries produced the stamp (its PUT answer said so), that delivery's
     audit id is the boundary, exactly;
   - else the audit that made the version is the one whose ``created_at`` *is* the stamp (Zendesk
     and the embedded helpdesk write a version's audit with the version's own ``updated_at``).
     When several audits carry that same second (a real Zendesk can do that), only the first is
     taken as seen: the later ones might have landed after the agent looked, and guessing
     "seen" there is how changes get lost, while guessing "unseen" at worst shows the agent a
     conflict to resolve.
3. **Values back it up.** When the cache still holds the version the entry saw, a touched field
   whose value the helpdesk now has differently, and that none of our own audits changed, is
   someone else's change whatever the audits say.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

COMMENT = "comment"


def op_id_of(audit: dict) -> str | None:
    custom = (audit.get("metadata") or {}).get("custom") or {}
    value = custom.get("console_op_id") if isinstance(custom, dict) else None
    return value if isinstance(value, str) else None


def fields_changed(audit: dict) -> set[str]:
    """Field names an audit changed, plus "comment" when it added one. A custom field's event is
    named by the field's id on Zendesk; it counts as ``custom_fields``."""
    changed: set[str] = set()
    for event in _events(audit):
        if event.get("type") == "Change" and event.get("field_name"):
            name = str(event["field_name"])
            changed.add("custom_fields" if name.isdigit() else name)
        elif event.get("type") == "Comment":
            changed.add(COMMENT)
    return changed


def comments_of(audit: dict) -> list[dict]:
    """The audit's Comment events as comment objects (an audit's comment has the audit's time, channel
    and metadata)."""
    out = []
    for event in _events(audit):
        if event.get("type") == "Comment" and isinstance(event.get("id"), int):
            comment = {k: v for k, v in event.items() if k != "type"}
            comment.setdefault("created_at", audit.get("created_at"))
            comment.setdefault("via", audit.get("via"))
            comment.setdefault("audit_id", audit.get("id"))
            comment.setdefault("metadata", audit.get("metadata"))   # a comment's metadata is its audit's
            out.append(comment)
    return out


def _events(audit: dict) -> list[dict]:
    events = audit.get("events")
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []


def _makes_version(audit: dict) -> bool:
    return any(e.get("type") in ("Create", "Change", "Comment") for e in _events(audit))


def _audit_id(audit: dict) -> int:
    value = audit.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


@dataclass(frozen=True)
class Since:
    """What happened on the ticket after the version an entry saw."""

    theirs: frozenset[str]   # fields (and "comment") other agents changed
    ours: frozenset[str]     # fields our own later deliveries changed
    unseen: tuple[int, ...]  # ids of the audits the entry's agent did not see


def changes_since(audits: Iterable[dict], stamp: str | None, *, own_ops: set[str],
                  own_boundary: int | None = None) -> Since:
    """Sort the audits after ``stamp`` into theirs and ours (see the module docstring).

    ``own_boundary`` is the audit id of our own delivery whose answer carried ``stamp``, if any.
    Without any way to place the stamp (no stamp at all) every audit counts as unseen.
    """
    ordered = sorted((a for a in audits if isinstance(a, dict)), key=_audit_id)
    boundary = own_boundary if own_boundary is not None else _boundary(ordered, stamp)
    theirs: set[str] = set()
    ours: set[str] = set()
    unseen = []
    for audit in ordered:
        if _audit_id(audit) <= boundary:
            continue
        unseen.append(_audit_id(audit))
        (ours if op_id_of(audit) in own_ops else theirs).update(fields_changed(audit))
    return Since(frozenset(theirs), frozenset(ours), tuple(unseen))


def _boundary(ordered: list[dict], stamp: str | None) -> int:
    """Id of the last audit the entry's agent certainly saw (-1: none)."""
    version = _epoch(stamp)
    if version is None:
        return -1
    seen = -1
    for audit in ordered:
        created = _epoch(audit.get("created_at"))
        if created is None or created > version:
            break  # unreadable or later: not seen, and neither is anything after it
        if created < version:
            seen = _audit_id(audit)
        elif _makes_version(audit):
            return _audit_id(audit)  # the first audit of the version's second made the version
    return seen


def _epoch(text: object) -> int | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def value_changes(seen: dict | None, current: dict, fields: Iterable[str]) -> set[str]:
    """Touched fields whose value on the helpdesk differs from the version the agent saw."""
    if not isinstance(seen, dict):
        return set()
    return {f for f in fields if f != COMMENT and f in current and _norm(seen.get(f)) != _norm(current.get(f))}


def _norm(value: object) -> object:
    if isinstance(value, list):
        try:
            return sorted(value)
        except TypeError:
            return value
    return value
