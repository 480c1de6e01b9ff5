"""Canned replies (helpdesk macros) for one ticket: the list model and the placeholder plumbing.

- ``CannedReplyModel(reader)``: a flat list model of the canned replies usable in a department
  (``set_department(group_id, me)``: shared, that group's and the agent's own; fragments left out,
  and each reply's ``{% render %}`` fragments inlined, console/domain/fragments.py), narrowed by
  ``set_filter(text)`` through the cache's FTS index. Bad search syntax leaves the list as it
  was and emits ``filter_error_changed(message)`` ("" once the filter is fine again).
  Roles: DisplayRole = title, ToolTipRole = description, ``MACRO_ID_ROLE`` = macro id.
- ``set_ranking(replies, best_id)``: the ranking for the open ticket (``console.domain.ranking``,
  computed off the GUI thread by ``console.ops.suggestions``): one row per reply family, in the
  ranked language, best first (a search keeps that order among the families it hits). The best
  (preselected) reply is marked ★, a reply with warnings ⚠ (contradicted ones in ``warning_colour``);
  ``RANKED_ROLE`` = its ``RankedReply``, ``WARNINGS_ROLE`` = its warnings. ``FRAGMENT_ERROR_ROLE``:
  why the reply's fragments don't resolve (a missing fragment, a loop), or None.
- ``CannedReply.from_macro(macro, ticket, me)``: the macro's comment template, public flag and
  the ticket field changes its actions make (read by ``console.domain.macro_actions``; the
  console applies status, priority, type, group_id, assignee_id and tags as the full list).
- ``fill_template(template, context)``: render, but keep every placeholder that would come out
  undefined/empty as its original ``{{ ... }}`` markup so the editor can highlight it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from console.domain.fragments import (
    FragmentError,
    check_fragments,
    fragments_from_macros,
    macro_text,
    references,
    with_fragments_expanded,
)
from console.domain.html import html_to_text
from console.domain.macro_actions import macro_effect
from console.domain.placeholders import render, render_preview
from console.domain.reply_catalog import family_of
from console.store import CacheReader, SearchSyntaxError

if TYPE_CHECKING:
    from console.domain.ranking import RankedReply

MACRO_ID_ROLE = Qt.ItemDataRole.UserRole + 1
RANKED_ROLE = Qt.ItemDataRole.UserRole + 2
WARNINGS_ROLE = Qt.ItemDataRole.UserRole + 3
FRAGMENT_ERROR_ROLE = Qt.ItemDataRole.UserRole + 4
BEST_MARK, WARNING_MARK = "★ ", "⚠ "
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
        self._ranked: list[RankedReply | None] = []
        self._errors: dict[int, str] = {}
        self._ranking: list[RankedReply] | None = None
        self._best: int | None = None
        self.warning_colour: str | None = None

    # -- inputs -------------------------------------------------------------------------

    def set_department(self, group_id: int | None, me: int | None = None) -> None:
        self._group_id, self._me = group_id, me
        self.refresh()

    def set_ranking(self, replies: list[RankedReply] | None, best_id: int | None = None) -> None:
        """Order the rows by this ranking (None: the department's list as cached); the same ranking
        again (the ticket reloaded) leaves the list, its selection and the preview alone."""
        ranking = list(replies) if replies is not None else None
        if ranking == self._ranking and best_id == self._best:
            self.refresh(only_if_changed=True)   # the replies' text may have changed (a fragment edited)
            return
        self._ranking, self._best = ranking, best_id
        self.refresh()

    @property
    def group_id(self) -> int | None:
        """The department whose replies are listed."""
        return self._group_id

    @property
    def best_id(self) -> int | None:
        return self._best

    def set_filter(self, text: str) -> None:
        self._filter = text
        self.refresh()

    def refresh(self, only_if_changed: bool = False) -> None:
        """Re-read the department's macros (call after the macros were re-synced); with
        ``only_if_changed`` an unchanged list keeps the model (and the picker's preview) as is."""
        fragments = fragments_from_macros(self._reader.all_macros())
        macros = with_fragments_expanded(self._reader.macros_for_department(self._group_id, self._me), fragments)
        errors = fragment_errors(macros, fragments)
        error = ""
        hits = None
        if self._filter.strip():
            try:
                hits = self._reader.search(self._filter, limit=500)
            except SearchSyntaxError as exc:
                error = str(exc)
        if error:
            macros, ranked = self._macros, self._ranked  # keep showing the last good list
        elif self._ranking is not None:
            macros, ranked = ranked_rows(macros, self._ranking, hits)
        else:
            if hits is not None:
                rank = {h.id: n for n, h in enumerate(hits) if h.kind == "canned_reply"}
                macros = sorted((m for m in macros if m["id"] in rank), key=lambda m: rank[m["id"]])
            ranked = [None] * len(macros)
        if not only_if_changed or macros != self._macros or ranked != self._ranked or errors != self._errors:
            self.beginResetModel()
            self._macros, self._ranked, self._errors = macros, ranked, errors
            self.endResetModel()
        self.filter_error_changed.emit(error)

    # -- reading ------------------------------------------------------------------------

    def macro_at(self, row: int) -> dict | None:
        return self._macros[row] if 0 <= row < len(self._macros) else None

    def ranked_at(self, row: int) -> RankedReply | None:
        return self._ranked[row] if 0 <= row < len(self._ranked) else None

    def fragment_error_at(self, row: int) -> str | None:
        macro = self.macro_at(row)
        return self._errors.get(macro["id"]) if macro is not None else None

    def row_of(self, macro_id: int | None) -> int:
        return next((n for n, m in enumerate(self._macros) if m["id"] == macro_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._macros)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._macros):
            return None
        macro, ranked = self._macros[index.row()], self._ranked[index.row()]
        warnings = list(ranked.warnings) if ranked is not None else []
        if macro["id"] in self._errors and not warnings:
            warnings.append(self._errors[macro["id"]])
        if role == Qt.ItemDataRole.DisplayRole:
            mark = BEST_MARK if macro["id"] == self._best else WARNING_MARK if warnings else ""
            return mark + (macro.get("title") or f"Canned reply {macro['id']}")
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = "\n".join([*(f"⚠ {w}" for w in warnings), str(macro.get("description") or "")]).strip()
            return tip or None
        if role == Qt.ItemDataRole.ForegroundRole and self.warning_colour and (
                (ranked is not None and ranked.contradicted) or macro["id"] in self._errors):
            return QColor(self.warning_colour)
        if role == MACRO_ID_ROLE:
            return macro["id"]
        if role == RANKED_ROLE:
            return ranked
        if role == WARNINGS_ROLE:
            return warnings
        if role == FRAGMENT_ERROR_ROLE:
            return self._errors.get(macro["id"])
        return None


def fragment_errors(macros: list[dict], fragments: Mapping[str, str]) -> dict[int, str]:
    """{macro id: why its fragments don't resolve} for the replies still holding fragment tags."""
    errors = {}
    for macro in macros:
        text = macro_text(macro)
        try:
            if references(text):
                check_fragments(text, fragments)
        except FragmentError as exc:
            errors[macro["id"]] = str(exc)
    return errors


def ranked_rows(macros: list[dict], ranking: list[RankedReply],
                hits: list | None) -> tuple[list[dict], list[RankedReply | None]]:
    """The usable ``macros`` in ranked order, one per family (the ranked language's variant when usable);
    with search ``hits``, only the families one of whose variants was hit."""
    by_id = {m["id"]: m for m in macros}
    families: dict[str, list[dict]] = {}
    for macro in macros:
        families.setdefault(family_of(str(macro.get("title") or ""))[0], []).append(macro)
    hit_ids = None if hits is None else {h.id for h in hits if h.kind == "canned_reply"}
    rows: list[dict] = []
    ranked: list[RankedReply | None] = []
    for reply in ranking:
        variants = families.pop(reply.base_title, [])
        if not variants or (hit_ids is not None and not any(m["id"] in hit_ids for m in variants)):
            continue
        macro = by_id.get(reply.macro_id) or next(
            (m for m in variants if family_of(str(m.get("title") or ""))[1] == "en"), variants[0])
        rows.append(macro)
        ranked.append(reply)
    for variants in families.values():   # usable but not ranked (e.g. newer than the ranking)
        for macro in variants:
            if hit_ids is None or macro["id"] in hit_ids:
                rows.append(macro)
                ranked.append(None)
    return rows, ranked
