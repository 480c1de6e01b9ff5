"""The queue pane (left): a list of queues with live counts, and a dashboard button.

Emits ``queue_requested(Queue)`` when the agent picks a queue and ``dashboard_requested`` for the
supervisor dashboard. Header rows are not selectable; arrow keys skip them.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtWidgets import QListView, QPushButton, QVBoxLayout, QWidget

from console.models.queues import QueueListModel, QueueRole


class QueuePane(QWidget):
    queue_requested = Signal(object)     # Queue
    dashboard_requested = Signal()

    def __init__(self, model: QueueListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.list = QListView()
        self.list.setObjectName("queueList")
        self.list.setModel(model)
        self.list.setUniformItemSizes(True)
        self.list.setSpacing(1)
        self.dashboard = QPushButton("Dashboard")
        self.dashboard.setToolTip("Supervisor dashboard: SLA, backlog and workload per department")
        self.dashboard.setCheckable(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.dashboard)
        self.list.selectionModel().currentChanged.connect(self.on_current_changed)
        self.dashboard.clicked.connect(self.on_dashboard_clicked)

    def select_key(self, key: str, *, quiet: bool = False) -> bool:
        """Make the queue with this key current (emits ``queue_requested`` unless ``quiet``: the list
        already shows it); False if unknown."""
        row = self.model.row_of(key)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        selection = self.list.selectionModel()
        blocked = selection.blockSignals(quiet)
        try:
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            selection.blockSignals(blocked)
        return True

    def replace_queues(self, queues: list, *, keeps_showing, fallback: str, restored: str | None = None) -> None:
        """A new queue list (departments or views came, went or were renamed). The shown queue stays
        current when it is still listed: quietly when ``keeps_showing(before, after)`` (the ticket
        list keeps its rows and checks its ids off the GUI thread: no whole switch, a 100-250 ms GUI
        stall mid-sync), else shown again. Otherwise ``restored`` (the last session's) or ``fallback``."""
        shown = self.current_key()
        current = shown or restored
        before = self.model.queue_at(self.model.row_of(shown)) if shown else None
        self.model.set_queues(queues)
        same = next((q for q in queues if before is not None and (q.key, q.kind, q.spec)
                     == (before.key, before.kind, before.spec)), None)
        if same is not None and keeps_showing(before, same):
            self.select_key(same.key, quiet=True)
        elif not (current and self.select_key(current)):
            self.select_key(fallback)

    def clear_selection(self) -> None:
        """No queue of the pane is current (the list shows one from elsewhere, e.g. the dashboard)."""
        self.list.selectionModel().clear()

    def current_key(self) -> str | None:
        queue = self.list.currentIndex().data(QueueRole)
        return queue.key if queue else None

    def on_current_changed(self, current, _previous) -> None:
        queue = current.data(QueueRole)
        if queue is not None and queue.selectable:
            self.dashboard.setChecked(False)
            self.queue_requested.emit(queue)

    def on_dashboard_clicked(self) -> None:
        self.dashboard.setChecked(True)
        self.dashboard_requested.emit()
