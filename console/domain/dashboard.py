"""The supervisor dashboard's numbers: definitions, records and CSV rows (pure, no SQL, no Qt).

``console.store.dashboard.load_facts`` reads ``DashboardFacts`` from the cache;
``build_snapshot(facts, policy, now=..., tz=...)`` turns them into a ``DashboardSnapshot``.
Times are epoch seconds (UTC instants); ``tz`` only decides where local days begin.

Definitions (every number the window, the CSV and the PNG show):

- Department = helpdesk group; tickets without a group form the "(no department)" row.
  Deleted tickets never count.
- new / open / pending / hold: tickets in that status now.
- unassigned: unsolved (new, open, pending, hold) tickets without an assignee.
- oldest waiting: the largest ``now - waiting_since`` over new, open and on-hold tickets, with
  ``waiting_since`` exactly as ``domain.sla.waiting_since`` (first unanswered public customer
  comment after the last public agent reply; creation when nobody answered yet).
- SLA breached / at risk: over unsolved tickets, the first-reply state of ``domain.sla`` (targets
  per department and priority from ``SlaPolicy``): breached = no reply and the deadline passed,
  or the first reply came late; at risk = no reply and less than the at-risk share left.
- median first reply today / 7 days: median of ``first reply - created`` over tickets (any
  status) whose first public agent reply (``domain.sla.first_reply_at``) fell in the local day
  so far / the last 7 local days including today.
- Per agent (role agent or admin): open = unsolved tickets assigned; solved today = tickets now
  solved or closed, assigned to them, whose solve time is today; replies today = their public
  comments made today.
- Solve time: the cache keeps comment events but not status-change events, so the solve time
  of a ticket is its ``updated_at`` while it is solved or closed (a later update, e.g. the
  automatic close, moves it; a reopened ticket is not solved and does not count).
- Chart: tickets created and tickets solved per local day over the last 14 days (today last).
- Backlog age histogram: unsolved tickets by age since creation (``AGE_BUCKETS``).
- "Today" runs from local midnight in ``tz`` (the first instant of that date, DST aware).
"""

from __future__ import annotations

import os
import statistics
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import add
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .satisfaction import csat

CHART_DAYS = 14
MEDIAN_DAYS = 7
NO_DEPARTMENT = "(no department)"
AGE_BUCKETS: tuple[tuple[str, int], ...] = (  # label, upper bound in seconds (exclusive)
    ("0-1d", 86_400), ("1-3d", 3 * 86_400), ("3-7d", 7 * 86_400),
    ("1-2w", 14 * 86_400), ("2-4w", 28 * 86_400), ("4w+", 10**12),
)
_AGE_UPPER_BOUNDS = tuple(upper for _, upper in AGE_BUCKETS)


def local_zone() -> tzinfo:
    """The machine's time zone with its DST rules ($TZ, else /etc/localtime, else a fixed offset)."""
    name = os.environ.get("TZ", "").lstrip(":")
    try:
        if name:
            return ZoneInfo(name)
        with open("/etc/localtime", "rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError, ZoneInfoNotFoundError):
        return datetime.now().astimezone().tzinfo or UTC


def day_start(day: date, tz: tzinfo) -> float:
    """Epoch of the first instant of ``day`` in ``tz`` (a midnight skipped by DST starts at the jump)."""
    return datetime.combine(day, time(0), tzinfo=tz).timestamp()


@dataclass(frozen=True)
class Windows:
    """The local-day boundaries a snapshot uses, as epochs."""

    now: float
    today: date
    day_starts: tuple[float, ...]  # CHART_DAYS + 1 starts: oldest chart day .. tomorrow

    @classmethod
    def at(cls, now: float, tz: tzinfo) -> Windows:
        today = datetime.fromtimestamp(now, tz).date()
        days = [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -2, -1)]
        return cls(now, today, tuple(day_start(d, tz) for d in days))

    @property
    def today_start(self) -> float:
        return self.day_starts[-2]

    @property
    def median_start(self) -> float:
        return self.day_starts[-1 - MEDIAN_DAYS]

    @property
    def chart_start(self) -> float:
        return self.day_starts[0]

    @property
    def chart_days(self) -> list[date]:
        return [self.today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]

    def per_chart_day(self, moments: Iterable[float | None], now: float) -> list[int]:
        """How many of ``moments`` (None: unknown, not counted) fall in each chart day, up to ``now``:
        ``chart_index`` of each, counted by sorting and bisecting the day starts."""
        ordered = sorted([m for m in moments if m is not None])
        cap = bisect_right(ordered, now)
        below = [min(bisect_left(ordered, start), cap) for start in self.day_starts]
        return [below[i + 1] - below[i] for i in range(CHART_DAYS)]

    def chart_index(self, moment: float) -> int | None:
        """Which chart day ``moment`` falls in (0 = oldest), None outside the 14 days."""
        i = bisect_right(self.day_starts, moment) - 1
        return i if 0 <= i < CHART_DAYS else None


@dataclass(frozen=True)
class ReplyTimes:
    """First public agent replies made since the 7-day median window began (tickets of any status), as
    columns (the same ticket at the same index): the ticket's department, creation and first reply
    (epochs; None when unknown). Columns, not records: the medians run over lists of numbers."""

    group_ids: list[int | None] = field(default_factory=list)
    created: list[float | None] = field(default_factory=list)
    first_replies: list[float | None] = field(default_factory=list)


@dataclass(frozen=True)
class RecentTickets:
    """The other tickets (solved or closed) updated or created since the chart began, as columns like
    ``ReplyTimes``: their creation and solve time (``updated``)."""

    created: list[float | None] = field(default_factory=list)
    updated: list[float | None] = field(default_factory=list)


@dataclass
class DashboardFacts:
    """What the store reads for one snapshot (the unsolved tickets counted, the others as columns);
    ``build_snapshot`` does the arithmetic."""

    groups: dict[int, str] = field(default_factory=dict)
    agents: dict[int, str] = field(default_factory=dict)
    statuses: dict[tuple[int | None, str], int] = field(default_factory=dict)    # (department, status): unsolved
    unassigned: dict[int | None, int] = field(default_factory=dict)              # department: unsolved, no assignee
    open_by_agent: dict[int, int] = field(default_factory=dict)                  # assignee: unsolved
    sla: dict[int | None, tuple[int, int]] = field(default_factory=dict)         # department: (breached, at risk)
    oldest_waiting: dict[int | None, tuple[float, int]] = field(default_factory=dict)  # department: (since, ticket)
    # unsolved tickets created after each of ``backlog_cuts(now)``, then all those with a creation time
    backlog_ages: list[int] = field(default_factory=lambda: [0] * len(AGE_BUCKETS))
    created_by_day: list[int] = field(default_factory=lambda: [0] * CHART_DAYS)   # unsolved, per chart day
    replied: ReplyTimes = field(default_factory=ReplyTimes)
    recent: RecentTickets = field(default_factory=RecentTickets)
    solved_today: dict[int, int] = field(default_factory=dict)      # assignee: solved or closed, solve time today
    replies_today: dict[int, int] = field(default_factory=dict)     # agent: public comments made today
    ratings: list[tuple[int | None, str]] = field(default_factory=list)                 # group, good/bad
    last_sync: float | None = None
    last_error: str = ""


@dataclass(frozen=True)
class DepartmentStats:
    group_id: int | None
    name: str
    new: int = 0
    open: int = 0
    pending: int = 0
    hold: int = 0
    unassigned: int = 0
    oldest_waiting_ticket: int | None = None
    oldest_waiting_seconds: float | None = None
    sla_breached: int = 0
    sla_at_risk: int = 0
    median_first_reply_today: float | None = None  # seconds
    median_first_reply_7d: float | None = None
    csat: float | None = None      # share of good satisfaction ratings (solved in the chart's days)
    rated: int = 0                 # how many were rated good or bad

    @property
    def unsolved(self) -> int:
        return self.new + self.open + self.pending + self.hold


@dataclass(frozen=True)
class AgentStats:
    user_id: int
    name: str
    open_assigned: int = 0
    solved_today: int = 0
    replies_today: int = 0


@dataclass(frozen=True)
class DayCount:
    day: date
    created: int
    solved: int


@dataclass(frozen=True)
class DashboardSnapshot:
    departments: list[DepartmentStats]
    agents: list[AgentStats]
    days: list[DayCount]
    backlog_ages: list[tuple[str, int]]
    now: float
    tz: tzinfo
    last_sync: float | None
    last_error: str = ""

    def as_of(self) -> str:
        """"as of HH:MM:SS" (local time of the last good sync), or "never synced"."""
        if self.last_sync is None:
            return "never synced"
        return "as of " + datetime.fromtimestamp(self.last_sync, self.tz).strftime("%H:%M:%S")

    def csv_rows(self) -> list[list[str]]:
        """Header, then one row per department and one per agent (seconds, blank = no value)."""
        as_of = "" if self.last_sync is None else datetime.fromtimestamp(
            self.last_sync, self.tz).isoformat(timespec="seconds")
        rows = [list(CSV_HEADER)]
        for d in self.departments:
            rows.append(["department", _cell(d.group_id), d.name, *map(_cell, (
                d.new, d.open, d.pending, d.hold, d.unassigned, d.oldest_waiting_ticket,
                d.oldest_waiting_seconds, d.sla_breached, d.sla_at_risk, d.median_first_reply_today,
                d.median_first_reply_7d)), "", "", "", as_of])
        for a in self.agents:
            rows.append(["agent", str(a.user_id), a.name, *[""] * 11, str(a.open_assigned),
                         str(a.solved_today), str(a.replies_today), as_of])
        return rows


CSV_HEADER = ("kind", "id", "name", "new", "open", "pending", "hold", "unassigned", "oldest_waiting_ticket",
              "oldest_waiting_seconds", "sla_breached", "sla_at_risk", "median_first_reply_today_seconds",
              "median_first_reply_7d_seconds", "open_assigned", "solved_today", "replies_today", "as_of")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}"
    return str(value)


def backlog_cuts(now: float) -> list[float]:
    """The creation times that split unsolved tickets into ``AGE_BUCKETS`` at ``now``: a ticket created
    after cut i is younger than bucket i's upper bound (a negative age, from clock skew, counts as new)."""
    return [now - upper for upper in _AGE_UPPER_BOUNDS[:-1]]


def backlog_histogram(younger: list[int]) -> list[int]:
    """How many tickets fall in each of ``AGE_BUCKETS``, from how many are younger than each of
    ``backlog_cuts`` and, last, how many there are."""
    return [n - (younger[i - 1] if i else 0) for i, n in enumerate(younger)]


def _median(values: Iterable[float]) -> float | None:
    present = list(values)
    return float(statistics.median(present)) if present else None


def build_snapshot(facts: DashboardFacts, *, now: float, tz: tzinfo) -> DashboardSnapshot:
    """Every dashboard number from the facts, for the instant ``now`` seen from ``tz``."""
    win = Windows.at(now, tz)
    counts: dict[int | None, Counter] = {g: Counter() for g in facts.groups}
    for (group_id, status), n in facts.statuses.items():
        counts.setdefault(group_id, Counter())[status] += n

    # first replies (any status) in the median window; the chart's created and solved tickets
    recent, replied = facts.recent, facts.replied
    today_replies: dict[int | None, list[float]] = {}
    week_replies: dict[int | None, list[float]] = {}
    median_start, today_start = win.median_start, win.today_start
    for group_id, created, reply in zip(replied.group_ids, replied.created, replied.first_replies, strict=True):
        if reply is None or reply < median_start or reply > now or created is None:
            continue
        week_replies.setdefault(group_id, []).append(reply - created)
        if reply >= today_start:
            today_replies.setdefault(group_id, []).append(reply - created)
    chart_created = list(map(add, facts.created_by_day, win.per_chart_day(recent.created, now)))
    chart_solved = win.per_chart_day(recent.updated, now)

    scores: dict[int | None, list[str]] = {}
    for group_id, score in facts.ratings:
        scores.setdefault(group_id, []).append(score)
    departments = []
    def name(g: int | None) -> str:
        return NO_DEPARTMENT if g is None else facts.groups.get(g, f"Department {g}")

    for group_id in sorted(counts, key=lambda g: (g is None, "" if g is None else facts.groups.get(g, "").casefold(),
                                                  g or 0)):
        c = counts[group_id]
        since, ticket_id = facts.oldest_waiting.get(group_id, (None, None))
        breached, at_risk = facts.sla.get(group_id, (0, 0))
        departments.append(DepartmentStats(
            group_id, name(group_id), c["new"], c["open"], c["pending"], c["hold"],
            facts.unassigned.get(group_id, 0), ticket_id, None if since is None else now - since,
            breached, at_risk, _median(today_replies.get(group_id, ())),
            _median(week_replies.get(group_id, ())), *csat(scores.get(group_id, ()))))

    ages = backlog_histogram(facts.backlog_ages)
    agents = [AgentStats(a, facts.agents[a], facts.open_by_agent.get(a, 0), facts.solved_today.get(a, 0),
                         facts.replies_today.get(a, 0))
              for a in sorted(facts.agents, key=lambda a: (facts.agents[a].casefold(), a))]
    days = [DayCount(d, chart_created[i], chart_solved[i]) for i, d in enumerate(win.chart_days)]
    return DashboardSnapshot(departments, agents, days, [(label, ages[i]) for i, (label, _) in enumerate(AGE_BUCKETS)],
                             now, tz, facts.last_sync, facts.last_error)


def format_duration(seconds: float | None) -> str:
    """A short human duration: "45 s", "12 min", "3 h 5 min", "2 d 4 h"; "—" for none."""
    if seconds is None:
        return "—"
    s = int(max(seconds, 0))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86_400:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return f"{s // 86_400} d {s % 86_400 // 3600} h"
