"""First-reply SLA, waiting times and medians for queues and the supervisor dashboard.

Default first-reply targets (``DEFAULT_SLA_TARGETS``), in calendar minutes from ticket creation:

    priority   target
    urgent     1 hour   (60)
    high       4 hours  (240)
    normal     8 hours  (480)   (also used when a ticket has no priority)
    low        24 hours (1440)

The "*" entry applies to every department; a department's own entry overrides it priority by
priority (e.g. ``{"Billing": {"urgent": 30}}`` tightens only Billing's urgent tickets).

States: "met" (first reply at or before the deadline), "breached" (no reply and the deadline has
passed, or the reply came late), "at_risk" (no reply yet and less than ``at_risk_fraction`` of
the target left; the deadline instant itself still counts as at risk), "ok" (otherwise).

All times are compared in UTC; naive datetimes are refused because their zone is unknown.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from .statuses import SOLVED

SlaState = Literal["met", "breached", "at_risk", "ok"]

DEFAULT_PRIORITY = "normal"
DEFAULT_AT_RISK_FRACTION = 0.25
DEFAULT_SLA_TARGETS: dict[str, dict[str, int]] = {
    "*": {"urgent": 60, "high": 4 * 60, "normal": 8 * 60, "low": 24 * 60},
}
_NOT_WAITING_STATUSES = ("pending", *SOLVED)  # a status the console does not know still counts as waiting


@dataclass(frozen=True)
class SlaPolicy:
    """First-reply targets per department and priority, plus the at-risk threshold."""

    targets: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: DEFAULT_SLA_TARGETS)
    at_risk_fraction: float = DEFAULT_AT_RISK_FRACTION

    def __post_init__(self) -> None:
        if not 0 <= self.at_risk_fraction < 1:
            raise ValueError("at_risk_fraction must be between 0 and 1")
        for department, by_priority in self.targets.items():
            for priority, minutes in by_priority.items():
                if not isinstance(minutes, int) or minutes <= 0:
                    raise ValueError(f"SLA target for {department}/{priority} must be a positive "
                                     f"number of minutes, not {minutes!r}")

    @classmethod
    def from_settings(cls, targets: Mapping[str, Mapping[str, int]] | None,
                      at_risk_fraction: float = DEFAULT_AT_RISK_FRACTION) -> SlaPolicy:
        """The policy the user configured: their entries over the documented defaults, so a
        partial default row (say only ``{"*": {"urgent": 30}}``) keeps the other priorities."""
        merged = {key: dict(row) for key, row in DEFAULT_SLA_TARGETS.items()}
        for key, row in (targets or {}).items():
            merged[key] = {**merged.get(key, {}), **row}
        return cls(merged, float(at_risk_fraction))

    def target_minutes(self, department: str | None, priority: str | None) -> int | None:
        """The target for a department and priority; None when no entry covers it."""
        priority = priority or DEFAULT_PRIORITY
        for key in (department, "*"):
            minutes = self.targets.get(key, {}).get(priority) if key is not None else None
            if minutes is not None:
                return minutes
        return None

    def state_of(self, ticket: dict, comments: list[dict], agent_ids: Iterable[int],
                 department: str | None, *, now: datetime) -> SlaState | None:
        """The first-reply SLA state of one ticket, or None without a target or creation time."""
        target = self.target_minutes(department, ticket.get("priority"))
        created = parse_api_time(ticket.get("created_at"))
        if target is None or created is None:
            return None
        return sla_state(created, first_reply_at(ticket, comments, agent_ids), target,
                         now=now, at_risk_fraction=self.at_risk_fraction)


def parse_api_time(value: object) -> datetime | None:
    """An API timestamp ("2025-10-02T08:14:05Z" or with an offset) as aware UTC; None if unreadable."""
    if isinstance(value, datetime):
        return as_utc(value)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware (UTC); got a naive one")
    return moment.astimezone(UTC)


def first_reply_at(ticket: dict, comments: list[dict], agent_ids: Iterable[int]) -> datetime | None:
    """When an agent first replied publicly after creation; the opening comment never counts."""
    agents = set(agent_ids)
    created = parse_api_time(ticket.get("created_at"))
    for index, (moment, comment) in enumerate(_timeline(comments)):
        if index == 0 or comment.get("public") is False or comment.get("author_id") not in agents:
            continue
        if created is None or moment >= created:
            return moment
    return None


def sla_state(created_at: datetime, first_reply_at: datetime | None, target_minutes: int, *,
              now: datetime, at_risk_fraction: float = DEFAULT_AT_RISK_FRACTION) -> SlaState:
    """Met, breached, at risk or ok, for one target (see the module docstring): ``first_reply_state``
    on the seconds since creation (exact: a timedelta's seconds)."""
    created = as_utc(created_at)
    if first_reply_at is not None:
        state = first_reply_state(0, (as_utc(first_reply_at) - created).total_seconds(), target_minutes,
                                  now=0, at_risk_fraction=at_risk_fraction)
    else:
        state = first_reply_state(0, None, target_minutes, now=(as_utc(now) - created).total_seconds(),
                                  at_risk_fraction=at_risk_fraction)
    assert state is not None   # (a target and a creation time)
    return state


def first_reply_bounds(target_minutes: int, now: float,
                       at_risk_fraction: float = DEFAULT_AT_RISK_FRACTION) -> tuple[float, float]:
    """Where the first-reply rule cuts an unreplied ticket's creation time, for ``now``: created before
    the first bound, it has breached; before the second (or exactly at the first), it is at risk;
    otherwise ok. Two numbers per target, so the dashboard can count tickets by index ranges."""
    target = target_minutes * 60
    breached_before = now - target
    return breached_before, breached_before + target * at_risk_fraction


def first_reply_state(created: float | None, first_reply: float | None, target_minutes: int | None,
                      now: float, at_risk_fraction: float = DEFAULT_AT_RISK_FRACTION) -> SlaState | None:
    """The first-reply rule on plain numbers (epoch seconds, or any one origin): met, breached,
    at_risk or ok (the module docstring); None without a target or a creation time. A replied
    ticket compares its reply's delay with the target, an unreplied one its creation time with
    ``first_reply_bounds`` (the dashboard counts both the same way, in SQL)."""
    if target_minutes is None or created is None:
        return None
    if first_reply is not None:
        return "met" if first_reply - created <= target_minutes * 60 else "breached"
    breached_before, at_risk_before = first_reply_bounds(target_minutes, now, at_risk_fraction)
    if created < breached_before:
        return "breached"
    return "at_risk" if created < at_risk_before or created == breached_before else "ok"


def waiting_since(ticket: dict, comments: list[dict], agent_ids: Iterable[int]) -> datetime | None:
    """Since when the ball has been in our court; None when pending, solved or closed.

    That is the first public customer comment after the last public agent comment (the customer
    has waited since their first unanswered message), the last agent comment when an agent spoke
    last yet the ticket is still open, or the creation time when nobody has answered yet.
    """
    if ticket.get("status") in _NOT_WAITING_STATUSES:
        return None
    agents = set(agent_ids)
    public = [(moment, c) for moment, c in _timeline(comments) if c.get("public") is not False]
    last_agent = max((i for i, (_, c) in enumerate(public) if c.get("author_id") in agents), default=None)
    if last_agent is None:
        return parse_api_time(ticket.get("created_at")) or (public[0][0] if public else None)
    after = public[last_agent + 1:]
    return after[0][0] if after else public[last_agent][0]


def median(values: Iterable) -> float | timedelta | None:
    """Median of numbers or timedeltas, ignoring None; None when there is nothing to measure."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _timeline(comments: list[dict]) -> list[tuple[datetime, dict]]:
    """Comments with readable timestamps, oldest first (stable for equal times)."""
    timed = [(parse_api_time(c.get("created_at")), c) for c in comments or [] if isinstance(c, dict)]
    return sorted(((m, c) for m, c in timed if m is not None), key=lambda pair: pair[0])
