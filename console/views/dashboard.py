"""The supervisor dashboard: department tiles, agent table, created-vs-solved chart, backlog ages.

API for ``main_window.py`` (embed as the "Dashboard" page)::

    view = DashboardView(dashboard, prefs)             # console.ops.DashboardOps, config.Preferences; tz=None = local
    view.queue_requested.connect(open_queue)           # models.queues.Queue: a tile or agent row was clicked
    view.refresh()                                     # recompute on the read lane; snapshot_ready(snapshot)
    view.export_csv(path); view.export_png(path)       # the same numbers as on screen

With its operations it follows the bus by itself: the connection state from ``sync_status_changed``
(shown on every tile), and a recompute when a sync round ends while it is shown.
``DashboardView(snapshot=...)`` with no operations shows a fixed snapshot (the headless report).
"""

from __future__ import annotations

import csv
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.dashboard import DashboardSnapshot, DepartmentStats, format_duration
from console.domain.sla import SlaPolicy
from console.domain.statuses import UNSOLVED
from console.models.dashboard import AgentTableModel, csat_text
from console.models.queues import Queue, agent_queue, queue_for_spec
from console.store.records import QueueSpec

from . import theme

TILE_COLUMNS = 3
WIDE_LOWER_ROW = 1500   # px of page: the agents table and both charts fit in one row


def policy_from_prefs(prefs) -> SlaPolicy:
    """The SLA policy from the settings (documented defaults when none are set)."""
    if prefs is None:
        return SlaPolicy()
    return SlaPolicy.from_settings(prefs.get("sla_targets"), prefs.get("sla_at_risk_fraction"))


def write_csv(snapshot: DashboardSnapshot, path: str | Path) -> None:
    """The dashboard as CSV: one row per department and per agent."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(snapshot.csv_rows())


class DepartmentTile(QFrame):
    """One department's numbers; a click asks for its unsolved queue."""

    clicked = Signal(object)

    def __init__(self, stats: DepartmentStats, footer: str, parent=None) -> None:
        super().__init__(parent)
        colours = theme.colours()
        self.stats = stats
        self.setObjectName("dashboardTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"Open {stats.name}'s unsolved tickets")
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{stats.name}</b> &nbsp; {stats.unsolved} unsolved")
        grid = QGridLayout()
        oldest = format_duration(stats.oldest_waiting_seconds)
        if stats.oldest_waiting_ticket is not None:
            oldest += f" (#{stats.oldest_waiting_ticket})"
        cells = [("New", stats.new), ("Open", stats.open), ("Pending", stats.pending), ("On hold", stats.hold),
                 ("Unassigned", stats.unassigned), ("Oldest waiting", oldest),
                 ("SLA breached", stats.sla_breached), ("SLA at risk", stats.sla_at_risk),
                 ("Median 1st reply today", format_duration(stats.median_first_reply_today)),
                 ("Median 1st reply 7 days", format_duration(stats.median_first_reply_7d)),
                 ("CSAT", csat_text(stats.csat, stats.rated))]
        self.values: dict[str, QLabel] = {}
        for i, (name, value) in enumerate(cells):
            label = QLabel(str(value))
            label.setAlignment(Qt.AlignmentFlag.AlignRight)
            if name == "SLA breached" and stats.sla_breached:
                label.setStyleSheet(f"color: {colours.error}; font-weight: bold")
            elif name == "SLA at risk" and stats.sla_at_risk:
                label.setStyleSheet(f"color: {colours.warning}; font-weight: bold")
            self.values[name] = label
            grid.addWidget(QLabel(name), i // 2, (i % 2) * 2)
            grid.addWidget(label, i // 2, (i % 2) * 2 + 1)
        self.footer = QLabel(footer)
        self.footer.setStyleSheet(f"color: {colours.muted}; font-size: small")
        layout.addWidget(title)
        layout.addLayout(grid)
        layout.addWidget(self.footer)

    def queue(self) -> Queue:
        if self.stats.group_id is None:
            return queue_for_spec(QueueSpec(no_department=True, statuses=UNSOLVED), self.stats.name)
        return queue_for_spec(QueueSpec.department(self.stats.group_id, UNSOLVED), self.stats.name)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.queue())
        super().mouseReleaseEvent(event)


def _replace_chart(view, chart) -> None:
    """QChartView.setChart hands the old chart back to us without deleting it: delete it,
    or every dashboard refresh (one per sync) leaks two charts."""
    old = view.chart()
    view.setChart(chart)
    if old is not None and old is not chart:
        old.deleteLater()


def _bar_chart(title: str, categories: list[str], series: list[tuple[str, list[int]]], x_title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    bars = QBarSeries()
    for name, values in series:
        bar_set = QBarSet(name)
        bar_set.append([float(v) for v in values])
        bars.append(bar_set)
    chart.addSeries(bars)
    x_axis = QBarCategoryAxis()
    x_axis.append(categories)
    x_axis.setTitleText(x_title)
    y_axis = QValueAxis()
    top = max([v for _, values in series for v in values] + [1])
    y_axis.setRange(0, top)
    y_axis.setLabelFormat("%d")
    y_axis.setTickCount(min(top, 5) + 1)
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(x_axis)
    bars.attachAxis(y_axis)
    chart.legend().setVisible(len(series) > 1)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setTheme(QChart.ChartTheme.ChartThemeDark if theme.is_dark() else QChart.ChartTheme.ChartThemeLight)
    return chart


def connection_state(status) -> str:
    """The dashboard's one-word connection state for a SyncStatus."""
    if status.work_offline:
        return "Working offline"
    if status.syncing:
        return "Syncing"
    return {True: "Online", False: "Offline", None: "Connecting"}[status.online]


class DashboardView(QWidget):
    """The dashboard page; see the module docstring for how to wire it."""

    queue_requested = Signal(object)
    snapshot_ready = Signal(object)
    failed = Signal(str)

    def __init__(self, dashboard=None, prefs=None, *, tz: tzinfo | None = None,
                 snapshot: DashboardSnapshot | None = None, parent=None) -> None:
        super().__init__(parent)
        self.ops, self.prefs, self.tz = dashboard, prefs, tz
        self.snapshot: DashboardSnapshot | None = None
        self.connection_state = "Offline"
        self._generation = 0
        self._was_syncing = False
        self._columns = TILE_COLUMNS
        if dashboard is not None:   # built on first use: the status sent before it is on the bus
            dashboard.bus.sync_status_changed.connect(self.on_sync_status)
            if dashboard.bus.status is not None:
                self.connection_state = connection_state(dashboard.bus.status)

        self.title = QLabel("<h2>Supervisor dashboard</h2>")
        self.status = QLabel()
        self.csv_button = QPushButton("Export CSV…")
        self.png_button = QPushButton("Export PNG…")
        self.csv_button.clicked.connect(lambda: self._ask_and_export("CSV files (*.csv)", ".csv", self.export_csv))
        self.png_button.clicked.connect(lambda: self._ask_and_export("PNG images (*.png)", ".png", self.export_png))
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.status)
        header.addWidget(self.csv_button)
        header.addWidget(self.png_button)

        self.tiles_box = QGridLayout()
        self.tiles: list[DepartmentTile] = []
        self.agent_model = AgentTableModel(self)
        self.agent_table = QTableView()
        self.agent_table.setModel(self.agent_model)
        self.agent_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.agent_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.agent_table.verticalHeader().setVisible(False)
        self.agent_table.setMinimumHeight(200)   # about six agents, also on a row of its own
        self.agent_table.activated.connect(self._agent_activated)
        self.agent_table.clicked.connect(self._agent_activated)
        self.agent_footer = QLabel()
        agents_box = QVBoxLayout()
        agents_box.addWidget(QLabel("<b>Agents</b>"))
        agents_box.addWidget(self.agent_table)
        agents_box.addWidget(self.agent_footer)
        self.day_chart = QChartView()
        self.age_chart = QChartView()
        for view in (self.day_chart, self.age_chart):
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(260)
        self.agents_box = QWidget()
        self.agents_box.setLayout(agents_box)
        agents_box.setContentsMargins(0, 0, 0, 0)
        self.lower = QGridLayout()
        self._wide: bool | None = None
        self._place_lower(True)

        # the page scrolls rather than widening the window: its tiles and charts need more than a
        # laptop screen leaves beside the queues (a QStackedWidget takes its widest page's minimum)
        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.addLayout(header)
        layout.addLayout(self.tiles_box)
        layout.addLayout(self.lower, 1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        if snapshot is not None:
            self.set_snapshot(snapshot)
        theme.follow_theme(self, self.on_theme_changed)

    def on_theme_changed(self) -> None:
        """Tiles and charts are coloured when built: build them again in the new theme."""
        if self.snapshot is not None:
            self._show_snapshot(self.snapshot)

    # -- computing ---------------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute from the cache on the read lane; the newest request wins."""
        if self.ops is None:
            return
        self._generation += 1
        generation = self._generation
        self.status.setText(self._status_text(computing=True))
        self.ops.snapshot(policy_from_prefs(self.prefs), self.tz,
                          done=lambda snapshot: self._on_computed(generation, snapshot),
                          failed=lambda exc: self._on_computed(generation, exc))

    def _on_computed(self, generation: int, result: object) -> None:
        if generation != self._generation:
            return
        if isinstance(result, Exception):
            self.status.setText(f"Could not compute the dashboard: {result}")
            self.failed.emit(str(result))
            return
        self.set_snapshot(result)

    def on_sync_status(self, status) -> None:
        self.set_connection_state(connection_state(status))
        finished = self._was_syncing and not status.syncing
        self._was_syncing = bool(status.syncing)
        if finished and self.isVisible():
            self.refresh()

    # -- showing -----------------------------------------------------------------------

    def set_connection_state(self, state: str) -> None:
        """"Online", "Offline", "Syncing", "Sync failed"...: shown on every tile."""
        self.connection_state = state
        if self.snapshot is not None:
            self._show_footers()

    def _footer(self) -> str:
        return f"{self.snapshot.as_of()} · {self.connection_state}" if self.snapshot else self.connection_state

    def _status_text(self, computing: bool = False) -> str:
        text = self._footer()
        if self.snapshot is not None and self.snapshot.last_error:
            text += f" · last sync failed: {self.snapshot.last_error}"
        return text + (" · updating…" if computing else "")

    def _show_footers(self) -> None:
        for tile in self.tiles:
            tile.footer.setText(self._footer())
        self.agent_footer.setText(self._footer())
        self.status.setText(self._status_text())

    def set_snapshot(self, snapshot: DashboardSnapshot) -> None:
        self.snapshot = snapshot
        self._show_snapshot(snapshot)
        self.snapshot_ready.emit(snapshot)

    def _show_snapshot(self, snapshot: DashboardSnapshot) -> None:
        for tile in self.tiles:
            self.tiles_box.removeWidget(tile)
            tile.deleteLater()
        self.tiles = []
        for stats in snapshot.departments:
            tile = DepartmentTile(stats, self._footer())
            tile.clicked.connect(self.queue_requested)
            self.tiles.append(tile)
        self._place_tiles(force=True)
        self.agent_model.set_snapshot(snapshot)
        first, last = snapshot.days[0].day, snapshot.days[-1].day
        _replace_chart(self.day_chart, _bar_chart(
            "Created vs solved per day (14 days)", [str(d.day.day) for d in snapshot.days],
            [("Created", [d.created for d in snapshot.days]), ("Solved", [d.solved for d in snapshot.days])],
            f"{first:%d %b} – {last:%d %b} (local days, today last)"))
        _replace_chart(self.age_chart, _bar_chart(
            "Unsolved tickets by age", [label for label, _ in snapshot.backlog_ages],
            [("Tickets", [n for _, n in snapshot.backlog_ages])], "age since created (d = days, w = weeks)"))
        self._show_footers()

    def tile_columns(self) -> int:
        """As many tiles side by side as the page's width holds (at most ``TILE_COLUMNS``)."""
        if not self.tiles:
            return TILE_COLUMNS
        spacing = max(0, self.tiles_box.spacing())
        width = max(tile.sizeHint().width() for tile in self.tiles) + spacing
        return max(1, min(TILE_COLUMNS, (self._page_width() + spacing) // width))

    def _page_width(self) -> int:
        """The width the page's contents get (the page's own: its scroll area's viewport may not
        have followed a resize yet), less its margins and a vertical scroll bar's."""
        margins = self.body.layout().contentsMargins()
        return self.width() - margins.left() - margins.right() - self.scroll.verticalScrollBar().sizeHint().width()

    def _place_tiles(self, force: bool = False) -> None:
        columns = self.tile_columns()
        if not force and columns == self._columns:
            return
        self._columns = columns
        for tile in self.tiles:
            self.tiles_box.removeWidget(tile)
        for i, tile in enumerate(self.tiles):
            self.tiles_box.addWidget(tile, i // columns, i % columns)

    def _place_lower(self, wide: bool) -> None:
        """Agents | created-vs-solved | ages in one row when wide (3:4:3); else the agents on a row
        of their own above the two charts (beside them their names shrank to "Ada Ad…")."""
        if wide == self._wide:
            return
        self._wide = wide
        for widget in (self.agents_box, self.day_chart, self.age_chart):
            self.lower.removeWidget(widget)
        for column in range(3):
            self.lower.setColumnStretch(column, 0)
        if wide:
            for column, (widget, stretch) in enumerate(((self.agents_box, 3), (self.day_chart, 4), (self.age_chart, 3))):
                self.lower.addWidget(widget, 0, column)
                self.lower.setColumnStretch(column, stretch)
        else:
            self.lower.addWidget(self.agents_box, 0, 0, 1, 2)
            self.lower.addWidget(self.day_chart, 1, 0)
            self.lower.addWidget(self.age_chart, 1, 1)
            self.lower.setColumnStretch(0, 4)
            self.lower.setColumnStretch(1, 3)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override): a narrower page, fewer tiles a row
        super().resizeEvent(event)
        self._place_tiles()
        self._place_lower(self._page_width() >= WIDE_LOWER_ROW)

    def _agent_activated(self, index) -> None:
        if index.isValid():
            agent = self.agent_model.row_record(index.row())
            self.queue_requested.emit(agent_queue(agent.user_id, agent.name))

    # -- exporting ---------------------------------------------------------------------

    def export_csv(self, path: str | Path) -> None:
        if self.snapshot is not None:
            write_csv(self.snapshot, path)

    def export_png(self, path: str | Path) -> bool:
        """Save a picture of the whole dashboard as it is drawn now."""
        return self.body.grab().save(str(path), "PNG")   # all of it, scrolled out of view or not

    def _ask_and_export(self, file_filter: str, suffix: str, export) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export dashboard", f"dashboard{suffix}", file_filter)
        if path:
            try:
                export(path)
            except OSError as exc:
                self.status.setText(f"Could not export to {path}: {exc.strerror or exc}")
