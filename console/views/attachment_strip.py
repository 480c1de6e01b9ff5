"""Files attached to the reply being written: chips with name and size, an Attach button, drops and pastes.

    strip = AttachmentStrip(ops.attachments)      # under the reply editor's text
    strip.show_for(ticket_id, "reply")            # the draft whose files are shown (None: nothing)
    strip.attach_paths([Path("invoice.pdf")])     # the button, a drop on the editor
    strip.attach_image(qimage)                    # a pasted image, attached as PNG

Every file is copied into the cache when added (``AttachmentOps.attach``), so it survives a crash
or going offline; each chip's ✕ removes it. The strip reloads by itself when the drafts of its
ticket change (``cache_changed`` with ``Kind.DRAFTS``). Refusals (too big, unreadable) show in
``message`` (a sentence, nothing attached). ``AttachingTextEdit`` is the editor's text box: it
hands dropped files and pasted images to the strip instead of inserting them as text.
"""

from __future__ import annotations

import html
from pathlib import Path

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QTextEdit,
    QToolButton,
    QWidget,
)

from console.domain.attachments import size_text
from console.domain.html import sanitize_comment_html
from console.store import Change, Kind

from . import theme


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


class AttachingTextEdit(QTextEdit):
    """A text box that turns dropped files and pasted images into attachments. Plain text unless
    ``rich`` (the reply editor: formatting, console/views/rich_editor.py); pasted HTML is taken as
    its text in plain mode, as sanitized HTML otherwise."""

    files_dropped = Signal(list)     # [Path]
    image_pasted = Signal(QImage)

    def __init__(self, parent: QWidget | None = None, *, rich: bool = False) -> None:
        super().__init__(parent)
        self.setAcceptRichText(rich)
        self.setTabChangesFocus(True)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802 (Qt override)
        return source.hasImage() or _local_files(source) != [] or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 (Qt override)
        files = _local_files(source)
        if files:
            self.files_dropped.emit(files)
        elif source.hasImage():
            self.image_pasted.emit(QImage(source.imageData()))
        elif source.hasHtml() and self.acceptRichText():   # formatting kept, by the incoming-HTML rules
            self.textCursor().insertHtml(sanitize_comment_html(source.html()))
        else:
            self.textCursor().insertText(source.text())


def _local_files(source: QMimeData) -> list[Path]:
    return [Path(u.toLocalFile()) for u in source.urls() if u.isLocalFile()] if source.hasUrls() else []


class AttachmentChip(QFrame):
    remove_requested = Signal(int)

    def __init__(self, file, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_id = file.id
        self.setObjectName("attachmentChip")
        colours = theme.colours()
        self.setStyleSheet(f"#attachmentChip {{ border: 1px solid {colours.muted}; border-radius: 9px; }}")
        self.label = QLabel(f"{html.escape(file.file_name)} <span style='color:{colours.muted}'>"
                            f"{size_text(file.size)}</span>")
        self.label.setToolTip(f"{file.file_name} · {file.content_type}")
        self.remove_button = QToolButton(text="✕", autoRaise=True)
        self.remove_button.setToolTip(f"Remove {file.file_name}")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self.file_id))
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 1, 2, 1)
        row.addWidget(self.label)
        row.addWidget(self.remove_button)


class AttachmentStrip(QWidget):
    def __init__(self, attachments, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._attachments = attachments
        self._ticket_id: int | None = None
        self._kind = "reply"
        self.files: list = []
        self.chips: list[AttachmentChip] = []
        self.attach_button = QToolButton(text="Attach…")
        self.attach_button.setToolTip("Attach files (or drop them on the editor, or paste an image)")
        self.attach_button.clicked.connect(self.on_attach_clicked)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.colours().error};")
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self.attach_button)
        self._row.addStretch(1)
        self._row.addWidget(self.message, 2)
        bus = getattr(getattr(attachments, "runner", None), "bus", None)
        if bus is not None:
            bus.cache_changed.connect(self.on_cache_changed)

    def show_for(self, ticket_id: int | None, kind: str) -> None:
        if (ticket_id, kind) != (self._ticket_id, self._kind):
            self.message.clear()
        self._ticket_id, self._kind = ticket_id, kind
        self.setEnabled(ticket_id is not None)
        self.reload()

    def reload(self) -> None:
        ticket_id, kind = self._ticket_id, self._kind
        if ticket_id is None:
            self._show([])
            return
        def loaded(files: list) -> None:
            if shiboken6.isValid(self) and (ticket_id, kind) == (self._ticket_id, self._kind):
                self._show(files)
        self._attachments.draft_files(ticket_id=ticket_id, kind=kind, done=loaded)

    def on_cache_changed(self, change: Change, _initiator: object = None) -> None:
        if self._ticket_id is not None and change.kinds & Kind.DRAFTS \
                and (not change.ticket_ids or self._ticket_id in change.ticket_ids):
            self.reload()

    def _show(self, files: list) -> None:
        for chip in self.chips:
            self._row.removeWidget(chip)
            chip.deleteLater()
        self.files = list(files)
        self.chips = [AttachmentChip(f, self) for f in self.files]
        for i, chip in enumerate(self.chips):
            chip.remove_requested.connect(self.remove)
            self._row.insertWidget(1 + i, chip)

    # -- adding and removing -----------------------------------------------------------

    def on_attach_clicked(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Attach files")
        self.attach_paths([Path(n) for n in names])

    def attach_paths(self, paths: list[Path]) -> None:
        if self._ticket_id is None:
            return
        self.message.clear()
        for path in paths:
            self._attachments.attach(ticket_id=self._ticket_id, kind=self._kind, source=path, initiator=self,
                                     refused=self.message.setText)

    def attach_image(self, image: QImage) -> None:
        if self._ticket_id is None or image.isNull():
            return
        self.message.clear()
        self._attachments.attach(ticket_id=self._ticket_id, kind=self._kind, data=png_bytes(image),
                                 file_name=f"pasted image {len(self.files) + 1}.png", content_type="image/png",
                                 initiator=self, refused=self.message.setText)

    def remove(self, file_id: int) -> None:
        self._attachments.remove(file_id=file_id, initiator=self)
