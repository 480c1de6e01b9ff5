"""The helpdesk's ticket vocabulary, defined once: statuses and priorities in their order.

Zendesk's statuses (``new`` → ``closed``) and priorities (``low`` → ``urgent``); the cache, the
embedded helpdesk and the GUI read them from here. A status the helpdesk sends that is not listed
(real helpdesks add values) is kept as it is and shown with a neutral label.
"""

from __future__ import annotations

STATUSES = ("new", "open", "pending", "hold", "solved")   # what an agent can set
ALL_STATUSES = (*STATUSES, "closed")                       # "closed" is set by the helpdesk only
UNSOLVED = ("new", "open", "pending", "hold")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUS_RANK = {s: i for i, s in enumerate(ALL_STATUSES)}
PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}
STATUS_LABELS = {"new": "New", "open": "Open", "pending": "Pending", "hold": "On hold", "solved": "Solved",
                 "closed": "Closed"}


def status_label(status: str | None) -> str:
    """How a status reads in the GUI; an unknown one is shown as it came."""
    return STATUS_LABELS.get(status or "", status or "—")
