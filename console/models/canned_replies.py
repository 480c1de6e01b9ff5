"""Canned replies (helpdesk macros) for one ticket: the list model and the placeholder plumbing.

- ``CannedReplyModel(reader)``: a flat list model of the canned replies usable in a department
  (``set_department(group_id, me)``: shared, that group's and the agent's own; fragments left out,
  and each reply's ``{% render %}`` fragments inlined, console/domain/fragments.py), narrowed by
  ``set_filter(text)`` through the cache's FTS index. Bad search syntax leaves the list as it
  was and emits ``filter_error_changed(message)`` ("" once the filter is fine again).
  Roles: DisplayRole = title, ToolTipRole = description, ``MACRO_ID_ROLE`` = macro id.
- ``CannedReply.from_macro(macro, ticket, me)``: the macro's comment template, public flag and
  the ticket field changes its actions make (read by ``console.domain.macro_actions``; the
  console applies status, priority, type, group_id, assignee_id and tags as the full list).
- ``fill_template(template, context)``: render, but keep every placeholder that would come out
  undefined/empty as its original ``{{ ... }}`` markup so the editor can highlight it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from console.domain.fragments import fragments_from_macros, with_fragments_expanded
from console.domain.html import html_to_text
from console.domain.macro_actions import macro_effect
from console.domain.placeholders import render, render_preview
from console.store import CacheReader, SearchSyntaxError

MACRO_ID_ROLE = Qt.ItemDataRole.UserRole + 1
# What a canned reply changes on the ticket (a macro's subject or custom fields are not applied).
APPLIED_FIELDS = ("status", "priority", "type", "group_id", "assignee_id", "tags")
_SENTINEL = "\ue000{}\ue001"


@dataclass(frozen=True)
class CannedReply:
    """What applying one macro does: a comment template plus ticket field changes."""

    macro_id: int
    title: str
    description: str
    template: str
    public: bool = True
    field_changes: dict[str, Any] = field(default_factory=dict)
    html_template: str | None = None   # the macro's formatted comment (the rich editor inserts it)

    @classmethod
    def from_macro(cls, macro: Mapping, ticket: Mapping | None, me: int | None) -> CannedReply:
        """The macro's effect on ``ticket`` (``console.domain.macro_actions``): its comment template
        and the ticket fields the console edits (``APPLIED_FIELDS``)."""
        effect = macro_effect(macro.get("actions"), tags=(ticket or {}).get("tags") or [], me=me)
        changes = {k: v for k, v in effect.field_changes.items() if k in APPLIED_FIELDS}
        template = effect.comment_text if effect.comment_text is not None else html_to_text(effect.comment_html or "")
        return cls(int(macro["id"]), str(macro.get("title") or ""), str(macro.get("description") or ""),
                   template, effect.public, changes, effect.comment_html)



def fill_template(template: str, context: Mapping) -> str:
    """Render ``template``; unresolved/blank placeholders stay as their ``{{ ... }}`` markup.

    A template that isn't valid Liquid is returned unchanged (the send guard reports it).
    """
    _text, problems = render_preview(template, context)
    if any(p.reason == "error" for p in problems):
        return template
    keep = [p for p in problems if p.reason in ("undefined", "empty")]
    marked, cut = [], 0
    for index, problem in enumerate(keep):
        marked.append(template[cut:problem.start])
        marked.append(_SENTINEL.format(index))
        cut = problem.end
    marked.append(template[cut:])
    text = render("".join(marked), context)
    for index, problem in enumerate(keep):
        text = text.replace(_SENTINEL.format(index), template[problem.start:problem.end])
    return text


class CannedReplyModel(QAbstractListModel):
    """Canned replies for one department, optionally narrowed by a search filter."""

    filter_error_changed = Signal(str)

    def __init__(self, reader: CacheReader, parent=None) -> None:
        super().__init__(parent)
        self._reader = reader
        self._group_id: int | None = None
        self._me: int | None = None
        self._filter = ""
        self._macros: list[dict] = []

    # -- inputs -------------------------------------------------------------------------

    def set_department(self, group_id: int | None, me: int | None = None) -> None:
        self._group_id, self._me = group_id, me
        self.refresh()

    def set_filter(self, text: str) -> None:
        self._filter = text
        self.refresh()

    def refresh(self, only_if_changed: bool = False) -> None:
        """Re-read the department's macros (call after the macros were re-synced); with
        ``only_if_changed`` an unchanged list keeps the model (and the picker's preview) as is."""
        macros = with_fragments_expanded(self._reader.macros_for_department(self._group_id, self._me),
                                         fragments_from_macros(self._reader.all_macros()))
        error = ""
        if self._filter.strip():
            try:
                hits = self._reader.search(self._filter, limit=500)
            except SearchSyntaxError as exc:
                error = str(exc)
                hits = None
            if hits is None:
                macros = self._macros  # keep showing the last good list
            else:
                rank = {h.id: n for n, h in enumerate(hits) if h.kind == "canned_reply"}
                macros = sorted((m for m in macros if m["id"] in rank), key=lambda m: rank[m["id"]])
        if not only_if_changed or macros != self._macros:
            self.beginResetModel()
            self._macros = macros
            self.endResetModel()
        self.filter_error_changed.emit(error)

    # -- reading ------------------------------------------------------------------------

    def macro_at(self, row: int) -> dict | None:
        return self._macros[row] if 0 <= row < len(self._macros) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._macros)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._macros):
            return None
        macro = self._macros[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return macro.get("title") or f"Canned reply {macro['id']}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return macro.get("description") or None
        if role == MACRO_ID_ROLE:
            return macro["id"]
        return None
