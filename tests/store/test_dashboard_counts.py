"""The dashboard counts its unsolved tickets by index ranges (store.dashboard, cache migration 13); those
counts equal the domain rules applied ticket by ticket (tests/dashboard_reference.py), including on
the bounds themselves: a creation time exactly at an SLA deadline, at the at-risk cut, at a backlog
age bound or a local midnight, a reply exactly at its target."""

from __future__ import annotations

import random
import sqlite3

import pytest

from console.domain.dashboard import AGE_BUCKETS, DashboardFacts, Windows, build_snapshot
from console.domain.sla import SlaPolicy
from console.store import CacheReader, CacheWriter
from console.store.dashboard import load_facts
from tests.dashboard_desk import NEW_YORK, NOW, ticket
from tests.dashboard_reference import replied_times, unsolved_facts, unsolved_rows, without_empty_sla

GROUPS = [{"id": 1, "name": "Billing"}, {"id": 2, "name": "Security"}, {"id": 3, "name": "Returns"}]
TARGETS = {"*": {"urgent": 60, "high": 240, "normal": 480}, "Billing": {"urgent": 30, "low": 1440}}
AGENTS = [{"id": 7, "name": "Ann", "role": "agent", "active": True}, {"id": 8, "name": "Ben", "role": "admin",
                                                                       "active": True}]
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = ("urgent", "high", "normal", "low", None)


def _moments(now: float, rng: random.Random) -> list[float]:
    """Creation times on and next to every bound the counts cut at, and some anywhere in four weeks."""
    cuts = [now - minutes * 60 * share for minutes in (30, 60, 240, 480, 1440) for share in (1, 0.75, 0.9)]
    cuts += [now - upper for _, upper in AGE_BUCKETS[:-1]] + list(Windows.at(now, NEW_YORK).day_starts) + [now]
    return [int(c) + d for c in cuts for d in (-1, 0, 1)] + [int(now) - rng.randrange(40 * 86_400) for _ in range(60)]


def _desk(path, now: float, seed: int, policy: SlaPolicy) -> None:
    """400 tickets; a third of them created on (or a second off) their own SLA bounds."""
    rng = random.Random(seed)
    moments = _moments(now, rng)
    names = {g["id"]: g["name"] for g in GROUPS}
    tickets, columns = [], []
    for ticket_id in range(1, 401):
        group_id, priority = rng.choice([1, 2, 3, None]), rng.choice(PRIORITIES)
        minutes = policy.target_minutes(names.get(group_id), priority)
        target = 60 * (minutes or rng.choice((30, 60, 240, 480, 1440)))
        created = rng.choice(moments + [None])
        if ticket_id % 3 == 0:
            created = int(now - target * rng.choice((1, 1 - policy.at_risk_fraction))) + rng.choice((-1, 0, 0, 1))
        reply = rng.choice([None, None, created + target, created + target + 1, created + rng.randrange(90_000)]
                           if created is not None else [None])
        waiting = rng.choice([None, reply, created + 5000]) if created is not None else None
        tickets.append(ticket(ticket_id, rng.choice(STATUSES), group_id, priority, rng.choice([None, 7, 8, 9]),
                              "2025-10-01T00:00:00Z", "2025-11-05T14:00:00Z"))
        columns.append((created, reply, waiting, ticket_id))
    with CacheWriter(path) as writer:
        writer.apply_user_page(AGENTS, "users", end_of_stream=True)
        writer.replace_groups(GROUPS)
        writer.apply_ticket_page(tickets, "cursor", end_of_stream=True)
    with sqlite3.connect(path) as conn:   # the facts as the writer would keep them, here set on the bounds
        conn.executemany("UPDATE tickets SET created_ts = ?, first_reply_at = ?, waiting_since = ?, "
                         "updated_ts = unixepoch('now') WHERE id = ?", columns)


@pytest.mark.parametrize("now,at_risk_fraction,seed", [
    (NOW, 0.25, 1), (NOW + 0.5, 0.25, 2), (NOW, 0.0, 3), (NOW + 0.3, 0.1, 4), (NOW + 86_399, 0.9, 5),
])
def test_counted_facts_equal_the_rules_ticket_by_ticket(tmp_path, now, at_risk_fraction, seed):
    path = tmp_path / "counts.sqlite"
    policy = SlaPolicy(TARGETS, at_risk_fraction)
    _desk(path, now, seed, policy)
    windows = Windows.at(now, NEW_YORK)
    with CacheReader(path) as reader:
        counted = without_empty_sla(load_facts(reader, windows, policy))
        reference = unsolved_facts(DashboardFacts(groups=counted.groups, agents=counted.agents), unsolved_rows(reader),
                                   policy, windows)
        reference.replied = replied_times(reader._all("SELECT group_id, created_ts, first_reply_at FROM tickets "
                                                      "WHERE deleted = 0"), windows)
    assert sum(counted.statuses.values()) > 100 and counted.sla and counted.oldest_waiting and counted.agents
    for name in ("statuses", "unassigned", "open_by_agent", "sla", "oldest_waiting", "backlog_ages", "created_by_day"):
        assert getattr(counted, name) == getattr(reference, name), name
    assert sorted(zip(counted.replied.group_ids, counted.replied.created, counted.replied.first_replies,
                      strict=True), key=repr) == sorted(zip(reference.replied.group_ids, reference.replied.created,
                                                            reference.replied.first_replies, strict=True), key=repr)
    for name in ("recent", "solved_today", "replies_today", "ratings"):   # (not the unsolved tickets' facts)
        setattr(reference, name, getattr(counted, name))
    assert build_snapshot(counted, now=now, tz=NEW_YORK) == build_snapshot(reference, now=now, tz=NEW_YORK)
