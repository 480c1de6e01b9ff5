"""Search results grouped by kind: a two-level tree model over the hits of ``CacheReader.search``.

``SearchResultModel()``; ``set_hits(hits)`` shows what a search (run off the GUI thread by
``console.ops.search``) found; ``clear()`` empties it.
Top-level rows are the kinds that have hits (Tickets, Comments, Customers, Canned replies) with
counts; their children are ``SearchHit`` rows (DisplayRole title, ToolTipRole snippet,
``HIT_ROLE`` the ``SearchHit``). ``hits()`` lists what is shown; ``elapsed_ms`` times the last query.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from console.store import SearchHit

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ORDER = ("ticket", "comment", "customer", "canned_reply")
KIND_TITLES = {"ticket": "Tickets", "comment": "Comments", "customer": "Customers", "canned_reply": "Canned replies"}
GROUP_OF = {"customer_ticket": "customer"}   # a customer's tickets are listed under the customer
_GROUP = 0  # internalId of a group row; a hit row stores its group row + 1


class SearchResultModel(QAbstractItemModel):
    """Search hits grouped by kind."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[str, list[SearchHit]]] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        by_kind: dict[str, list[SearchHit]] = {}
        for hit in hits:
            by_kind.setdefault(GROUP_OF.get(hit.kind, hit.kind), []).append(hit)
        self.beginResetModel()
        self._groups = [(kind, by_kind[kind]) for kind in KIND_ORDER if kind in by_kind]
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._groups = []
        self.endResetModel()

    def hits(self) -> list[SearchHit]:
        return [hit for _kind, hits in self._groups for hit in hits]

    def hit(self, index: QModelIndex | QPersistentModelIndex) -> SearchHit | None:
        if not index.isValid() or index.internalId() == _GROUP:
            return None
        return self._groups[index.internalId() - 1][1][index.row()]

    # -- QAbstractItemModel -------------------------------------------------------------

    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, _GROUP) if row < len(self._groups) else QModelIndex()
        if parent.internalId() != _GROUP or parent.row() >= len(self._groups):
            return QModelIndex()
        hits = self._groups[parent.row()][1]
        return self.createIndex(row, 0, parent.row() + 1) if row < len(hits) else QModelIndex()

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid() or index.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _GROUP)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _GROUP and parent.column() == 0:
            return len(self._groups[parent.row()][1])
        return 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == _GROUP:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            kind, hits = self._groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{KIND_TITLES[kind]} ({len(hits)})"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        hit = self.hit(index)
        if role == Qt.ItemDataRole.DisplayRole:
            if hit.kind == "customer_ticket":
                return f"    ↳ #{hit.ticket_id}  {hit.title or '(no title)'}  ·  {hit.snippet.rsplit(' · ', 1)[-1]}"
            prefix = f"#{hit.ticket_id}  " if hit.kind in ("ticket", "comment") and hit.ticket_id else ""
            text = f"{prefix}{hit.title or '(no title)'}"
            return f"{text}  ·  {' '.join(hit.snippet.split())}" if hit.kind == "comment" and hit.snippet else text
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.snippet or None
        if role == HIT_ROLE:
            return hit
        return None
