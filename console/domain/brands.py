"""Which brand and ticket form a ticket came through (Zendesk's ``brand_id`` / ``ticket_form_id``).

An account with one brand (or one form) has nothing to tell apart: ``ticket_origin`` then says
nothing about it, so the agent of a single-brand account never sees the line at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Brand:
    id: int
    name: str
    active: bool = True
    default: bool = False

    @classmethod
    def from_api(cls, raw: object) -> Brand | None:
        found = _named(raw)
        return cls(*found) if found else None


@dataclass(frozen=True)
class TicketForm:
    id: int
    name: str
    active: bool = True
    default: bool = False

    @classmethod
    def from_api(cls, raw: object) -> TicketForm | None:
        found = _named(raw)
        return cls(*found) if found else None


def _named(raw: object) -> tuple[int, str, bool, bool] | None:
    if not isinstance(raw, Mapping):
        return None
    item_id, name = raw.get("id"), raw.get("name")
    if isinstance(item_id, bool) or not isinstance(item_id, int):
        return None
    return item_id, str(name or f"#{item_id}"), bool(raw.get("active", True)), bool(raw.get("default", False))


@dataclass(frozen=True)
class AccountOrigins:
    """The account's brands and forms, by id."""

    brands: Mapping[int, Brand]
    forms: Mapping[int, TicketForm]

    @classmethod
    def from_api(cls, brands: Iterable[object], forms: Iterable[object]) -> AccountOrigins:
        return cls({b.id: b for b in map(Brand.from_api, brands) if b},
                   {f.id: f for f in map(TicketForm.from_api, forms) if f})


def ticket_origin(ticket: Mapping, origins: AccountOrigins) -> list[str]:
    """"Brand: Demo Partners", "Form: Billing request" for a ticket, each only when the account has more
    than one to tell apart; a ticket naming one the account no longer lists shows its id."""
    parts = []
    for key, label, known in (("brand_id", "Brand", origins.brands), ("ticket_form_id", "Form", origins.forms)):
        value = ticket.get(key)
        if len(known) < 2 or isinstance(value, bool) or not isinstance(value, int):
            continue
        found = known.get(value)
        parts.append(f"{label}: {found.name if found else f'#{value}'}")
    return parts
