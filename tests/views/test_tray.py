"""The tray icon: it shows what the rules decided, badges the icon, and opens a clicked notification's ticket."""

from console.domain.notifications import Notification
from console.store.records import QueueCounts
from console.views.tray import TrayIcon


def test_clicking_a_notification_opens_its_ticket(qtbot):
    tray = TrayIcon(use_system_tray=False)
    assert not tray.available
    shown = []
    tray.notification_shown.connect(shown.append)
    tray.show(Notification("new_ticket", "New ticket #31", "Charged twice", 31))
    tray.show(Notification("sync_failed", "Sync failed", "timeout"))    # no ticket: keeps the last ticket
    assert [n.kind for n in shown] == ["new_ticket", "sync_failed"]
    with qtbot.waitSignal(tray.ticket_requested) as opened:
        tray.on_message_clicked()
    assert opened.args == [31]
    tray.set_counts(QueueCounts(mine=4, unassigned=1))
    assert "4 open assigned to me" in tray.tooltip


def test_badge_marks_the_icon(qtbot):
    from console.views.theme import app_icon
    from console.views.tray import badge_icon

    plain = app_icon().pixmap(64, 64).toImage()
    badged = badge_icon(app_icon(), 5).pixmap(64, 64).toImage()
    assert badge_icon(app_icon(), 0).pixmap(64, 64).toImage() == plain
    corner = badged.pixelColor(int(64 * 0.71), int(64 * 0.08))
    assert badged != plain and corner.red() > 200 and corner.blue() < 100, "an orange badge, top right"
