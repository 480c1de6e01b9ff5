"""The main window's menus and the dialogs and windows they open.

``WindowDialogs(window)`` opens each dialog (conflicts, new ticket, merge, shortcuts, a popped-out
ticket, and the session's: connect, sign out, settings, about) and keeps the modeless ones alive;
it also hands attachments and links to the desktop's programs;
``build_menus(window, dialogs)`` fills the menu bar. The session dialogs load when first asked
for, not at start-up. What a dialog decides reaches the window's signals
(``restart_requested``, ``settings_changed``); the window stays layout and wiring.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence

from console.store import Change

from .conflicts import ConflictView
from .merge_dialog import MergeDialog
from .new_ticket_dialog import NewTicketDialog
from .shortcuts import ShortcutOverlay
from .ticket_tabs import TicketWindow

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


class WindowDialogs:
    def __init__(self, window: MainWindow) -> None:
        self.window, self.ops, self.workspace = window, window.ops, window.workspace
        self.new_ticket_dialog = self.merge_dialog = self.shortcut_overlay = None
        self.popped_out: list[TicketWindow] = []

    def _modeless(self, dialog):
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def conflicts(self) -> None:
        dialog = ConflictView(self.ops.conflicts, self.ops.bus, self.window)
        dialog.exec()
        dialog.deleteLater()

    def new_ticket(self) -> None:
        dialog = NewTicketDialog(self.ops.new_tickets, self.ops.attachments, me=self.window.me, parent=self.window,
                                 spelling=self.ops.spelling)
        dialog.created.connect(self.window.open_ticket)
        self.new_ticket_dialog = self._modeless(dialog)

    def merge(self, ticket_ids: list[int]) -> None:
        self.merge_dialog = self._modeless(MergeDialog(self.ops.merges, ticket_ids, parent=self.window))

    def shortcuts(self) -> None:
        self.shortcut_overlay = self._modeless(ShortcutOverlay(self.window))

    def pop_out(self) -> None:
        """The shown ticket in its own window (its draft goes with it: drafts are per ticket)."""
        ticket_id = self.window.ticket_pane.ticket_id
        if ticket_id is None:
            return
        self.window.reply_editor.save_draft_now()

        def open_window(_change) -> None:   # after the draft's write (the db lane keeps order)
            window = TicketWindow(self.ops, ticket_id)
            window.show()
            self.popped_out = [w for w in self.popped_out if shiboken6.isValid(w)] + [window]
        self.ops.runner.write(lambda _cache: Change(), done=open_window)

    def close_popped_out(self) -> None:
        for window in self.popped_out:
            if shiboken6.isValid(window):
                window.close()

    def open_attachment(self, attachment_id: int) -> None:
        """A received file in the program the desktop opens it with (downloaded to the cache first)."""
        self.ops.attachments.open(attachment_id=attachment_id, failed=self.ops.bus.warn, progress=self.ops.bus.info,
                                  done=lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))

    def open_link(self, url: QUrl) -> None:
        self.ops.bus.info(f"Opening {url.toString()} in your browser")
        QDesktopServices.openUrl(url)

    def connect_helpdesk(self) -> None:
        if self.workspace.prefs is None:
            return
        from .connection_dialog import ConnectionDialog

        dialog = ConnectionDialog(self.workspace.prefs, self.ops.runner, self.window)
        if dialog.exec() == ConnectionDialog.DialogCode.Accepted and dialog.choice is not None:
            self.window.restart_requested.emit(dialog.choice)

    def sign_out(self) -> None:
        if self.workspace.prefs is None:
            return
        counts = self.ops.queues.counts
        from .connection_dialog import SignOutDialog

        def ask(unsent: list[str]) -> None:
            if SignOutDialog.ask(self.workspace.prefs, self.workspace.cache_path, self.window, unsent=unsent,
                                 pending=counts.outbox if counts is not None else 0):
                self.window.restart_requested.emit(None)
        self.window.reply_editor.save_draft_now()   # what is being typed counts too: the db lane is in order,
        self.ops.runner.write(lambda _cache: None, done=lambda _none: self.ops.outbox.unsent(done=ask))  # so read after

    def settings(self) -> None:
        if self.workspace.prefs is None:
            return
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.workspace.prefs, self.window)
        dialog.settings_changed.connect(self.window.settings_changed)
        dialog.settings_changed.connect(lambda _names: self.window.apply_preferences())
        dialog.exec()

    def spelling(self, on: bool) -> None:
        """Edit ▸ Check spelling: marks on or off in every editor, kept in the preferences."""
        self.ops.spelling.set_enabled(on)
        prefs = self.workspace.prefs
        if prefs is not None:
            prefs.set("spell_check", on)
            try:
                prefs.save()
            except OSError as exc:
                log.warning("could not save preferences: %s", exc)

    def about(self) -> None:
        from .about import AboutDialog

        AboutDialog(self.window, cache_path=self.workspace.cache_path, log_file=self.workspace.log_file).exec()


def _add(menu, text: str, slot, keys: str | None = None) -> QAction:
    action = menu.addAction(text)
    if keys:
        action.setShortcut(QKeySequence(keys))
    action.triggered.connect(lambda _=False: slot())
    return action


def build_menus(window: MainWindow, dialogs: WindowDialogs) -> None:
    """File, Edit, Ticket, View and Help; sets ``window.ticket_menu``, ``window.account_action`` and
    ``window.spelling_action``."""
    bar, shortcuts = window.menuBar(), window.shortcut_actions
    file_menu = bar.addMenu("&File")
    _add(file_menu, "&Connect to a helpdesk…", dialogs.connect_helpdesk)
    _add(file_menu, "Sign &out…", dialogs.sign_out)
    file_menu.addSeparator()
    _add(file_menu, "&Settings…", dialogs.settings, "Ctrl+,")
    file_menu.addSeparator()
    _add(file_menu, "&Quit", window.close, "Ctrl+Q")
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addAction(window.undo_action)
    edit_menu.addSeparator()
    spelling = window.spelling_action = _add(edit_menu, "Check &spelling",
                                             lambda: dialogs.spelling(spelling.isChecked()))
    spelling.setCheckable(True)
    spelling.setChecked(window.ops.spelling.enabled)
    ticket_menu = window.ticket_menu = bar.addMenu("&Ticket")
    ticket_menu.addAction(shortcuts["new_ticket"])
    ticket_menu.addSeparator()
    _add(ticket_menu, "Select &all in this queue", window.ticket_list.selectAll)
    _add(ticket_menu, "&Merge selected tickets…", lambda: dialogs.merge(window.bulk_bar.selected()))
    ticket_menu.addSeparator()
    for name in ("open_in_tab", "close_tab", "next_tab", "previous_tab"):
        ticket_menu.addAction(shortcuts[name])
    _add(ticket_menu, "&Pop out into its own window", dialogs.pop_out)
    view_menu = bar.addMenu("&View")
    _add(view_menu, "&Dashboard", window.pages.show_dashboard)
    pane = window.ticket_pane
    account = window.account_action = _add(view_menu, "&Account pane",
                                           lambda: pane.set_account_shown(account.isChecked()), "Ctrl+Shift+A")
    account.setCheckable(True)
    account.setChecked(True)
    pane.account_shown_changed.connect(account.setChecked)
    _add(view_menu, "&Reset layout", lambda: window.apply_default_layout(window.width(), window.height()))
    _add(view_menu, "Sync &now", lambda: window.ops.sync.request_sync())
    help_menu = bar.addMenu("&Help")
    _add(help_menu, "&Keyboard shortcuts", dialogs.shortcuts)
    _add(help_menu, "&About Support Console", dialogs.about)
