"""Window geometry, splitter sizes and the last queue, kept in ``config.WindowState`` (Picard's PreserveGeometry).

    keeper = WindowStateKeeper(state, window, splitters={"main_split": window.main_split, ...})
    keeper.restore()      # after the window is built
    keeper.save(queue=window.queue_pane.current_key())   # when it closes

Nothing here is a preference: resetting the settings never moves a window, and the reverse.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QSplitter, QWidget

log = logging.getLogger(__name__)


class WindowStateKeeper:
    def __init__(self, state, window: QWidget, splitters: dict[str, QSplitter], columns=None) -> None:
        """``columns``: a ``TicketListView`` whose chosen columns (order, hidden, widths) are kept too."""
        self.state, self.window, self.splitters, self.columns = state, window, splitters, columns

    def restore(self) -> str | None:
        """Geometry and splitter sizes as they were; returns the queue key that was shown."""
        if self.state is None:
            return None
        values = self.state.values
        if values.get("geometry"):
            self.window.restoreGeometry(QByteArray.fromBase64(values["geometry"].encode()))
        for key, splitter in self.splitters.items():
            sizes = values.get(key)
            if isinstance(sizes, list) and len(sizes) == splitter.count() and all(isinstance(v, int) for v in sizes):
                splitter.setSizes(sizes)
        if self.columns is not None:
            self.columns.restore_columns(values.get("columns"))
        return values.get("queue") if isinstance(values.get("queue"), str) else None

    def save(self, *, queue: str | None, **extra) -> None:
        """``extra``: more of the window's own state (the open ticket tabs), stored as given (JSON)."""
        if self.state is None:
            return
        self.state.values.update(geometry=bytes(self.window.saveGeometry().toBase64()).decode(),
                                 queue=queue, **{k: s.sizes() for k, s in self.splitters.items()}, **extra)
        if self.columns is not None:
            self.state.values["columns"] = self.columns.column_state()
        try:
            self.state.save()
        except OSError as exc:
            log.warning("could not save the window state: %s", exc)

    def value(self, key: str):
        return self.state.values.get(key) if self.state is not None else None


DEFAULT_SIZE = (1840, 1000)
ACCOUNT_PANE_MIN_WINDOW = 1400   # narrower windows start with the account pane collapsed


def default_layout(window, size: tuple[int, int] | None = None) -> None:
    """A main window's first-run size and pane widths for the screen: the list as wide as it can
    usefully be (up to 55 %), the account pane narrower on a small screen (it can be collapsed)."""
    width, height = size or DEFAULT_SIZE
    screen = window.screen().availableGeometry() if window.screen() is not None else None
    if size is None and screen is not None and screen.width() >= 1024:   # a real desktop (offscreen is tiny)
        width, height = min(width, screen.width()), min(height, screen.height())
    window.resize(width, height)
    char = window.fontMetrics().averageCharWidth()
    queues = char * (30 if width >= 1600 else 26)
    window.main_split.setSizes([queues, width - queues])
    work = width - queues
    ticket_list = min(window.ticket_list.ideal_width(), work * (11 if width >= 1600 else 9) // 20)
    window.work_split.setSizes([ticket_list, work - ticket_list])
    pane = work - ticket_list
    account = min(char * 56, pane // 2 if width >= 1600 else pane * 2 // 5)
    window.ticket_pane.horizontal.setSizes([pane - account, account])
    if width < ACCOUNT_PANE_MIN_WINDOW:
        window.ticket_pane.set_account_shown(False)   # View ▸ Account pane (Ctrl+Shift+A) brings it back
