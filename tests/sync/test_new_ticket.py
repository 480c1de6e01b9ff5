"""A new ticket opened by the agent: queued with a stand-in the lists show at once, created once on
the helpdesk (Idempotency-Key = external_id = op id, even across a lost answer), then swapped."""

from __future__ import annotations

from console.domain.new_ticket import NewTicket
from console.store import CacheReader, QueueSpec
from tests.faultproxy import Fault
from tests.sync.test_outgoing_files import attach
from tests.sync.test_push import proxy  # noqa: F401 (fixture)


def test_a_new_ticket_queued_offline_is_created_once_and_replaces_its_stand_in(helpdesk, proxy,  # noqa: F811
                                                                               account_factory, tmp_path):
    with helpdesk.db_connection() as conn:
        group_id = conn.execute("INSERT INTO groups (name, created_at, updated_at) VALUES "
                                "('Billing', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z') RETURNING id").fetchone()[0]
    account = account_factory(helpdesk, url=proxy.url)
    account.sync()
    attach(account.writer, 0, tmp_path, "order-1182.pdf", b"%PDF-1.4 order", kind="new_ticket")
    ticket = NewTicket(subject="Phone call: refund for order 1182", body="Customer called; wants a refund.",
                       requester_name="Ada Byron", requester_email="ada@example.org", group_id=group_id,
                       priority="high", tags=("phone",))
    change = account.writer.enqueue_new_ticket(ticket.payload(), ticket.shown())
    (local_id,) = change.ticket_ids
    with CacheReader(account.cache) as reader:
        assert local_id < 0 and local_id in reader.ticket_ids_for_queue(QueueSpec(group_id=group_id))
        assert reader.ticket(local_id)["_local"] is True
        assert reader.ticket(local_id)["subject"] == ticket.subject
        assert reader.load_draft(0, "new_ticket") is None
    proxy.add(Fault("reset_after", method="POST", path="/tickets"))   # created, but the answer is lost
    for _ in range(5):
        account.sync(resources=False)
        if account.writer.get_entry(change.op_id).state == "sent":
            break
    sent = account.writer.get_entry(change.op_id)
    assert sent.state == "sent", sent.last_error
    conn = helpdesk.db_connection()
    made = conn.execute("SELECT id, external_id, group_id, priority FROM tickets WHERE subject = ?",
                        (ticket.subject,)).fetchall()
    files = conn.execute("SELECT a.file_name, a.content FROM attachments AS a JOIN comments AS c "
                         "ON c.id = a.comment_id WHERE c.ticket_id = ?", (made[0][0],)).fetchall()
    requester = conn.execute("SELECT u.email FROM users AS u JOIN tickets AS t ON t.requester_id = u.id "
                             "WHERE t.id = ?", (made[0][0],)).fetchone()[0]
    conn.close()
    assert [tuple(r) for r in made] == [(sent.result["ticket_id"], change.op_id, group_id, "high")], "once"
    assert [(r[0], bytes(r[1])) for r in files] == [("order-1182.pdf", b"%PDF-1.4 order")]
    assert requester == "ada@example.org"
    with CacheReader(account.cache) as reader:
        assert reader.ticket(local_id) is None, "the stand-in is gone"
        queue = reader.ticket_ids_for_queue(QueueSpec(group_id=group_id))
        assert made[0][0] in queue and local_id not in queue
        assert reader.search("refund 1182") and all(h.ticket_id != local_id for h in reader.search("refund 1182"))
