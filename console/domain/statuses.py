"""How a ticket status reads to an agent, including statuses the console does not know.

Real helpdesks add values (custom statuses, ``deleted`` in exports); the cache keeps any status as
it came (``store.rows.OTHER_STATUS_RANK`` sorts it after closed), and it is shown with a neutral
label rather than dropped or guessed at.
"""

from __future__ import annotations

KNOWN = ("new", "open", "pending", "hold", "solved", "closed")
_LABELS = {"new": "New", "open": "Open", "pending": "Pending", "hold": "On hold", "solved": "Solved",
           "closed": "Closed", "deleted": "Deleted"}


def is_known(status: str | None) -> bool:
    return status in KNOWN


def status_label(status: str | None) -> str:
    """"On hold" for ``hold``; an unknown ``in_review`` reads "In review (other status)"."""
    if not status:
        return "—"
    if status in _LABELS:
        return _LABELS[status]
    words = " ".join(str(status).replace("_", " ").replace("-", " ").split())
    return f"{words[:1].upper()}{words[1:]} (other status)"
