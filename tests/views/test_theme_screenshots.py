"""Main window (a ticket open) and Settings with the SLA editor, in light and dark: screenshots/ in the repo.

The cache is the session's demo cache (synced once by the real engine, as the demo agent).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from console import config
from console.demo.accounts import demo_account
from console.domain.routing import BILLING, TECHNICAL_SUPPORT
from console.store import QueueSpec
from console.views import theme
from console.views.settings_dialog import SettingsDialog

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
AGENT = demo_account("agent")   # the demo signs in as the agent (ticket-list sync)


@pytest.fixture
def themed(qapp):
    yield qapp
    theme.apply_theme(qapp, "system", 0)


def busy_ticket(reader) -> int:
    """A ticket with an internal note and the longest thread: the most colours on one screen."""
    def weight(tid):
        comments = reader.comments_for_ticket(tid)
        return (any(not c["public"] for c in comments), len(comments))
    return max(reader.ticket_ids_for_queue(QueueSpec()), key=weight)


def save(widget, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    image = widget.grab().toImage()
    assert image.save(str(path))
    return path


def background_is_dark(widget) -> bool:
    image = widget.grab().toImage()
    return image.pixelColor(2, image.height() // 2).lightness() < 100


@pytest.mark.parametrize("name", ["light", "dark"])
def test_main_window_screenshot(qtbot, themed, desk, workspace, name):
    from console.views.main_window import MainWindow

    theme.apply_theme(themed, name, 0)
    reader = workspace.reader
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.resize(1500, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.ticket_model.rowCount() > 0)
    qtbot.wait(500)  # counts and the first queue load settle off the GUI thread (they open a ticket)
    ticket_id = busy_ticket(reader)
    window.open_ticket(ticket_id)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id == ticket_id)
    qtbot.wait(200)
    assert window.ticket_pane.ticket_id == ticket_id
    thread = window.ticket_pane.thread
    thread.find("Internal note")  # scrolls the note into view...
    cursor = thread.textCursor()
    cursor.clearSelection()       # ...without leaving it highlighted
    thread.setTextCursor(cursor)
    assert "Internal note" in window.ticket_pane.thread.toPlainText()
    assert background_is_dark(window) == (name == "dark")
    assert save(window, f"main-{name}").stat().st_size > 30_000
    window.close()
    desk.settle(qtbot, quiet_ms=30)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_settings_sla_screenshot(qtbot, themed, tmp_path, name):
    theme.apply_theme(themed, name, 0)
    prefs = config.Preferences.load(tmp_path / "settings.json")
    prefs.set("sla_targets", {"*": {"urgent": 60, "high": 240, "normal": 480, "low": 1440},
                              BILLING: {"urgent": 30, "high": 120}, TECHNICAL_SUPPORT: {"low": 720}})
    prefs.set("sla_at_risk_fraction", 0.3)
    prefs.set("theme", name)
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.adjustSize()
    QApplication.processEvents()
    assert dialog.sla_editor.cell(BILLING, "normal").text() == "inherit (8 h)"
    assert background_is_dark(dialog) == (name == "dark")
    assert save(dialog, f"settings-sla-{name}").stat().st_size > 10_000
