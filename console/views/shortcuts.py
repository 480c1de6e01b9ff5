"""Every keyboard shortcut, declared once, and the "?" overlay that lists them.

``SHORTCUTS`` maps an action name to its keys and what it does; ``shortcut_actions(window)``
builds one window-wide ``QAction`` per bound entry (``connect_shortcuts`` connects them to their
targets, single letters guarded by ``is_typing``; ``window_targets(window)`` names each target in
the main window); ``ShortcutOverlay`` shows the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout, QLabel, QVBoxLayout, QWidget


@dataclass(frozen=True)
class Shortcut:
    action: str
    keys: tuple[str, ...]
    description: str
    section: str
    also: tuple[str, ...] = ()   # keys a widget handles itself (listed, not bound window-wide)


SHORTCUTS = (
    Shortcut("next_ticket", ("J",), "Next ticket in the list", "Moving", ("Down",)),
    Shortcut("previous_ticket", ("K",), "Previous ticket in the list", "Moving", ("Up",)),
    Shortcut("open_selected", (), "Open the selected ticket (focus its thread)", "Moving", ("Return",)),
    Shortcut("focus_list", ("Escape",), "Back to the ticket list", "Moving"),
    Shortcut("search", ("/", "Ctrl+K"), "Search tickets, comments, customers and replies", "Moving"),
    Shortcut("open_in_tab", ("Ctrl+T",), "Open the selected ticket in a new tab", "Tabs", ("Middle-click",)),
    Shortcut("close_tab", ("Ctrl+W",), "Close the ticket tab", "Tabs"),
    Shortcut("next_tab", ("Ctrl+Tab",), "Next ticket tab", "Tabs"),
    Shortcut("previous_tab", ("Ctrl+Shift+Tab",), "Previous ticket tab", "Tabs"),
    Shortcut("reply", ("R",), "Write a public reply", "Writing"),
    Shortcut("note", ("N",), "Write an internal note", "Writing"),
    Shortcut("canned_replies", ("C",), "Pick a canned reply for this ticket", "Writing"),
    Shortcut("new_ticket", ("Ctrl+N",), "Open a new ticket to a customer", "Writing"),
    Shortcut("send", ("Ctrl+Return",), "Send the reply or note (queued in the outbox)", "Writing"),
    Shortcut("send_and_next", ("Ctrl+Shift+Return",), "Send, then open the next ticket", "Writing"),
    Shortcut("status_open", ("Alt+1",), "Set status: open", "Status"),
    Shortcut("status_pending", ("Alt+2",), "Set status: pending", "Status"),
    Shortcut("status_hold", ("Alt+3",), "Set status: on hold", "Status"),
    Shortcut("status_solved", ("Alt+4",), "Set status: solved", "Status"),
    Shortcut("move_to_suggested", (), "Move the ticket to the suggested department", "Status", ("Alt+M",)),
    Shortcut("sync_now", ("F5",), "Sync now", "Other"),
    Shortcut("show_shortcuts", ("?",), "Show this list", "Other"),
)
# Single-letter keys must not fire while the agent types in a text box (``is_typing``).
LETTER_ACTIONS = frozenset(s.action for s in SHORTCUTS if any(len(k) == 1 for k in s.keys))
_TYPED_ANYWHERE = frozenset({"send", "send_and_next"})   # letters, but meant from the editor


def is_typing(focus: QWidget | None, *, with_undo: bool = False) -> bool:
    """Whether ``focus`` is a text box the agent types in (``with_undo``: and has typing to undo)."""
    if focus is None:
        return False
    if focus.inherits("QLineEdit"):
        return not focus.isReadOnly() and (not with_undo or focus.isUndoAvailable())
    if focus.inherits("QTextEdit") or focus.inherits("QPlainTextEdit"):
        return not focus.isReadOnly() and (not with_undo or focus.document().isUndoAvailable())
    return False


def shortcut_actions(window: QWidget) -> dict[str, QAction]:
    """One window-wide action per shortcut with keys ("?" also answers to Shift+?)."""
    actions = {}
    for shortcut in (s for s in SHORTCUTS if s.keys):
        action = QAction(shortcut.description, window)
        action.setShortcuts([QKeySequence(k) for k in shortcut.keys]
                            + ([QKeySequence("Shift+?")] if "?" in shortcut.keys else []))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(action)
        actions[shortcut.action] = action
    return actions


def connect_shortcuts(window: QWidget, actions: dict[str, QAction], targets: dict) -> None:
    """Each action to its target; single letters do nothing while the agent types."""
    def run(name: str, target) -> None:
        if name not in LETTER_ACTIONS or name in _TYPED_ANYWHERE or not is_typing(window.focusWidget()):
            target()
    for name, action in actions.items():
        action.triggered.connect(lambda _=False, n=name, t=targets[name]: run(n, t))


def window_targets(window) -> dict:
    """What each shortcut does in the main window (the writing ones only while a ticket is shown)."""
    tickets, editor, pane, tabs = window.ticket_list, window.reply_editor, window.ticket_pane, window.ticket_tabs

    def when_ticket(slot):
        return lambda: slot() if pane.ticket_id is not None else None
    return {
        "next_ticket": tickets.next_ticket, "previous_ticket": tickets.previous_ticket,
        "open_selected": tickets.open_current, "focus_list": tickets.setFocus,
        "search": window.search_box.focus_search, "reply": when_ticket(editor.on_reply_mode),
        "note": when_ticket(editor.on_note_mode), "canned_replies": when_ticket(window.show_canned_replies),
        "send": when_ticket(editor.send), "send_and_next": when_ticket(lambda: editor.send(open_next=True)),
        "status_open": lambda: pane.request_status("open"), "status_pending": lambda: pane.request_status("pending"),
        "status_hold": lambda: pane.request_status("hold"), "status_solved": lambda: pane.request_status("solved"),
        "sync_now": window.ops.sync.request_sync, "show_shortcuts": window.dialogs.shortcuts,
        "new_ticket": window.dialogs.new_ticket, "close_tab": tabs.close_current,
        "open_in_tab": lambda: (tid := tickets.current_ticket_id()) is not None and tabs.open_in_new_tab(tid),
        "next_tab": lambda: tabs.cycle(1), "previous_tab": lambda: tabs.cycle(-1),
    }


def key_text(key: str) -> str:
    return {"Return": "Enter", "Ctrl+Return": "Ctrl+Enter", "Ctrl+Shift+Return": "Ctrl+Shift+Enter",
            "Down": "↓", "Up": "↑", "Escape": "Esc"}.get(key, key)


class ShortcutOverlay(QDialog):
    """A modeless sheet listing every shortcut by section; Esc or ? closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("shortcutOverlay")
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        row = 0
        section = None
        for shortcut in SHORTCUTS:
            if shortcut.section != section:
                section = shortcut.section
                title = QLabel(f"<b>{section}</b>")
                grid.addWidget(title, row, 0, 1, 2)
                row += 1
            keys = QLabel("  ".join(f"<code>{key_text(k)}</code>" for k in shortcut.keys + shortcut.also))
            keys.setTextFormat(Qt.TextFormat.RichText)
            grid.addWidget(keys, row, 0)
            grid.addWidget(QLabel(shortcut.description), row, 1)
            row += 1
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(buttons)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.text() == "?":
            self.reject()
            return
        super().keyPressEvent(event)
