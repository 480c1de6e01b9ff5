"""The supervisor dashboard's numbers, computed on the read lane (tens of ms at 100k tickets: never on the GUI thread).

    dashboard = DashboardOps(runner)
    dashboard.snapshot(policy, tz, done=show, failed=complain)   # a DashboardSnapshot
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from PySide6.QtCore import QObject

from .runner import Runner


class DashboardOps(QObject):
    def __init__(self, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.bus = runner, runner.bus

    def snapshot(self, policy, tz: tzinfo | None, *, done: Callable, failed: Callable[[Exception], None]) -> None:
        from console.store.dashboard import dashboard_snapshot  # (its rules load with the first dashboard)

        self.runner.read(lambda reader: dashboard_snapshot(reader, policy, tz=tz), done=done, failed=failed)
