"""Agent path: a ticket that leaves the agent's lists (deleted, merged away) is reconciled through
``show_many``, never shown forever as open."""

from __future__ import annotations

from console.store import UNSOLVED, CacheReader, QueueSpec
from tests.helpdesk import AGENT, Helpdesk


def test_a_ticket_deleted_on_the_helpdesk_leaves_the_agents_queues(tmp_path, account_factory):
    server = Helpdesk(tmp_path / "hd.sqlite", "--demo", "--tickets", "25", "--export-delay", "0").start()
    try:
        account = account_factory(server, email=AGENT.email, token=server.token_for("agent"),
                                  engine_options={"reconcile_seconds": 0})
        account.sync(resources=True)
        with CacheReader(account.cache) as reader:
            gone = reader.ticket_ids_for_queue(QueueSpec(unassigned=True, statuses=UNSOLVED))[0]
            kept = len(reader.unsolved_ticket_ids(0, 1000))
        assert server.delete(f"tickets/{gone}.json").status_code == 204
        asked: list[str] = []
        request = account.client.request

        def recording(method, path, **kwargs):
            asked.append(path)
            return request(method, path, **kwargs)
        account.client.request = recording
        account.sync()
        assert any("show_many" in p for p in asked), asked
        assert f"tickets/{gone}.json" in asked, "left out of show_many: asked for alone before dropping it"
        with CacheReader(account.cache) as reader:
            assert gone not in reader.ticket_ids_for_queue(QueueSpec(unassigned=True, statuses=UNSOLVED))
            assert reader.ticket(gone)["_deleted"]
            assert len(reader.unsolved_ticket_ids(0, 1000)) == kept - 1
        assert server.get(f"tickets/{gone}.json").status_code == 404
    finally:
        server.stop()


def test_reconcile_waits_for_its_period(tmp_path, account_factory):
    server = Helpdesk(tmp_path / "hd.sqlite", "--demo", "--tickets", "10", "--export-delay", "0").start()
    try:
        account = account_factory(server, email=AGENT.email, token=server.token_for("agent"))
        account.sync(resources=True)
        asked: list[str] = []
        request = account.client.request

        def recording(method, path, **kwargs):
            asked.append(path)
            return request(method, path, **kwargs)
        account.client.request = recording
        account.sync()
        assert not any("show_many" in p for p in asked), "not every round: every reconcile_seconds"
    finally:
        server.stop()
