"""The helpdesk's ticket vocabulary, defined once: statuses, priorities and types, in their order.

Zendesk's statuses run ``new`` → ``closed`` (``less_than``/``greater_than`` in views and ``<``/``>``
in search compare by this order); an agent sets any of ``STATUSES``, only the helpdesk closes a
ticket. Priorities run ``low`` → ``urgent``; "no priority" ranks below ``low``. The cache stores
``STATUS_RANK``/``PRIORITY_RANK`` in its rank columns (sorting by priority sorts by rank), the
embedded helpdesk validates writes against these tuples, and the GUI labels them with
``status_label``.

Real helpdesks add values (custom statuses, ``deleted`` in exports): the cache keeps any status as
it came (``store.rows.OTHER_STATUS_RANK`` sorts it after closed), and it is shown with a neutral
label rather than dropped or guessed at. Zendesk has no other priorities.

Custom statuses (an account's own names inside the categories ``STATUSES``; ``CustomStatus``)
are shown by ``ticket_status_label`` and offered by ``status_choices``; setting one sends both
``status`` (its category) and ``custom_status_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

STATUSES = ("new", "open", "pending", "hold", "solved")   # what an agent can set
ALL_STATUSES = (*STATUSES, "closed")                       # "closed" is set by the helpdesk only
UNSOLVED = ("new", "open", "pending", "hold")
SOLVED = ("solved", "closed")
WAITING = ("new", "open", "hold")                          # the customer waits for the support team
PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_TYPES = ("problem", "incident", "question", "task")

STATUS_RANK: dict[str, int] = {s: i for i, s in enumerate(ALL_STATUSES)}                 # new 0 .. closed 5
PRIORITY_RANK: dict[str | None, int] = {None: 0, **{p: i for i, p in enumerate(PRIORITIES, 1)}}  # none 0, low 1 ..

_LABELS = {"new": "New", "open": "Open", "pending": "Pending", "hold": "On hold", "solved": "Solved",
           "closed": "Closed", "deleted": "Deleted"}


def is_known(status: str | None) -> bool:
    return status in ALL_STATUSES


def status_label(status: str | None) -> str:
    """"On hold" for ``hold``; an unknown ``in_review`` reads "In review (other status)"."""
    if not status:
        return "—"
    if status in _LABELS:
        return _LABELS[status]
    words = " ".join(str(status).replace("_", " ").replace("-", " ").split())
    return f"{words[:1].upper()}{words[1:]} (other status)"


def priority_label(priority: str | None) -> str:
    """"High" for ``high``; "No priority" for none."""
    return str(priority).capitalize() if priority else "No priority"


# ---------------------------------------------------------------- custom ticket statuses
# A Zendesk account may define its own statuses (``GET /api/v2/custom_statuses``), each inside one
# of the agent-settable categories above; a ticket then carries ``custom_status_id`` beside its
# ``status`` (the category). Each category has one default custom status (its plain name).


@dataclass(frozen=True)
class CustomStatus:
    """One of the account's custom statuses (``status_category`` is one of ``STATUSES``)."""

    id: int
    category: str
    agent_label: str
    active: bool = True
    default: bool = False
    description: str = ""

    @classmethod
    def from_api(cls, raw: object) -> CustomStatus | None:
        """The API object, or None when it is not one the console can use."""
        if not isinstance(raw, Mapping):
            return None
        status_id, category, label = raw.get("id"), raw.get("status_category"), raw.get("agent_label")
        if isinstance(status_id, bool) or not isinstance(status_id, int) or category not in STATUSES:
            return None
        return cls(status_id, str(category), str(label or status_label(str(category))),
                   bool(raw.get("active", True)), bool(raw.get("default", False)), str(raw.get("description") or ""))

    @property
    def label(self) -> str:
        """"Pending" for a category's default, "Pending — Waiting on the customer's bank" otherwise."""
        category = status_label(self.category)
        if self.default or self.agent_label.casefold().startswith(category.casefold()):
            return self.agent_label
        return f"{category} — {self.agent_label}"


CustomStatuses = Mapping[int, CustomStatus]


def custom_status_map(items: Iterable[object]) -> dict[int, CustomStatus]:
    """The API's custom status objects by id (unusable ones left out)."""
    return {s.id: s for s in (CustomStatus.from_api(i) for i in items) if s is not None}


def custom_status_of(ticket: Mapping, custom: CustomStatuses) -> CustomStatus | None:
    """The ticket's custom status, when the account has it and it agrees with the ticket's status."""
    found = custom.get(ticket.get("custom_status_id"))  # type: ignore[arg-type]
    return found if found is not None and found.category == ticket.get("status") else None


def ticket_status_label(ticket: Mapping, custom: CustomStatuses) -> str:
    """What the agent reads for a ticket's status: its custom status's name, else the plain label."""
    found = custom_status_of(ticket, custom)
    return found.label if found is not None else status_label(ticket.get("status"))


@dataclass(frozen=True)
class StatusChoice:
    """One entry of the status selector: ``key`` identifies it, ``fields`` is what setting it sends."""

    key: str
    label: str
    category: str
    fields: Mapping[str, object]


def status_choices(custom: CustomStatuses) -> list[StatusChoice]:
    """What an agent can set, grouped by category in ``STATUSES`` order: the category's active
    custom statuses (its default first), or the plain status for a category without any."""
    choices: list[StatusChoice] = []
    for category in STATUSES:
        mine = sorted((s for s in custom.values() if s.category == category and s.active),
                      key=lambda s: (not s.default, s.agent_label.casefold(), s.id))
        if not mine:
            choices.append(StatusChoice(category, status_label(category), category, {"status": category}))
        choices += [StatusChoice(f"custom:{s.id}", s.label, category, {"status": category, "custom_status_id": s.id})
                    for s in mine]
    return choices


def choice_key(ticket: Mapping, custom: CustomStatuses) -> str:
    """The selector entry a ticket is at: its custom status, else its category's default, else the status."""
    found = custom_status_of(ticket, custom)
    if found is not None:
        return f"custom:{found.id}"
    status = str(ticket.get("status") or "")
    default = next((s for s in custom.values() if s.category == status and s.default and s.active), None)
    return f"custom:{default.id}" if default is not None else status
