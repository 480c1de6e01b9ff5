"""Send anyway? The confirmation shown when a reply still promises what the account's policy contradicts.

``PolicyConfirmation(promises, parent)``: a window-modal dialog (opened with ``open()``, so the
event loop keeps running) listing each contradicted promise, as ``ReplyOps.send`` found them
(``PolicyContradiction.promises``). "Edit the reply" (the default, also Esc) rejects: nothing is
sent and the text stays in the editor; "Send anyway" accepts: the reply is sent as written.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout

from . import theme


class PolicyConfirmation(QDialog):
    def __init__(self, promises: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("This reply contradicts the account's policy")
        self.promises = list(promises)
        colours = theme.colours()
        intro = QLabel("<b>The customer would read a promise the account's policy state does not allow:</b>")
        intro.setWordWrap(True)
        self.details = QLabel("".join(f"<p style='color:{colours.error}'>⚠ {html.escape(p)}</p>" for p in promises))
        self.details.setWordWrap(True)
        question = QLabel("Send it anyway, or go back and fix the text?")
        buttons = QDialogButtonBox()
        self.edit_button = QPushButton("Edit the reply")
        self.send_button = QPushButton("Send anyway")
        buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.edit_button.setDefault(True)
        self.send_button.setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.details)
        layout.addWidget(question)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())
