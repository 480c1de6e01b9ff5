"""Settings generated from the declarations, the About facts, and screenshots in both themes."""

import json
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QGroupBox, QSpinBox

from console import __version__, config
from console.views import theme
from console.views.about import AboutDialog, about_facts
from console.views.connection_dialog import ConnectionDialog
from console.views.settings_dialog import (
    CONNECTION_SETTINGS,
    SettingsDialog,
    SettingsInputError,
    parse_sla_targets,
)
from console.views.sla_editor import SlaTargetsEditor

SHOTS = Path(os.environ.get("SUPPORT_CONSOLE_SCREENSHOT_DIR") or Path(__file__).parent / "screenshots")


@pytest.fixture
def prefs(tmp_path):
    return config.Preferences.load(tmp_path / "settings.json")


@pytest.fixture
def app_theme(qapp):
    yield qapp
    theme.apply_theme(qapp, "system", 0)


def test_every_preference_gets_the_widget_its_type_asks_for(qtbot, prefs):
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    expected = {s.name for s in config.SETTINGS} - set(CONNECTION_SETTINGS)
    assert set(dialog.editors) == expected
    assert isinstance(dialog.editors["notify_new_tickets"], QCheckBox)
    assert isinstance(dialog.editors["sync_interval_seconds"], QSpinBox)
    assert isinstance(dialog.editors["theme"], QComboBox)
    assert isinstance(dialog.editors["sla_targets"], SlaTargetsEditor)
    assert dialog.values() == {name: prefs.get(name) for name in expected}
    for name in ("sync_interval_seconds", "thread_history_days", "font_size"):  # ranges from the declaration
        setting, spin = config.SETTINGS_BY_NAME[name], dialog.editors[name]
        assert (spin.minimum(), spin.maximum(), spin.suffix(), spin.specialValueText()) == (
            setting.minimum, setting.maximum, setting.suffix, setting.special)
    boxes = {box.title(): box for box in dialog.findChildren(QGroupBox)}
    assert list(boxes) == [s for s in config.SECTIONS if any(x.section == s for x in config.SETTINGS)]
    assert boxes["Sync"].layout().labelForField(dialog.editors["sync_interval_seconds"]).text() == "Sync every"


def test_accept_saves_and_reports_what_changed(qtbot, prefs):
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    dialog.editors["sync_interval_seconds"].setValue(120)
    dialog.editors["theme"].setCurrentIndex(dialog.editors["theme"].findData("dark"))
    dialog.editors["notify_sync_problems"].setChecked(False)
    dialog.sla_editor.cell("Billing", "urgent").setValue(30)
    with qtbot.waitSignal(dialog.settings_changed) as changed:
        dialog.on_accept()
    assert changed.args[0] == {"sync_interval_seconds", "theme", "notify_sync_problems", "sla_targets"}
    saved = json.loads(prefs.path.read_text())
    assert saved["sla_targets"] == {"Billing": {"urgent": 30}} and saved["theme"] == "dark"
    assert "geometry" not in saved, "window state lives apart"


@pytest.mark.parametrize("text, says", [
    ("{nope", "not valid JSON"),
    ('["Billing"]', "write {"),
    ('{"Billing": {"soon": 5}}', "unknown priority soon"),
    ('{"*": {"urgent": -5}}', "positive number of minutes"),
])
def test_bad_hand_written_sla_targets_are_explained(text, says):
    """What a hand-edited settings.json may hold; the dialog's table can't produce these."""
    with pytest.raises(SettingsInputError, match=says):
        parse_sla_targets(text)


def test_restore_defaults(qtbot, prefs):
    prefs.set("font_size", 14)
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    assert dialog.editors["font_size"].value() == 14
    dialog.on_restore_defaults()
    assert dialog.editors["font_size"].value() == 0 and dialog.editors["font_size"].text() == "System size"
    assert parse_sla_targets("  ") == {}


def test_theme_applies_palette_and_font(app_theme):
    theme.apply_theme(app_theme, "dark", 13)
    assert theme.is_dark(app_theme) and app_theme.style().name().lower() == "fusion"
    assert app_theme.font().pointSize() == 13
    theme.apply_theme(app_theme, "light", 0)
    assert not theme.is_dark(app_theme)
    with pytest.raises(theme.ThemeError, match="unknown theme"):
        theme.apply_theme(app_theme, "purple")


def test_about_facts():
    facts = dict(about_facts(cache_path="/tmp/c.sqlite"))
    assert facts["Version"] == __version__ and facts["Cache"] == "/tmp/c.sqlite"
    assert facts["Qt"].startswith("6.") and facts["Log file"].endswith("support-console.log")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_screenshots(qtbot, app_theme, tmp_path, name):
    """Connection, Settings and About rendered in each theme (written to tests/views/screenshots)."""
    theme.apply_theme(app_theme, name, 0)
    prefs = config.Preferences.load(tmp_path / "settings.json")
    connection = ConnectionDialog(prefs, keyring_ok=False, config_folder=Path("~/.config/support-console"))
    connection.url_edit.setText("https://acme.zendesk.com")
    connection.email_edit.setText("agent@acme.example")
    connection.token_edit.setText("abcdefgh")
    connection.show_status("The helpdesk did not accept this email and API token. Check both; a token can be "
                           "revoked by an admin.", False)
    dialogs = {"connection": connection, "settings": SettingsDialog(prefs),
               "about": AboutDialog(cache_path="~/.local/share/support-console/caches/acme.sqlite")}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, dialog in dialogs.items():
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        image = dialog.grab().toImage()
        assert image.width() > 300 and image.height() > 150
        background = image.pixelColor(3, image.height() // 2)
        assert (background.lightness() < 100) == (name == "dark"), f"{label} background in {name}"
        assert image.save(str(SHOTS / f"{label}-{name}.png"))
