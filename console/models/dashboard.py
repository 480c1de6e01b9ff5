"""Qt table models for the dashboard: one row per department, one row per agent.

``DepartmentTableModel`` / ``AgentTableModel``: ``set_snapshot(snapshot)`` replaces the rows;
``row_record(row)`` gives the ``DepartmentStats`` / ``AgentStats`` behind a row.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from console.domain.dashboard import AgentStats, DashboardSnapshot, DepartmentStats, format_duration

_Index = QModelIndex | QPersistentModelIndex


class _SnapshotModel(QAbstractTableModel):
    COLUMNS: tuple[tuple[str, Any], ...] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list = []

    def _records(self, snapshot: DashboardSnapshot) -> list:
        raise NotImplementedError

    def set_snapshot(self, snapshot: DashboardSnapshot) -> None:
        self.beginResetModel()
        self._rows = list(self._records(snapshot))
        self.endResetModel()

    def row_record(self, row: int):
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][0]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or index.column() >= len(self.COLUMNS):
            return None
        value = self.COLUMNS[index.column()][1](self._rows[index.row()])
        if role == Qt.ItemDataRole.DisplayRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def csat_text(share: float | None, rated: int) -> str:
    """"92% (25 rated)"; "—" when nobody rated."""
    return "—" if share is None else f"{share:.0%} ({rated} rated)"


class DepartmentTableModel(_SnapshotModel):
    COLUMNS = (
        ("Department", lambda d: d.name), ("New", lambda d: d.new), ("Open", lambda d: d.open),
        ("Pending", lambda d: d.pending), ("On hold", lambda d: d.hold), ("Unassigned", lambda d: d.unassigned),
        ("Oldest waiting", lambda d: format_duration(d.oldest_waiting_seconds)),
        ("SLA breached", lambda d: d.sla_breached), ("SLA at risk", lambda d: d.sla_at_risk),
        ("1st reply today", lambda d: format_duration(d.median_first_reply_today)),
        ("1st reply 7 days", lambda d: format_duration(d.median_first_reply_7d)),
        ("CSAT", lambda d: csat_text(d.csat, d.rated)),
    )

    def _records(self, snapshot: DashboardSnapshot) -> list[DepartmentStats]:
        return snapshot.departments


class AgentTableModel(_SnapshotModel):
    COLUMNS = (
        ("Agent", lambda a: a.name), ("Open assigned", lambda a: a.open_assigned),
        ("Solved today", lambda a: a.solved_today), ("Replies today", lambda a: a.replies_today),
    )

    def _records(self, snapshot: DashboardSnapshot) -> list[AgentStats]:
        return snapshot.agents
