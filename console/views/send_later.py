""""Send later…": pick when a reply goes out (it waits in the outbox, across restarts, until then).

``SendLaterDialog.ask(parent) -> float | None``: a local epoch, or None when cancelled. Presets
(in 1 hour, tomorrow 9:00, Monday 9:00) or any date and time; a time in the past is refused.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)


def presets(now: datetime) -> list[tuple[str, datetime]]:
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(9, 0))
    monday = datetime.combine(now.date() + timedelta(days=(7 - now.weekday()) or 7), time(9, 0))
    return [("In 1 hour", now + timedelta(hours=1)), ("Tomorrow 9:00", tomorrow), ("Monday 9:00", monday)]


class SendLaterDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, now: datetime | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Send later")
        self._now = now or datetime.now()
        self.preset = QComboBox()
        self._presets = presets(self._now)
        for label, when in self._presets:
            self.preset.addItem(f"{label} ({when:%a %d %b %H:%M})")
        self.preset.addItem("At a time I choose")
        self.when = QDateTimeEdit(QDateTime(self._presets[0][1]))
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.when.setMinimumDateTime(QDateTime(self._now))
        self.preset.currentIndexChanged.connect(self._on_preset)
        self.problem = QLabel("")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Schedule", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Send", self.preset)
        form.addRow("At", self.when)
        form.addRow(QLabel("It waits in the Outbox until then, even if Support Console is closed meanwhile."))
        form.addRow(self.problem)
        form.addRow(buttons)

    def _on_preset(self, index: int) -> None:
        if 0 <= index < len(self._presets):
            self.when.setDateTime(QDateTime(self._presets[index][1]))

    def chosen(self) -> float:
        return self.when.dateTime().toSecsSinceEpoch()

    def accept(self) -> None:
        if self.chosen() <= datetime.now().timestamp():
            self.problem.setText("That time has passed: choose a later one.")
            return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> float | None:
        dialog = cls(parent)
        try:
            return float(dialog.chosen()) if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
