"""The right answer first, through the real main window: the ranked picker, the policy guard on Send,
the department suggestion and the "Probably misrouted" queue, fragments, languages.

The cache is the demo helpdesk synced by the real engine (``desk``); the tests that send check what
the embedded helpdesk received, with the engine running on a qasync loop (``live``, as in
test_workflow.py).
"""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt

from console.models.canned_replies import WARNINGS_ROLE
from tests.helpdesk import Helpdesk, scenario_ticket_id
from tests.views.conftest import open_ticket, select_queue
from tests.views.test_workflow import Live, comments_with

WITHIN = "Billing::Refund within the 30-day guarantee"
OUTSIDE = "Billing::Refund outside the guarantee"


def ranked(qtbot, window, ticket_id: int):
    """Wait until the picker shows the ranking for ``ticket_id``; return the ReplySuggestions."""
    picker = window.canned_picker
    qtbot.waitUntil(lambda: window.suggested.current is not None and window.suggested.current.ticket_id == ticket_id
                    and picker.model.rowCount() > 0 and picker.model.ranked_at(0) is not None, timeout=10000)
    return window.suggested.current


def rows(picker) -> list[tuple[str, list[str]]]:
    model = picker.model
    return [(model.index(r, 0).data(), model.index(r, 0).data(WARNINGS_ROLE)) for r in range(model.rowCount())]


def row_titled(picker, title: str) -> int:
    return next(r for r in range(picker.model.rowCount()) if picker.model.macro_at(r)["title"] == title)


def test_the_70_day_refund_ticket_preselects_the_decline_and_marks_the_within_reply(qtbot, main_window, desk):
    window, picker = main_window, main_window.canned_picker
    ticket_id = scenario_ticket_id(desk.reader, "refund_outside_window")
    open_ticket(qtbot, window, ticket_id)
    suggestions = ranked(qtbot, window, ticket_id)
    window.shortcut_actions["canned_replies"].trigger()
    assert suggestions.preselected is not None and suggestions.preselected.title == OUTSIDE
    assert picker.current_reply() is not None and picker.current_reply().title == OUTSIDE
    assert rows(picker)[0][0] == "★ " + OUTSIDE
    assert "best match preselected" in picker.ranking_label.text()
    title, warnings = rows(picker)[row_titled(picker, WITHIN)]
    assert title == "⚠ " + WITHIN
    assert any("outside guarantee" in w for w in warnings), warnings
    within = picker.model.index(row_titled(picker, WITHIN), 0)
    assert within.data(Qt.ItemDataRole.ForegroundRole) is not None     # drawn in the error colour
    assert "outside guarantee" in within.data(Qt.ItemDataRole.ToolTipRole)

    qtbot.keyClicks(picker.search_edit, "refund")        # what a new user typed
    assert picker.current_reply().title != WITHIN
    assert rows(picker)[0][0].endswith(OUTSIDE)
    assert rows(picker)[row_titled(picker, WITHIN)][0] == "⚠ " + WITHIN
    picker.list_view.setFocus()
    picker.list_view.setCurrentIndex(picker.model.index(row_titled(picker, WITHIN), 0))
    assert "⚠" in picker.preview.toPlainText() and "outside guarantee" in picker.preview.toPlainText()

    picker.search_edit.clear()
    picker.list_view.setCurrentIndex(picker.model.index(row_titled(picker, OUTSIDE), 0))
    qtbot.keyClick(picker.list_view, Qt.Key.Key_Return)
    body = window.reply_editor.body()
    assert "falls outside our money-back guarantee" in body
    assert "Every subscription comes with a 30-day money-back guarantee" in body     # its fragment, inlined
    assert "{%" not in body and "issued a full refund" not in body
    assert window.reply_editor.field_changes.get("status") == "pending"

    window.reply_editor.text_edit.clear()                     # the marked reply, inserted on purpose:
    picker.list_view.setCurrentIndex(picker.model.index(row_titled(picker, WITHIN), 0))
    picker.insert_current()
    picker.applies_button.click()                             # (it solves the ticket: asked first)
    body = window.reply_editor.body()
    assert "falls outside our 30-day money-back guarantee" in body    # its Liquid picks the right side
    assert "issued a full refund" not in body


def test_a_reply_that_solves_the_ticket_shows_what_it_applies_before_it_is_inserted(qtbot, main_window, desk):
    window, picker, editor = main_window, main_window.canned_picker, main_window.reply_editor
    ticket_id = scenario_ticket_id(desk.reader, "refund_inside_window")
    open_ticket(qtbot, window, ticket_id)
    ranked(qtbot, window, ticket_id)
    window.shortcut_actions["canned_replies"].trigger()
    picker.list_view.setCurrentIndex(picker.model.index(row_titled(picker, WITHIN), 0))
    assert picker.current_ranked().solves
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)    # the keystroke alone does not insert it
    assert editor.body() == ""
    assert picker.applies_bar.isVisible() and "status → solved" in picker.applies_label.text()
    with qtbot.waitSignal(window.suggested.ready):
        window.shown_ticket.reload()                          # the ticket reloads (a sync touched it): ranked again
    assert picker.applies_bar.isVisible() and picker.current_ranked().title == WITHIN   # nothing moved under us
    picker.applies_cancel.click()
    assert not picker.applies_bar.isVisible() and editor.body() == ""
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    picker.applies_button.click()                             # explicit: insert and apply
    assert "inside our 30-day money-back guarantee" in editor.body()
    assert editor.field_changes.get("status") == "solved"
    assert not picker.applies_bar.isVisible()


def test_no_confident_match_preselects_nothing(qtbot, main_window, desk):
    window, picker = main_window, main_window.canned_picker
    ticket_id = scenario_ticket_id(desk.reader, "trial_question")     # a prospect's mixed question
    open_ticket(qtbot, window, ticket_id)
    suggestions = ranked(qtbot, window, ticket_id)
    assert suggestions.preselected is None
    assert picker.current_reply() is None and not picker.insert_button.isEnabled()
    assert "no confident match" in picker.ranking_label.text()
    with qtbot.assertNotEmitted(picker.insert_requested):
        qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    assert window.reply_editor.body() == ""


def test_a_merchants_customer_gets_the_contact_the_seller_route_never_inserted_blindly(qtbot, main_window, desk):
    window, picker, pane = main_window, main_window.canned_picker, main_window.ticket_pane
    ticket_id = scenario_ticket_id(desk.reader, "merchant_customer")
    open_ticket(qtbot, window, ticket_id)
    ranked(qtbot, window, ticket_id)
    assert picker.current_reply().title == "General::Merchant's customer — contact the seller"
    qtbot.waitUntil(lambda: pane.suggestion_label.isVisible())
    assert "contact-the-seller reply (merchant's customer)" in pane.suggestion_label.text()
    assert not pane.move_button.isVisible()          # no department to move to: the reply is the route
    window.shortcut_actions["canned_replies"].trigger()
    with qtbot.assertNotEmitted(picker.insert_requested):
        qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    assert picker.applies_bar.isVisible() and "status → solved" in picker.applies_label.text()
    with qtbot.waitSignal(picker.insert_requested):
        picker.applies_button.click()
    assert "Please contact the seller directly" in window.reply_editor.body()


def edit_macros(desk, qtbot, edit) -> None:
    """Change the cached canned replies as a macro sync does (one transaction, one broadcast)."""
    macros = [dict(m) for m in desk.reader.all_macros()]
    edit(macros)
    desk.ops.runner.write(lambda cache: cache.writer.replace_macros(macros))
    desk.settle(qtbot)


def set_text(macro: dict, text: str) -> None:
    macro["actions"] = [({**a, "value": text} if a.get("field") == "comment_value" else a) for a in macro["actions"]]


def fragment(macros: list[dict], name: str) -> dict:
    return next(m for m in macros if m["title"] == f"Fragment::{name}")


CANCEL_REPLIES = ("Billing::Cancellation — how to cancel yourself", "Billing::Cancellation — done on your behalf")


def preview_of(qtbot, picker, title: str) -> str:
    picker.list_view.setCurrentIndex(picker.model.index(row_titled(picker, title), 0))
    return picker.preview.toPlainText()


def test_a_fragment_edited_once_shows_in_every_reply_that_includes_it(qtbot, main_window, desk):
    window, picker = main_window, main_window.canned_picker
    ticket_id = scenario_ticket_id(desk.reader, "cancel_enough_notice")
    open_ticket(qtbot, window, ticket_id)
    ranked(qtbot, window, ticket_id)
    for title in CANCEL_REPLIES:
        assert "You can always cancel yourself in the Billing area" in preview_of(qtbot, picker, title)
    rule = "New rule: write to us 14 days before the invoice and we cancel for you."
    edit_macros(desk, qtbot, lambda macros: set_text(fragment(macros, "Cancellation rule"), rule))
    qtbot.waitUntil(lambda: rule in preview_of(qtbot, picker, CANCEL_REPLIES[0]))
    for title in CANCEL_REPLIES:
        shown = preview_of(qtbot, picker, title)
        assert rule in shown and "You can always cancel yourself" not in shown
    picker.list_view.setCurrentIndex(picker.model.index(row_titled(picker, CANCEL_REPLIES[0]), 0))
    picker.insert_current()
    assert rule in window.reply_editor.body()


def test_a_missing_or_looping_fragment_is_an_error_never_half_a_reply(qtbot, main_window, desk):
    window, picker, editor = main_window, main_window.canned_picker, main_window.reply_editor
    ticket_id = scenario_ticket_id(desk.reader, "cancel_enough_notice")
    open_ticket(qtbot, window, ticket_id)
    ranked(qtbot, window, ticket_id)

    def rename(macros):
        fragment(macros, "Cancellation rule")["title"] = "Fragment::Old cancellation rule"
    edit_macros(desk, qtbot, rename)
    qtbot.waitUntil(lambda: "missing" in preview_of(qtbot, picker, CANCEL_REPLIES[0]))
    for title in CANCEL_REPLIES:
        shown = preview_of(qtbot, picker, title)
        assert "Can't insert this reply: Fragment 'Cancellation rule' is missing" in shown, shown
        assert rows(picker)[row_titled(picker, title)][0].startswith("⚠")
        assert not picker.insert_button.isEnabled()
        with qtbot.assertNotEmitted(picker.insert_requested):
            picker.insert_current()
        assert editor.body() == ""

    def loop(macros):
        old = next(m for m in macros if m["title"] == "Fragment::Old cancellation rule")
        old["title"] = "Fragment::Cancellation rule"
        set_text(old, "{% render 'Cancellation rule' %}")
    edit_macros(desk, qtbot, loop)
    qtbot.waitUntil(lambda: "loop" in preview_of(qtbot, picker, CANCEL_REPLIES[1]))
    for title in CANCEL_REPLIES:
        assert "Fragment loop: cancellation rule → Cancellation rule" in preview_of(qtbot, picker, title)
    with qtbot.assertNotEmitted(picker.insert_requested):
        picker.insert_current()


def test_a_fragment_typed_in_the_editor_becomes_its_text(qtbot, main_window, desk):
    window, editor = main_window, main_window.reply_editor
    ticket_id = scenario_ticket_id(desk.reader, "cancel_enough_notice")
    open_ticket(qtbot, window, ticket_id)
    window.shortcut_actions["reply"].trigger()
    qtbot.keyClicks(editor.text_edit, "Sure. {% render 'Cancellation rule' %} Anything else?")
    qtbot.waitUntil(lambda: "{%" not in editor.body())
    assert editor.body().startswith("Sure. You can always cancel yourself in the Billing area.")
    assert editor.body().endswith(" Anything else?")
    assert "{{" not in editor.body()                          # its placeholders filled for this ticket
    editor.text_edit.undo()                                   # one Ctrl+Z takes the expansion back
    assert "{% render 'Cancellation rule' %}" in editor.body()

    editor.text_edit.setPlainText("")
    qtbot.keyClicks(editor.text_edit, "Hello {% render 'No such text' %}")
    qtbot.waitUntil(lambda: "is missing" in editor.message_label.text())
    assert "Fragment 'No such text' is missing" in editor.message_label.text()
    assert editor.body() == "Hello {% render 'No such text' %}"     # never half a reply
    assert not editor.send()
    desk.settle(qtbot)
    assert [e for e in desk.reader.list_outbox() if e.kind == "reply"] == []


def test_the_misrouted_ticket_shows_the_suggestion_and_one_click_moves_it(qtbot, main_window, desk):
    window, pane = main_window, main_window.ticket_pane
    ticket_id = scenario_ticket_id(desk.reader, "security_reset_wrong_department")
    support = next(g["id"] for g in desk.reader.groups() if g["name"] == "Technical Support")
    select_queue(qtbot, window, "misrouted")
    qtbot.waitUntil(lambda: window.ticket_model.rowCount() > 0)
    listed = [window.ticket_model.ticket_id_at(r) for r in range(window.ticket_model.rowCount())]
    assert ticket_id in listed
    assert scenario_ticket_id(desk.reader, "refund_outside_window") not in listed   # rightly in Billing
    open_ticket(qtbot, window, ticket_id)
    qtbot.waitUntil(lambda: pane.suggestion_label.isVisible())
    assert "Probably misrouted" in pane.suggestion_label.text()
    assert "Suggested: Technical Support" in pane.suggestion_label.text()
    assert "security" in pane.suggestion_label.text().lower()               # the words that decided it
    assert pane.move_button.isVisible() and pane.move_button.text() == "Move to Technical Support"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(pane.thread, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)     # Alt+M, as the shortcut list says
    desk.settle(qtbot)
    [entry] = [e for e in desk.reader.list_outbox() if e.kind == "fields"]
    assert entry.ticket_id == ticket_id and entry.payload["fields"] == {"group_id": support}
    assert not pane.move_button.isVisible()
    assert pane.department.currentData() == support


def test_a_misrouted_tickets_best_reply_from_the_other_department_is_named_not_selected(qtbot, main_window, desk):
    window, picker = main_window, main_window.canned_picker
    ticket_id = scenario_ticket_id(desk.reader, "security_reset_wrong_department")     # in Billing
    open_ticket(qtbot, window, ticket_id)
    suggestions = ranked(qtbot, window, ticket_id)
    assert suggestions.misrouted and suggestions.preselected.title.startswith("Technical Support::")
    assert picker.current_reply() is None                    # not a Billing reply picked in its place
    best = suggestions.preselected.title.split("::", 1)[1]
    assert picker.ranking_label.text().startswith(
        f"Best match “{best}” is not offered in this department: move the ticket to Technical Support first")
    window.ticket_pane.move_button.click()                    # queued; the ticket shows in its new department
    qtbot.waitUntil(lambda: picker.current_reply() is not None, timeout=10000)
    assert picker.current_reply().title == suggestions.preselected.title
    assert "best match preselected" in picker.ranking_label.text()



# -- against the running helpdesk: what it receives ---------------------------------------------

@pytest.fixture
def live(qtbot, qapp, tmp_path):
    """The demo helpdesk running, the engine on a qasync loop, the main window (test_workflow.py's ``Live``)."""
    server = Helpdesk(tmp_path / "helpdesk.sqlite", "--demo", "--tickets", "20", "--export-delay", "0",
                      admin_token="demo-admin-token").start()
    session = Live(qtbot, qapp, server, tmp_path)
    yield session
    session.close()
    server.kill()


PROMISE = "Your purchase is inside our 30-day money-back guarantee, so I have issued a full refund."


async def finish(session) -> None:
    """Stop the engine inside the running loop: qasync's last event pass after ``run_until_complete``
    would otherwise step the engine's task with no running loop (a teardown error, seen on main too)."""
    session.engine.stop()
    await asyncio.wait_for(asyncio.shield(session.task), 10)


def sent_entries(session, ticket_id: int) -> list:
    return [e for e in session.desk.reader.list_outbox(ticket_id=ticket_id) if e.kind == "reply"]


def test_a_draft_contradicting_the_policy_asks_first_and_the_helpdesk_gets_nothing_until_confirmed(live):
    window, editor = live.window, live.window.reply_editor

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0 and not live.engine.status.syncing)
        tid = scenario_ticket_id(live.desk.reader, "refund_outside_window")
        window.open_ticket(tid)
        await live.until(lambda: editor.ticket_id == tid, what="the ticket")
        window.shortcut_actions["reply"].trigger()
        editor.text_edit.setPlainText(f"Hi,\n\n{PROMISE}\n\nBest")
        window.shortcut_actions["send"].trigger()                        # Ctrl+Enter
        await live.until(lambda: editor.policy_dialog is not None and editor.policy_dialog.isVisible(),
                         what="the confirmation")
        dialog = editor.policy_dialog
        assert "issued a full refund" in dialog.details.text() and "outside guarantee" in dialog.details.text()
        await asyncio.sleep(1.5)                                         # the engine pushes what is queued: nothing
        assert sent_entries(live, tid) == [] and comments_with(live.server, tid, "issued a full refund") == 0

        dialog.edit_button.click()                                       # go back and fix it
        await live.until(lambda: editor.policy_dialog is None)
        assert PROMISE in editor.body() and sent_entries(live, tid) == []
        editor.text_edit.setPlainText(f"Hi,\n\n{PROMISE}\n\nBest (refund approved by a supervisor)")
        window.shortcut_actions["send"].trigger()
        await live.until(lambda: editor.policy_dialog is not None and editor.policy_dialog.isVisible())
        editor.policy_dialog.send_button.click()                         # the agent knows better: send anyway
        await live.until(lambda: comments_with(live.server, tid, "approved by a supervisor") == 1, timeout=20,
                         what="the helpdesk to get it")
        assert editor.body() == "" and editor.policy_dialog is None
        [entry] = sent_entries(live, tid)
        assert "canned_reply_id" not in entry.payload                    # typed, not a canned reply
        await finish(live)
    live.start()
    live.run(scenario)


def test_the_canned_reply_sent_is_learned_and_never_sent_to_the_helpdesk(live):
    window, editor, picker = live.window, live.window.reply_editor, live.window.canned_picker

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0 and not live.engine.status.syncing)
        tid = scenario_ticket_id(live.desk.reader, "refund_outside_window")
        window.open_ticket(tid)
        await live.until(lambda: window.suggested.current is not None and window.suggested.current.ticket_id == tid
                         and picker.current_reply() is not None, what="the ranked picker")
        best = picker.current_reply()
        assert best.title == OUTSIDE
        assert live.desk.reader.canned_reply_usage() == []
        picker.insert_current()
        window.shortcut_actions["send"].trigger()                        # a safe text: no question asked
        await live.until(lambda: comments_with(live.server, tid, "falls outside our money-back guarantee") == 1,
                         timeout=20, what="the helpdesk to get it")
        assert editor.policy_dialog is None
        [entry] = sent_entries(live, tid)
        assert entry.payload["canned_reply_id"] == best.macro_id
        await live.until(lambda: sent_entries(live, tid)[0].state == "sent", what="sent")
        usage = live.desk.reader.canned_reply_usage()
        assert [(macro_id, count) for macro_id, _group, _tags, count in usage] == [(best.macro_id, 1)]
        ticket = live.server.get(f"tickets/{tid}.json").json()["ticket"]
        assert ticket["status"] == "pending" and "refund_declined" in ticket["tags"]
        audits = live.server.get(f"tickets/{tid}/audits.json")
        assert "canned_reply_id" not in audits.text
        await finish(live)
    live.start()
    live.run(scenario)


def test_moving_a_misrouted_ticket_reaches_the_helpdesk(live):
    window, pane = live.window, live.window.ticket_pane

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0 and not live.engine.status.syncing)
        tid = scenario_ticket_id(live.desk.reader, "security_reset_wrong_department")
        support = next(g["id"] for g in live.desk.reader.groups() if g["name"] == "Technical Support")
        window.open_ticket(tid)
        await live.until(lambda: pane.move_button.isVisible(), what="the suggestion")
        assert pane.move_button.text() == "Move to Technical Support"
        pane.move_button.click()
        await live.until(lambda: live.server.get(f"tickets/{tid}.json").json()["ticket"]["group_id"] == support,
                         timeout=20, what="the helpdesk to move it")
        window.queue_pane.select_key("misrouted")
        await live.until(lambda: window.ticket_model.queue is not None and window.ticket_model.queue.key == "misrouted"
                         and tid not in [window.ticket_model.ticket_id_at(r)
                                         for r in range(window.ticket_model.rowCount())], timeout=20,
                         what="the ticket to leave the misrouted queue")
        await finish(live)
    live.start()
    live.run(scenario)


# -- screenshots (saved under screenshots/, looked at) ------------------------------------------

def test_screenshots_of_the_ranked_picker_the_policy_confirmation_and_the_suggestion(qtbot, main_window, desk):
    from tests.views.test_widget_screenshots import save

    window, picker, editor = main_window, main_window.canned_picker, main_window.reply_editor
    window.resize(1700, 950)
    ticket_id = scenario_ticket_id(desk.reader, "refund_outside_window")
    open_ticket(qtbot, window, ticket_id)
    ranked(qtbot, window, ticket_id)
    window.show_canned_replies()
    qtbot.keyClicks(picker.search_edit, "refund")
    qtbot.wait(50)
    assert rows(picker)[0][0] == "★ " + OUTSIDE
    assert save(picker, "suggest_picker_ranked").stat().st_size > 5_000
    picker.list_view.setFocus()
    picker.list_view.setCurrentIndex(picker.model.index(row_titled(picker, WITHIN), 0))
    qtbot.wait(50)
    assert save(picker, "suggest_picker_contradicted_reply").stat().st_size > 5_000

    editor.text_edit.setPlainText(f"Hi,\n\n{PROMISE}\n\nBest")
    assert editor.send()
    qtbot.waitUntil(lambda: editor.policy_dialog is not None and editor.policy_dialog.isVisible())
    qtbot.wait(50)
    assert save(editor.policy_dialog, "suggest_send_confirmation").stat().st_size > 5_000
    assert save(window, "suggest_window_confirmation").stat().st_size > 20_000
    editor.policy_dialog.edit_button.click()
    desk.settle(qtbot)
    assert [e for e in desk.reader.list_outbox() if e.kind == "reply"] == []

    misrouted = scenario_ticket_id(desk.reader, "security_reset_wrong_department")
    open_ticket(qtbot, window, misrouted)
    qtbot.waitUntil(lambda: window.ticket_pane.move_button.isVisible())
    qtbot.wait(50)
    assert save(window, "suggest_misrouted_ticket").stat().st_size > 20_000


GERMAN = ("Hallo, ich habe den Pro-Tarif vor gut zwei Monaten gekauft und kaum benutzt. "
          "Ich möchte bitte mein Geld zurück, eine Rückerstattung für das ganze Abo. Danke und viele Grüße")


def test_the_customers_language_is_offered_first_with_a_switch(qtbot, main_window, desk):
    """A refund request written in German (the cache as a sync leaves it): the German variant first."""
    window, picker = main_window, main_window.canned_picker
    source = scenario_ticket_id(desk.reader, "refund_outside_window")
    ticket = {**desk.reader.ticket(source), "id": 9001, "external_id": None, "subject": "Rückerstattung für mein Abo",
              "description": GERMAN}
    comment = {**desk.reader.comments_for_ticket(source)[0], "id": 900101, "body": GERMAN, "html_body": None,
               "plain_body": GERMAN}
    desk.ops.runner.write(lambda cache: cache.writer.upsert_tickets([ticket])
                          | cache.writer.replace_ticket_comments(9001, [comment]))
    desk.settle(qtbot)
    open_ticket(qtbot, window, 9001)
    suggestions = ranked(qtbot, window, 9001)
    window.show_canned_replies()
    assert suggestions.customer_language == "de" and suggestions.language == "de"
    assert picker.current_reply().title == OUTSIDE + " [de]"
    first_name = desk.reader.user(ticket["requester_id"])["name"].split()[0]
    assert f"Hallo {first_name}," in picker.preview.toPlainText()
    assert picker.language_box.isVisible() and picker.language_box.currentText() == "German (customer's)"
    english = picker.language_box.findData("en")
    picker.language_box.setCurrentIndex(english)
    picker.language_box.activated.emit(english)                       # the agent picks English
    qtbot.waitUntil(lambda: window.suggested.current.language == "en" and picker.current_reply() is not None
                    and picker.current_reply().title == OUTSIDE)
    assert rows(picker)[0][0] == "★ " + OUTSIDE
    assert f"Hi {first_name}," in picker.preview.toPlainText()
    assert not any(title.endswith("[de]") for title, _w in rows(picker))
