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
"""

from __future__ import annotations

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
