"""Pulling from the helpdesk into the cache: blocking calls, run by the engine in executor threads.

Three bookmarked export streams (helpdesk-api.md §6, §19.1):
- tickets: cursor export, bookmark ``tickets_cursor`` (first run ``start_time=0``);
- users: cursor export, bookmark ``users_cursor``;
- comments: ``ticket_events?include=comment_events`` (time-based), bookmark ``ticket_events_end_time``.
Each stream is fetched page by page (``fetch(bookmark) -> Page``) and every page is applied
as ONE cache transaction together with its bookmark (``apply(page) -> Change``), so a sync
killed at any instant resumes from the last applied page. The fetch also turns the page into
rows (``store.prepare_*``, pure Python): that runs on the network lane while the db lane writes
the previous page, and the db lane only writes.

Slow-moving resources (groups, memberships, macros, views, user fields, custom statuses, brands, ticket
forms, ticket fields) are replaced whole;
``refresh_ticket`` re-reads one ticket and its whole thread (when an agent opens it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from console.store import (
    CacheWriter,
    Change,
    Prepared,
    prepare_comment_events,
    prepare_tickets,
    prepare_users,
)

from .client import AuthError, HelpdeskClient, Invalid, MalformedAnswer, NotFound
from .decoder import PageDecoder

PER_PAGE = 1000
RESOURCE_LISTS = (  # (path, response key, writer method)
    ("groups.json", "groups", "replace_groups"),
    ("group_memberships.json", "group_memberships", "replace_memberships"),
    ("macros.json", "macros", "replace_macros"),
    ("views.json", "views", "replace_views"),
    ("user_fields.json", "user_fields", "replace_user_fields"),
    ("custom_statuses.json", "custom_statuses", "replace_custom_statuses"),
    ("brands.json", "brands", "replace_brands"),
    ("ticket_forms.json", "ticket_forms", "replace_ticket_forms"),
    ("ticket_fields.json", "ticket_fields", "replace_ticket_fields"),
)
# Resources an account may not have (a plan without custom statuses or forms answers 403 or 404; a
# helpdesk older than the ticket fields list, 404): none.
OPTIONAL_RESOURCES = frozenset({"custom_statuses", "brands", "ticket_forms", "ticket_fields"})


@dataclass
class Page:
    """One export page: its items, the bookmark to store with them, and whether it reached the present."""

    items: list
    bookmark: str | int
    end_of_stream: bool
    position: int | None = None  # generated_timestamp / timestamp of the last item (progress)
    extra: list | None = None    # side-loaded users
    count: int | None = None     # items worth reporting (comments in a ticket_events page)
    progress: tuple[int, int | None] | None = None  # (done, total) when the stream knows better than time
    prepared: Prepared | None = None  # ``items`` as rows, made on the fetching thread
    prepared_extra: Prepared | None = None

    @property
    def size(self) -> int:
        return len(self.items) if self.count is None else self.count


@dataclass
class Stream:
    name: str              # "tickets", "users", "comments" (also the status phase)
    state_key: str | None  # sync_state key holding the bookmark (None: the stream keeps its own state)
    fetch: Callable[[str | None], Page]
    apply: Callable[[Page], Change]


class Puller:
    """Fetch and apply functions over one client and the cache's single writer."""

    def __init__(self, client: HelpdeskClient, writer: CacheWriter, decoder: PageDecoder | None = None):
        self.client = client
        self.writer = writer
        self.decoder = decoder or PageDecoder()

    def streams(self) -> list[Stream]:
        return [
            Stream("tickets", "tickets_cursor", self.fetch_tickets, self.apply_tickets),
            Stream("users", "users_cursor", self.fetch_users, self.apply_users),
            Stream("comments", "ticket_events_end_time", self.fetch_comment_events, self.apply_comment_events),
        ]

    # -- tickets -------------------------------------------------------------------------
    def fetch_tickets(self, cursor: str | None) -> Page:
        return self._cursor_page("incremental/tickets/cursor.json", ticket_page, cursor, self._ticket_restart)

    def apply_tickets(self, page: Page) -> Change:
        return self.writer.apply_ticket_page(page.prepared or page.items, str(page.bookmark),
                                             end_of_stream=page.end_of_stream,
                                             users=page.prepared_extra or page.extra, bulk=True)

    def _ticket_restart(self) -> int:
        """A rejected cursor: restart five minutes before the newest version we hold (§19.1)."""
        return max(0, _max_column(self.writer.path, "tickets", "generated_ts") - 300)

    # -- users ---------------------------------------------------------------------------
    def fetch_users(self, cursor: str | None) -> Page:
        return self._cursor_page("incremental/users/cursor.json", user_page, cursor, lambda: 0)

    def apply_users(self, page: Page) -> Change:
        return self.writer.apply_user_page(page.prepared or page.items, str(page.bookmark),
                                           end_of_stream=page.end_of_stream, bulk=True)

    def _cursor_page(self, path: str, build: Callable[[dict, str | None], Page], cursor: str | None,
                     restart: Callable[[], int]) -> Page:
        params: dict = {"per_page": PER_PAGE}

        def decode(raw: bytes) -> Page:
            return self.decoder.decode(raw, build, cursor)
        if cursor:
            try:
                return self.client.get_decoded(path, {**params, "cursor": cursor}, decode)
            except MalformedAnswer:
                raise
            except Invalid:
                return self.client.get_decoded(path, {**params, "start_time": restart()}, decode)
        return self.client.get_decoded(path, {**params, "start_time": 0}, decode)

    # -- comments ------------------------------------------------------------------------
    def fetch_comment_events(self, end_time: str | None) -> Page:
        start = int(end_time or 0)
        try:
            return self.client.get_decoded(
                "incremental/ticket_events.json", {"start_time": start, "include": "comment_events",
                                                   "per_page": PER_PAGE},
                lambda raw: self.decoder.decode(raw, comment_page, start))
        except MalformedAnswer:
            raise
        except Invalid as exc:
            if exc.status in (400, 422) and "too recent" in str(exc).lower():
                return Page([], start, True, None)  # nothing can be newer than our bookmark yet
            raise

    def apply_comment_events(self, page: Page) -> Change:
        return self.writer.apply_comment_events(page.prepared or page.items, int(page.bookmark),
                                                end_of_stream=page.end_of_stream, bulk=True)

    # -- slow-moving resources -----------------------------------------------------------
    def refresh_resources(self) -> Change:
        change = Change()
        for path, key, method in RESOURCE_LISTS:
            try:
                items = self.fetch_all(path, key)
            except (AuthError, NotFound):
                if key not in OPTIONAL_RESOURCES:
                    raise
                items = []
            change |= getattr(self.writer, method)(items)
        return change

    def fetch_all(self, path: str, key: str, page_size: int = 100) -> list:
        """Every item of a paginated list, following the helpdesk's links verbatim (§19.10)."""
        body = self.client.get(path, {"page[size]": page_size})
        items = list(listed(body, key))
        while url := next_link(body):
            body = self.client.get_url(url)
            items.extend(listed(body, key))
        return items

    # -- one ticket ----------------------------------------------------------------------
    def fetch_ticket(self, ticket_id: int) -> tuple[dict, list]:
        """The ticket and its whole thread; ``NotFound`` when it is gone."""
        ticket = self.client.get(f"tickets/{ticket_id}.json").get("ticket")
        if not isinstance(ticket, dict) or ticket.get("id") != ticket_id or not isinstance(ticket.get("updated_at"), str):
            raise MalformedAnswer(f"the helpdesk's answer for ticket #{ticket_id} is not a usable ticket")
        comments = self.fetch_all(f"tickets/{ticket_id}/comments.json", "comments")
        return ticket, comments

    def refresh_ticket(self, ticket_id: int) -> Change:
        try:
            ticket, comments = self.fetch_ticket(ticket_id)
        except NotFound:
            return self.writer.mark_ticket_missing(ticket_id)
        return self.writer.upsert_tickets([ticket]) | self.writer.replace_ticket_comments(ticket_id, comments)


# -- pages from answers: pure, module level (``decoder.PageDecoder`` may run them in its helper process) --

def _export_page(body: dict, key: str, cursor: str | None) -> Page:
    items = listed(body, key)
    last = items[-1].get("generated_timestamp") if items and isinstance(items[-1], dict) else None
    after = body.get("after_cursor")
    if after is not None and not isinstance(after, str):
        raise MalformedAnswer(f"the helpdesk's {key} export has an after_cursor that is not a string")
    return Page(items, after or cursor or "", bool(body.get("end_of_stream")), last if isinstance(last, int) else None)


def _rows_only(page: Page) -> Page:
    """The page without its API objects once they are rows: what crosses back from the helper process."""
    page.count, page.items, page.extra = len(page.items), [], None
    return page


def ticket_page(body: dict, cursor: str | None) -> Page:
    page = _export_page(body, "tickets", cursor)
    users = listed(body, "users")
    page.prepared = prepare_tickets(page.items)
    page.prepared_extra = prepare_users(users) if users else None
    return _rows_only(page)


def user_page(body: dict, cursor: str | None) -> Page:
    page = _export_page(body, "users", cursor)
    page.prepared = prepare_users(page.items)
    return _rows_only(page)


def comment_page(body: dict, start: int) -> Page:
    events = listed(body, "ticket_events")
    last = events[-1].get("timestamp") if events and isinstance(events[-1], dict) else None
    comments = sum(1 for e in events if isinstance(e, dict) for c in e.get("child_events") or []
                   if isinstance(c, dict) and c.get("event_type") == "Comment")
    end_time = body.get("end_time")
    if end_time is not None and (isinstance(end_time, bool) or not isinstance(end_time, int)):
        raise MalformedAnswer("the helpdesk's ticket events have an end_time that is not a number")
    return Page([], int(end_time or start), bool(body.get("end_of_stream")), last if isinstance(last, int) else None,
                count=comments, prepared=prepare_comment_events(events))


def listed(body: dict, key: str) -> list:
    """``body[key]`` as the list the API promises (missing: empty); any other shape is MalformedAnswer."""
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedAnswer(f"the helpdesk's answer has {key!r} as {type(value).__name__}, not a list")
    return value


def next_link(body: dict) -> str | None:
    """The next page's URL of a list answer (CBP ``links.next`` or OBP ``next_page``), None at the end."""
    links, meta = body.get("links") or {}, body.get("meta") or {}
    if not isinstance(links, dict) or not isinstance(meta, dict):
        raise MalformedAnswer("the helpdesk's paging links are not objects")
    cbp = links.get("next") if meta.get("has_more") else None
    link = cbp if links or meta else body.get("next_page")
    if link is not None and not isinstance(link, str):
        raise MalformedAnswer("the helpdesk's next-page link is not a string")
    return link or None


def _max_column(path: Path, table: str, column: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()[0])
    finally:
        conn.close()
