"""Spell checking in the reply editor of the real main window.

The agent types; misspelled words get the red wavy underline (read back from the block's layout
formats), correct ones, URLs, emails, placeholders and codes do not; right-click offers the
suggestions on top of the editor's own menu; a suggestion replaces the word; "Add to dictionary"
is kept for the next session; "Ignore" and Edit ▸ Check spelling (kept in the preferences) clear
the marks; what is sent is exactly the text typed, with no trace of the marks.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from PySide6.QtGui import QTextCursor

from console.config import Preferences
from console.views.main_window import MainWindow
from tests.views.conftest import close_desk, open_desk, open_ticket
from tests.views.test_workflow import Live, live, server  # noqa: F401 (the fixtures)


def marked(editor) -> list[str]:
    """Every word shown as misspelled, from the layouts of the editor's blocks."""
    out, block = [], editor.text_edit.document().begin()
    while block.isValid():
        out += editor.spelling.highlighter.misspelled_in(block)
        block = block.next()
    return out


def point_at(editor, word: str):
    """Where the agent right-clicks: the middle of ``word`` in the editor's viewport."""
    index = editor.body().index(word) + len(word) // 2
    cursor = QTextCursor(editor.text_edit.document())
    cursor.setPosition(index)
    return editor.text_edit.cursorRect(cursor).center()


def texts(menu) -> list[str]:
    return [a.text() for a in menu.actions()]


def sent_comments(helpdesk, ticket_id: int, word: str) -> list[dict]:
    comments = helpdesk.get(f"tickets/{ticket_id}/comments.json").json()["comments"]
    return [c for c in comments if word in (c.get("body") or "")]


TYPED = ("Thanks for your pateince: we recieve refunds within 5 days. See https://help.exampel.com/refnd "
         "or write to billng@exampel.com, ref INV2041 ASAP, {{ ticket.requester.first_name }}.")


def test_misspelled_words_are_marked_corrected_from_the_menu_and_the_reply_goes_out_as_typed(live: Live, qtbot):  # noqa: F811
    window, editor = live.window, live.window.reply_editor

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0, what="the first queue")
        tid = window.ticket_model.ticket_id_at(0)
        window.open_ticket(tid)
        await live.until(lambda: editor.ticket_id == tid, what="the ticket")
        live.start()
        editor.text_edit.setFocus()
        qtbot.keyClicks(editor.text_edit, TYPED.replace("{{ ticket.requester.first_name }}", "Ada"))
        await live.until(lambda: window.ops.spelling.ready, what="the dictionary (loaded on first use)")
        await live.until(lambda: marked(editor) == ["pateince", "recieve"], what="the marks")

        menu = editor.spelling.menu_at(point_at(editor, "recieve"))
        assert texts(menu)[:2] == ["receive", "relieve"], texts(menu)
        assert "Add “recieve” to dictionary" in texts(menu) and "Ignore" in texts(menu)
        assert any("Copy" in t for t in texts(menu)), "the editor's own menu stays below"
        await live.until(lambda: "Looking for more…" not in texts(menu), what="the slower suggestions")
        assert texts(menu)[:2] == ["receive", "relieve"] and len(texts(menu)[:5]) == 5
        next(a for a in menu.actions() if a.text() == "receive").trigger()
        assert "we receive refunds" in editor.body()
        menu.deleteLater()
        await live.until(lambda: marked(editor) == ["pateince"], what="the corrected word unmarked")

        menu = editor.spelling.menu_at(point_at(editor, "pateince"))
        assert texts(menu)[0] == "patience", texts(menu)
        menu.deleteLater()
        assert editor.spelling.menu_at(point_at(editor, "Thanks")).actions()[0].text() != "Ignore", \
            "a correct word: only the editor's own menu"

        menu = editor.spelling.menu_at(point_at(editor, "pateince"))
        next(a for a in menu.actions() if a.text() == "Ignore").trigger()
        menu.deleteLater()
        await live.until(lambda: marked(editor) == [], what="the ignored word unmarked")
        editor.text_edit.moveCursor(QTextCursor.MoveOperation.End)
        qtbot.keyClicks(editor.text_edit, " Kind regards {{ ticket.requester.first_name }}")
        await live.until(lambda: marked(editor) == [] and "requester" in editor.body(), what="a placeholder")
        body = editor.body()
        window.shortcut_actions["send"].trigger()
        await live.until(lambda: sent_comments(live.server, tid, "Kind regards") != [], timeout=20, what="the reply")
        await asyncio.sleep(0.5)
        return tid, body

    tid, body = live.run(scenario)
    [comment] = sent_comments(live.server, tid, "Kind regards")
    assert "pateince" in comment["body"] and "we receive refunds" in comment["body"], "the text as typed"
    assert "<u" not in (comment.get("html_body") or "") and "underline" not in (comment.get("html_body") or "")
    assert "pateince" in body


def window_on(desk, qtbot, prefs=None) -> MainWindow:
    window = MainWindow(desk.workspace(prefs=prefs))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    desk.settle(qtbot)
    qtbot.waitUntil(lambda: window.ticket_model.rowCount() > 0)
    return window


def type_into(qtbot, window, desk, text: str):
    tid = window.ticket_model.ticket_id_at(0)
    open_ticket(qtbot, window, tid)
    editor = window.reply_editor
    editor.text_edit.clear()
    qtbot.keyClicks(editor.text_edit, text)
    return editor


def test_a_word_added_to_the_dictionary_stays_added_in_a_new_window(qtbot, cache_copy):
    cache, me = cache_copy
    desk = open_desk(cache, me)
    window = window_on(desk, qtbot)
    editor = type_into(qtbot, window, desk, "Our Zendeskian colleagues recieve it")
    qtbot.waitUntil(lambda: marked(editor) == ["Zendeskian", "recieve"], timeout=10000)
    menu = editor.spelling.menu_at(point_at(editor, "Zendeskian"))
    next(a for a in menu.actions() if a.text() == "Add “Zendeskian” to dictionary").trigger()
    qtbot.waitUntil(lambda: marked(editor) == ["recieve"])
    editor.text_edit.clear()
    window.close()
    desk.settle(qtbot)
    close_desk(desk)
    assert (cache.parent / "dictionary.txt").read_text(encoding="utf-8").split() == ["Zendeskian"]

    again = open_desk(cache, me)   # a new session: its own dictionary, read from the agent's file
    try:
        window = window_on(again, qtbot)
        editor = type_into(qtbot, window, again, "Our Zendeskian colleagues recieve it")
        qtbot.waitUntil(lambda: again.ops.spelling.ready and marked(editor) == ["recieve"], timeout=10000)
        editor.text_edit.clear()
        window.close()
        again.settle(qtbot)
    finally:
        close_desk(again)


def test_spell_check_switched_off_in_the_edit_menu_stays_off(qtbot, cache_copy, tmp_path):
    cache, me = cache_copy
    prefs = Preferences(tmp_path / "settings.json")
    desk = open_desk(cache, me)
    try:
        window = window_on(desk, qtbot, prefs)
        editor = type_into(qtbot, window, desk, "We recieve it")
        qtbot.waitUntil(lambda: marked(editor) == ["recieve"], timeout=10000)
        assert window.spelling_action.isChecked()
        desk.settle(qtbot)
        assert editor.draft_label.text() == "draft saved"
        window.spelling_action.trigger()                   # Edit ▸ Check spelling: off
        qtbot.waitUntil(lambda: marked(editor) == [])
        assert editor.draft_label.text() == "draft saved", "re-marking the text is no edit (no draft save)"
        assert Preferences.load(prefs.path).get("spell_check") is False, "kept in settings.json"
        assert editor.spelling.menu_at(point_at(editor, "recieve")).actions()[0].text() != "receive"
        editor.text_edit.clear()
        window.close()
        desk.settle(qtbot)
    finally:
        close_desk(desk)

    desk = open_desk(cache, me)   # the next session reads the preference
    try:
        window = window_on(desk, qtbot, Preferences.load(prefs.path))
        assert not window.spelling_action.isChecked() and not desk.ops.spelling.enabled
        editor = type_into(qtbot, window, desk, "We recieve it")
        qtbot.wait(600)
        assert marked(editor) == [] and not desk.ops.spelling.ready, "off: not even loaded"
        window.spelling_action.trigger()
        qtbot.waitUntil(lambda: marked(editor) == ["recieve"], timeout=10000)
        assert Preferences.load(prefs.path).get("spell_check") is True
        editor.text_edit.clear()
        window.close()
        desk.settle(qtbot)
    finally:
        close_desk(desk)


def test_the_dictionary_works_in_its_own_process_and_a_killed_one_is_replaced(qtbot, cache_copy):
    """The dictionary's load (~0.3 s of Python, ~30 MB) stalled the GUI thread beside it: it lives in
    a helper process. Killed, it is replaced on the next word; the session's end ends it."""
    cache, me = cache_copy
    desk = open_desk(cache, me)
    try:
        window = window_on(desk, qtbot)
        editor = type_into(qtbot, window, desk, "We recieve it")
        qtbot.waitUntil(lambda: marked(editor) == ["recieve"], timeout=10000)
        pid = desk.ops.spelling.dictionary.helper_pid
        assert pid is not None and pid != os.getpid() and Path(f"/proc/{pid}").exists()
        assert "Receive" in desk.ops.spelling.quick_suggestions("Recieve"), "one edit away, with the answer"
        os.kill(pid, signal.SIGKILL)
        qtbot.keyClicks(editor.text_edit, " and the refnd")
        qtbot.waitUntil(lambda: marked(editor) == ["recieve", "refnd"], timeout=10000)
        again = desk.ops.spelling.dictionary.helper_pid
        assert again not in (None, pid)
        editor.text_edit.clear()
        window.close()
        desk.settle(qtbot)
    finally:
        close_desk(desk)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{again}").exists():
        time.sleep(0.1)
    assert not Path(f"/proc/{again}").exists(), "the dictionary's process outlived the session"
