"""Notification facts read from a real cache filled from the real embedded helpdesk."""

import pytest

from console.domain.notifications import NotificationMemory, NotifyRules, decide_ticket_notifications
from console.ops.notifications import facts_for_change
from console.store.reader import CacheReader
from console.store.writer import CacheWriter
from console.sync.client import HelpdeskClient
from tests.helpdesk import Helpdesk


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """A 30-ticket demo helpdesk of its own: in that seed a customer has the last word on one of the
    agent's tickets (the shared 60-ticket one has no such ticket, so no reply would be told)."""
    server = Helpdesk(tmp_path_factory.mktemp("tray") / "helpdesk.sqlite", "--demo", "--tickets", "30",
                      "--export-delay", "0", admin_token="demo-admin-token").start()
    yield server.url
    server.stop()


def test_facts_for_a_synced_page(demo_url, tmp_path):
    admin = HelpdeskClient(demo_url, "admin@demo.support-console.test", "demo-admin-token")
    agent_id = HelpdeskClient(demo_url, "agent@demo.support-console.test", "demo-agent-token") \
        .get("users/me")["user"]["id"]
    cache = tmp_path / "cache.sqlite"
    writer = CacheWriter(cache)
    page = admin.get("incremental/tickets/cursor", {"start_time": 0})
    change = writer.apply_ticket_page(page["tickets"], page.get("after_cursor"), end_of_stream=True)
    mine = [t for t in page["tickets"] if t.get("assignee_id") == agent_id and t["status"] != "deleted"]
    assert mine, "the demo workspace assigns tickets to the demo agent"
    for ticket in mine:
        change |= writer.replace_ticket_comments(ticket["id"], admin.get(f"tickets/{ticket['id']}/comments")["comments"])
    writer.close()

    with CacheReader(cache) as reader:
        facts = facts_for_change(reader, change, agent_id)
        departments = reader.group_ids_of(agent_id)
    by_id = {f.id: f for f in facts}
    assert set(by_id) >= {t["id"] for t in mine}
    for ticket in mine:
        fact = by_id[ticket["id"]]
        assert fact.last_public_comment_id is not None and fact.public_comments >= 1
    rules = NotifyRules(me=agent_id, departments=frozenset(departments))
    notes = decide_ticket_notifications(facts, rules, NotificationMemory(watermark="2000-01-01T00:00:00Z"))
    assert notes and len(notes) <= 3, "a first look at a whole workspace is summarised, not 30 bubbles"
    assert facts_for_change(None, change.__class__(), agent_id) == []
