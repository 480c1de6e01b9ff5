"""The thread stays readable in the dark theme; opening a ticket from elsewhere keeps the list honest.

Runs on the demo cache synced as the demo agent (tests/conftest.py, tests/views/conftest.py).
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from console.demo.accounts import demo_account
from console.models.thread import NOTE_LABEL
from console.store import QueueSpec
from console.sync.client import HelpdeskClient
from console.views import theme
from tests.helpdesk import AGENT
from tests.views.conftest import open_ticket
from tests.views.test_theme import contrast


@pytest.fixture
def themed(qapp, qtbot, main_window):
    """The app, back on the system theme afterwards (restyled while the window's cache is still open)."""
    yield qapp
    theme.apply_theme(qapp, "system", 0)
    QApplication.processEvents()   # the restyle timers fire now, not after the window is gone


def ticket_with_note(reader) -> int:
    """A cached ticket whose thread has both an internal note and a public comment."""
    for tid in reader.ticket_ids_for_queue(QueueSpec()):
        kinds = {c["public"] for c in reader.comments_for_ticket(tid)}
        if kinds == {True, False}:
            return tid
    raise LookupError("the demo workspace has a ticket with a note and a reply")


def thread_cards(browser) -> list[dict]:
    """Each comment card as rendered: background, its texts' colours and its plain text."""
    doc = browser.document()
    cards: dict[int, dict] = {}
    block = doc.begin()
    while block.isValid():
        table = QTextCursor(block).currentTable()
        if table is not None:
            card = cards.setdefault(table.firstPosition(), {"background": table.format().background().color().name(),
                                                "inks": set(), "text": ""})
            card["text"] += block.text() + "\n"
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.text().strip():
                    card["inks"].add(fragment.charFormat().foreground().color().name())
                it += 1
        block = block.next()
    return list(cards.values())


def test_gui_cache_is_synced_as_the_demo_agent(demo_helpdesk, workspace):
    """The demo signs in as the agent: the fixture's cache comes from the agent's ticket-list pull."""
    client = HelpdeskClient(demo_helpdesk.url, AGENT.email, AGENT.token)
    try:
        me = client.get("users/me.json")["user"]
    finally:
        client.close()
    assert demo_account("agent") == AGENT and me["role"] == "agent"
    assert workspace.me == me["id"]
    admin_account = demo_account("admin")
    admin = HelpdeskClient(demo_helpdesk.url, admin_account.email, admin_account.token)
    try:
        listed = admin.get("tickets.json", {"per_page": 100})["tickets"]
    finally:
        admin.close()
    assert sorted(workspace.reader.ticket_ids_for_queue(QueueSpec())) == sorted(t["id"] for t in listed)


def test_dark_thread_cards_are_readable_and_notes_distinct(qtbot, themed, main_window, workspace):
    theme.apply_theme(themed, "dark", 0)
    tid = ticket_with_note(workspace.reader)
    open_ticket(qtbot, main_window, tid)
    cards = thread_cards(main_window.ticket_pane.thread)
    dark = theme.DARK_COLOURS
    notes = [c for c in cards if NOTE_LABEL in c["text"]]
    public = [c for c in cards if NOTE_LABEL not in c["text"]]
    assert notes and public
    window_bg = QApplication.palette().window().color().name()
    for card in cards:
        assert contrast(card["background"], "#ffffff") > 10, f"a light card in the dark theme: {card}"
        assert contrast(card["background"], window_bg) < 1.5, "cards sit quietly on the dark window"
        for ink in card["inks"]:
            assert contrast(ink, card["background"]) >= 4.5, (ink, card["background"])
    assert {c["background"] for c in notes} == {dark.note_card}
    assert dark.note_card not in {c["background"] for c in public}
    assert any(dark.card_ink in c["inks"] for c in cards), "the body text uses the theme's card ink"
    assert all(dark.note_label in c["inks"] for c in notes), "the 'Internal note' label is amber"


def test_a_theme_change_re_renders_the_open_thread(qtbot, themed, main_window, workspace):
    theme.apply_theme(themed, "light", 0)
    tid = ticket_with_note(workspace.reader)
    open_ticket(qtbot, main_window, tid)
    thread = main_window.ticket_pane.thread

    def note_backgrounds():
        return {c["background"] for c in thread_cards(thread) if NOTE_LABEL in c["text"]}
    assert note_backgrounds() == {theme.LIGHT_COLOURS.note_card}
    theme.apply_theme(themed, "dark", 0)
    qtbot.waitUntil(lambda: note_backgrounds() == {theme.DARK_COLOURS.note_card})
    badges = [w for w in main_window.account_pane.findChildren(type(main_window.account_pane.requester_label))
              if w.objectName().startswith("badge_") and w.isVisibleTo(main_window.account_pane)]
    for badge in badges:
        background, ink = theme.DARK_COLOURS.tones[badge.property("tone")]
        assert background in badge.styleSheet() and ink in badge.styleSheet()


def test_open_ticket_selects_its_row_when_listed(qtbot, main_window):
    window = main_window
    qtbot.waitUntil(lambda: window.ticket_model.rowCount() > 1)
    tid = window.ticket_model.ticket_id_at(window.ticket_model.rowCount() - 1)
    open_ticket(qtbot, window, tid)
    assert window.ticket_list.current_ticket_id() == tid
    selected = window.ticket_list.selectionModel().selectedRows()
    assert [window.ticket_model.ticket_id_at(i.row()) for i in selected] == [tid]


def test_open_ticket_outside_the_queue_clears_the_selection(qtbot, main_window, workspace):
    window = main_window
    qtbot.waitUntil(lambda: window.ticket_model.rowCount() > 0)
    qtbot.waitUntil(lambda: window.ticket_pane.ticket_id is not None)   # the queue's first ticket opened
    assert window.ticket_list.current_ticket_id() is not None
    elsewhere = next(t for t in workspace.reader.ticket_ids_for_queue(QueueSpec())
                     if window.ticket_model.row_of(t) < 0)
    open_ticket(qtbot, window, elsewhere)
    assert window.ticket_list.current_ticket_id() is None
    assert not window.ticket_list.selectionModel().selectedRows()
    window.ticket_list.next_ticket()   # J from nowhere starts at the top of the list
    assert window.ticket_list.current_ticket_id() == window.ticket_model.ticket_id_at(0)


def test_switching_the_theme_while_running_restyles_everything(qtbot, themed, main_window, workspace):
    """Headings, badges, list selection and charts follow a theme change made in the running app."""
    from PySide6.QtCharts import QChart
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QLabel

    theme.apply_theme(themed, "light", 0)
    window = main_window
    tid = ticket_with_note(workspace.reader)
    open_ticket(qtbot, window, tid)
    window.pages.show_dashboard()
    qtbot.waitUntil(lambda: window.pages.dashboard.snapshot is not None)
    window.pages.show_work()
    theme.apply_theme(themed, "dark", 0)                       # what Settings → Theme does
    qtbot.wait(50)
    pane = window.account_pane
    headings = [w for w in pane.findChildren(QLabel) if w.text() in ("Policy checks", "Account")]
    assert len(headings) == 2
    background = pane.widget().palette().color(QPalette.ColorRole.Window).name()
    for heading in headings:
        ink = heading.palette().color(QPalette.ColorRole.WindowText).name()
        assert contrast(ink, background) >= 4.5, (heading.text(), ink, background)
    listed = window.ticket_list
    highlight = listed.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight).name()
    assert highlight == "#2a8c80", "the list's selection uses the dark palette"
    assert listed.cell_delegate._palette.color(QPalette.ColorRole.Text).name() == "#e6e6e6"
    window.pages.show_dashboard()
    qtbot.waitUntil(lambda: window.pages.dashboard.day_chart.chart().theme() == QChart.ChartTheme.ChartThemeDark)
