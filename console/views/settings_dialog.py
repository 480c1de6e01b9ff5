"""Settings dialog, generated from ``config.SETTINGS`` (each setting's type picks its widget; its
declaration gives the label, the section and the range).

API for ``main_window.py``::

    dialog = SettingsDialog(prefs, parent, departments=None)   # None = routing.DEPARTMENTS
    dialog.settings_changed.connect(on_settings_changed)   # set[str]: names whose value changed
    dialog.exec()                                          # OK validates, saves settings.json, emits
    # e.g. on_settings_changed: if {"theme", "font_size"} & names: theme.apply_theme(app, ...)

Widgets by type: bool → check box, int → spin box, float → spin box, str with choices → combo box,
str → line edit. The two SLA settings (``sla_targets``, ``sla_at_risk_fraction``) share one
:class:`~console.views.sla_editor.SlaTargetsEditor` (a department × priority table), checked with
``domain.sla.SlaPolicy``; ``departments`` (e.g. the cache's group names) picks its rows.
Connection settings (URL, email, token storage) belong to the connection dialog and are left out;
window geometry is ``config.WindowState`` and never appears here.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console import config
from console.domain import statuses
from console.domain.sla import SlaPolicy

from . import theme
from .sla_editor import SlaTargetsEditor

CONNECTION_SETTINGS = tuple(s.name for s in config.SETTINGS if s.section == config.CONNECTION)
SLA_PRIORITIES = tuple(reversed(statuses.PRIORITIES))
SLA_SETTINGS = ("sla_targets", "sla_at_risk_fraction")


class SettingsInputError(ValueError):
    """A value typed in the dialog cannot be used; the message names the setting."""


def parse_sla_targets(text: str) -> dict:
    """The SLA targets typed as JSON, checked; ``{}`` for an empty field (the documented defaults)."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise SettingsInputError(f"First-reply targets: not valid JSON ({exc.msg}, line {exc.lineno}).") from None
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise SettingsInputError('First-reply targets: write {"department or *": {"priority": minutes}}.')
    for department, by_priority in value.items():
        unknown = set(by_priority) - set(SLA_PRIORITIES)
        if unknown:
            raise SettingsInputError(f"First-reply targets: {department}: unknown priority "
                                     f"{', '.join(sorted(unknown))} (use {', '.join(SLA_PRIORITIES)}).")
    try:
        SlaPolicy(value)
    except ValueError as exc:
        raise SettingsInputError(f"First-reply targets: {exc}.") from None
    return value


class SettingsDialog(QDialog):
    """Preferences, one widget per declared setting."""

    settings_changed = Signal(object)   # set[str]

    def __init__(self, prefs: config.Preferences, parent: QWidget | None = None, *,
                 departments: list[str] | None = None):
        super().__init__(parent)
        self.prefs = prefs
        self.editors: dict[str, QWidget] = {}
        self.sla_editor = SlaTargetsEditor(departments)
        self.setWindowTitle("Settings")
        self.setObjectName("settings_dialog")
        layout = QVBoxLayout(self)
        for title in config.SECTIONS:
            settings = [s for s in config.SETTINGS if s.section == title]
            if not settings:
                continue
            box = QGroupBox(title)
            form = QFormLayout(box)
            for setting in settings:
                if setting.name in SLA_SETTINGS:
                    self.editors[setting.name] = self.sla_editor
                    if self.sla_editor.parent() is not box:
                        self.sla_editor.setToolTip(setting.doc)
                        form.addRow(self.sla_editor)
                    continue
                editor = self._editor_for(setting)
                editor.setObjectName(setting.name)
                editor.setToolTip(setting.doc)
                self.editors[setting.name] = editor
                form.addRow("" if isinstance(editor, QCheckBox) else setting.label, editor)
            layout.addWidget(box)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {theme.colours().error};")
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel | QDialogButtonBox.RestoreDefaults)
        buttons.accepted.connect(self.on_accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.RestoreDefaults).clicked.connect(self.on_restore_defaults)
        layout.addWidget(buttons)
        # an explicit minimum would override the layout's, and the SLA table needs its full width
        self.setMinimumWidth(max(self.fontMetrics().averageCharWidth() * 64, layout.minimumSize().width()))
        self.load_values({name: prefs.get(name) for name in self.editors})

    # ---- widgets --------------------------------------------------------------------------
    def _editor_for(self, setting: config.Setting) -> QWidget:
        low = 0 if setting.minimum is None else setting.minimum
        high = 1_000_000 if setting.maximum is None else setting.maximum
        suffix, special = setting.suffix, setting.special
        if setting.type is bool:
            return QCheckBox(setting.label)
        if setting.type is int:
            spin = QSpinBox()
            spin.setRange(int(low), int(high))
            spin.setSuffix(suffix)
            spin.setSpecialValueText(special)
            return spin
        if setting.type is float:
            spin = QDoubleSpinBox()
            spin.setRange(float(low), float(high))
            spin.setDecimals(2)
            spin.setSingleStep(0.05)
            spin.setSuffix(suffix)
            return spin
        if setting.choices:
            combo = QComboBox()
            for choice in setting.choices:
                combo.addItem(choice.capitalize(), choice)
            return combo
        if setting.type is dict:
            text = QPlainTextEdit()
            text.setPlaceholderText('Empty = defaults (urgent 60, high 240, normal 480, low 1440 minutes).\n'
                                    'Example: {"*": {"urgent": 60}, "Billing": {"urgent": 30}}')
            text.setFixedHeight(text.fontMetrics().lineSpacing() * 5 + 12)
            return text
        return QLineEdit()

    def load_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            editor = self.editors[name]
            if name in SLA_SETTINGS:
                self._load_sla(name, value)
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QSpinBox | QDoubleSpinBox):
                editor.setValue(value)
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText(json.dumps(value, indent=1) if value else "")
            else:
                editor.setText(str(value))

    def values(self) -> dict[str, Any]:
        """What the widgets say, typed; raises SettingsInputError for a value that cannot be used."""
        out: dict[str, Any] = {}
        for name, editor in self.editors.items():
            if name == "sla_targets":
                out[name] = self._sla_targets()
            elif name == "sla_at_risk_fraction":
                out[name] = self.sla_editor.at_risk_fraction()
            elif isinstance(editor, QCheckBox):
                out[name] = editor.isChecked()
            elif isinstance(editor, QSpinBox | QDoubleSpinBox):
                out[name] = editor.value()
            elif isinstance(editor, QComboBox):
                out[name] = editor.currentData()
            elif isinstance(editor, QPlainTextEdit):
                out[name] = parse_sla_targets(editor.toPlainText())
            else:
                out[name] = editor.text()
        return out

    def _load_sla(self, name: str, value: Any) -> None:
        """Show a saved SLA setting; a hand-edited bad one shows the defaults and says why."""
        try:
            if name == "sla_targets":
                self.sla_editor.set_value(value)
            else:
                self.sla_editor.set_at_risk_fraction(value)
        except (TypeError, ValueError) as exc:
            self.error_label.setText(f"The saved first-reply targets could not be used ({exc}); "
                                     "showing the defaults.")

    def _sla_targets(self) -> dict:
        targets = self.sla_editor.value()
        try:
            SlaPolicy(targets, self.sla_editor.at_risk_fraction())
        except ValueError as exc:
            raise SettingsInputError(f"First-reply targets: {exc}.") from None
        return targets

    # ---- slots ----------------------------------------------------------------------------
    def on_restore_defaults(self) -> None:
        self.load_values({name: config.SETTINGS_BY_NAME[name].default for name in self.editors})

    def on_accept(self) -> None:
        try:
            values = self.values()
            changed = {name for name, value in values.items() if value != self.prefs.get(name)}
            for name in changed:
                self.prefs.set(name, values[name])
            self.prefs.save()
        except (SettingsInputError, config.SettingsError) as exc:
            self.error_label.setText(str(exc))
            return
        except OSError as exc:
            self.error_label.setText(f"Could not save the settings: {exc.strerror or exc}")
            return
        self.error_label.setText("")
        if changed:
            self.settings_changed.emit(changed)
        self.accept()
