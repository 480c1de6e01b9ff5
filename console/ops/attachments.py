"""Attachments: open a received file from the cache (downloading it through the engine first if
needed), and attach files to a reply, note or new ticket.

    attachments = AttachmentOps(runner, sync, folder)
    attachments.open(attachment_id=9, done=open_path, failed=show_message)   # done(Path)
    attachments.attach(ticket_id=7, kind="reply", source=Path("invoice.pdf"), initiator=editor,
                       done=on_added, refused=show_message)                 # done(OutgoingFile)
    attachments.attach(ticket_id=7, kind="reply", data=png_bytes, file_name="pasted.png")
    attachments.remove(file_id=3, initiator=editor)
    attachments.draft_files(ticket_id=7, kind="reply", done=show_chips)     # [OutgoingFile]
    attachments.prefetch_images(details)     # a shown ticket's received images, into the cache

An attached file is copied into ``<folder>/outgoing/`` at once (off the GUI thread, fsync'd, then
recorded on the draft by the db lane), so a crash or going offline loses nothing; it goes out
with the reply (``console/sync/uploads.py``). A file over Zendesk's limit is refused with a
sentence before anything is copied.

The file is fetched only through the sync engine (``sync.download``: the one road to the network),
never while working offline; ``failed`` gets a sentence for the agent.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject

from console.domain.attachments import MAX_ATTACHMENT_BYTES, content_type_of, shows_inline, too_big
from console.store import Change, Kind, OutgoingFile

from .runner import Cache, Runner, Written

log = logging.getLogger(__name__)

INLINE_PREFETCH_BYTES = 5 * 1024 * 1024   # received images up to this size are fetched to show inline


class AttachmentOps(QObject):
    def __init__(self, runner: Runner, sync, folder: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.sync, self.folder = runner, sync, folder
        self._fetching: set[int] = set()   # images asked for this session (prefetch_images)

    def open(self, *, attachment_id: int, done: Callable[[Path], None], failed: Callable[[str], None],
             progress: Callable[[str], None] | None = None) -> None:
        def found(attachment: dict | None) -> None:
            if attachment is None:
                failed(f"Attachment {attachment_id} is not in the cache.")
                return
            name = attachment.get("file_name") or f"attachment {attachment_id}"
            path = attachment.get("local_path")
            if path and Path(path).exists():
                done(Path(path))
                return
            status = getattr(self.sync, "status", None)
            if self.folder is None or status is None or status.work_offline or not self.sync.can_download:
                why = "you are working offline" if status is not None and status.work_offline else "not connected"
                failed(f"{name} is not downloaded yet and {why}; it can be opened once online.")
                return
            if progress is not None:
                progress(f"Downloading {name}…")
            future = self.sync.download(attachment, self.folder)
            self.runner.watch(future, done=done, failed=lambda exc: failed(_download_failed(name, exc)))

        self.runner.read(lambda reader: reader.attachment(attachment_id), done=found)

    def prefetch_images(self, details) -> None:
        """A ticket was shown: fetch its received images (up to ``INLINE_PREFETCH_BYTES`` each) into the
        cache through the engine, so the thread shows them inline, from the cache; never offline,
        never twice. The thread reloads once each arrives."""
        status = getattr(self.sync, "status", None)
        if self.folder is None or status is None or status.work_offline or not getattr(self.sync, "can_download", False):
            return
        for comment in getattr(details, "comments", None) or []:
            for attachment in comment.get("attachments") or []:
                attachment_id = attachment.get("id")
                if (attachment.get("local_path") or not isinstance(attachment_id, int) or attachment_id in self._fetching
                        or not shows_inline(attachment) or (attachment.get("size") or 0) > INLINE_PREFETCH_BYTES):
                    continue
                self._fetching.add(attachment_id)
                self._prefetch(attachment, comment.get("ticket_id") or getattr(details, "ticket_id", None))

    def _prefetch(self, attachment: dict, ticket_id: int | None) -> None:
        def arrived(_path: Path) -> None:   # the thread re-reads its attachments' cached files
            self.runner.bus.cache_changed.emit(Change.of(Kind.COMMENTS, tickets=[ticket_id] if ticket_id else None),
                                               self)

        def missed(exc: Exception) -> None:
            log.info("image %s not prefetched: %s", attachment.get("id"), exc)
        self.runner.watch(self.sync.download(attachment, self.folder), done=arrived, failed=missed)

    # -- attaching ---------------------------------------------------------------------------

    def attach(self, *, ticket_id: int | None, kind: str, source: Path | None = None, data: bytes | None = None,
               file_name: str | None = None, content_type: str | None = None, initiator: object = None,
               done: Callable[[OutgoingFile], None] | None = None,
               refused: Callable[[str], None] | None = None) -> None:
        """Copy a file (``source``) or pasted bytes (``data``) into the cache and attach it to the draft."""
        refuse = refused or self.runner.bus.warn
        name = file_name or (source.name if source is not None else "pasted file")
        if self.folder is None:
            refuse("Files cannot be attached here: this console has no cache folder.")
            return
        folder = self.folder / "outgoing"

        def copy() -> tuple[Path, int]:
            return copy_into_cache(folder, name, source=source, data=data)

        def copied(result: tuple[Path, int]) -> None:
            path, size = result

            def record(cache: Cache) -> Written:
                change = cache.writer.add_outgoing_file(ticket_id, kind, file_name=name, size=size, path=str(path),
                                                        content_type=content_type_of(name, content_type))
                return Written(change, cache.writer.outgoing_file(int(change.op_id)))
            self.runner.write(record, initiator=initiator, done=done,
                              failed=lambda exc: refuse(f"Could not attach {name}: {exc}"))

        self.runner.call(copy, done=copied, failed=lambda exc: refuse(str(exc) if isinstance(exc, AttachRefused)
                                                                      else f"Could not attach {name}: {exc}"))

    def remove(self, *, file_id: int, initiator: object = None, done: Callable[[Change], None] | None = None) -> None:
        """Take a file off its draft and delete its cache copy (a file already sent stays)."""
        def work(cache: Cache) -> Change:
            change, path = cache.writer.remove_outgoing_file(file_id)
            if path:
                Path(path).unlink(missing_ok=True)
            return change
        self.runner.write(work, initiator=initiator, done=done)

    def draft_files(self, *, ticket_id: int | None, kind: str, done: Callable[[list[OutgoingFile]], None]) -> None:
        self.runner.read(lambda reader: reader.draft_files(ticket_id, kind), done=done)


class AttachRefused(Exception):
    """The file cannot be attached; ``str()`` says why, for the agent."""


def copy_into_cache(folder: Path, name: str, *, source: Path | None = None, data: bytes | None = None,
                    limit: int = MAX_ATTACHMENT_BYTES) -> tuple[Path, int]:
    """Copy into ``folder`` under a fresh name (temporary file, fsync, rename): (path, size).
    Refuses a file over ``limit`` before copying anything. Blocking."""
    if (source is None) == (data is None):
        raise ValueError("attach a file or pasted bytes, not both")
    try:
        size = source.stat().st_size if source is not None else len(data or b"")
    except OSError as exc:
        raise AttachRefused(f"Could not read {name}: {exc.strerror}.") from exc
    if (message := too_big(name, size, limit)) is not None:
        raise AttachRefused(message)
    if size == 0:
        raise AttachRefused(f"{name} is empty; the helpdesk does not accept empty files.")
    folder.mkdir(parents=True, exist_ok=True)
    from console.sync.attachments import safe_file_name  # the one rule for names on disk

    target = folder / safe_file_name(name, 0).replace("0-", f"{uuid.uuid4().hex[:12]}-", 1)
    fd, tmp = tempfile.mkstemp(prefix=".attach-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            if data is not None:
                out.write(data)
            else:
                with open(source, "rb") as src:   # type: ignore[arg-type]
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        raise AttachRefused(f"Could not copy {name} into the cache: {exc.strerror}.") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target, size


def _download_failed(name: str, exc: Exception) -> str:
    from console.sync.client import Unreachable  # the error type only; the call went through the engine

    if isinstance(exc, Unreachable):
        return f"Could not download {name}: the helpdesk is offline; try again when it is back."
    return f"Could not download {name}: {exc}"
