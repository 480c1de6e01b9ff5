"""A small notice over the bottom-right corner of the window: text, an optional action, gone after a while.

    toast = Toast(window)
    toast.show_notice("Customer replied on #12", action="Open", on_action=lambda: open_ticket(12))
    toast.show_notice("#12: status → solved queued", action="Undo", on_action=undo.undo)

Used for what must never go unseen: notifications where no system tray exists, and the undo of
a change just queued. It never takes the keyboard focus.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from . import theme

SHOW_MS = 8000


class Toast(QFrame):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("toast")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.action = QPushButton()
        self.action.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button = QPushButton("✕")
        self.close_button.setFlat(True)
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.setToolTip("Dismiss")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action)
        layout.addWidget(self.close_button)
        self._on_action: Callable[[], None] | None = None
        self._keep_clear: list[QWidget] = []
        self.action.clicked.connect(self._act)
        self.close_button.clicked.connect(self.hide)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.hide)
        window.installEventFilter(self)
        self.hide()
        theme.follow_theme(self, self._restyle)
        self._restyle()

    def _restyle(self) -> None:
        colours = theme.colours()
        background, ink = colours.tones["info"]
        self.setStyleSheet(f"QFrame#toast {{ background: {background}; border: 1px solid {ink}; border-radius: 6px; }}"
                           f"QFrame#toast QLabel {{ color: {ink}; }}")

    def show_notice(self, text: str, *, action: str | None = None, on_action: Callable[[], None] | None = None,
                    msecs: int = SHOW_MS) -> None:
        self.label.setText(text)
        self._on_action = on_action
        self.action.setText(action or "")
        self.action.setVisible(bool(action and on_action))
        self._place()
        self.show()
        self.raise_()
        self._timer.start(msecs)

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def _act(self) -> None:
        action, self._on_action = self._on_action, None
        self.hide()
        if action is not None:
            action()

    def keep_clear_of(self, *widgets: QWidget) -> None:
        """Never cover these (e.g. Send: an "Undo send" toast sat over it for its whole 10 s)."""
        self._keep_clear.extend(widgets)

    def _place(self) -> None:
        window = self.parentWidget()
        width = min(460, max(260, window.width() // 3))
        self.setFixedWidth(width)
        self.adjustSize()
        bottom = window.height() - 12
        status = getattr(window, "statusBar", None)
        if callable(status) and status() is not None and status().isVisible():
            bottom -= status().height()
        left = window.width() - width - 16
        for widget in self._keep_clear:
            if widget.isVisible() and widget.window() is window:
                there = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
                if there.intersects(QRect(left, bottom - self.height(), width, self.height())):
                    bottom = there.top() - 6   # just above it
        self.move(left, bottom - self.height())

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override): follow the window's size
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
