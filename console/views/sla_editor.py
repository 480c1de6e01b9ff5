"""Editor for first-reply SLA targets: one row per department, one column per priority.

API (the settings dialog embeds it; anything else may too)::

    editor = SlaTargetsEditor(departments=None)     # None = routing.DEPARTMENTS; or the cache's group names
    editor.set_value({"Billing": {"urgent": 30}})   # the ``sla_targets`` preference shape
    editor.set_at_risk_fraction(0.25)
    editor.value()               # -> {"Billing": {"urgent": 30}}
    editor.at_risk_fraction()    # -> 0.25
    editor.targets_changed.connect(...)   # any cell, the at-risk share or a reset

Shape: ``{"*" or department: {priority: minutes}}``. The "All departments (default)" row is
always complete; it is written out only when it differs from ``DEFAULT_SLA_TARGETS`` (so an
untouched editor gives ``{}`` = "the documented defaults"). A department cell left empty
inherits the default row and is left out of the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette, QValidator
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain import statuses
from console.domain.routing import DEPARTMENTS
from console.domain.sla import DEFAULT_AT_RISK_FRACTION, DEFAULT_SLA_TARGETS, SlaPolicy

PRIORITIES = tuple(reversed(statuses.PRIORITIES))   # most urgent first, as a supervisor reads a table
ALL_DEPARTMENTS = "*"
ALL_DEPARTMENTS_LABEL = "All departments (default)"
MAX_MINUTES = 90 * 24 * 60
INHERIT = "inherit"
_UNITS = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1, "h": 60, "hr": 60, "hrs": 60, "hour": 60,
          "hours": 60, "d": 1440, "day": 1440, "days": 1440}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]*)")


def format_duration(minutes: int) -> str:
    """Minutes as a short duration: 45 → "45 min", 240 → "4 h", 90 → "1 h 30 min"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def parse_duration(text: str) -> int | None:
    """ "4 h", "1h30", "90", "90 min", "1.5 h", "2 d" → minutes; None when unreadable (a bare number = minutes)."""
    text = text.strip().lower()
    if not text:
        return None
    total, position = 0.0, 0
    for match in _PART.finditer(text):
        if text[position:match.start()].strip():
            return None
        number, unit = float(match.group(1).replace(",", ".")), match.group(2)
        if unit and unit not in _UNITS:
            return None
        # "1 h 30" = 1 h 30 min: a bare number after hours counts as minutes
        total += number * (_UNITS[unit] if unit else 1)
        position = match.end()
    if position == 0 or text[position:].strip():
        return None
    return round(total)


class DurationSpinBox(QSpinBox):
    """A spin box holding minutes, shown and typed as durations ("4 h", "30 min")."""

    def __init__(self, minimum: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(minimum, MAX_MINUTES)
        self.setSingleStep(15)
        self.setAccelerated(True)

    def textFromValue(self, value: int) -> str:  # noqa: N802 (Qt's name)
        return format_duration(value)

    def valueFromText(self, text: str) -> int:  # noqa: N802
        minutes = parse_duration(text)
        return self.minimum() if minutes is None else minutes

    def validate(self, text: str, pos: int):  # noqa: N802
        if self.specialValueText() and text == self.specialValueText():
            return QValidator.State.Acceptable, text, pos
        minutes = parse_duration(text)
        if minutes is None:
            ok = re.fullmatch(r"[\d.,\sa-zA-Z]*", text) is not None
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        if not self.minimum() <= minutes <= self.maximum():
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802
        """15-minute steps up to 2 h, then whole hours; from "inherit" a step starts at 15 min."""
        value = self.value()
        step = 15 if (value < 120 or (value == 120 and steps < 0)) else 60
        target = value + steps * step
        if value == 0 and steps > 0:
            target = 15
        elif step == 60 and value % 60:
            target = (value // 60 + (1 if steps > 0 else 0)) * 60
        self.setValue(max(self.minimum(), min(self.maximum(), target)))


class SlaTargetsEditor(QWidget):
    """First-reply targets per department and priority, plus the at-risk share."""

    targets_changed = Signal()

    def __init__(self, departments: Iterable[str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sla_targets_editor")
        self._loading = False
        self._departments: list[str] = []
        self.table = QTableWidget(0, len(PRIORITIES), self)
        self.table.setObjectName("sla_targets_table")
        self.table.setHorizontalHeaderLabels([p.capitalize() for p in PRIORITIES])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(DurationSpinBox(0).sizeHint().height())
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.at_risk = QSpinBox(self)
        self.at_risk.setObjectName("sla_at_risk_percent")
        self.at_risk.setRange(0, 95)
        self.at_risk.setSuffix(" % of the target left")
        self.at_risk.setPrefix("less than ")
        self.at_risk.setToolTip("A waiting ticket counts as at risk when less than this share of its "
                                "first-reply target is left.")
        self.at_risk.valueChanged.connect(self._on_edit)
        self.reset_button = QPushButton("Reset to defaults", self)
        self.reset_button.setObjectName("sla_reset")
        self.reset_button.clicked.connect(self.reset)
        hint = QLabel("Empty department cells use the default row. Type durations like 45 min, 4 h or 1 d.")
        hint.setWordWrap(True)
        hint.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("At risk when"))
        bottom.addWidget(self.at_risk, 1)
        bottom.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(hint)
        layout.addLayout(bottom)
        self._add_row(ALL_DEPARTMENTS)
        for name in departments if departments is not None else DEPARTMENTS:
            self._add_department(name)
        self.reset()

    # ---- rows -----------------------------------------------------------------------------
    @property
    def departments(self) -> list[str]:
        """The department rows, in table order (without the default row)."""
        return list(self._departments)

    def _add_department(self, name: str) -> None:
        if name and name != ALL_DEPARTMENTS and name not in self._departments:
            self._departments.append(name)
            self._add_row(name)

    def _add_row(self, key: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setVerticalHeaderItem(row, QTableWidgetItem(ALL_DEPARTMENTS_LABEL if key == ALL_DEPARTMENTS else key))
        for column, priority in enumerate(PRIORITIES):
            spin = DurationSpinBox(1 if key == ALL_DEPARTMENTS else 0)
            spin.setObjectName(f"sla_{key}_{priority}")
            spin.setFrame(False)
            spin.valueChanged.connect(self._on_edit)
            self.table.setCellWidget(row, column, spin)
        self._fit_table()

    def _fit_table(self) -> None:
        """Room for every row and for "inherit (24 h)" in every cell, so nothing is cut off."""
        cell = self.fontMetrics().horizontalAdvance(f"{INHERIT} (24 h 45 min)") + 8
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(cell)
        rows = self.table.verticalHeader().defaultSectionSize() * self.table.rowCount()
        frame = 2 * self.table.frameWidth()
        self.table.setMinimumWidth(self.table.verticalHeader().sizeHint().width() + len(PRIORITIES) * cell + frame)
        self.table.setFixedHeight(header.sizeHint().height() + rows + frame)

    def cell(self, department: str, priority: str) -> DurationSpinBox:
        """The spin box for one department ("*" = default row) and priority."""
        row = 0 if department == ALL_DEPARTMENTS else self._departments.index(department) + 1
        return self.table.cellWidget(row, PRIORITIES.index(priority))

    # ---- value ----------------------------------------------------------------------------
    def value(self) -> dict:
        """The targets in the ``sla_targets`` preference shape (``{}`` = documented defaults)."""
        defaults = {p: self.cell(ALL_DEPARTMENTS, p).value() for p in PRIORITIES}
        out: dict[str, dict[str, int]] = {}
        if defaults != DEFAULT_SLA_TARGETS[ALL_DEPARTMENTS]:
            out[ALL_DEPARTMENTS] = defaults
        for name in self._departments:
            own = {p: self.cell(name, p).value() for p in PRIORITIES if self.cell(name, p).value() > 0}
            if own:
                out[name] = own
        return out

    def set_value(self, targets: dict | None) -> None:
        """Show ``targets``; raises ValueError (naming the cell) for unknown priorities or non-positive minutes."""
        targets = dict(targets or {})
        check_targets(targets)
        for name in targets:
            self._add_department(name)
        self._loading = True
        try:
            wildcard = {**DEFAULT_SLA_TARGETS[ALL_DEPARTMENTS], **targets.get(ALL_DEPARTMENTS, {})}
            for priority in PRIORITIES:
                self.cell(ALL_DEPARTMENTS, priority).setValue(wildcard[priority])
            for name in self._departments:
                for priority in PRIORITIES:
                    self.cell(name, priority).setValue(targets.get(name, {}).get(priority, 0))
        finally:
            self._loading = False
        self._refresh_inherited()
        self.targets_changed.emit()

    def at_risk_fraction(self) -> float:
        return self.at_risk.value() / 100

    def set_at_risk_fraction(self, fraction: float) -> None:
        if not 0 <= float(fraction) < 1:
            raise ValueError(f"the at-risk share must be between 0 and 1, not {fraction!r}")
        self.at_risk.setValue(round(float(fraction) * 100))

    def reset(self) -> None:
        """Back to the documented defaults: no department overrides, 25 % at risk."""
        self.set_value({})
        self.set_at_risk_fraction(DEFAULT_AT_RISK_FRACTION)

    def policy(self) -> SlaPolicy:
        """The edited targets as a policy (department rows fall back to the default row)."""
        return SlaPolicy({ALL_DEPARTMENTS: {p: self.cell(ALL_DEPARTMENTS, p).value() for p in PRIORITIES},
                          **{k: v for k, v in self.value().items() if k != ALL_DEPARTMENTS}},
                         self.at_risk_fraction())

    # ---- slots ----------------------------------------------------------------------------
    def _on_edit(self, _value: int) -> None:
        if self._loading:
            return
        self._refresh_inherited()
        self.targets_changed.emit()

    def _refresh_inherited(self) -> None:
        """Empty department cells say what they inherit, e.g. "inherit (4 h)"."""
        for priority in PRIORITIES:
            text = f"{INHERIT} ({format_duration(self.cell(ALL_DEPARTMENTS, priority).value())})"
            for name in self._departments:
                spin = self.cell(name, priority)
                if spin.specialValueText() != text:  # setting it again would rewrite the text being typed
                    spin.setSpecialValueText(text)
                _show_inherited(spin, spin.value() == 0)


def check_targets(targets: object) -> None:
    """Raise ValueError unless ``targets`` is ``{department: {priority: positive minutes}}``."""
    if not isinstance(targets, dict) or not all(isinstance(v, dict) for v in targets.values()):
        raise ValueError('SLA targets must look like {"department or *": {"priority": minutes}}')
    for department, by_priority in targets.items():
        unknown = sorted(set(by_priority) - set(PRIORITIES))
        if unknown:
            raise ValueError(f"SLA targets for {department}: unknown priority {', '.join(unknown)} "
                             f"(use {', '.join(PRIORITIES)})")
        for priority, minutes in by_priority.items():
            if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
                raise ValueError(f"SLA target for {department}/{priority} must be a positive number of "
                                 f"minutes, not {minutes!r}")
            if minutes > MAX_MINUTES:
                raise ValueError(f"SLA target for {department}/{priority} is over {MAX_MINUTES // 1440} days")
    SlaPolicy(targets)


def _show_inherited(spin: QSpinBox, inherited: bool) -> None:
    """Inherited cells in italics and the placeholder colour (follows the theme's palette)."""
    font = spin.font()
    if font.italic() != inherited:
        font.setItalic(inherited)
        spin.setFont(font)
    palette = QPalette()  # nothing set: everything inherited from the app's theme
    if inherited:
        palette.setColor(QPalette.ColorRole.Text, spin.palette().color(QPalette.ColorRole.PlaceholderText))
    spin.lineEdit().setPalette(palette)
