"""A small hand-built desk written through the cache writer from API-shaped dicts.

The supervisor sits in New York; "now" is Wed 2025-11-05 10:00 EST (15:00Z). Daylight time
ended on Sun 2025-11-02 (06:00Z), so that local day lasted 25 hours. Every expected number
in tests/store/test_dashboard.py is worked out by hand from the comments below.

A plugin of tests/conftest.py: the fixtures at the end (``desk_cache``, ``desk_reader``, ``policy``,
``snapshot``) put this desk in a real cache file for the store and views tests.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from console.domain.sla import SlaPolicy
from console.store import CacheReader, CacheWriter
from console.store.dashboard import dashboard_snapshot

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime.fromisoformat("2025-11-05T15:00:00+00:00").timestamp()
LAST_SYNC = datetime.fromisoformat("2025-11-05T14:58:07+00:00").timestamp()  # 09:58:07 in New York

BILLING, SECURITY = 10, 20
ALICE, BOB, DAVE = 1, 2, 3          # agents (Dave is deactivated)
CUSTOMERS = (100, 101, 102)
SLA_TARGETS = {"*": {"urgent": 60, "high": 240, "normal": 480, "low": 1440}, "Billing": {"urgent": 30}}

USERS = [
    {"id": ALICE, "name": "Alice Agent", "email": "alice@desk.example", "role": "agent", "active": True},
    {"id": BOB, "name": "Bob Admin", "email": "bob@desk.example", "role": "admin", "active": True},
    {"id": DAVE, "name": "Dave Former", "email": "dave@desk.example", "role": "agent", "active": False},
    *({"id": c, "name": f"Customer {c}", "email": f"c{c}@mail.example", "role": "end-user"} for c in CUSTOMERS),
]
GROUPS = [{"id": BILLING, "name": "Billing"}, {"id": SECURITY, "name": "Security"}]


def ticket(ticket_id, status, group_id, priority, assignee_id, created_at, updated_at, requester=100):
    return {"id": ticket_id, "subject": f"Ticket {ticket_id}", "status": status, "priority": priority,
            "type": "question", "requester_id": requester, "submitter_id": requester, "assignee_id": assignee_id,
            "group_id": group_id, "organization_id": None, "tags": [], "custom_fields": [],
            "via": {"channel": "email"}, "created_at": created_at, "updated_at": updated_at,
            "generated_timestamp": 1000 + ticket_id}


TICKETS = [
    # T1 Billing new urgent unassigned, 09:45 local; Billing urgent target 30 min -> 15 min left = ok
    ticket(1, "new", BILLING, "urgent", None, "2025-11-05T14:45:00Z", "2025-11-05T14:45:00Z"),
    # T2 Billing open high, created 23:30 local the day before; Alice replied 00:30 local (60 min)
    ticket(2, "open", BILLING, "high", ALICE, "2025-11-05T04:30:00Z", "2025-11-05T07:00:00Z"),
    # T3 Billing open normal, no public reply (only a note): deadline 11:00Z passed -> breached
    ticket(3, "open", BILLING, "normal", BOB, "2025-11-05T03:00:00Z", "2025-11-05T04:00:00Z"),
    # T4 Billing pending low: Alice replied after 2 h yesterday; Bob commented at local midnight
    ticket(4, "pending", BILLING, "low", ALICE, "2025-11-04T12:00:00Z", "2025-11-05T05:00:00Z"),
    # T5 Security hold urgent, no reply: deadline 15:10Z, 10 of 60 min left -> at risk
    ticket(5, "hold", SECURITY, "urgent", BOB, "2025-11-05T14:10:00Z", "2025-11-05T14:10:00Z"),
    # T6 Security reopened: solved on Oct 31, the customer wrote again today
    ticket(6, "open", SECURITY, "normal", ALICE, "2025-10-30T10:00:00Z", "2025-11-05T13:00:00Z"),
    # T7 Security solved today by Alice; created 23:30 EST on Sun Nov 2 (the 25-hour day)
    ticket(7, "solved", SECURITY, "normal", ALICE, "2025-11-03T04:30:00Z", "2025-11-05T06:30:00Z"),
    # T8 Billing closed, last update 00:30 EDT on Nov 2
    ticket(8, "closed", BILLING, "normal", BOB, "2025-10-20T10:00:00Z", "2025-11-02T04:30:00Z"),
    # T9 Billing solved one second before local midnight: yesterday
    ticket(9, "solved", BILLING, "normal", BOB, "2025-11-04T20:00:00Z", "2025-11-05T04:59:59Z"),
    # T10 no department, no priority, created exactly at local midnight, no comments cached
    ticket(10, "new", None, None, None, "2025-11-05T05:00:00Z", "2025-11-05T05:00:00Z"),
    # T11 deleted: never counts
    ticket(11, "deleted", BILLING, "urgent", None, "2025-11-05T10:00:00Z", "2025-11-05T10:30:00Z"),
    # T12 Billing solved exactly at local midnight: today; created before the chart
    ticket(12, "solved", BILLING, "normal", ALICE, "2025-10-22T10:00:00Z", "2025-11-05T05:00:00Z"),
]


def comment(comment_id, author_id, created_at, public=True):
    return {"id": comment_id, "type": "Comment", "author_id": author_id, "body": f"Comment {comment_id}",
            "html_body": f"<p>Comment {comment_id}</p>", "plain_body": f"Comment {comment_id}",
            "public": public, "attachments": [], "audit_id": comment_id * 10, "created_at": created_at}


COMMENTS = {
    1: [comment(101, 100, "2025-11-05T14:45:00Z")],
    2: [comment(201, 100, "2025-11-05T04:30:00Z"), comment(202, ALICE, "2025-11-05T05:30:00Z"),
        comment(203, 100, "2025-11-05T06:00:00Z"), comment(204, 100, "2025-11-05T07:00:00Z")],
    3: [comment(301, 101, "2025-11-05T03:00:00Z"), comment(302, BOB, "2025-11-05T04:00:00Z", public=False)],
    4: [comment(401, 102, "2025-11-04T12:00:00Z"), comment(402, ALICE, "2025-11-04T14:00:00Z"),
        comment(403, BOB, "2025-11-05T05:00:00Z")],
    5: [comment(501, 100, "2025-11-05T14:10:00Z")],
    6: [comment(601, 101, "2025-10-30T10:00:00Z"), comment(602, ALICE, "2025-10-30T11:00:00Z"),
        comment(603, 101, "2025-11-05T12:00:00Z"), comment(604, ALICE, "2025-11-05T13:00:00Z", public=False)],
    7: [comment(701, 102, "2025-11-03T04:30:00Z"), comment(702, ALICE, "2025-11-05T06:00:00Z")],
    9: [comment(901, 100, "2025-11-04T20:00:00Z"), comment(902, BOB, "2025-11-05T04:59:00Z")],
    11: [comment(1101, 100, "2025-11-05T10:00:00Z"), comment(1102, ALICE, "2025-11-05T10:20:00Z")],
}


def write_desk(writer) -> None:
    """Write the desk the way a sync does: pages of tickets and users, groups, comment events."""
    writer.apply_user_page(USERS, "users-cursor-1", end_of_stream=True)
    writer.replace_groups(GROUPS)
    writer.apply_ticket_page(TICKETS, "tickets-cursor-1", end_of_stream=True)
    events = [{"id": c["id"] * 10, "ticket_id": t, "timestamp": 0, "created_at": c["created_at"],
               "updater_id": c["author_id"], "event_type": "Audit", "child_events": [dict(c, event_type="Comment")]}
              for t, comments in COMMENTS.items() for c in comments]
    writer.apply_comment_events(events, 1762354800)
    writer.set_sync_state("last_success", repr(LAST_SYNC))


@pytest.fixture
def desk_cache(tmp_path):
    path = tmp_path / "desk.sqlite"
    with CacheWriter(path) as writer:
        write_desk(writer)
    return path


@pytest.fixture
def desk_reader(desk_cache):
    reader = CacheReader(desk_cache)
    yield reader
    reader.close()


@pytest.fixture
def policy():
    return SlaPolicy(SLA_TARGETS, 0.25)


@pytest.fixture
def snapshot(desk_reader, policy):
    return dashboard_snapshot(desk_reader, policy, now=NOW, tz=NEW_YORK)
