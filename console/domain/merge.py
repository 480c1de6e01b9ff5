"""Merging tickets: one or more sources into a target (Zendesk's ``POST /tickets/{id}/merge``). No Qt.

Rules as Zendesk's: at most ``MAX_SOURCES`` sources per merge, never a ticket into itself, no
closed ticket on either side; sources end closed with the tag ``MERGED_TAG`` and a comment
naming the target, the target gets a comment naming the sources (``merge_comments``: the texts
the console proposes and the embedded helpdesk uses when none are given).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_SOURCES = 5
MERGED_TAG = "closed_by_merge"


def merge_comments(target_id: int, source_ids: list[int]) -> tuple[str, str]:
    """(target comment, source comment)."""
    listed = ", ".join(f"#{s}" for s in source_ids)
    noun = "Request" if len(source_ids) == 1 else "Requests"
    verb = "was" if len(source_ids) == 1 else "were"
    return (f"{noun} {listed} {verb} closed and merged into this request.",
            f"This request was closed and merged into request #{target_id}.")


def merge_problems(target_id: int | None, source_ids: list[int], tickets: Mapping[int, Mapping[str, Any]]) -> list[str]:
    """Sentences naming what stops this merge (``tickets``: the cached tickets by id)."""
    out = []
    sources = [s for s in dict.fromkeys(source_ids) if s != target_id]
    if target_id is None:
        out.append("Choose the ticket to merge into.")
    if not sources:
        out.append("Choose at least one other ticket to merge.")
    if len(sources) > MAX_SOURCES:
        out.append(f"At most {MAX_SOURCES} tickets can be merged at once; you chose {len(sources)}.")
    for ticket_id in [t for t in (target_id, *sources) if t is not None]:
        ticket = tickets.get(ticket_id)
        if ticket_id < 0:
            out.append(f"Ticket {ticket_id} is not on the helpdesk yet; merge it once it is created.")
        elif ticket is None:
            out.append(f"Ticket #{ticket_id} is not in the cache.")
        elif ticket.get("status") == "closed":
            out.append(f"Ticket #{ticket_id} is closed and cannot be merged.")
    return out


def merge_payload(target_id: int, source_ids: list[int], *, target_comment: str | None = None,
                  source_comment: str | None = None, public: bool = False) -> dict[str, Any]:
    """The outbox payload of a ``merge`` entry (console/sync/merge.py's contract)."""
    sources = [s for s in dict.fromkeys(source_ids) if s != target_id]
    default_target, default_source = merge_comments(target_id, sources)
    return {"ids": sources, "target_comment": target_comment or default_target,
            "source_comment": source_comment or default_source,
            "target_comment_is_public": public, "source_comment_is_public": public}
