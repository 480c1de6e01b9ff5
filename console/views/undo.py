"""Ctrl+Z and the Undo toast: one home for taking back the last change queued.

``UndoControl(window, undo, toast, info)`` builds the window's Edit ▸ Undo action (``.action``):
in a text box with typing to undo it undoes the typing, otherwise the last queued change of
``undo`` (an ``ops.undo.UndoStack``); each change the stack offers shows as a toast with "Undo",
which goes once Ctrl+Z took that change back (its button would have nothing left to undo).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from .shortcuts import is_typing
from .toast import Toast


class UndoControl(QObject):
    def __init__(self, window: QWidget, undo, toast: Toast, info: Callable[[str], None]) -> None:
        super().__init__(window)
        self.window, self.undo, self.toast, self.info = window, undo, toast, info
        self.offered = ""   # the text of the toast offering the last change
        self.action = QAction("&Undo the last change queued", window, shortcut=QKeySequence.StandardKey.Undo)
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.triggered.connect(self.trigger)
        window.addAction(self.action)
        undo.offered.connect(self.offer)   # (the stack outlives the window: a bound slot, dropped with it)

    def offer(self, text: str) -> None:
        left = self.undo.seconds_left()
        self.offered = text
        self.toast.show_notice(text, action="Undo", on_action=self.undo.undo,
                               msecs=int(min(left, 60) * 1000) if left else 8000)

    def trigger(self) -> None:
        focus = self.window.focusWidget()
        if is_typing(focus, with_undo=True):
            focus.undo()   # Ctrl+Z in a text box undoes typing; with nothing typed, it undoes the last send
        elif not self.undo.undo():
            self.info("Nothing to undo.")
        elif self.offered and self.toast.text == self.offered:
            self.toast.hide()
