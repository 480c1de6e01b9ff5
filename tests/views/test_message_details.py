"""Brand and form on the ticket pane, and each message's details and original body, through the real
main window on the demo agent's synced cache (the embedded helpdesk's demo: two brands, two forms,
agents' replies written from a browser, customers' emails quoting the reply they answer)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from tests.views.conftest import open_ticket


def click_link(qtbot, browser, href: str) -> None:
    """Click the thread's link to ``href`` where it is drawn (scrolled into view first)."""
    document = browser.document()
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position() + 1)
                browser.setTextCursor(cursor)
                browser.ensureCursorVisible()
                rect = browser.cursorRect(cursor)
                qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton,
                                 pos=QPoint(rect.left() - 2, rect.center().y()))
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {href} in the thread")


def served_thread(demo_helpdesk, ticket_id: int) -> list[dict]:
    return demo_helpdesk.get(f"tickets/{ticket_id}/comments.json").json()["comments"]


def test_the_pane_names_brand_and_form_as_the_helpdesk_set_them(qtbot, main_window, demo_helpdesk):
    window = main_window
    brands = {b["id"]: b["name"] for b in demo_helpdesk.get("brands.json").json()["brands"]}
    forms = {f["id"]: f["name"] for f in demo_helpdesk.get("ticket_forms.json").json()["ticket_forms"]}
    tickets = [demo_helpdesk.get(f"tickets/{i}.json").json()["ticket"] for i in range(1, 61)]
    partner = next(t for t in tickets if t["brand_id"] != min(brands))
    billing = next(t for t in tickets if t["ticket_form_id"] != min(forms) and t["brand_id"] == min(brands))
    for ticket in (partner, billing):
        open_ticket(qtbot, window, ticket["id"])
        meta = window.ticket_pane.meta.text()
        assert f"Brand: {brands[ticket['brand_id']]}" in meta, meta
        assert f"Form: {forms[ticket['ticket_form_id']]}" in meta, meta


def test_an_account_with_one_brand_and_one_form_shows_neither(qtbot, main_window, desk, demo_helpdesk):
    window = main_window
    brands = demo_helpdesk.get("brands.json").json()["brands"]
    forms = demo_helpdesk.get("ticket_forms.json").json()["ticket_forms"]
    desk.writer.replace_brands(brands[:1])         # what the sync stores for a one-brand account
    desk.writer.replace_ticket_forms(forms[:1])
    open_ticket(qtbot, window, 1)
    meta = window.ticket_pane.meta.text()
    assert "Brand:" not in meta and "Form:" not in meta, meta
    assert "via " in meta


def test_details_open_under_a_message_and_show_where_it_came_from(qtbot, main_window, desk, demo_helpdesk):
    window = main_window
    ticket_id = next(i for i in range(1, 61) if desk.reader.comments_for_ticket(i)
                     and any(c["metadata"]["system"].get("client") for c in served_thread(demo_helpdesk, i))
                     and any(c["via"]["channel"] == "email" for c in served_thread(demo_helpdesk, i)))
    open_ticket(qtbot, window, ticket_id)
    thread = window.ticket_pane.thread
    served = served_thread(demo_helpdesk, ticket_id)
    assert thread.toPlainText().count("Details") == len(served)   # each demo message came with some
    agent = next(c for c in served if c["metadata"]["system"].get("client"))
    system = agent["metadata"]["system"]
    assert system["ip_address"] not in thread.toPlainText()   # closed until asked for
    click_link(qtbot, thread, f"comment-details:{agent['id']}")
    qtbot.waitUntil(lambda: system["ip_address"] in thread.toPlainText())
    text = thread.toPlainText()
    for label, value in (("Written with", system["client"]), ("IP address", system["ip_address"]),
                         ("Location", system["location"])):
        assert f"{label}\n{value}" in text, (label, text)
    assert "Hide details" in text
    customer = next(c for c in served if c["via"]["channel"] == "email")
    click_link(qtbot, thread, f"comment-details:{customer['id']}")
    source = customer["via"]["source"]
    qtbot.waitUntil(lambda: source["from"]["address"] in thread.toPlainText())
    text = thread.toPlainText()
    assert f"From\n{source['from']['name']} <{source['from']['address']}>" in text, text
    assert f"To\n{source['to']['name']} <{source['to']['address']}>" in text
    assert f"Message-ID\n{customer['metadata']['system']['message_id']}" in text
    click_link(qtbot, thread, f"comment-details:{agent['id']}")
    qtbot.waitUntil(lambda: system["ip_address"] not in thread.toPlainText())
    open_ticket(qtbot, window, ticket_id % 60 + 1)   # another ticket starts with every message closed
    open_ticket(qtbot, window, ticket_id)
    assert "Hide details" not in thread.toPlainText()


def test_show_original_swaps_in_the_email_as_received_and_back(qtbot, main_window, desk, demo_helpdesk):
    window = main_window
    ticket_id, quoted = next((i, c) for i in range(1, 61) if desk.reader.comments_for_ticket(i)
                             for c in served_thread(demo_helpdesk, i) if c["body"] != c["plain_body"])
    open_ticket(qtbot, window, ticket_id)
    thread = window.ticket_pane.thread
    trail = quoted["body"][len(quoted["plain_body"]):].strip().splitlines()[0]   # "On …, Support … wrote:"
    assert trail.endswith("wrote:") and trail not in thread.toPlainText()
    originals = sum(c["body"] != c["plain_body"] for c in served_thread(demo_helpdesk, ticket_id))
    assert thread.toPlainText().count("Show original") == originals
    click_link(qtbot, thread, f"comment-original:{quoted['id']}")
    qtbot.waitUntil(lambda: trail in thread.toPlainText())
    text = thread.toPlainText()
    assert "Original as received:" in text and "Hide original" in text
    assert "> " + quoted["body"].split("\n> ", 1)[1].splitlines()[0] in text   # the quoted line, as text
    click_link(qtbot, thread, f"comment-original:{quoted['id']}")
    qtbot.waitUntil(lambda: trail not in thread.toPlainText())
    assert quoted["plain_body"].splitlines()[0] in thread.toPlainText()
