"""The line above the ticket list: which queue, how many, as of when, and what waits to be shown.

``QueueHeader()``: ``on_queue_shown(queue, count)`` (the list's ``queue_shown``) sets
"Billing — unsolved · 18 · as of 14:02" (elided to the width, the whole text in the tooltip);
``on_pending(new, reordered)`` (the list's ``pending_changed``) shows or hides the banner
"3 new — show" / "List order changed — show", whose click emits ``show_requested``. A legend
explains the bold rows with a dot (unseen).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from console.domain.statuses import UNSOLVED

UNSEEN_LEGEND = "● bold = unseen"
UNSEEN_TIP = ("Bold with a dot: new or changed by someone else since you last looked.\n"
              "Opening a ticket, or resting on it for a moment with J/K, marks it seen.")


def describe(queue) -> str:
    """What the queue holds, in a word or two ("unsolved", "view", "on this computer")."""
    spec = getattr(queue, "spec", None)
    if queue.kind != "queue" or spec is None:
        return "on this computer"
    if spec.view_id is not None:
        return "view"
    if spec.statuses is not None and tuple(spec.statuses) == UNSOLVED:
        return "unsolved"
    if spec.statuses:
        return ", ".join(spec.statuses)
    return "all"


def header_text(queue, count: int, as_of: datetime, note: str = "") -> str:
    """``note``: whose answer the list shows when it is not the cache's own (a view the cache cannot
    evaluate: "as of 14:02, from the helpdesk"); it replaces the "as of" of now."""
    return f"{queue.label} — {describe(queue)} · {count} · {note or f'as of {as_of:%H:%M}'}"


class QueueHeader(QWidget):
    show_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, now=datetime.now, note_for=None) -> None:
        super().__init__(parent)
        self.setObjectName("listHeader")
        self._now = now
        self._note_for = note_for   # queue key -> note ("" for the cache's own lists)
        self._full = ""
        self.title = QLabel("")
        self.title.setObjectName("listHeaderTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(80)
        self.banner = QPushButton("")
        self.banner.setObjectName("listBanner")
        self.banner.setToolTip("The list stays put while you work; this merges the changes in")
        self.banner.setCursor(Qt.CursorShape.PointingHandCursor)
        self.banner.hide()
        self.banner.clicked.connect(self.show_requested)
        self.legend = QLabel(UNSEEN_LEGEND)
        self.legend.setObjectName("unseenLegend")
        self.legend.setToolTip(UNSEEN_TIP)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.title, 1)
        row.addWidget(self.banner)
        row.addWidget(self.legend)

    def text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:  # noqa: N802 (the QLabel it replaced)
        self._full = text
        self._elide()

    def on_queue_shown(self, queue, count: int) -> None:
        note = self._note_for(queue.key) if self._note_for is not None else ""
        self.setText(header_text(queue, count, self._now(), note))
        self.setToolTip(self._full)

    def on_pending(self, new: int, reordered: bool) -> None:
        if new:
            self.banner.setText(f"{new} new — show")
        elif reordered:
            self.banner.setText("Order changed — show")
        self.banner.setVisible(bool(new or reordered))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(40, self.title.width())
        self.title.setText(self.title.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))
        self.title.setToolTip(self._full)
