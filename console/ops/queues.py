"""Queues: which tickets each shows, their counts, and the small tables behind the queue pane.

    queues = QueueOps(runner, me=agent_id)
    queues.resources_changed.connect(...)   # Resources: departments, agents, views, custom statuses
    queues.counts_changed.connect(...)      # ({queue key: count}, QueueCounts): the one source of counts
    queues.ids(queue, sort_key, descending, done=model.reload_ids)
    queues.prepare(queue, sort_key, descending, count, screen=model.screen_maker(), done=...)   # ids + a screen
    queues.head(queue, sort_key, descending, count, start=, screen=..., done=)   # a new sort's screenful, first
    queues.screen(ids, screen=..., done=)   # these tickets' screenful (a jump to a far row)
    queues.load_resources()   # then the counts; refresh_counts() again after a change

Counts (queue badges, the status bar's "N to send" and conflicts, the tray) come from here only,
recomputed off the GUI thread a moment after any change that can move them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain.sla import parse_api_time
from console.domain.statuses import CustomStatus, custom_status_map
from console.models.queues import queue_ticket_ids
from console.store import Change, Kind, QueueCounts, UnsupportedViewError

from .runner import Runner
from .sync import NoSync

COUNT_KINDS = Kind.TICKETS | Kind.DRAFTS | Kind.OUTBOX | Kind.CONFLICTS | Kind.DEPARTMENTS | Kind.VIEWS \
    | Kind.MEMBERSHIPS
RESOURCE_KINDS = Kind.DEPARTMENTS | Kind.VIEWS | Kind.MEMBERSHIPS | Kind.USERS | Kind.CUSTOM_STATUSES
ScreenMaker = Callable[[list, dict, dict], Any]   # (rows, names, queued) -> what the list shows (a models.tickets.Screen)


@dataclass(frozen=True)
class Resources:
    departments: list[dict[str, Any]] = field(default_factory=list)
    agents: list[dict[str, Any]] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    my_departments: tuple[int, ...] = ()
    custom_statuses: dict[int, CustomStatus] = field(default_factory=dict)

    @property
    def department_names(self) -> dict[int, str]:
        return {d["id"]: d["name"] for d in self.departments}


def screen_rows(reader, ids: list[int]) -> tuple[list, dict, dict]:
    """List rows for a screenful of ids, their people's names and queued field changes."""
    rows = reader.tickets_by_ids(ids)
    waits = reader.waiting_since([r["id"] for r in rows])   # as the list's own batches read them
    for r in rows:
        r["_waiting_since"] = waits.get(r["id"])
    people = sorted({p for r in rows for p in (r["requester_id"], r["assignee_id"]) if p is not None})
    return rows, (reader.user_names(people) if people else {}), reader.pending_fields([r["id"] for r in rows])


def view_counts(reader, views: list[dict], me: int | None) -> dict[str, int]:
    """Ticket counts per view key (views the cache cannot evaluate are left out)."""
    counts = {}
    for view in views:
        try:
            counts[f"view:{view['id']}"] = reader.view_count(view["id"], me)
        except UnsupportedViewError:
            continue
    return counts


def counts_by_key(counts: QueueCounts, views: dict[str, int], unsolved: tuple[str, ...]) -> dict[str, int]:
    """Flatten the cache's counts into one number per queue key."""
    out = {"mine": counts.mine, "unassigned": counts.unassigned, "drafts": counts.drafts,
           "outbox": counts.outbox, "conflicts": counts.conflicts}
    for group_id, by_status in counts.by_department.items():
        key = f"group:{group_id}" if group_id is not None else "no_department"
        out[key] = sum(n for status, n in by_status.items() if status in unsolved)
    out.update(views)
    return out


def view_fallback(reader, queue) -> tuple[list[int], str | None] | None:
    """The helpdesk's last answer for a view the cache cannot evaluate: (ids still cached, its time)."""
    view_id = getattr(getattr(queue, "spec", None), "view_id", None)
    text = reader.sync_state(f"view_result:{view_id}") if view_id is not None else None
    if not text:
        return None
    result = json.loads(text)
    ids = [r["id"] for r in reader.tickets_by_ids(list(result.get("ids") or [])) if not r["deleted"]]
    return ids, result.get("at")


def fallback_note(at: str | None) -> str:
    """"as of 14:02, from the helpdesk" (local time of the helpdesk's answer)."""
    moment = parse_api_time(at)
    return f"as of {moment.astimezone():%H:%M}, from the helpdesk" if moment else "from the helpdesk"


class QueueOps(QObject):
    counts_changed = Signal(object, object)    # {queue key: count}, QueueCounts
    resources_changed = Signal(object)         # Resources

    def __init__(self, runner: Runner, *, me: int | None, sync=None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.me = runner, me
        self.sync = sync if sync is not None else NoSync()
        self.notes: dict[str, str] = {}   # queue key -> what the list header adds ("as of 14:02, from the helpdesk")
        self.resources = Resources()
        self.counts: QueueCounts | None = None
        self._counts_timer = QTimer(self, singleShot=True, interval=150)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._resources_timer = QTimer(self, singleShot=True, interval=150)
        self._resources_timer.timeout.connect(self.load_resources)
        runner.bus.cache_changed.connect(self.on_cache_changed)

    def on_cache_changed(self, change: Change, _initiator: object) -> None:
        if change.touches(RESOURCE_KINDS):
            self._resources_timer.start()
        if change.touches(COUNT_KINDS):
            self._counts_timer.start()

    def load_resources(self) -> None:
        me = self.me

        def work(reader) -> Resources:
            return Resources(reader.groups(), reader.agents(), reader.views(), tuple(reader.group_ids_of(me)),
                             custom_status_map(reader.custom_statuses()))

        def done(resources: Resources) -> None:
            changed = resources != self.resources
            self.resources = resources
            if changed:
                self.resources_changed.emit(resources)   # (the first queue is asked for here, ahead of the counts)
            if changed or self.counts is None:
                self.refresh_counts()
        self.runner.read(work, done=done)

    def refresh_counts(self) -> None:
        from console.store import UNSOLVED

        views, me = self.resources.views, self.me

        def work(reader) -> tuple[dict[str, int], QueueCounts]:
            counts = reader.queue_counts(me)
            return counts_by_key(counts, view_counts(reader, views, me), UNSOLVED), counts

        def done(result) -> None:
            by_key, counts = result
            self.counts = counts
            self.counts_changed.emit(by_key, counts)
        self.runner.read(work, done=done)

    def ids(self, queue, sort_key: str, descending: bool, *, done: Callable[[Any], None],
            failed: Callable[[Exception], None] | None = None,
            then: Callable[[list[int]], Any] | None = None) -> None:
        """A queue's ids. A view the cache cannot evaluate shows the helpdesk's last answer for it
        (labelled in ``notes``) and asks the helpdesk again; with none yet it is empty meanwhile.
        ``then(ids)``: pure work on the ids done off the GUI thread too; ``done`` gets its answer."""
        key = getattr(queue, "key", None)

        def work(reader) -> tuple[Any, str | None]:
            try:
                ids, note = queue_ticket_ids(reader, queue, sort_key, descending), None
            except UnsupportedViewError as exc:
                fallback = view_fallback(reader, queue)
                ids, note = ([], f"{exc}; asking the helpdesk") if fallback is None \
                    else (fallback[0], fallback_note(fallback[1]))
            return (ids if then is None else then(ids)), note

        def answered(result: tuple[Any, str | None]) -> None:
            ids, note = result
            if key is not None:
                if note is None:
                    self.notes.pop(key, None)
                else:
                    if key not in self.notes:   # first time shown (or again after an answer): ask anew
                        self.sync.request_view(queue.spec.view_id)
                    self.notes[key] = note
            done(ids)
        self.runner.read(work, done=answered, failed=failed)

    def note(self, key: str | None) -> str:
        return self.notes.get(key or "", "")

    def head(self, queue, sort_key: str, descending: bool, count: int, *, start: int, screen: ScreenMaker,
             done: Callable[[tuple], None], failed: Callable[[Exception], None] | None = None) -> None:
        """``done((head, screen(rows, names, queued)))``: a screenful of a queue in a new order, in a
        fraction of the whole order's time (ask for that beside it: this is what the agent sees
        meanwhile): ``count`` ids from row ``start``, a few rows of the sort's index."""
        def pick(reader) -> tuple[list[int], list[int]]:
            head = queue_ticket_ids(reader, queue, sort_key, descending, limit=count, start=start)
            return head, head
        self._screenful(pick, screen, done, failed)

    def screen(self, ids: list[int], *, screen: ScreenMaker, done: Callable[[Any], None],
               failed: Callable[[Exception], None] | None = None) -> None:
        """``done(screen(rows, names, queued))`` for these tickets: a screenful the list is about to show."""
        self._screenful(lambda _reader: (None, ids), screen, lambda answer: done(answer[1]), failed)

    def prepare(self, queue, sort_key: str, descending: bool, count: int, *, screen: ScreenMaker,
                done: Callable[[tuple], None], start: int = 0,
                failed: Callable[[Exception], None] | None = None) -> None:
        """``done((ids, screen(rows, names, queued)))``: what showing ``queue`` needs: its ids and the
        screenful from row ``start`` (the one the list shows)."""
        def pick(reader) -> tuple[list[int], list[int]]:
            ids = queue_ticket_ids(reader, queue, sort_key, descending)
            return ids, ids[start:start + count]
        self._screenful(pick, screen, done, failed)

    def _screenful(self, pick: Callable[[Any], tuple[Any, list[int]]], screen: ScreenMaker,
                   done: Callable[[tuple], None], failed: Callable[[Exception], None] | None) -> None:
        """``done((kept, screen(rows, names, queued)))`` where ``pick(reader)`` gives ``kept`` and the
        ids of the screen's rows: read, and the rows made ready to show, off the GUI thread."""
        def work(reader) -> tuple:
            kept, ids = pick(reader)
            return kept, screen(*screen_rows(reader, ids))
        self.runner.read(work, done=done, failed=failed or (lambda _exc: None))
