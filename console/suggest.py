"""Suggestions for one cached ticket: its department and its ranked canned replies.

``TicketSuggestions.for_ticket(reader, ticket_id, now=..., me=...)`` reads what the ranking needs
from the cache (the ticket, its requester and thread, the departments, every cached macro, this
console's canned-reply usage) and returns the department ``Suggestion``, the ``RankedReply`` list
and the ``TicketFacts``. A caller ranking many tickets builds the ``ReplyCatalog`` and reads the
usage once (``catalog=``, ``usage=``). Blocking (SQLite): run it off the GUI thread.

``support-console suggest --cache CACHE --ticket ID --json`` prints::

    {"department": NAME or null, "department_confidence": 0..1,
     "replies": [{"id": MACRO_ID, "title": TITLE, "score": FLOAT, "warnings": [TEXT, ...]}, ...]}

ranked, best first; exit 2 with one line on stderr for an unknown cache or ticket.

``policy_state(reader, ticket)``: the account's policy badges for a cached ticket (what the send
guard checks a reply's text against, ``contradicted_promises``). ``misrouted_ticket_ids(reader)``:
the unsolved tickets whose department the suggestion confidently puts elsewhere.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from console.domain.account import account_from_user
from console.domain.policies import PolicyBadge, policy_badges
from console.domain.ranking import (
    RankedReply,
    TicketFacts,
    UsageRecord,
    department_suggestion,
    rank_replies,
    ticket_facts,
)
from console.domain.reply_catalog import ReplyCatalog
from console.domain.triage import Suggestion, probably_misrouted

MISROUTED_LIMIT = 2000   # the most recently updated unsolved tickets the misrouted queue looks at


@dataclass(frozen=True)
class TicketSuggestions:
    ticket_id: int
    department: Suggestion
    replies: list[RankedReply]
    facts: TicketFacts

    @classmethod
    def for_ticket(cls, reader, ticket_id: int, *, now: datetime | None = None, me: int | None = None,
                   catalog: ReplyCatalog | None = None, usage: list[UsageRecord] | None = None,
                   language: str | None = None, ticket: dict | None = None) -> TicketSuggestions | None:
        """None when the ticket is not in the cache. ``ticket``: the ticket as shown (e.g. with the
        field changes still queued applied), instead of the cached row."""
        ticket = ticket if ticket is not None else reader.ticket(ticket_id)
        if ticket is None:
            return None
        now = now or datetime.now(UTC)
        catalog = catalog or build_catalog(reader)
        usage = read_usage(reader) if usage is None else usage
        requester_id = ticket.get("requester_id")
        requester = reader.user(requester_id) if requester_id is not None else None
        comments = reader.comments_for_ticket(ticket_id)
        facts = ticket_facts(ticket, requester, comments, catalog.group_names, now=now)
        replies = rank_replies(catalog, ticket, requester, comments, history=usage, now=now, me=me, facts=facts,
                               language=language)
        return cls(ticket_id, facts.suggestion, replies, facts)

    def as_json(self) -> dict:
        return {"department": self.department.name,
                "department_confidence": self.department.confidence,
                "replies": [{"id": r.macro_id, "title": r.title, "score": r.score, "warnings": list(r.warnings)}
                            for r in self.replies]}


def build_catalog(reader) -> ReplyCatalog:
    groups = {g["id"]: g.get("name") or "" for g in reader.groups(include_deleted=True)}
    return ReplyCatalog.from_macros(reader.all_macros(), groups)


def read_usage(reader) -> list[UsageRecord]:
    return [UsageRecord(macro_id, group_id, tuple(tags), count)
            for macro_id, group_id, tags, count in reader.canned_reply_usage()]


def policy_state(reader, ticket: dict, now: datetime | None = None) -> tuple[list[PolicyBadge], bool | None]:
    """The account's policy badges for a cached ticket, and whether the requester has an account
    (None: requester unknown), as the send guard and the picker judge replies by them."""
    requester_id = ticket.get("requester_id")
    requester = reader.user(requester_id) if requester_id is not None else None
    group_id = ticket.get("group_id")
    department = next((g.get("name") for g in reader.groups(include_deleted=True) if g.get("id") == group_id), None)
    badges = policy_badges(ticket, requester, department, reader.comments_for_ticket(ticket["id"]),
                           now=now or datetime.now(UTC))
    return badges, (None if requester is None else account_from_user(requester) is not None)


def misrouted_ticket_ids(reader, limit: int = MISROUTED_LIMIT) -> list[int]:
    """Unsolved tickets in a department the suggestion confidently disagrees with (the ``limit`` most
    recently updated unsolved tickets are looked at)."""
    from console.store import UNSOLVED, QueueSpec

    names = {g["id"]: g.get("name") or "" for g in reader.groups(include_deleted=True)}
    ids = reader.ticket_ids_for_queue(QueueSpec(statuses=UNSOLVED), "updated_at", True)[:limit]
    tickets = [t for t in reader.tickets_by_ids(ids) if t.get("group_id") in names]
    users = reader.users_by_ids(sorted({t["requester_id"] for t in tickets if t.get("requester_id")}))
    queued = reader.pending_fields([t["id"] for t in tickets])   # a move still queued counts as done
    out = []
    for ticket in tickets:
        # the suggestion reads the ticket's text, not its department: kept until the ticket changes
        key = (str(getattr(reader, "path", "")), ticket["id"], ticket.get("updated_at"), ticket.get("changed_at"),
               ticket.get("requester_id"), tuple(ticket.get("tags") or ()))
        suggestion = _SUGGESTED.get(key)
        if suggestion is None:
            full = reader.ticket(ticket["id"]) or ticket
            suggestion = department_suggestion(full, users.get(full.get("requester_id")),
                                               reader.comments_for_ticket(full["id"]))[0]
            if len(_SUGGESTED) >= _SUGGESTED_LIMIT:
                _SUGGESTED.clear()
            _SUGGESTED[key] = suggestion
        group_id = queued.get(ticket["id"], {}).get("group_id", ticket.get("group_id"))
        if probably_misrouted(names.get(group_id), suggestion):
            out.append(ticket["id"])
    return out


_SUGGESTED: dict[tuple, Suggestion] = {}   # the misrouted queue's memory between reloads (any thread)
_SUGGESTED_LIMIT = 20_000


def run(args) -> int:
    """``support-console suggest --cache CACHE --ticket ID [--json]``."""
    from console.store import CacheReader, StoreError

    path = Path(args.cache)
    if not path.is_file():
        print(f"error: no cache at {path}", file=sys.stderr)
        return 2
    try:
        reader = CacheReader(path)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (sqlite3.Error, OSError) as exc:
        print(f"error: cannot read the cache {path}: {exc}", file=sys.stderr)
        return 2
    try:
        result = TicketSuggestions.for_ticket(reader, args.ticket)
    except sqlite3.Error as exc:
        print(f"error: cannot read the cache {path}: {exc}", file=sys.stderr)
        return 2
    finally:
        reader.close()
    if result is None:
        print(f"error: ticket {args.ticket} is not in the cache {path}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
        return 0
    print(f"#{args.ticket}: {result.department.label()} (confidence {result.department.confidence:.2f})")
    for reply in result.replies[:10]:
        marks = "".join(f"\n      ! {w}" for w in reply.warnings)
        print(f"  {reply.score:6.3f}  {reply.title}{marks}")
    return 0
