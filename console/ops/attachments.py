"""Attachments: open a received file from the cache, downloading it through the engine first if needed.

    attachments = AttachmentOps(runner, sync, folder)
    attachments.open(attachment_id=9, done=open_path, failed=show_message)   # done(Path)

The file is fetched only through the sync engine (``sync.download``: the one road to the network),
never while working offline; ``failed`` gets a sentence for the agent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject

from .runner import Runner

log = logging.getLogger(__name__)


class AttachmentOps(QObject):
    def __init__(self, runner: Runner, sync, folder: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.sync, self.folder = runner, sync, folder

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


def _download_failed(name: str, exc: Exception) -> str:
    from console.sync.client import Unreachable  # the error type only; the call went through the engine

    if isinstance(exc, Unreachable):
        return f"Could not download {name}: the helpdesk is offline; try again when it is back."
    return f"Could not download {name}: {exc}"
