"""The queue list: departments, views, my tickets, unassigned, drafts, outbox, conflicts.

``QueueListModel`` is a flat list model with section headers (not selectable). Each row is a
:class:`Queue`; ``console.ops.queues`` answers which tickets it shows and how many, off the GUI
thread; only the rows whose count changed repaint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from console.store import UNSOLVED, QueueSpec

QueueRole = Qt.ItemDataRole.UserRole + 1
CountRole = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Queue:
    """One entry of the queue pane. ``kind``: header, queue (a QueueSpec) or a local kind."""

    key: str
    label: str
    kind: str = "queue"
    spec: QueueSpec | None = None

    @property
    def selectable(self) -> bool:
        return self.kind != "header"


OUTBOX_OPEN_STATES = ("queued", "sending", "failed", "conflict")


def queue_ticket_ids(reader, queue, sort_key: str = "updated_at", descending: bool = True, *,
                     limit: int | None = None, start: int = 0) -> list[int]:
    """The ticket ids a queue shows, in order (blocking SQLite: ``console.ops.queues`` runs it off the GUI thread);
    with ``limit``, only that many from row ``start``."""
    if queue.kind == "queue":
        return reader.ticket_ids_for_queue(queue.spec, sort_key, descending, limit=limit, start=start)
    if limit is not None:   # the local kinds are small: their whole list, cut
        return queue_ticket_ids(reader, queue, sort_key, descending)[start:start + limit]
    if queue.kind == "drafts":
        ids = {d.ticket_id for d in reader.list_drafts() if d.ticket_id}
    elif queue.kind == "outbox":
        ids = {e.ticket_id for e in reader.list_outbox(OUTBOX_OPEN_STATES) if e.ticket_id}
    elif queue.kind == "conflicts":
        ids = {c.ticket_id for c in reader.list_conflicts() if c.ticket_id}
    elif queue.kind == "misrouted":
        from console.suggest import misrouted_ticket_ids

        ids = set(misrouted_ticket_ids(reader))
    else:
        return []
    rows = reader.tickets_by_ids(sorted(ids))
    key = {"priority": "priority", "status": "status", "id": "id", "subject": "subject",
           "created_at": "created_at"}.get(sort_key, "updated_at")
    rows.sort(key=lambda r: (r.get(key) is not None, r.get(key) or ""), reverse=descending)
    return [r["id"] for r in rows]


# Unsolved tickets whose department the suggestion confidently disagrees with (console.suggest).
MISROUTED = Queue("misrouted", "Probably misrouted", "misrouted")
NO_DEPARTMENT = Queue("no_department", "No department", spec=QueueSpec(no_department=True, statuses=UNSOLVED))


def agent_queue(user_id: int, name: str) -> Queue:
    """One agent's unsolved tickets (a supervisor's drill-down from the dashboard; not in the pane)."""
    return Queue(f"agent:{user_id}", f"{name}'s open tickets", spec=QueueSpec(assignee_id=user_id, statuses=UNSOLVED))


def queue_for_spec(spec: QueueSpec, label: str) -> Queue:
    """A queue for a spec from elsewhere (the dashboard), with the key the pane knows it by if any."""
    if spec.group_id is not None and not spec.view_id:
        return Queue(f"group:{spec.group_id}", label, spec=spec)
    if spec.no_department:
        return NO_DEPARTMENT
    if spec.assignee_id is not None:
        return agent_queue(spec.assignee_id, label)
    if spec.unassigned:
        return Queue("unassigned", label, spec=spec)
    return Queue(f"spec:{hash(spec)}", label, spec=spec)


def build_queues(groups: list[dict], views: list[dict], me: int | None) -> list[Queue]:
    """The pane's rows, in display order."""
    queues = [Queue("h:mine", "My work", "header")]
    if me is not None:
        queues.append(Queue("mine", "My tickets", spec=QueueSpec(mine=True, me=me, statuses=UNSOLVED)))
    queues.append(Queue("unassigned", "Unassigned", spec=QueueSpec(unassigned=True, statuses=UNSOLVED)))
    queues.append(MISROUTED)
    if groups:
        queues.append(Queue("h:departments", "Departments", "header"))
        queues += [Queue(f"group:{g['id']}", g["name"], spec=QueueSpec.department(g["id"], UNSOLVED))
                   for g in groups]
        queues.append(NO_DEPARTMENT)
    listed = {q.label.casefold() for q in queues}
    views = [v for v in views if str(v.get("title", "")).casefold() not in listed]   # MY WORK has them already
    if views:
        queues.append(Queue("h:views", "Views", "header"))
        queues += [Queue(f"view:{v['id']}", v["title"], spec=QueueSpec.view(v["id"], me)) for v in views]
    queues.append(Queue("h:local", "On this computer", "header"))
    queues += [Queue("drafts", "Drafts", "drafts"), Queue("outbox", "Outbox", "outbox"),
               Queue("conflicts", "Conflicts", "conflicts")]
    return queues


class QueueListModel(QAbstractListModel):
    """Queues with live counts; headers are shown bold and cannot be selected."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._queues: list[Queue] = []
        self._counts: dict[str, int | None] = {}

    def set_queues(self, queues: list[Queue]) -> None:
        self.beginResetModel()
        self._queues = list(queues)
        self.endResetModel()

    def set_counts(self, counts: dict[str, int]) -> None:
        """Update the badges; only rows whose number changed repaint."""
        for row, queue in enumerate(self._queues):
            if counts.get(queue.key) != self._counts.get(queue.key):
                self._counts[queue.key] = counts.get(queue.key)
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, CountRole])

    def queues(self) -> list[Queue]:
        return list(self._queues)

    def queue_at(self, row: int) -> Queue | None:
        return self._queues[row] if 0 <= row < len(self._queues) else None

    def row_of(self, key: str) -> int:
        return next((i for i, q in enumerate(self._queues) if q.key == key), -1)

    def count(self, key: str) -> int | None:
        return self._counts.get(key)

    # -- Qt model API -----------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._queues)

    def flags(self, index) -> Qt.ItemFlag:
        queue = self.queue_at(index.row()) if index.isValid() else None
        if queue is None:
            return Qt.ItemFlag.NoItemFlags
        if not queue.selectable:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        queue = self.queue_at(index.row()) if index.isValid() else None
        if queue is None:
            return None
        count = self._counts.get(queue.key)
        if role == Qt.ItemDataRole.DisplayRole:
            if queue.kind == "header":
                return queue.label.upper()
            return f"{queue.label}  ({count})" if count is not None else queue.label
        if role == Qt.ItemDataRole.ToolTipRole and queue.kind != "header":
            return f"{queue.label}: {count if count is not None else '…'} tickets"
        if role == Qt.ItemDataRole.FontRole and queue.kind == "header":
            font = QFont()
            font.setBold(True)
            font.setPointSizeF(max(font.pointSizeF() - 1, 7))
            return font
        if role == QueueRole:
            return queue
        if role == CountRole:
            return count
        return None
