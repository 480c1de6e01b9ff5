"""The SLA targets editor: round trip, inheritance, validation, saving from Settings, the dashboard's policy."""

import json

import pytest
from PySide6.QtCore import Qt

from console import config
from console.domain.routing import BILLING, DEPARTMENTS, TECHNICAL_SUPPORT
from console.domain.sla import DEFAULT_SLA_TARGETS
from console.views.dashboard import policy_from_prefs
from console.views.settings_dialog import SettingsDialog
from console.views.sla_editor import SlaTargetsEditor, format_duration, parse_duration


@pytest.fixture
def editor(qtbot):
    widget = SlaTargetsEditor()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def prefs(tmp_path):
    return config.Preferences.load(tmp_path / "settings.json")


def test_rows_are_the_default_plus_each_department(editor, qtbot):
    table = editor.table
    assert editor.departments == list(DEPARTMENTS)
    assert table.verticalHeaderItem(0).text() == "All departments (default)"
    assert [table.verticalHeaderItem(r).text() for r in range(1, table.rowCount())] == list(DEPARTMENTS)
    assert [table.horizontalHeaderItem(c).text() for c in range(4)] == ["Urgent", "High", "Normal", "Low"]
    groups = SlaTargetsEditor(["Sales", "Returns"])
    qtbot.addWidget(groups)
    assert groups.departments == ["Sales", "Returns"]


@pytest.mark.parametrize("targets", [
    {},
    {"Billing": {"urgent": 30}},
    {"*": {"urgent": 30, "high": 120, "normal": 600, "low": 2880}, TECHNICAL_SUPPORT: {"low": 720, "high": 90}},
    {"*": {"urgent": 45, "high": 240, "normal": 480, "low": 1440}, "Returns": {"normal": 300}},
])
def test_value_round_trips_the_preference_shape(editor, targets):
    editor.set_value(targets)
    assert editor.value() == targets
    again = SlaTargetsEditor()
    again.set_value(editor.value())
    assert again.value() == targets


def test_untouched_editor_means_the_documented_defaults(editor):
    assert editor.value() == {} and editor.at_risk_fraction() == 0.25
    assert editor.cell("*", "high").text() == "4 h" and editor.cell("*", "low").text() == "24 h"
    editor.set_value(DEFAULT_SLA_TARGETS)
    assert editor.value() == {}, "a default row equal to the documented defaults is not written out"


def test_empty_department_cell_inherits_the_default_row(editor):
    editor.set_value({"*": {"urgent": 90}, BILLING: {"urgent": 30}})
    assert editor.cell(BILLING, "urgent").text() == "30 min"
    assert editor.cell(BILLING, "high").value() == 0
    assert editor.cell(BILLING, "high").text() == "inherit (4 h)"
    assert editor.cell(TECHNICAL_SUPPORT, "urgent").text() == "inherit (1 h 30 min)"
    assert editor.cell(BILLING, "high").font().italic() and not editor.cell(BILLING, "urgent").font().italic()
    policy = editor.policy()
    assert policy.target_minutes(BILLING, "urgent") == 30
    assert policy.target_minutes(BILLING, "high") == 240
    assert policy.target_minutes(TECHNICAL_SUPPORT, "urgent") == 90
    editor.cell("*", "high").setValue(300)
    assert editor.cell(BILLING, "high").text() == "inherit (5 h)", "inherited text follows the default row"
    editor.cell(BILLING, "urgent").setValue(0)
    assert BILLING not in editor.value(), "clearing the last own cell drops the department entry"


def test_typed_durations(editor, qtbot):
    spin = editor.cell(BILLING, "normal")
    for typed, minutes in [("2 h", 120), ("45", 45), ("1h30", 90), ("1.5 h", 90), ("1 d", 1440)]:
        spin.lineEdit().selectAll()
        qtbot.keyClicks(spin.lineEdit(), typed)
        qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
        assert spin.value() == minutes, typed
    assert editor.value()[BILLING] == {"normal": 1440}
    assert [parse_duration(t) for t in ("", "soon", "4 weeks", "3 h x")] == [None] * 4
    assert [format_duration(m) for m in (15, 60, 75, 1440)] == ["15 min", "1 h", "1 h 15 min", "24 h"]


def test_stepping_goes_by_quarter_hours_then_hours(editor):
    spin = editor.cell(BILLING, "urgent")
    spin.stepBy(1)
    assert spin.value() == 15
    spin.setValue(120)
    spin.stepBy(1)
    assert spin.value() == 180
    spin.stepBy(-1)
    spin.stepBy(-1)
    assert spin.value() == 105
    default = editor.cell("*", "urgent")
    default.setValue(1)
    default.stepBy(-5)
    assert default.value() == 1, "the default row never goes below one minute"


@pytest.mark.parametrize("targets, says", [
    ({"*": {"urgent": 0}}, "positive number of minutes"),
    ({BILLING: {"high": -30}}, "positive number of minutes"),
    ({BILLING: {"high": "4 h"}}, "positive number of minutes"),
    ({BILLING: {"soon": 30}}, "unknown priority soon"),
    ({BILLING: 30}, "must look like"),
])
def test_zero_negative_and_malformed_targets_are_refused(editor, targets, says):
    editor.set_value({BILLING: {"urgent": 30}})
    with pytest.raises(ValueError, match=says):
        editor.set_value(targets)
    assert editor.value() == {BILLING: {"urgent": 30}}, "a refused value leaves the editor as it was"
    with pytest.raises(ValueError, match="between 0 and 1"):
        editor.set_at_risk_fraction(1.5)


def test_changes_are_signalled_and_reset_restores_defaults(editor, qtbot):
    editor.set_value({BILLING: {"urgent": 30}})
    editor.set_at_risk_fraction(0.4)
    with qtbot.waitSignal(editor.targets_changed):
        editor.cell(BILLING, "low").setValue(600)
    with qtbot.waitSignal(editor.targets_changed):
        editor.at_risk.setValue(10)
    with qtbot.waitSignal(editor.targets_changed):
        qtbot.mouseClick(editor.reset_button, Qt.MouseButton.LeftButton)
    assert editor.value() == {} and editor.at_risk_fraction() == 0.25


def test_settings_dialog_saves_the_edited_targets_and_the_dashboard_uses_them(qtbot, prefs):
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    sla = dialog.sla_editor
    assert dialog.editors["sla_targets"] is sla and dialog.editors["sla_at_risk_fraction"] is sla
    sla.cell(BILLING, "urgent").setValue(30)
    sla.cell("*", "low").setValue(720)
    sla.at_risk.setValue(40)
    with qtbot.waitSignal(dialog.settings_changed) as changed:
        dialog.on_accept()
    assert changed.args[0] == {"sla_targets", "sla_at_risk_fraction"}
    saved = json.loads(prefs.path.read_text())
    assert saved["sla_targets"] == {"*": {"urgent": 60, "high": 240, "normal": 480, "low": 720},
                                    BILLING: {"urgent": 30}}
    assert saved["sla_at_risk_fraction"] == 0.4

    policy = policy_from_prefs(config.Preferences.load(prefs.path))
    assert policy.target_minutes(BILLING, "urgent") == 30
    assert policy.target_minutes(BILLING, "low") == 720
    assert policy.target_minutes(TECHNICAL_SUPPORT, "urgent") == 60
    assert policy.at_risk_fraction == 0.4

    reopened = SettingsDialog(config.Preferences.load(prefs.path))
    qtbot.addWidget(reopened)
    assert reopened.sla_editor.value() == saved["sla_targets"]
    assert reopened.sla_editor.at_risk.text() == "less than 40 % of the target left"


def test_department_only_override_keeps_defaults_for_the_rest(qtbot, prefs):
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    dialog.sla_editor.cell(BILLING, "urgent").setValue(30)
    dialog.on_accept()
    policy = policy_from_prefs(config.Preferences.load(prefs.path))
    assert policy.target_minutes(BILLING, "urgent") == 30
    assert policy.target_minutes(BILLING, "normal") == 480
    assert policy.target_minutes(None, "high") == 240


def test_hand_edited_bad_targets_are_explained_not_a_crash(qtbot, tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"sla_targets": {"*": {"urgent": -5}}}))
    dialog = SettingsDialog(config.Preferences.load(path))
    qtbot.addWidget(dialog)
    assert "positive number of minutes" in dialog.error_label.text()
    assert dialog.sla_editor.value() == {}


def test_restore_defaults_resets_the_sla_editor(qtbot, prefs):
    prefs.set("sla_targets", {BILLING: {"urgent": 30}})
    prefs.set("sla_at_risk_fraction", 0.5)
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    assert dialog.sla_editor.value() == {BILLING: {"urgent": 30}}
    dialog.on_restore_defaults()
    assert dialog.values()["sla_targets"] == {} and dialog.values()["sla_at_risk_fraction"] == 0.25
