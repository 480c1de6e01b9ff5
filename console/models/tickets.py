"""The ticket list: a lazy table model over one queue.

Like Anki's browser table: the model holds only the queue's ticket ids (one indexed query);
rows are fetched by id in batches (``BATCH``) the first time a view asks for them, and kept in
a row cache that ``mark_stale(ids)`` invalidates. Requester/assignee names come with each
batch, and each row's cell texts are formatted once (painting only looks them up). Field
changes still in the outbox are shown at once (the status cell says "⏳ queued"). A screenful read
off the GUI thread comes formatted there too (``screen_maker``: a ``Screen``), so a queue switch
or a sort paints without formatting a row. Sorting
re-runs the id query: off the GUI thread when someone listens to ``ids_requested`` (the main
window does), in place otherwise. Every column sorts (requester, department and assignee by
name). Unseen (new or changed) tickets are bold with a dot. Waiting = the requester's wait: since
the customer's first public message without a public agent answer after it (``domain.sla``'s
``waiting_since``, read per batch by ``console.store.dashboard.waiting_since``), for tickets
that wait on us (new, open, on hold); sorting by it puts the longest wait first.

A list that stays put: while the agent works the queue, a fresh id query is *offered*
(``offer_ids``), not applied: rows keep their places, tickets that left the queue (solved,
moved) stay visible and greyed (``departed``), and what is new or re-sorted waits in
``pending_ids`` until ``apply_pending()`` (the "3 new — show" banner, a refresh, the next visit).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QMetaMethod, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from console.domain.new_ticket import NOT_YET
from console.domain.sla import parse_api_time
from console.domain.statuses import WAITING as WAITING_STATUSES
from console.domain.statuses import CustomStatus, custom_status_of
from console.models.queues import queue_ticket_ids

BATCH = 120   # rows fetched per miss: a screenful and a half, so the first paint stays cheap
FEW_LOOKUPS = 8   # up to this many tickets' rows are found by scanning the ids (see _rows_of)
TicketIdRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class IdOffer:
    """A fresh id query set against the ids a list shows (``IdOffer.of``): pure, so it runs off
    the GUI thread beside the query (12k ids: a few ms of set and list work per sync page)."""
    shown: list[int]            # the list's ids it was computed against (their identity: its version)
    ids: list[int]
    departed: frozenset[int]    # shown, no longer in the query
    new: int                    # in the query, not shown
    reordered: bool             # the tickets on both sides are in another order
    stand_in_moved: bool        # a stand-in (negative id, the agent's own new ticket) came or went

    @classmethod
    def of(cls, shown: list[int], ids: list[int]) -> IdOffer:
        if ids == shown:   # the common case, compared in C
            return cls(shown, ids, frozenset(), 0, False, False)
        had, has = set(shown), set(ids)
        staying = has & had
        if len(staying) == len(had) == len(has):
            reordered = True   # the same tickets, not equal: another order
        else:
            reordered = [t for t in shown if t in staying] != [t for t in ids if t in staying]
        return cls(shown, ids, frozenset(had - has), len(has - had), reordered,
                   any(t < 0 for t in had ^ has))


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sort_key: str | None   # a CacheReader sort key, or None = not sortable


COLUMNS = (
    Column("id", "#", "id"), Column("subject", "Subject", "subject"),
    Column("requester", "Requester", "requester"), Column("status", "Status", "status"),
    Column("priority", "Priority", "priority"), Column("department", "Department", "department"),
    Column("assignee", "Assignee", "assignee"), Column("updated", "Updated", "updated_at"),
    Column("waiting", "Waiting", "waiting"),
)
HEADER_TIPS = {
    "id": "● and bold: new or changed by someone else since you last looked",
    "waiting": "How long the customer has waited for an answer: since their first public message\n"
               "with no public agent reply after it (new, open and on-hold tickets)",
}
_DISPLAY, _FONT, _TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole
_ROLES = frozenset({int(_DISPLAY.value), int(_FONT.value), int(_TOOLTIP.value), int(TicketIdRole)})


def human_age(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def with_queued(rows: list[dict[str, Any]], queued: dict[int, dict]) -> list[dict[str, Any]]:
    """List rows with the agent's field changes still in the outbox applied (``_queued``: their names)."""
    for row in rows:
        changes = queued.get(row["id"])
        if changes:
            row.update(changes)
            row["_queued"] = tuple(sorted(changes))
    return rows


def minute_now() -> int:
    """The minute cell texts are formatted in ("updated" and "waiting" age: reformatted once a minute)."""
    return int(time.monotonic() // 60)


def row_texts(t: dict[str, Any], names: dict[int, str], group_names: dict[int, str],
              statuses: dict[int, CustomStatus], now: datetime) -> tuple:
    """Every cell's text for one list row, in column order, then its seen flag (pure: any thread)."""
    updated = parse_api_time(t["updated_at"])
    if updated is None:
        updated_text = waiting = ""
    else:
        local = updated.astimezone()
        same_day = local.date() == now.astimezone().date()
        updated_text = f"{local.hour:02d}:{local.minute:02d}" if same_day else local.date().isoformat()
        since = t.get("_waiting_since")
        waiting = human_age(datetime.fromtimestamp(since, UTC), now) \
            if since is not None and t["status"] in WAITING_STATUSES else ""
    requester, assignee, group = t["requester_id"], t["assignee_id"], t["group_id"]
    custom = custom_status_of(t, statuses)
    status = custom.label if custom is not None and not custom.default else (t["status"] or "")
    cells = {
        "id": ("new" if t["id"] < 0 else f"● {t['id']}" if not t["seen"] else str(t["id"])),
        "subject": t["subject"] or "",
        "requester": names.get(requester, "") if requester else "",
        "status": status + (" ⏳" if t.get("_queued") else "")
        if t["id"] > 0 else NOT_YET,   # a new ticket still in the outbox (console/store/local_tickets.py)
        "priority": t["priority"] or "",
        "department": group_names.get(group, "") if group else "",
        "assignee": names.get(assignee, "—") if assignee else "—",
        "updated": updated_text,
        "waiting": waiting,
    }
    return (*(cells[c.key] for c in COLUMNS), t["seen"])


@dataclass(frozen=True)
class Screen:
    """A screenful of list rows made ready off the GUI thread (``TicketListModel.screen_maker``): the
    rows (queued field changes applied), their people's names, and each row's cell texts by ticket
    id, formatted for the model state ``stamp`` names (texts of an older state are not used)."""
    rows: list[dict[str, Any]]
    names: dict[int, str]
    texts: dict[int, tuple]
    stamp: tuple[int, int]   # (the model's formatting version, the minute)


class TicketListModel(QAbstractTableModel):
    """Ticket ids of one queue, rows fetched lazily from a ``CacheReader``."""

    rows_fetched_changed = Signal(int)   # rows now held in the cache (for tests and the benchmark)
    ids_requested = Signal()             # the sort changed: re-run the id query (off the GUI thread)

    def __init__(self, reader, parent=None, *, batch: int = BATCH) -> None:
        super().__init__(parent)
        self.reader = reader
        self.batch = batch   # rows fetched per miss
        self._queue = None
        self._ids: list[int] = []
        self._row_index: dict[int, int] | None = {}
        self._rows: dict[int, dict[str, Any]] = {}
        self._texts: dict[int, tuple] = {}   # ticket id -> formatted cells + seen flag
        self._texts_minute = 0
        self._format_version = 0   # bumped when department names or custom statuses change (Screen.stamp)
        self._bold = QFont()
        self._bold.setBold(True)
        self._names: dict[int, str] = {}
        self.departed: set[int] = set()          # shown, but no longer in the queue (greyed)
        self._pending: list[int] | None = None   # a newer id query not applied yet
        self._settled: range | None = None       # rows of a new order known yet (show_head); the others "…"
        self.painted_rows: range | None = None   # the rows in the view at its last paint (set by the view)
        self._stale_marks = 0
        self._custom_statuses: dict[int, CustomStatus] = {}
        self._group_names: dict[int, str] = {}
        self._sort_column = COLUMNS.index(next(c for c in COLUMNS if c.key == "updated"))
        self._descending = True
        self.now = lambda: datetime.now(UTC)

    # -- queue and ids ----------------------------------------------------------------------

    @property
    def queue(self):
        return self._queue

    @property
    def descending(self) -> bool:
        return self._descending

    @property
    def sort_key(self) -> str:
        return COLUMNS[self._sort_column].sort_key or "updated_at"

    def set_group_names(self, names: dict[int, str]) -> None:
        """Departments changed: their names here."""
        if names != self._group_names:
            self._group_names = dict(names)   # replaced, never changed in place: screen_maker reads it
            self._format_version += 1

    def set_custom_statuses(self, statuses: dict[int, CustomStatus]) -> None:
        """The account's custom statuses: a ticket in one (other than its category's default) shows its name."""
        if statuses != self._custom_statuses:
            self._custom_statuses = dict(statuses)   # replaced, never changed in place: screen_maker reads it
            self._format_version += 1
            # only the cells' texts name the status: the fetched rows stay (refetching every visible row
            # on the GUI thread when a sync replaced the statuses stalled it 100-300 ms)
            self._texts.clear()
            self._repaint_all()

    def set_queue(self, queue, ids: list[int] | None = None, screen: Screen | None = None) -> None:
        """Show ``queue``; ``ids`` when the caller already ran the id query off the GUI thread, ``screen``
        when it read the first screenful too."""
        self.beginResetModel()
        self._queue = queue
        self._rows.clear()
        self._texts.clear()
        self.departed, self._pending = set(), None
        self._set_ids(ids if ids is not None else self._query_ids())
        if screen is not None:
            self._take(screen)
        self.endResetModel()

    def screen_maker(self) -> Callable[[list[dict[str, Any]], dict[int, str], dict[int, dict]], Screen]:
        """``make(rows, names, queued)``, to run off the GUI thread: a ``Screen`` of those list rows,
        formatted as the model formats them now (it reads only what the model replaces, never changes)."""
        group_names, statuses, now, version = self._group_names, self._custom_statuses, self.now, self._format_version

        def make(rows: list[dict[str, Any]], names: dict[int, str], queued: dict[int, dict]) -> Screen:
            minute, moment = minute_now(), now()
            rows = with_queued(rows, queued)
            return Screen(rows, names, {r["id"]: row_texts(r, names, group_names, statuses, moment) for r in rows},
                          (version, minute))
        return make

    def _take(self, screen: Screen) -> None:
        """Hold a screenful's rows, learn its names, and use its texts while they are current (a
        minute later ``cell_texts`` formats them again)."""
        self._names.update(screen.names)
        for row in screen.rows:
            self._rows[row["id"]] = row
        version, minute = screen.stamp
        if version == self._format_version:
            if minute != self._texts_minute:
                self._texts.clear()
                self._texts_minute = minute
            self._texts.update(screen.texts)

    def _query_ids(self) -> list[int]:
        if self._queue is None:
            return []
        return queue_ticket_ids(self.reader, self._queue, self.sort_key, self._descending)

    def _set_ids(self, ids: list[int]) -> None:
        self._ids = ids   # not copied (125k ids: ~0.5 ms a switch): the model never changes a list in place
        self._settled = None
        self._row_index = None   # built on first use: a queue switch never pays for it

    @property
    def _row_of(self) -> dict[int, int]:
        if self._row_index is None:
            self._row_index = {tid: row for row, tid in enumerate(self._ids)}
            if self._settled is not None:   # a ticket of the screenful may also sit, hidden, on a "…" row
                self._row_index.update((self._ids[row], row) for row in self._settled)
        return self._row_index

    def _find_row(self, ticket_id: int | None) -> int:
        try:
            return self._ids.index(ticket_id)
        except ValueError:
            return -1

    def _rows_of(self, ticket_ids) -> dict[int, int]:
        """The rows of these tickets (those shown): a few are looked up in the ids, in C, without
        building the whole ticket -> row index (25-30 ms of the GUI thread for a 125k-ticket queue)."""
        if self._row_index is None and self._settled is None and len(ticket_ids) <= FEW_LOOKUPS:
            found = {tid: self._find_row(tid) for tid in ticket_ids}
            return {tid: row for tid, row in found.items() if row >= 0}
        row_of = self._row_of
        return {tid: row_of[tid] for tid in ticket_ids if tid in row_of}

    def reload_ids(self, ids: list[int] | None = None) -> None:
        """Re-read which tickets the queue holds, keeping selection and current row by ticket id."""
        new_ids = ids if ids is not None else self._query_ids()
        greyed, self.departed, self._pending = self.departed, set(), None
        settling, self._settled = self._settled is not None, None
        if new_ids == self._ids:
            if greyed or settling:
                self._repaint_all()
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._ids[i.row()] if 0 <= i.row() < len(self._ids) else None for i in old]
        self._set_ids(new_ids)
        rows = self._rows_of(set(old_ids))   # the current and selected rows: usually a few
        new = []
        for index, tid in zip(old, old_ids, strict=True):
            row = rows.get(tid, -1)
            new.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def show_head(self, start: int, head: list[int], screen: Screen) -> None:
        """A new order's screenful (``head``, from row ``start``) ahead of the whole order, which
        ``reload_ids`` brings: the other rows show "…" meanwhile. No pass over the queue's ids (125k
        of them cost the GUI thread 10+ ms): the rows around the screenful keep their old tickets,
        hidden, and a selected ticket stays selected, in the screenful or parked on a "…" row."""
        self._take(screen)
        ids = self._ids
        start = min(start, len(ids))
        end = start + len(head)
        new_ids = ids[:start] + head + ids[end:]
        at = {tid: start + i for i, tid in enumerate(head)}
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        held = sorted({i.row() for i in old if 0 <= i.row() < len(ids)})
        taken = {r for r in held if not start <= r < end}
        free = (r for r in chain(range(end, len(new_ids)), range(start - 1, -1, -1)) if r not in taken)
        moved: dict[int, int] = {}
        for row in held:
            tid = ids[row]
            if tid in at:
                moved[row] = at[tid]
            elif start <= row < end:   # its row now shows another ticket: park it on a hidden one
                park = next(free, None)   # none (the queue shrank meanwhile): it is no longer selected
                if park is not None:
                    moved[row] = park
                    new_ids[park] = tid
            else:
                moved[row] = row
        self._ids, self._row_index, self._settled = new_ids, None, range(start, end)
        self.changePersistentIndexList(old, [self.index(moved[i.row()], i.column()) if i.row() in moved
                                             else QModelIndex() for i in old])
        self.layoutChanged.emit()

    @property
    def settling(self) -> bool:
        """Whether only a screenful of the order is known (``show_head``)."""
        return self._settled is not None

    def settle(self) -> None:
        """Show every row as it stands (the whole order could not be read)."""
        if self._settled is not None:
            self._settled = None
            self._repaint_all()

    # -- a list that stays put ------------------------------------------------------------

    @property
    def pending_ids(self) -> list[int] | None:
        return self._pending

    def pending_summary(self) -> tuple[int, bool]:
        """(tickets new to the list, whether the order changed) of the offered ids."""
        if self._pending is None:
            return 0, False
        shown = self._row_of
        staying = set(self._pending)
        new = len(staying.difference(shown))
        if not new and len(staying) == len(shown):   # the same tickets (the common case): compared in C
            return 0, self._pending != self._ids
        reordered = [t for t in self._ids if t in staying] != [t for t in self._pending if t in shown]
        return new, reordered

    @property
    def shown_ids(self) -> list[int]:
        """The ids shown, not a copy: never changed in place, so ``is`` tells whether they moved on."""
        return self._ids

    def offer_ids(self, ids: list[int] | IdOffer) -> tuple[int, bool]:
        """A fresh id query while the agent works: nothing moves. Tickets that left the queue
        are greyed in place; new or re-sorted ones wait for ``apply_pending``. Returns
        ``pending_summary()``. An empty list takes the ids at once (nothing to keep in place).
        An ``IdOffer`` computed against ``shown_ids`` saves the GUI thread the comparison."""
        offer = ids if isinstance(ids, IdOffer) and ids.shown is self._ids else None
        if offer is None:
            offer = IdOffer.of(self._ids, list(ids.ids if isinstance(ids, IdOffer) else ids))
        if not self._ids:
            self.reload_ids(offer.ids)
            return 0, False
        departed = set(offer.departed)
        changed = departed ^ self.departed
        self.departed = departed
        moved = offer.new or offer.reordered
        self._pending = list(offer.ids) if moved or departed else None
        self._repaint_rows(changed)
        return offer.new, offer.reordered

    def apply_pending(self) -> None:
        """Merge what was offered: new tickets in, departed ones out, the query's order."""
        if self._pending is not None:
            self.reload_ids(self._pending)
        elif self.departed:
            self.reload_ids([t for t in self._ids if t not in self.departed])

    def rename_queue(self, queue) -> None:
        """The shown queue under its new name (the same spec: the same tickets); the rows stay."""
        self._queue = queue

    def is_departed(self, row: int) -> bool:
        departed = self.departed
        return bool(departed) and 0 <= row < len(self._ids) and self._ids[row] in departed

    def mark_stale(self, ticket_ids=None) -> None:
        """Forget cached rows (all when None) so they are fetched again; visible ones repaint."""
        self._stale_marks += 1
        if ticket_ids is None:
            self._rows.clear()
            self._texts.clear()
            self._repaint_all()
            return
        for tid in ticket_ids:
            self._rows.pop(tid, None)
            self._texts.pop(tid, None)
        self._repaint_rows(ticket_ids)

    def _repaint_all(self) -> None:
        """One ``dataChanged`` over every row (the view repaints what of it it shows)."""
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def _repaint_rows(self, ticket_ids) -> None:
        """One ``dataChanged`` over the rows of these tickets that the view showed at its last paint
        (``painted_rows``; the others are painted afresh when scrolled to): a sync page touches up to
        1,000 tickets, and a signal per row cost the GUI thread ~5 ms; finding their rows in the whole
        queue built the ticket -> row index, 60 ms mid-sync for a 125k-ticket queue."""
        if not ticket_ids:
            return
        shown = self.painted_rows
        if shown is None:   # no view painted yet (or a model without one): look the rows up
            rows = self._rows_of(ticket_ids).values()
        else:
            wanted = ticket_ids if isinstance(ticket_ids, set | frozenset) else set(ticket_ids)
            ids = self._ids
            rows = [row for row in shown if row < len(ids) and ids[row] in wanted]
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(COLUMNS) - 1))

    def ticket_id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, ticket_id: int) -> int:
        return self._rows_of((ticket_id,)).get(ticket_id, -1)

    def ticket_ids(self) -> list[int]:
        return list(self._ids)

    @property
    def cached_rows(self) -> int:
        return len(self._rows)

    def holds_rows(self, ticket_ids: list[int]) -> bool:
        """Whether these tickets' rows are read already (painting them reads nothing)."""
        rows = self._rows
        return all(tid in rows for tid in ticket_ids)

    @property
    def stale_marks(self) -> int:
        """How many times rows were marked stale: a screenful read before a mark is older than the cache."""
        return self._stale_marks

    def take_screen(self, screen: Screen, *, read_at: int) -> None:
        """A screenful read off the GUI thread for rows about to be shown (``screen_maker``), asked for
        when ``stale_marks`` was ``read_at``; dropped if a change marked rows stale since (it may be older)."""
        if read_at == self._stale_marks:
            self._take(screen)

    # -- lazy rows --------------------------------------------------------------------------

    def _row(self, row: int) -> dict[str, Any] | None:
        tid = self._ids[row]
        cached = self._rows.get(tid)
        if cached is not None:
            return cached
        start = max(0, row - self.batch // 4)
        wanted = [t for t in self._ids[start:start + self.batch] if t not in self._rows]
        fetched = with_queued(self.reader.tickets_by_ids(wanted), self.reader.pending_fields(wanted))
        waits = self.reader.waiting_since([r["id"] for r in fetched if r["status"] in WAITING_STATUSES])
        for r in fetched:
            r["_waiting_since"] = waits.get(r["id"])
        people = {p for r in fetched for p in (r["requester_id"], r["assignee_id"])
                  if p is not None and p not in self._names}
        if people:
            self._names.update(self.reader.user_names(sorted(people)))
        for r in fetched:
            self._rows[r["id"]] = r
        self.rows_fetched_changed.emit(len(self._rows))
        return self._rows.get(tid)

    def _row_texts(self, t: dict[str, Any]) -> tuple:
        """Every cell's text for one ticket (formatted once, then looked up by paints) + the seen flag."""
        return row_texts(t, self._names, self._group_names, self._custom_statuses, self.now())

    def cell_texts(self, row: int) -> tuple | None:
        """Row ``row``'s cell texts in column order, then its seen flag; None if the ticket vanished.

        What ``data()`` answers, without a Qt call per role: the list's delegate paints from it."""
        if self._settled is not None and row not in self._settled:
            return None   # its place in the new order is not known yet
        tid = self._ids[row]
        minute = minute_now()
        if minute != self._texts_minute:   # "updated" and "waiting" texts age: reformat once a minute
            self._texts.clear()
            self._texts_minute = minute
        texts = self._texts.get(tid)
        if texts is None:
            ticket = self._row(row)
            if ticket is None:
                return None
            texts = self._texts[tid] = self._row_texts(ticket)
        return texts

    # -- Qt model API -----------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                tips = HEADER_TIPS.get(COLUMNS[section].key)
                if COLUMNS[section].sort_key is None:
                    tips = (tips + "\n" if tips else "") + "This column cannot be sorted in the local cache"
                return tips
        return None

    # flags(): the C++ default (enabled, selectable) is what the list needs; not overriding it
    # saves a Python call per painted cell

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES:   # paint asks ~7 roles per cell: answer the unused ones first
            return None
        row = index.row()
        if not index.isValid() or not (0 <= row < len(self._ids)) or index.column() >= len(COLUMNS):
            return None
        if role == TicketIdRole:
            return self._ids[row]
        texts = self.cell_texts(row)
        if texts is None:   # vanished between the id query and the row fetch
            return "…" if role == _DISPLAY else None
        if role == _DISPLAY:
            return texts[index.column()]
        if role == _FONT:
            return None if texts[-1] else self._bold
        return texts[1] if COLUMNS[index.column()].key == "subject" else None   # tooltip: the whole subject

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(COLUMNS)) or COLUMNS[column].sort_key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if COLUMNS[column].key == "waiting":   # longest wait first = the oldest "waiting since" first
            descending = not descending
        if column == self._sort_column and descending == self._descending and self._ids:
            return
        self._sort_column, self._descending = column, descending
        if self.isSignalConnected(QMetaMethod.fromSignal(self.ids_requested)):
            self.ids_requested.emit()
        else:
            self.reload_ids()
