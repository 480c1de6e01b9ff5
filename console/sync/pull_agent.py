"""Agent-mode pull: for tokens that cannot read the admin-only incremental exports (helpdesk-api.md §6.1).

Same ``Page``/``Stream`` contract as ``pull.py``, so the engine runs these streams the same way:

- tickets: ``tickets.json?page[size]=100&sort=-updated_at&include=users``, newest first, following
  ``links.next`` verbatim. A walk stops at the page that reaches below the high-water mark (the
  newest ``updated_at`` of the last finished walk) minus ``OVERLAP`` seconds, so same-second changes
  are seen twice rather than never. Only server timestamps are compared, never the local clock.
  The first walk reads everything. Requesters, submitters and assignees come side-loaded.
- users: the agents and admins (``users.json?role[]=agent&role[]=admin``), every round.
- comments: ``tickets/{id}/comments.json`` for tickets whose cached row changed in a walk and
  that are not solved/closed; at most ``COMMENT_BUDGET`` tickets a round, newest first; the rest
  wait in the state for the next round. What a round's budget leaves goes to the threads of
  solved and closed tickets, so old conversations can be read and searched offline: first
  those a later walk saw change (a solve usually comes with the last reply), then a backfill
  that walks the cached solved/closed tickets newest first down to ``history_days`` (the
  ``thread_history_days`` setting) before the newest server time seen. All of it goes through
  the client, so the helpdesk's rate-limit pacing applies.

- first screens (the first sync only, before the walk above): through ``search.json``, the agent's
  own unsolved tickets (``assignee:me``, up to search's 1,000), the first page of unassigned ones
  and of each department, newest first, with their requesters (``users/show_many``); the threads
  of what those queues show first go at the head of the due list, and a comments pass runs before
  the walk. So the agent's queues are usable within seconds of signing in; the walk, then the rest
  of the threads, follow in the background under the rate limit's pacing.

State: the sync_state key ``agent_pull`` (JSON) holds ``screens`` (the first screens are in), ``mark``, ``walk`` (``next`` link, ``top``
seen and ``floor`` of a walk part-way through), ``due`` (ticket ids waiting for their thread),
``done_due`` (solved/closed ones that changed) and ``history`` (the backfill's position:
``[updated_at, id]`` of the last thread it fetched).
Pages come newest first, so the mark moves only when a walk finishes; a killed walk resumes from
its stored next link. Rows carry no ``generated_timestamp`` here, so the cache versions them by
``updated_at`` (epoch seconds, ``console.store.rows.ticket_row``): an older copy never wins.

Deleted, merged-away and archived tickets are simply absent from lists, so this path sees no
tombstones: every ``reconcile_seconds`` the cached open tickets are checked through
``tickets/show_many`` (100 a request, resumable: state ``reconcile``); one it leaves out is asked
for alone, and a 404 marks it missing (so does a 404 on a thread, here or when an agent opens it).
An archived ticket still answers alone (closed), so it is updated, never dropped.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from console.config import SETTINGS_BY_NAME
from console.domain.statuses import SOLVED
from console.store import CacheReader, CacheWriter, Change

from .client import HelpdeskClient, NotFound
from .pull import Page, Puller, Stream, listed, next_link

log = logging.getLogger(__name__)

STATE_KEY = "agent_pull"
PAGE_SIZE = 100
OVERLAP = 60          # seconds below the mark a walk still reads
COMMENT_BUDGET = 300  # ticket threads fetched per round
SAVE_EVERY = 25       # persist the due list after this many threads
SEARCH_PAGES = 10     # the agent's own queue: search answers 1,000 results at most
SCREEN_ROWS = 50      # a queue's first screen: these threads come first
RECONCILE_BATCH = 100  # open tickets checked per show_many request
RECONCILE_SECONDS = 900.0  # how often the cached open tickets are checked against the helpdesk
DONE_STATUSES = {*SOLVED, "deleted"}
HISTORY_DAYS = SETTINGS_BY_NAME["thread_history_days"].default


@dataclass
class AgentPullState:
    mark: str | None = None
    walk: dict | None = None
    due: list[int] = field(default_factory=list)
    done_due: list[int] = field(default_factory=list)
    history: list | None = None
    screens: bool = False
    reconcile: int | None = None   # the id a reconcile pass part-way through got to

    @classmethod
    def parse(cls, text: str | None) -> AgentPullState:
        try:
            data = json.loads(text) if text else {}
            history = data.get("history")
            if history is not None:
                history = [str(history[0]), int(history[1])]
            return cls(data.get("mark"), data.get("walk"), [int(i) for i in data.get("due") or []],
                       [int(i) for i in data.get("done_due") or []], history, bool(data.get("screens")),
                       data.get("reconcile"))
        except (ValueError, TypeError, AttributeError, IndexError, KeyError):
            log.warning("agent pull state unreadable; starting a full walk")
            return cls()

    def dumps(self) -> str:
        return json.dumps({"mark": self.mark, "walk": self.walk, "due": self.due, "done_due": self.done_due,
                           "history": self.history, "screens": self.screens, "reconcile": self.reconcile})


@dataclass
class ThreadPage(Page):
    """One ticket's whole comment thread (``missing``: the helpdesk answered 404)."""

    ticket_id: int | None = None
    missing: bool = False


class AgentPuller(Puller):
    """List-based streams over one client and the cache's writer; slow resources as in ``Puller``."""

    def __init__(self, client: HelpdeskClient, writer: CacheWriter, reader: CacheReader, *,
                 page_size: int = PAGE_SIZE, comment_budget: int = COMMENT_BUDGET,
                 history_days: int = HISTORY_DAYS, reconcile_seconds: float = RECONCILE_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(client, writer)
        self.reconcile_seconds = reconcile_seconds   # open tickets checked with show_many this often
        self.clock = clock
        self._reconciled_at = clock()                # the first walk has just read everything
        self._reconcile_next: int | None = None
        self.reader = reader
        self.page_size = page_size            # tickets / agents per list page
        self.comment_budget = comment_budget  # ticket threads fetched per round
        self.history_days = history_days      # solved/closed threads this far back (thread_history_days)
        self.state = AgentPullState()
        self._loaded = False
        self._floor: int | None = None
        self._batch: list[int] = []
        self._history_keys: dict[int, list] = {}
        self._queries: list[tuple[str, int]] = []
        self._screen_ids: dict[int, list[int]] = {}
        self._spent = 0
        self._on_screen: int | None = None   # threads of the first screens, fetched before the walk

    def streams(self) -> list[Stream]:
        walk = [
            Stream("tickets", None, self.fetch_ticket_list, self.apply_ticket_list),
            Stream("users", None, self.fetch_agents, self.apply_agents),
            Stream("comments", None, self.fetch_thread, self.apply_thread),
        ]
        self._load()
        self._spent = 0   # threads fetched this round (the budget is per round, over both comment passes)
        if self.state.mark is not None:
            due = self.clock() - self._reconciled_at >= self.reconcile_seconds or self.state.reconcile is not None
            return walk + ([Stream("tickets", None, self.fetch_reconcile, self.apply_reconcile)] if due else [])
        if self.state.screens:
            return walk
        return [Stream("tickets", None, self.fetch_first_screen, self.apply_first_screen),
                Stream("comments", None, self.fetch_thread, self.apply_thread), *walk]

    # -- reconcile: tickets that left the lists (deleted, merged, archived) -------------------
    def fetch_reconcile(self, position: str | None) -> Page:
        """The next ``RECONCILE_BATCH`` cached open tickets through ``show_many``; one the answer
        leaves out is asked for alone (an archived ticket still answers), and a 404 marks it missing."""
        after = self.state.reconcile or 0
        ids = self.reader.unsolved_ticket_ids(after, RECONCILE_BATCH)
        if not ids:
            return Page([], "", True, count=0, extra=[])
        body = self.client.get("tickets/show_many.json", {"ids": ",".join(map(str, ids))})
        found = [t for t in listed(body, "tickets") if isinstance(t, dict)]
        seen = {t.get("id") for t in found}
        gone = []
        for ticket_id in ids:
            if ticket_id in seen:
                continue
            try:
                ticket = self.client.get(f"tickets/{ticket_id}.json").get("ticket")
            except NotFound:
                gone.append(ticket_id)
                continue
            if isinstance(ticket, dict):
                found.append(ticket)
        last = len(ids) < RECONCILE_BATCH
        self._reconcile_next = None if last else ids[-1]
        return Page(found, "" if last else "more", last, extra=gone, count=0)

    def apply_reconcile(self, page: Page) -> Change:
        change = self.writer.upsert_tickets(page.items) if page.items else Change()
        for ticket_id in page.extra or []:
            log.info("ticket #%s is gone from the helpdesk (deleted or merged away)", ticket_id)
            change |= self.writer.mark_ticket_missing(ticket_id)
        self.state.reconcile = self._reconcile_next
        if page.end_of_stream:
            self.state.reconcile = None
            self._reconciled_at = self.clock()
        self._save()
        return change

    # -- first screens (first sync) --------------------------------------------------------
    def _screen_queries(self) -> list[tuple[str, int]]:
        """(search query, pages at most): the agent's own queue, unassigned, each department."""
        queries = [("type:ticket assignee:me status<solved", SEARCH_PAGES),
                   ("type:ticket assignee:none status<solved", 1)]
        queries += [(f"type:ticket group:{g['id']} status<solved", 1) for g in self.reader.groups()]
        return queries

    def fetch_first_screen(self, position: str | None) -> Page:
        """One search page of a first screen; the position is ``[query index, page]``."""
        if position is None:
            self._queries, index, number = self._screen_queries(), 0, 1
            self._screen_ids = {}
        else:
            index, number = json.loads(position)
        query, most = self._queries[index]
        body = self.client.get("search.json", {"query": query, "sort_by": "updated_at", "sort_order": "desc",
                                               "per_page": self.page_size, "page": number})
        tickets = [t for t in listed(body, "results") if isinstance(t, dict) and t.get("result_type", "ticket")
                   == "ticket"]
        for ticket in tickets:
            ticket.pop("result_type", None)
        self._screen_ids.setdefault(index, []).extend(t["id"] for t in tickets if isinstance(t.get("id"), int))
        known = self.reader.user_names(sorted({t["requester_id"] for t in tickets
                                               if isinstance(t.get("requester_id"), int)}))
        wanted = sorted({t["requester_id"] for t in tickets
                         if isinstance(t.get("requester_id"), int) and t["requester_id"] not in known})
        users = []
        for start in range(0, len(wanted), 100):
            users += listed(self.client.get("users/show_many.json",
                                            {"ids": ",".join(map(str, wanted[start:start + 100]))}), "users")
        following = [index, number + 1] if body.get("next_page") and number < most else [index + 1, 1]
        last = following[0] >= len(self._queries)
        return Page(tickets, "" if last else json.dumps(following), last, extra=users,
                    progress=(index + 1, len(self._queries)))

    def apply_first_screen(self, page: Page) -> Change:
        change = self.writer.apply_ticket_page(page.items, None, end_of_stream=False, users=page.extra)
        page.count = len(change.ticket_ids)
        if page.end_of_stream:
            shown = [ids[:SCREEN_ROWS] for ids in self._screen_ids.values()]
            rest = [ids[SCREEN_ROWS:] for ids in self._screen_ids.values()]
            first = list(dict.fromkeys(i for ids in shown + rest for i in ids))
            self._on_screen = len(set().union(*map(set, shown))) if shown else 0
            self.state.due = first + [i for i in self.state.due if i not in set(first)]
            self.state.screens = True
            self._save()
        return change

    def _load(self) -> None:
        self.state = AgentPullState.parse(self.reader.sync_state(STATE_KEY))
        self._loaded = True

    def _save(self) -> None:
        self.writer.set_sync_state(STATE_KEY, self.state.dumps())

    # -- tickets -------------------------------------------------------------------------
    def fetch_ticket_list(self, next_url: str | None) -> Page:
        """A page of the newest-first walk: the first call starts (or resumes) it."""
        if next_url:
            body = self.client.get_url(next_url)
        else:
            self._load()
            walk = self.state.walk
            if walk and walk.get("next"):
                self._floor = walk.get("floor")
                body = self.client.get_url(walk["next"])
            else:
                mark = _seconds(self.state.mark)
                self._floor = None if mark is None else mark - OVERLAP
                body = self.client.get("tickets.json", {"page[size]": self.page_size, "sort": "-updated_at",
                                                        "include": "users"})
        tickets = [t for t in listed(body, "tickets") if isinstance(t, dict)]
        url = next_link(body)
        stamps = [s for s in (_seconds(t.get("updated_at")) for t in tickets) if s is not None]
        below_floor = self._floor is not None and bool(stamps) and min(stamps) < self._floor
        return Page(tickets, url or "", not url or below_floor, extra=listed(body, "users"))

    def apply_ticket_list(self, page: Page) -> Change:
        change = self.writer.apply_ticket_page(page.items, None, end_of_stream=page.end_of_stream,
                                               users=page.extra)
        page.count = len(change.ticket_ids)
        state = self.state
        ids = [(t.get("id"), t) for t in page.items]
        done = {i for i, t in ids if t.get("status") in DONE_STATUSES}
        fresh = list(dict.fromkeys(i for i, _ in ids if i in change.ticket_ids and i not in done))
        skip = done | set(fresh)
        state.due = fresh + [i for i in state.due if i not in skip]
        if state.mark is not None:  # the first walk's solved tickets are the backfill's
            solved = [i for i, t in ids if i in change.ticket_ids and t.get("status") in SOLVED]
            state.done_due = list(dict.fromkeys(solved + [i for i in state.done_due if i not in fresh]))
        top = _newest([(state.walk or {}).get("top")] + [t.get("updated_at") for _, t in ids])
        if page.end_of_stream:
            state.mark = _newest([state.mark, top])
            state.walk = None
        else:
            state.walk = {"next": page.bookmark, "top": top, "floor": self._floor}
        self._save()
        return change

    # -- agents --------------------------------------------------------------------------
    def fetch_agents(self, next_url: str | None) -> Page:
        if next_url:
            body = self.client.get_url(next_url)
        else:
            body = self.client.get("users.json", {"role[]": ["agent", "admin"], "page[size]": self.page_size})
        url = next_link(body)
        return Page(list(listed(body, "users")), url or "", not url)

    def apply_agents(self, page: Page) -> Change:
        change = self.writer.apply_user_page(page.items, None)
        page.count = len(change.user_ids)
        return change

    # -- comments ------------------------------------------------------------------------
    def fetch_thread(self, position: str | None) -> Page:
        """The thread of the next due ticket; the first call picks this round's batch."""
        if position is None:
            if not self._loaded:
                self._load()
            room = max(0, self.comment_budget - self._spent)
            if self._on_screen is not None:   # the pass before the walk: what the first screens show
                room, self._on_screen = min(room, self._on_screen), None
                self._batch = self.state.due[:room]
            else:
                self._batch = self.state.due[:room]
                self._batch += self._history_batch(room - len(self._batch))
            index = 0
        else:
            index = int(position)
        if index >= len(self._batch):
            return ThreadPage([], "", True, progress=(0, 0), count=0)
        ticket_id = self._batch[index]
        last = index + 1 >= len(self._batch)
        progress = (index + 1, len(self._batch))
        try:
            comments = self.fetch_all(f"tickets/{ticket_id}/comments.json", "comments")
        except NotFound:
            return ThreadPage([], str(index + 1), last, progress=progress, count=0, ticket_id=ticket_id,
                              missing=True)
        return ThreadPage(comments, str(index + 1), last, progress=progress, ticket_id=ticket_id)

    def apply_thread(self, page: Page) -> Change:
        ticket_id = getattr(page, "ticket_id", None)
        if ticket_id is None:
            return Change()
        self._spent += 1
        if getattr(page, "missing", False):
            change = self.writer.mark_ticket_missing(ticket_id)
        else:
            change = self.writer.replace_ticket_comments(ticket_id, page.items)
        self.state.due = [i for i in self.state.due if i != ticket_id]
        self.state.done_due = [i for i in self.state.done_due if i != ticket_id]
        if ticket_id in self._history_keys:
            self.state.history = self._history_keys.pop(ticket_id)
        if page.end_of_stream or (page.progress and page.progress[0] % SAVE_EVERY == 0):
            self._save()
        return change


    def _history_batch(self, room: int) -> list[int]:
        """Solved and closed tickets whose thread is next: changed ones, then the backfill."""
        mark = _seconds(self.state.mark)
        self._history_keys = {}
        if room <= 0 or mark is None or self.history_days <= 0:
            return []
        queued = set(self._batch)
        batch = [i for i in self.state.done_due if i not in queued][:room]
        floor = _iso(mark - self.history_days * 86400)
        for ticket_id, updated_at in self.reader.done_tickets_before(self.state.history, floor, room - len(batch)):
            self._history_keys[ticket_id] = [updated_at, ticket_id]
            if ticket_id not in queued and ticket_id not in batch:
                batch.append(ticket_id)
        return batch


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(iso: object) -> int | None:
    """Epoch seconds of a server timestamp (``2025-10-03T11:40:51Z``); None when unreadable."""
    if not isinstance(iso, str) or not iso:
        return None
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _newest(stamps: list) -> str | None:
    """The newest of some server timestamps, as the server wrote it."""
    readable = [(seconds, stamp) for stamp in stamps if (seconds := _seconds(stamp)) is not None]
    return max(readable)[1] if readable else None
