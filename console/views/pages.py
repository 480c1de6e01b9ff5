"""The window's right-hand side: the work (ticket list | ticket), the outbox, or the dashboard.

    pages = Pages(work, outbox_view, ops.dashboard, prefs, toggle=queue_pane.dashboard)
    pages.show_work(queue)        # the outbox queue shows the outbox page, any other the work
    pages.show_dashboard()        # built on first use: Qt Charts loads then, not at start-up
    pages.queue_requested         # a queue picked on the dashboard (an agent, a department tile)
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractButton, QStackedWidget, QWidget


class Pages(QStackedWidget):
    queue_requested = Signal(object)   # Queue

    def __init__(self, work: QWidget, outbox_view: QWidget, dashboard_ops, prefs, *, toggle: QAbstractButton,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work, self.outbox_view, self.toggle = work, outbox_view, toggle
        self._dashboard_ops, self._prefs = dashboard_ops, prefs
        self._dashboard = None
        self.addWidget(work)
        self.addWidget(outbox_view)

    def show_work(self, queue=None) -> None:
        outbox = queue is not None and getattr(queue, "kind", "") == "outbox"
        self.setCurrentWidget(self.outbox_view if outbox else self.work)
        self.toggle.setChecked(False)

    @property
    def dashboard(self):
        """The supervisor's dashboard page (a DashboardView), built on first use."""
        if self._dashboard is None:
            from .dashboard import DashboardView

            self._dashboard = DashboardView(self._dashboard_ops, self._prefs)
            self._dashboard.queue_requested.connect(self.queue_requested)
            self.addWidget(self._dashboard)
        return self._dashboard

    def show_dashboard(self) -> None:
        self.toggle.setChecked(True)
        self.setCurrentWidget(self.dashboard)
        self.dashboard.refresh()
