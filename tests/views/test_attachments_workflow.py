"""Attaching files to a reply through the real main window, offline first, against the embedded helpdesk.

The agent pastes an image and adds a file while offline: both are copied into the cache at once and
shown as chips (name, size, ✕); one too big is refused with a sentence; the reply goes out once when
the helpdesk is reachable, with identical bytes; the image then shows inline in the thread, loaded
from the cache only.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QColor, QImage

from tests.views.test_workflow import Live, live, server  # noqa: F401 (the fixtures)


def server_files(helpdesk, ticket_id: int, text: str) -> list[list[tuple[str, bytes]]]:
    conn = helpdesk.db_connection()
    out = []
    for (comment_id,) in conn.execute("SELECT id FROM comments WHERE ticket_id = ? AND body = ?", (ticket_id, text)):
        out.append([(r[0], bytes(r[1])) for r in conn.execute(
            "SELECT file_name, content FROM attachments WHERE comment_id = ? ORDER BY id", (comment_id,))])
    conn.close()
    return out


def chip_texts(editor) -> list[str]:
    return [chip.label.text() for chip in editor.attachment_strip.chips]


def test_files_attached_offline_go_out_once_with_the_reply_and_images_show_inline(live: Live, tmp_path):  # noqa: F811
    window, editor = live.window, live.window.reply_editor
    strip, text = editor.attachment_strip, "Here is the corrected invoice and a screenshot of the setting."
    invoice = tmp_path / "invoice-1182.pdf"
    invoice.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 40)
    huge = tmp_path / "recording.mov"
    with open(huge, "wb") as f:
        f.truncate(51 * 1024 * 1024)        # sparse: 51 MB on paper, over Zendesk's 50 MB
    stray = tmp_path / "notes.txt"
    stray.write_text("not for the customer")
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a7ae2"))

    async def scenario():
        await live.until(lambda: window.ticket_model.rowCount() > 0, what="the first queue")
        tid = window.ticket_model.ticket_id_at(0)
        window.open_ticket(tid)
        await live.until(lambda: editor.ticket_id == tid, what="the ticket")
        live.engine.set_work_offline(True)
        editor.on_reply_mode()
        pasted = QMimeData()
        pasted.setImageData(image)
        editor.text_edit.insertFromMimeData(pasted)          # Ctrl+V of a screenshot
        strip.attach_paths([invoice, stray])                   # the Attach… button / a drop
        await live.until(lambda: len(strip.chips) == 3, what="three chips")
        assert any("pasted image 1.png" in t for t in chip_texts(editor))
        assert any("invoice-1182.pdf" in t and "10 KB" in t for t in chip_texts(editor)), chip_texts(editor)
        copies = [f.path for f in strip.files]
        assert all(str(live.desk.path.parent / "attachments" / "outgoing") in p for p in copies), copies
        strip.attach_paths([huge])
        await live.until(lambda: "up to 50 MB" in strip.message.text(), what="the size limit message")
        assert "recording.mov is 51.0 MB" in strip.message.text() and len(strip.chips) == 3
        stray_chip = next(c for c in strip.chips if "notes.txt" in c.label.text())
        stray_chip.remove_button.click()                        # ✕ on a chip
        await live.until(lambda: len(strip.chips) == 2, what="the chip removed")
        editor.text_edit.setPlainText(text)
        window.shortcut_actions["send"].trigger()
        await live.until(lambda: text in window.ticket_pane.thread.toPlainText(), what="the queued reply")
        await live.until(lambda: strip.chips == [], what="the chips to go with the reply")
        assert server_files(live.server, tid, text) == []     # offline: nothing sent yet
        live.engine.set_work_offline(False)
        live.start()
        await live.until(lambda: server_files(live.server, tid, text) != [], what="the reply on the helpdesk")
        await live.until(lambda: bool(window.ticket_pane.thread.cached_images), what="the image inline")
        await asyncio.sleep(1.0)   # a further sync round changes nothing
        return tid

    tid = live.run(scenario)
    files = server_files(live.server, tid, text)
    assert [sorted(name for name, _ in f) for f in files] == [["invoice-1182.pdf", "pasted image 1.png"]], "once"
    assert dict(files[0])["invoice-1182.pdf"] == invoice.read_bytes()
    assert QImage.fromData(dict(files[0])["pasted image 1.png"]).pixelColor(5, 5) == QColor("#2a7ae2")
    thread = window.ticket_pane.thread
    assert list(thread.cached_images.values())[0].startswith(str(live.desk.path.parent / "attachments"))
    assert not [u for u in thread.blocked_urls if u.startswith("cached-image")], "the image came from the cache"


def test_a_received_image_is_fetched_into_the_cache_and_shown_inline(live: Live):  # noqa: F811
    window = live.window
    image = QImage(60, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#d84a2a"))
    from console.views.attachment_strip import png_bytes

    token = live.server.post("uploads.json", params={"filename": "error-screen.png"}, data=png_bytes(image),
                             headers={"Content-Type": "image/png"}).json()["upload"]["token"]
    made = live.server.post("tickets.json", json={"ticket": {
        "subject": "The checkout shows an error", "requester": {"email": "mia@example.org", "name": "Mia"},
        "assignee_id": live.me, "comment": {"body": "See the screenshot.", "uploads": [token]}}}).json()["ticket"]
    live.server.wait_exportable()

    async def scenario():
        live.start()
        await live.until(lambda: live.desk.reader.ticket(made["id"]) is not None, timeout=20, what="the ticket synced")
        window.open_ticket(made["id"])
        await live.until(lambda: window.ticket_pane.ticket_id == made["id"], what="the ticket shown")
        await live.until(lambda: bool(window.ticket_pane.thread.cached_images), timeout=15, what="the image inline")
        await live.until(lambda: not live.engine.status.syncing, what="the sync round to end")
        await asyncio.sleep(0.3)

    live.run(scenario)
    thread = window.ticket_pane.thread
    [path] = thread.cached_images.values()
    assert path.startswith(str(live.desk.path.parent / "attachments"))
    assert QImage(path).pixelColor(3, 3) == QColor("#d84a2a")
    assert not thread.blocked_urls, "nothing remote was loaded"
