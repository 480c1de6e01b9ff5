"""Reply editor: drafts (debounced, kill -9 safe), send to the outbox, canned replies, placeholder guard."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from console.domain.account import parse_account_date
from console.models.canned_replies import CannedReply
from console.store import CacheReader
from console.views.reply_editor import ReplyEditor
from tests.helpdesk import AGENT, REPO, Helpdesk, scenario_ticket_id, sync_cache
from tests.views.conftest import close_desk, open_desk, show_ticket


def agent_id(reader) -> int:
    return next(a["id"] for a in reader.agents() if a["email"] == "agent@demo.support-console.test")


def make_editor(qtbot, desk, **kwargs) -> ReplyEditor:
    editor = ReplyEditor(desk.ops.replies, debounce_ms=50, **kwargs)
    editor.desk = desk
    qtbot.addWidget(editor)
    qtbot.open_widgets.append(editor)
    editor.resize(700, 300)
    editor.show()
    return editor


def show(editor, ticket_id) -> None:
    show_ticket(editor, editor.desk, ticket_id)


def queued(qtbot, editor, ticket_id, n=1) -> list:
    """Wait until ``n`` entries of the ticket are in the outbox (and the editor got its answer)."""
    qtbot.waitUntil(lambda: len(editor.desk.reader.list_outbox(ticket_id=ticket_id)) == n and not editor.sending)
    return editor.desk.reader.list_outbox(ticket_id=ticket_id)


@pytest.fixture(autouse=True)
def _close_editors_first(qtbot, open_widgets):
    qtbot.open_widgets = open_widgets


def test_draft_is_saved_debounced_and_restored_after_reopening(qtbot, desk):
    ticket_id = scenario_ticket_id(desk.reader, "refund_inside_window")
    editor = make_editor(qtbot, desk)
    show(editor, ticket_id)
    qtbot.keyClicks(editor.text_edit, "Hello, looking into your refund")
    assert desk.reader.load_draft(ticket_id, "reply") is None  # not yet: debounced
    qtbot.waitUntil(lambda: editor.draft_label.text() == "draft saved", timeout=2000)
    assert desk.reader.load_draft(ticket_id, "reply").body == "Hello, looking into your refund"
    editor.close()
    editor.deleteLater()

    again = make_editor(qtbot, desk)
    show(again, ticket_id)
    assert again.body() == "Hello, looking into your refund"
    assert again.mode == "reply"
    assert again.draft_label.text() == "draft restored"


def test_switching_ticket_flushes_pending_draft_and_note_mode_moves_it(qtbot, desk):
    first = scenario_ticket_id(desk.reader, "verified_sender")
    second = scenario_ticket_id(desk.reader, "trial_question")
    editor = make_editor(qtbot, desk)
    show(editor, first)
    qtbot.keyClicks(editor.text_edit, "internal: check the invoice")
    editor.on_note_mode()
    desk.settle(qtbot)
    assert desk.reader.load_draft(first, "note").body == "internal: check the invoice"
    assert desk.reader.load_draft(first, "reply") is None
    qtbot.keyClicks(editor.text_edit, "!")
    show(editor, second)  # the pending debounced save happens now, not lost
    assert editor.body() == ""
    show(editor, first)   # shown again before that save landed: the editor keeps what was typed
    assert editor.mode == "note" and editor.body().endswith("!")
    desk.settle(qtbot)
    assert desk.reader.load_draft(first, "note").body == "internal: check the invoice!"


CHILD = textwrap.dedent("""
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication
    from PySide6.QtTest import QTest
    from console.lanes import Lanes
    from console.ops import Ops
    from console.ops.tickets import load_ticket_details
    from console.store import CacheReader, CacheWriter, Kind
    from console.views.reply_editor import ReplyEditor
    from datetime import UTC, datetime
    app = QApplication([])
    writer, reader = CacheWriter(sys.argv[1]), CacheReader(sys.argv[1])
    ops = Ops(Lanes(sys.argv[1], writer), me=None)
    editor = ReplyEditor(ops.replies)
    editor.on_ticket_shown(load_ticket_details(reader, int(sys.argv[2]), None, datetime.now(UTC)))
    editor.show()
    ops.bus.cache_changed.connect(lambda change, _by: Kind.DRAFTS in change.kinds and print("SAVED", flush=True))
    QTest.keyClicks(editor.text_edit, "typed before the crash")
    while True:
        app.processEvents()
        time.sleep(0.01)
""")


def test_draft_survives_kill_9(desk, tmp_path):
    ticket_id = scenario_ticket_id(desk.reader, "long_thread")
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(desk.path), str(ticket_id)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout.readline().strip() == "SAVED"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with CacheReader(desk.path) as fresh:
        assert fresh.load_draft(ticket_id, "reply").body == "typed before the crash"


def test_send_queues_with_updated_stamp_and_clears_draft(qtbot, desk):
    ticket_id = scenario_ticket_id(desk.reader, "trial_question")
    ticket = desk.reader.ticket(ticket_id)
    editor = make_editor(qtbot, desk)
    show(editor, ticket_id)
    qtbot.keyClicks(editor.text_edit, "The trial costs $1.")
    editor.save_draft_now()
    with qtbot.waitSignal(editor.reply_queued) as signal:
        qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert editor.text_edit.isReadOnly(), "no typing into a reply on its way to the outbox"
    [entry] = desk.reader.list_outbox(ticket_id=ticket_id)
    assert entry.op_id == signal.args[0]
    assert entry.kind == "reply" and entry.state == "queued"
    assert entry.updated_stamp == ticket["updated_at"]
    assert entry.payload == {"body": "The trial costs $1."}
    assert desk.reader.load_draft(ticket_id, "reply") is None
    assert editor.body() == "" and not editor.text_edit.isReadOnly()
    desk.settle(qtbot)
    assert desk.reader.load_draft(ticket_id, "reply") is None, "no late draft save brought the text back"
    show(editor, ticket_id)   # the details after the send (an OpenTicket reloads them)
    assert "queued" in editor.sends_label.text()


def test_note_send_and_set_status_and_open_next(qtbot, desk):
    ticket_id = scenario_ticket_id(desk.reader, "affiliate_application")
    editor = make_editor(qtbot, desk)
    show(editor, ticket_id)
    editor.on_note_mode()
    qtbot.keyClicks(editor.text_edit, "Forwarded to the affiliate team")
    editor.send_solved_action.trigger()
    [entry] = queued(qtbot, editor, ticket_id)
    assert entry.kind == "note"
    assert entry.payload == {"body": "Forwarded to the affiliate team", "fields": {"status": "solved"}}
    qtbot.keyClicks(editor.text_edit, "second")
    with qtbot.waitSignal(editor.open_next_requested):
        qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    queued(qtbot, editor, ticket_id, 2)


def test_empty_reply_is_refused_with_a_message(qtbot, desk):
    editor = make_editor(qtbot, desk)
    show(editor, scenario_ticket_id(desk.reader, "trial_question"))
    assert editor.send() is False
    assert "Nothing to send" in editor.message_label.text()
    assert desk.reader.list_outbox() == []


def macro_titled(reader, group_id, title):
    return next(m for m in reader.macros_for_department(group_id) if m["title"] == title)


def test_canned_reply_inserted_with_account_facts(qtbot, desk):
    reader = desk.reader
    ticket_id = scenario_ticket_id(reader, "cancel_short_notice")
    ticket = reader.ticket(ticket_id)
    requester = reader.user(ticket["requester_id"])
    invoice = parse_account_date(requester["user_fields"]["next_invoice_date"])
    macro = macro_titled(reader, ticket["group_id"], "Billing::Cancellation — less than 10 days notice")
    editor = make_editor(qtbot, desk)
    show(editor, ticket_id)
    editor.insert_canned_reply(CannedReply.from_macro(macro, ticket, agent_id(reader)))
    body = editor.body()
    first_name = requester["name"].split()[0]
    assert body.startswith(f"Hi {first_name},")
    assert f"{invoice:%B} {invoice.day}, {invoice.year}" in body
    assert body.rstrip().endswith("Alex")  # the signed-in agent's first name
    assert "{{" not in body and editor.message_label.text() == ""
    assert editor.field_changes  # the macro's status/tags ride along
    assert "Also applies" in editor.changes_label.text()

    # the policy facts namespace: days left and next invoice date, rendered for this account
    editor.text_edit.clear()
    editor.insert_canned_reply(CannedReply(0, "t", "", "{{ account.next_invoice_date }} in "
                                           "{{ account.days_to_invoice }} days"))
    days = (invoice - datetime.now(UTC).date()).days
    assert editor.body() == f"{invoice.day} {invoice:%B %Y} in {days} days"
    editor.send(status="pending")
    [entry] = queued(qtbot, editor, ticket_id)
    assert entry.payload["fields"]["status"] == "pending"
    for key, value in CannedReply.from_macro(macro, ticket, agent_id(reader)).field_changes.items():
        if key != "status":
            assert entry.payload["fields"][key] == value


def test_unresolved_placeholder_is_highlighted_and_send_refused(qtbot, desk):
    reader = desk.reader
    ticket_id = scenario_ticket_id(reader, "username_change")
    ticket = reader.ticket(ticket_id)
    assert not reader.user(ticket["requester_id"])["user_fields"].get("custom_domain")
    editor = make_editor(qtbot, desk)
    show(editor, ticket_id)
    # the seeded macro guards the missing domain with {% if %}: nothing unresolved
    macro = macro_titled(reader, ticket["group_id"], "Technical Support::Hide the username with a custom domain")
    editor.insert_canned_reply(CannedReply.from_macro(macro, ticket, agent_id(reader)))
    assert "{{" not in editor.body() and editor.check_placeholders() == []
    editor.text_edit.clear()
    # an agent's own canned reply that assumes a custom domain
    careless = {"id": 999, "title": "Domain", "actions": [{"field": "comment_value", "value":
                "Hi {{ticket.requester.first_name}}, your pages live on {{ticket.requester.custom_fields.custom_domain}}."}]}
    editor.insert_canned_reply(CannedReply.from_macro(careless, ticket, agent_id(reader)))
    body = editor.body()
    assert body.startswith("Hi Tom, your pages live on ")
    culprit = "{{ticket.requester.custom_fields.custom_domain}}"
    assert culprit in body  # kept as markup so the agent sees what is missing
    [mark] = editor.text_edit.extraSelections()
    assert mark.cursor.selectedText() == culprit
    assert "custom_domain" in editor.message_label.text()
    assert editor.send() is False
    assert reader.list_outbox(ticket_id=ticket_id) == []
    assert "custom_domain" in editor.message_label.text()

    # the agent replaces the placeholder with real text: now it goes out
    cursor = mark.cursor
    cursor.insertText("help.example.com")
    assert editor.check_placeholders() == []
    assert editor.text_edit.extraSelections() == []
    assert editor.send() is True
    [entry] = queued(qtbot, editor, ticket_id)
    assert entry.payload["body"] == "Hi Tom, your pages live on help.example.com."


def test_blank_placeholder_typed_by_hand_is_refused(qtbot, desk):
    editor = make_editor(qtbot, desk)
    show(editor, scenario_ticket_id(desk.reader, "trial_question"))
    editor.text_edit.insertPlainText("Hi 👋 {{ ticket.requester.phone }}, 🎉 and {{ ticket.nope }}")
    assert editor.send() is False
    marks = [m.cursor.selectedText() for m in editor.text_edit.extraSelections()]
    assert marks == ["{{ ticket.requester.phone }}", "{{ ticket.nope }}"]
    qtbot.keyClicks(editor.text_edit, " {% if %}")
    assert editor.send() is False
    assert "error" in editor.message_label.text().lower()


def test_deleted_ticket_refuses_send_and_keeps_draft(qtbot, desk):
    ticket_id = scenario_ticket_id(desk.reader, "rtl_text")
    editor = make_editor(qtbot, desk)
    show(editor, ticket_id)
    qtbot.keyClicks(editor.text_edit, "reply")
    editor.save_draft_now()
    desk.settle(qtbot)
    desk.writer.mark_ticket_missing(ticket_id)   # the helpdesk said 404 meanwhile
    assert editor.send() is True                  # asked; the guard on the db lane refuses it
    qtbot.waitUntil(lambda: "deleted" in editor.message_label.text())
    assert editor.body() == "reply" and not editor.text_edit.isReadOnly()
    desk.settle(qtbot)
    assert desk.reader.load_draft(ticket_id, "reply").body == "reply"
    assert desk.reader.list_outbox(ticket_id=ticket_id) == []


@pytest.fixture
def own_desk(qtbot, tmp_path, open_widgets):
    """(desk, helpdesk): a demo helpdesk of this test's own (it is written to) and a cache synced from it."""
    server = Helpdesk(tmp_path / "helpdesk.sqlite", "--demo", "--tickets", "20", "--export-delay", "0",
                      admin_token="demo-admin-token").start()
    cache = tmp_path / "own-cache.sqlite"
    me = sync_cache(server.url, cache, AGENT.email, AGENT.token)
    desk = open_desk(cache, me)
    yield desk, server
    for widget in open_widgets:
        widget.close()
    open_widgets.clear()
    desk.settle(qtbot, quiet_ms=30)
    close_desk(desk)
    server.stop()


def test_sent_reply_is_delivered_by_the_engine_to_the_real_helpdesk(qtbot, own_desk):
    """The editor's outbox payload is what console/sync/push.py delivers: comment + fields land once."""
    from console.sync.client import HelpdeskClient
    from console.sync.pull import Puller
    from console.sync.push import OutboxSender

    desk, server = own_desk
    reader = desk.reader
    ticket_id = scenario_ticket_id(reader, "html_rich")
    editor = make_editor(qtbot, desk)
    show(editor, ticket_id)
    editor.on_note_mode()
    qtbot.keyClicks(editor.text_edit, "Checked the layout on ticket #{{ ticket.id }}.")
    assert editor.send(status="pending")
    queued(qtbot, editor, ticket_id)
    client = HelpdeskClient(server.url, AGENT.email, AGENT.token)
    try:
        delivery = OutboxSender(client, desk.writer, Puller(client, desk.writer)).deliver(desk.writer.next_sendable())
        assert delivery.outcome == "sent", delivery
        comments = client.get(f"tickets/{ticket_id}/comments.json")["comments"]
        ours = [c for c in comments if c["body"] == f"Checked the layout on ticket #{ticket_id}."]
        assert len(ours) == 1 and ours[0]["public"] is False
        assert client.get(f"tickets/{ticket_id}.json")["ticket"]["status"] == "pending"
    finally:
        client.close()
    assert reader.list_outbox(ticket_id=ticket_id)[0].state == "sent"
    show(editor, ticket_id)
    assert "sent" in editor.sends_label.text()
