"""Plain records the cache hands out: change records, outbox entries, search hits, queues.

Everything here is a frozen dataclass or an exception; no SQL, no Qt.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from console.domain import search_syntax

OutboxKind = Literal["reply", "note", "fields", "new_ticket", "merge"]
OutboxState = Literal["queued", "sending", "sent", "failed", "conflict", "cancelled"]
DraftKind = Literal["reply", "note", "new_ticket"]
HitKind = Literal["ticket", "comment", "customer", "canned_reply"]

OUTBOX_KINDS = ("reply", "note", "fields", "new_ticket", "merge")   # merge: ticket_id = the target
DRAFT_KINDS = ("reply", "note", "new_ticket")


class StoreError(Exception):
    """Base class of the cache's own errors; the message is meant for people."""


class BadPayloadError(StoreError, ValueError):
    """An API object handed to the cache lacks what the cache needs (nothing was written)."""


class SearchSyntaxError(StoreError, search_syntax.SearchSyntaxError):
    """The search box text cannot be understood; the message says how to fix it. The cache's kind
    of ``console.domain.search_syntax.SearchSyntaxError`` (catch that one for either search)."""


class UnsupportedViewError(StoreError):
    """A helpdesk view uses conditions the cache cannot evaluate locally."""


class UnknownEntryError(StoreError, KeyError):
    """An outbox entry, conflict or draft that is not in the cache."""

    def __str__(self) -> str:  # KeyError would add quotes around the message
        return str(self.args[0]) if self.args else ""


class Kind(enum.Flag):
    """What kind of cached data a write touched (one bit each; combine with ``|``)."""

    NONE = 0
    TICKETS = enum.auto()
    SEEN = enum.auto()             # only the unseen marks of tickets changed (the agent looked at them)
    COMMENTS = enum.auto()
    USERS = enum.auto()
    DEPARTMENTS = enum.auto()      # helpdesk groups
    MEMBERSHIPS = enum.auto()      # who works in which department
    CANNED_REPLIES = enum.auto()   # helpdesk macros
    VIEWS = enum.auto()
    USER_FIELDS = enum.auto()
    DRAFTS = enum.auto()
    OUTBOX = enum.auto()
    CONFLICTS = enum.auto()
    SYNC_STATE = enum.auto()
    QUARANTINE = enum.auto()       # records from the helpdesk the cache could not read
    CUSTOM_STATUSES = enum.auto()  # the account's own ticket statuses
    BRANDS = enum.auto()           # the account's brands
    TICKET_FORMS = enum.auto()     # the account's ticket forms
    TICKET_FIELDS = enum.auto()    # the account's ticket fields (the custom ones: the new-ticket dialog)


def _ids(values: Iterable | None) -> frozenset:
    return frozenset(values) if values else frozenset()


@dataclass(frozen=True)
class Change:
    """What one write changed, so each view can refresh only that (Anki's ``OpChanges``).

    ``kinds`` is a :class:`Kind` flag; ``ticket_ids`` / ``user_ids`` / ``op_ids`` name the rows.
    Every ``CacheWriter`` method returns one; ``a | b`` merges two.
    """

    kinds: Kind = Kind.NONE
    ticket_ids: frozenset[int] = frozenset()
    user_ids: frozenset[int] = frozenset()
    op_ids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, kinds: Kind, *, tickets: Iterable[int] | None = None, users: Iterable[int] | None = None,
           ops: Iterable[str] | None = None) -> Change:
        return cls(kinds, _ids(tickets), _ids(users), _ids(ops))

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def __or__(self, other: Change) -> Change:
        return Change(self.kinds | other.kinds, self.ticket_ids | other.ticket_ids,
                      self.user_ids | other.user_ids, self.op_ids | other.op_ids)

    def touches(self, kinds: Kind) -> bool:
        """True when any of ``kinds`` changed."""
        return bool(self.kinds & kinds)

    @property
    def op_id(self) -> str:
        """The one outbox entry this change is about (an ``enqueue``); ValueError when not exactly one."""
        if len(self.op_ids) != 1:
            raise ValueError(f"this change names {len(self.op_ids)} outbox entries, not one")
        return next(iter(self.op_ids))


@dataclass(frozen=True)
class OutboxEntry:
    """One outgoing change, identified by a client-made UUID (the Idempotency-Key)."""

    op_id: str
    seq: int
    ticket_id: int | None
    kind: str
    payload: dict[str, Any]
    updated_stamp: str | None
    state: str
    attempts: int
    last_error: str | None
    created_at: float
    sent_at: float | None
    retry_at: float | None
    result: dict[str, Any] | None


@dataclass(frozen=True)
class Conflict:
    """A 409 the agent must resolve: the helpdesk's ticket (theirs) against the queued change (yours)."""

    id: int
    op_id: str
    ticket_id: int | None
    theirs: dict[str, Any]
    yours: dict[str, Any]
    created_at: float
    resolved: bool
    resolution: str | None


@dataclass(frozen=True)
class QuarantinedRecord:
    """A record from the helpdesk the cache could not read (kind: ticket, user, comment, group...)."""

    kind: str
    object_id: int | None
    reason: str
    seen_at: float


@dataclass(frozen=True)
class Draft:
    """Text an agent is writing: one per (ticket_id, kind); ticket_id 0 for a new ticket."""

    ticket_id: int
    kind: str
    body: str
    updated_at: float


@dataclass(frozen=True)
class SearchHit:
    """One search result. ``id`` is the object's id (comment id for comment hits)."""

    kind: str
    id: int
    ticket_id: int | None
    title: str
    snippet: str


@dataclass(frozen=True)
class QueueSpec:
    """Which tickets a queue shows.

    Exactly one selector: ``group_id`` (a department), ``no_department`` (tickets in none),
    ``view_id`` (a helpdesk view evaluated locally), ``mine`` (assigned to ``me``),
    ``assignee_id`` (assigned to that agent: a supervisor's drill-down) or ``unassigned``;
    none = all tickets. ``statuses`` narrows further (e.g. the unsolved ones); ``me`` is the
    agent's user id, needed for "mine" and for views that say ``current_user``.
    """

    group_id: int | None = None
    view_id: int | None = None
    mine: bool = False
    unassigned: bool = False
    statuses: tuple[str, ...] | None = None
    me: int | None = None
    assignee_id: int | None = None
    no_department: bool = False

    @classmethod
    def department(cls, group_id: int, statuses: tuple[str, ...] | None = None) -> QueueSpec:
        return cls(group_id=group_id, statuses=statuses)

    @classmethod
    def view(cls, view_id: int, me: int | None = None) -> QueueSpec:
        return cls(view_id=view_id, me=me)


@dataclass(frozen=True)
class QueueCounts:
    """Badge numbers for the queue list, all computed from the cache."""

    by_department: dict[int | None, dict[str, int]] = field(default_factory=dict)
    unassigned: int = 0
    mine: int = 0
    drafts: int = 0
    outbox: int = 0
    conflicts: int = 0
