"""Files attached to replies and notes: uploaded with ``POST /uploads`` when the reply goes out and
sent as ``uploads`` tokens; exactly one comment whatever happens between the upload and the comment."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from console.store import CacheReader, CacheWriter
from tests.helpdesk import REPO
from tests.sync.conftest import sync_cli
from tests.sync.test_push import synced

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005ff02fe1c3ab0f30000000049454e44ae426082")


def attach(writer: CacheWriter, ticket_id: int, folder, name: str, content: bytes, kind: str = "reply",
           content_type: str = "application/octet-stream") -> int:
    """What console.ops.attachments does once the file is copied into the cache folder."""
    path = folder / f"copy-{name}"
    path.write_bytes(content)
    change = writer.add_outgoing_file(ticket_id, kind, file_name=name, content_type=content_type,
                                      size=len(content), path=str(path))
    return int(change.op_id)


def server_comments(server, ticket_id: int, text: str) -> list[tuple[int, list[tuple[str, bytes]]]]:
    """(comment id, [(file name, bytes)]) of each comment with this text."""
    conn = server.db_connection()
    out = []
    for (comment_id,) in conn.execute("SELECT id FROM comments WHERE ticket_id = ? AND body = ?", (ticket_id, text)):
        files = [(r[0], bytes(r[1])) for r in conn.execute(
            "SELECT file_name, content FROM attachments WHERE comment_id = ? ORDER BY id", (comment_id,))]
        out.append((comment_id, files))
    conn.close()
    return out


def test_files_go_up_once_and_arrive_with_identical_bytes(helpdesk, account_factory, tmp_path):
    ticket = helpdesk.create_ticket(subject="Invoice please")
    account = account_factory(helpdesk)
    synced(account, ticket)
    invoice = bytes(range(256)) * 400   # 100 KB, every byte value
    attach(account.writer, ticket["id"], tmp_path, "invoice-1182.pdf", invoice, content_type="application/pdf")
    attach(account.writer, ticket["id"], tmp_path, "screen.png", PNG, content_type="image/png")
    text = "Here is your invoice and the screenshot."
    change = account.writer.enqueue("reply", ticket["id"], {"body": text}, account.writer.cached_updated_at(ticket["id"]),
                                    clear_draft="reply")
    assert account.writer.draft_files(ticket["id"], "reply") == [], "the files went with the entry"
    account.sync(resources=False)
    entry = account.writer.get_entry(change.op_id)
    assert entry.state == "sent", entry.last_error
    assert [files for _id, files in server_comments(helpdesk, ticket["id"], text)] == \
        [[("invoice-1182.pdf", invoice), ("screen.png", PNG)]]
    # the cache's thread has the attachments, pointing at the local copies (shown without a download)
    with CacheReader(account.cache) as reader:
        comment = next(c for c in reader.comments_for_ticket(ticket["id"]) if c["body"] == text)
    assert [(a["file_name"], a["local_path"] is not None) for a in comment["attachments"]] == \
        [("invoice-1182.pdf", True), ("screen.png", True)]


def test_expired_upload_tokens_are_uploaded_again(helpdesk, account_factory, tmp_path):
    ticket = helpdesk.create_ticket(subject="Expired upload")
    account = account_factory(helpdesk)
    synced(account, ticket)
    file_id = attach(account.writer, ticket["id"], tmp_path, "log.txt", b"line 1\nline 2\n", kind="note")
    change = account.writer.enqueue("note", ticket["id"], {"body": "Log attached."},
                                    account.writer.cached_updated_at(ticket["id"]), clear_draft="note")
    account.writer.set_upload_token(file_id, "no-such-token")   # as if uploaded more than an hour ago
    for _ in range(10):
        account.sync(resources=False)
        if account.writer.get_entry(change.op_id).state == "sent":
            break
        time.sleep(0.1)
    assert account.writer.get_entry(change.op_id).state == "sent"
    assert [files for _id, files in server_comments(helpdesk, ticket["id"], "Log attached.")] == \
        [[("log.txt", b"line 1\nline 2\n")]]


def test_a_file_gone_from_the_cache_fails_the_entry_with_a_sentence(helpdesk, account_factory, tmp_path):
    ticket = helpdesk.create_ticket(subject="Missing file")
    account = account_factory(helpdesk)
    synced(account, ticket)
    attach(account.writer, ticket["id"], tmp_path, "gone.pdf", b"%PDF-1.4")
    (tmp_path / "copy-gone.pdf").unlink()
    change = account.writer.enqueue("reply", ticket["id"], {"body": "See attached."},
                                    account.writer.cached_updated_at(ticket["id"]), clear_draft="reply")
    account.sync(resources=False)
    entry = account.writer.get_entry(change.op_id)
    assert entry.state == "failed" and "gone.pdf is no longer in the cache" in entry.last_error
    assert server_comments(helpdesk, ticket["id"], "See attached.") == []


def test_kill_between_upload_and_comment_leaves_one_comment_with_the_file(helpdesk, tmp_path):
    ticket = helpdesk.create_ticket(subject="Kill after upload")
    time.sleep(1.1)  # so that the first export includes it
    cache = tmp_path / "cache.sqlite"
    first = sync_cli(helpdesk.url, helpdesk.admin_email, helpdesk.admin_token, cache, "--once")
    assert first.returncode == 0, first.stderr
    text, content = "Your receipt is attached.", b"receipt 1182 " * 1000
    with CacheWriter(cache) as writer:
        attach(writer, ticket["id"], tmp_path, "receipt.pdf", content)
        change = writer.enqueue("reply", ticket["id"], {"body": text}, ticket["updated_at"], clear_draft="reply")
    crashed = subprocess.run([sys.executable, "-m", "tests.sync.crash_after_send", "--after", "upload",
                              "--url", helpdesk.url, "--email", helpdesk.admin_email,
                              "--token", helpdesk.admin_token, "--cache", str(cache)],
                             cwd=REPO, capture_output=True, text=True, timeout=60)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert server_comments(helpdesk, ticket["id"], text) == [], "killed before the comment"
    with CacheWriter(cache) as writer:
        assert writer.get_entry(change.op_id).state == "sending"
        assert [f.upload_token is not None for f in writer.entry_files(change.op_id)] == [True]
    again = sync_cli(helpdesk.url, helpdesk.admin_email, helpdesk.admin_token, cache, "--once")
    assert again.returncode == 0, again.stderr
    assert [files for _id, files in server_comments(helpdesk, ticket["id"], text)] == [[("receipt.pdf", content)]]
    conn = helpdesk.db_connection()
    uploads = conn.execute("SELECT count(*) FROM attachments WHERE file_name = 'receipt.pdf'").fetchone()[0]
    conn.close()
    assert uploads == 1, "the token was reused, not a second upload"
    with CacheWriter(cache) as writer:
        assert writer.get_entry(change.op_id).state == "sent"
