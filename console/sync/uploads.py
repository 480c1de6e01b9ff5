"""Uploading the files of an outbox entry before its comment goes out (helpdesk-api.md §12).

``upload_files(client, writer, op_id) -> [token]``: each of the entry's files (``outgoing_files``,
copied into the cache folder when the agent attached it) is sent with ``POST /uploads`` once;
its token is recorded durably before the next one, so a delivery killed between the uploads and
the comment reuses the tokens and the comment goes out once, with every file. A file whose cache
copy is gone raises :class:`MissingFile` (the entry fails with that sentence). ``token_refused``
tells a comment refused because its tokens expired (upload again) from other refusals.
``link_sent_files`` points the cache's new attachments at the local copies, so a sent image is
shown inline at once without a download. Blocking: call it off the GUI thread.
"""

from __future__ import annotations

import logging
from pathlib import Path

from console.store import CacheWriter, Change

from .client import HelpdeskClient, Invalid, MalformedAnswer

log = logging.getLogger(__name__)


class MissingFile(Exception):
    """An attached file's cache copy is gone; ``str()`` names it."""


def upload_files(client: HelpdeskClient, writer: CacheWriter, op_id: str) -> list[str]:
    tokens = []
    for file in writer.entry_files(op_id):
        if file.upload_token:
            tokens.append(file.upload_token)
            continue
        try:
            content = Path(file.path).read_bytes()
        except OSError as exc:
            raise MissingFile(f"The attached file {file.file_name} is no longer in the cache ({exc.strerror}); "
                              "remove it from the reply and attach it again.") from exc
        answer = client.upload(file.file_name, content, file.content_type)
        token = (answer.get("upload") or {}).get("token") if isinstance(answer.get("upload"), dict) else None
        if not isinstance(token, str) or not token:
            raise MalformedAnswer("the helpdesk's answer to an upload carries no token", status=201)
        writer.set_upload_token(file.id, token)
        log.info("outbox %s: uploaded %s (%d bytes)", op_id, file.file_name, file.size)
        tokens.append(token)
    return tokens


def token_refused(exc: Invalid) -> bool:
    """A 422/404 naming the upload tokens: they expired or are unknown, so the files go up again."""
    return exc.status in (404, 422) and "upload" in str(exc).lower() and "token" in str(exc).lower()


def link_sent_files(writer: CacheWriter, op_id: str, comments: list[dict]) -> Change:
    """The comment's attachments that are our own files get the cache copy as their local file."""
    mine = {(f.file_name, f.size): f.path for f in writer.entry_files(op_id)}
    change = Change()
    if not mine:
        return change
    for comment in comments:
        for attachment in comment.get("attachments") or []:
            path = mine.get((attachment.get("file_name"), attachment.get("size")))
            if path and isinstance(attachment.get("id"), int) and Path(path).exists():
                change |= writer.set_attachment_path(attachment["id"], path)
    return change
