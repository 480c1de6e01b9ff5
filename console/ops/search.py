"""Search the cache (off the GUI thread): what the search box shows as the agent types.

    search = SearchOps(runner)
    search.run("refund card", done=show_hits, failed=show_message)   # list[SearchHit] / SearchSyntaxError
    search.customer_tickets(user_id, done=...)                        # the customer's tickets, newest first
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from .runner import Runner

LIMIT = 50


class SearchOps(QObject):
    def __init__(self, runner: Runner, parent: QObject | None = None, *, me: int | None = None) -> None:
        super().__init__(parent)
        self.runner, self.me = runner, me

    def run(self, query: str, *, done: Callable[[list], None], failed: Callable[[Exception], None],
            limit: int = LIMIT) -> None:
        """The syntax is the helpdesk's (``console.domain.search_syntax``); ``assignee:me`` is this agent."""
        me = self.me
        self.runner.read(lambda reader: reader.search(query, limit=limit, me=me) if query.strip() else [],
                         done=done, failed=failed)

    def customer_tickets(self, user_id: int, *, done: Callable[[list], None], limit: int = 20) -> None:
        self.runner.read(lambda reader: reader.requester_tickets(user_id, limit=limit), done=done)
