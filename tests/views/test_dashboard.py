"""The dashboard widget: models, tile clicks, background refresh, screenshot."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from console.config import Preferences
from console.models.dashboard import AgentTableModel, DepartmentTableModel
from console.store import QueueSpec
from console.store.reader import UNSOLVED
from console.views.dashboard import DashboardView
from tests import dashboard_desk as dataset

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def test_models_pass_the_model_tester(qtbot, snapshot):
    for model_class in (AgentTableModel, DepartmentTableModel):
        model = model_class()
        QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
        model.set_snapshot(snapshot)
        assert model.rowCount() == len(model._rows) > 0
        model.set_snapshot(snapshot)
    agents = AgentTableModel()
    agents.set_snapshot(snapshot)
    assert [agents.index(0, c).data() for c in range(4)] == ["Alice Agent", 3, 2, 2]


def test_tiles_show_numbers_and_open_queues(qtbot, snapshot):
    view = DashboardView(snapshot=snapshot)
    qtbot.addWidget(view)
    view.set_connection_state("Online")
    billing = view.tiles[0]
    assert billing.values["SLA breached"].text() == "1" and billing.values["Oldest waiting"].text() == "12 h 0 min (#3)"
    assert all(t.footer.text() == "as of 09:58:07 · Online" for t in view.tiles)
    with qtbot.waitSignal(view.queue_requested) as sent:
        qtbot.mouseClick(billing, Qt.MouseButton.LeftButton)
    [queue] = sent.args
    assert (queue.key, queue.spec) == (f"group:{dataset.BILLING}", QueueSpec.department(dataset.BILLING, UNSOLVED))
    with qtbot.waitSignal(view.queue_requested) as sent:
        view._agent_activated(view.agent_model.index(1, 0))
    [queue] = sent.args
    assert queue.spec == QueueSpec(assignee_id=dataset.BOB, statuses=UNSOLVED), "that agent's tickets, not mine"
    assert queue.key == f"agent:{dataset.BOB}" and "Bob" in queue.label
    nowhere = next(t for t in view.tiles if t.stats.group_id is None)
    with qtbot.waitSignal(view.queue_requested) as sent:
        qtbot.mouseClick(nowhere, Qt.MouseButton.LeftButton)
    assert sent.args[0].key == "no_department" and sent.args[0].spec.no_department


def test_refresh_computes_off_the_gui_thread(qtbot, desk_cache, tmp_path):
    from tests.views.conftest import close_desk, open_desk

    prefs = Preferences(tmp_path / "settings.json")
    prefs.set("sla_targets", {"Billing": {"urgent": 30}})
    desk = open_desk(desk_cache, None)
    try:
        view = DashboardView(desk.ops.dashboard, prefs, tz=dataset.NEW_YORK)
        qtbot.addWidget(view)
        with qtbot.waitSignal(view.snapshot_ready, timeout=10_000) as ready:
            view.refresh()
    finally:
        close_desk(desk)
    assert [d.name for d in ready.args[0].departments] == ["Billing", "Security", "(no department)"]
    assert len(view.tiles) == 3


def test_screenshot(qtbot, snapshot):
    view = DashboardView(snapshot=snapshot)
    qtbot.addWidget(view)
    view.set_connection_state("Online")
    view.resize(1400, 900)
    view.show()
    qtbot.waitExposed(view)
    SCREENSHOTS.mkdir(exist_ok=True)
    assert view.export_png(SCREENSHOTS / "dashboard.png")


def test_a_refresh_frees_the_charts_it_replaces(qtbot, snapshot):
    """One refresh per sync all day long: the previous charts must be deleted, not leaked."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent

    view = DashboardView(snapshot=snapshot)
    qtbot.addWidget(view)
    old = [view.day_chart.chart(), view.age_chart.chart()]
    view.set_snapshot(snapshot)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not any(shiboken6.isValid(chart) for chart in old)
    assert all(shiboken6.isValid(c) for c in (view.day_chart.chart(), view.age_chart.chart()))
