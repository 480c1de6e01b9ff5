"""The main window: queues | ticket list | ticket pane, a toolbar, menus and the status bar.

``MainWindow(workspace)``: layout (``_build``) and one wiring list (``_wire``), widget → widget
or widget → operation, in the manner of qutebrowser's ``_connect_signals``. Elsewhere: the menus
and their dialogs (``window_dialogs``), the first-run layout and what is remembered
(``window_state``), what each shortcut does (``shortcuts``), Ctrl+Z and its toast (``undo``).
The window holds no cache logic: widgets ask through ``workspace.ops`` (``console.ops``) and
subscribe to its bus themselves; the sync engine is reached only through ``ops.sync``. What is
left here is what a window does: switch pages, open dialogs, raise itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QMainWindow,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from console.domain.notifications import NotifyRules
from console.models.canned_replies import CannedReplyModel
from console.models.queues import QueueListModel, build_queues
from console.models.tickets import TicketListModel
from console.ops import Ops
from console.ops.notifications import Notifier

from .account_pane import AccountPane
from .bulk_bar import BulkBar
from .canned_replies import CannedReplyPicker
from .outbox import OutboxView
from .pages import Pages
from .queue_header import QueueHeader
from .queues import QueuePane
from .reply_editor import ReplyEditor
from .search import SearchBox
from .shortcuts import connect_shortcuts, shortcut_actions, window_targets
from .status_bar import StatusBar
from .ticket_list import TicketListView
from .ticket_pane import TicketPane, queue_field_changes
from .ticket_tabs import MiddleClickOpener, TicketTabs
from .toast import Toast
from .tray import TrayIcon
from .undo import UndoControl
from .window_dialogs import WindowDialogs, build_menus
from .window_state import WindowStateKeeper, default_layout

WARM_QUEUES_DELAY_MS = 300   # after start-up (or a new queue list) settled: prepare each queue's first screen
WARM_UP_DELAY_MS = 300        # after the first queue is shown (and painted): ops.warm_up()


def _column(*widgets: QWidget, margins: int) -> QWidget:
    """The widgets stacked top to bottom, the last one taking the height left (left margin only)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(margins, margins, 0, 0)
    layout.setSpacing(0 if margins == 0 else layout.spacing())
    for widget in widgets:
        layout.addWidget(widget, 1 if widget is widgets[-1] else 0)
    return box


@dataclass
class Workspace:
    """What a window works on: the session's operations, the GUI's own reader, who is signed in."""

    ops: Ops
    reader: object                 # CacheReader for the models' lazy row fetches, GUI thread only
    me: int | None
    prefs: object = None           # config.Preferences
    cache_path: Path | None = None
    log_file: Path | None = None
    helpdesk_url: str = ""
    agent_name: str = ""
    window_state: object = None    # config.WindowState; None = don't remember the layout
    tray: bool = True


class MainWindow(QMainWindow):
    restart_requested = Signal(object)    # a ConnectionChoice, or None after signing out
    work_offline_changed = Signal(bool)   # the agent's toggle (the app keeps it in the preferences)
    settings_changed = Signal(object)     # set of setting names (the app applies theme, interval...)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace, self.ops, self.me = workspace, workspace.ops, workspace.me
        self._closing = False
        self._warming = False
        self.ops.queues.load_resources()   # read while the window is built: the first queue needs them
        self.setWindowTitle(f"Support Console — {workspace.agent_name or 'agent'}"
                            + (f" @ {workspace.helpdesk_url}" if workspace.helpdesk_url else ""))
        self._build()
        self.dialogs = WindowDialogs(self)
        build_menus(self, self.dialogs)
        self._wire()
        self.apply_preferences()
        default_layout(self)
        self.state = WindowStateKeeper(workspace.window_state, self, {
            "main_split": self.main_split, "work_split": self.work_split,
            "pane_split": self.ticket_pane.horizontal}, columns=self.ticket_list)
        self._restored_queue = self.state.restore()
        self.ticket_tabs.restore(self.state.value("tabs") or [])
        self.ops.collector.keep_built()   # the session's long-lived objects stay out of collections

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        ops, ws = self.ops, self.workspace
        self.queue_model = QueueListModel(self)
        self.ticket_model = TicketListModel(ws.reader, self)
        self.queue_pane = QueuePane(self.queue_model)
        self.ticket_list = TicketListView(self.ticket_model, ops.queues, ops.bus)
        self.list_header = QueueHeader(note_for=ops.queues.note)
        self.bulk_bar = BulkBar(ops.bulk, self.ticket_list, ops.bus)
        list_box = _column(self.list_header, self.bulk_bar, self.ticket_list, margins=4)
        self.shown_ticket = ops.open_ticket(self)
        self.suggested = ops.suggestions.follow(self.shown_ticket, self)   # ranked replies, department
        self.ticket_pane = TicketPane()
        self.reply_editor = ReplyEditor(ops.replies, attachments=ops.attachments, spelling=ops.spelling)
        self.ticket_pane.set_reply_editor(self.reply_editor)
        self.account_pane = AccountPane()
        self.canned_picker = CannedReplyPicker(CannedReplyModel(ws.reader, self), self.me,
                                               resolve=ops.suggestions.canned_reply, warn=ops.bus.warn)
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        self.side_tabs.addTab(self.account_pane, "Account")
        self.side_tabs.addTab(self.canned_picker, "Canned replies")
        self.ticket_pane.set_account_pane(self.side_tabs)
        self.status = StatusBar(ops.bus)
        self.setStatusBar(self.status)
        self.toast = Toast(self)
        self.toast.keep_clear_of(self.reply_editor.send_button)
        self.work_split = QSplitter(Qt.Orientation.Horizontal)
        self.work_split.addWidget(list_box)
        self.ticket_tabs = TicketTabs(self.ticket_pane.thread.verticalScrollBar())
        self.work_split.addWidget(_column(self.ticket_tabs, self.ticket_pane, margins=0))
        MiddleClickOpener(self.ticket_list, self.ticket_tabs.open_in_new_tab)
        self.work_split.setStretchFactor(0, 1)
        self.work_split.setStretchFactor(1, 1)
        self.outbox_view = OutboxView(ops.outbox, ops.bus)
        self.pages = Pages(self.work_split, self.outbox_view, ops.dashboard, ws.prefs, toggle=self.queue_pane.dashboard)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(self.queue_pane)
        self.main_split.addWidget(self.pages)
        self.main_split.setStretchFactor(1, 1)
        self.setCentralWidget(self.main_split)
        self.toolbar = QToolBar("Main")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.search_box = SearchBox(ops.search, ops.bus)
        self.search_box.setMaximumWidth(560)
        self.toolbar.addWidget(self.search_box)
        self.tray = TrayIcon(parent=self, use_system_tray=ws.tray)
        self.notifier = Notifier(ops.runner, self._notify_rules(), self)
        self.shortcut_actions = shortcut_actions(self)
        self._warm_timer = QTimer(self, singleShot=True, interval=WARM_QUEUES_DELAY_MS)
        self._warm_timer.timeout.connect(lambda: self.ticket_list.warm(self.queue_model.queues()))
        self.undo = UndoControl(self, ops.undo, self.toast, ops.bus.info)
        self.undo_action = self.undo.action

    def apply_default_layout(self, width: int, height: int) -> None:
        """The first-run layout for a window of this size (View ▸ Reset layout; tests, screenshots)."""
        default_layout(self, (width, height))

    def _wire(self) -> None:
        """Every connection between the parts of the window, in one list."""
        ops, shown, pane, editor = self.ops, self.shown_ticket, self.ticket_pane, self.reply_editor
        self.queue_pane.queue_requested.connect(self.pages.show_work)
        self.queue_pane.queue_requested.connect(self.ticket_list.show_queue)
        self.queue_pane.dashboard_requested.connect(self.pages.show_dashboard)
        self.pages.queue_requested.connect(self.show_queue)
        self.ticket_list.ticket_requested.connect(shown.show)
        self.ticket_list.ticket_opened.connect(shown.open)
        self.ticket_list.ticket_opened.connect(lambda _tid: pane.thread.setFocus())
        self.ticket_list.queue_shown.connect(self.list_header.on_queue_shown)
        self.ticket_list.pending_changed.connect(self.list_header.on_pending)
        self.ticket_list.queue_counted.connect(self.list_header.on_queue_shown)
        self.list_header.show_requested.connect(self.ticket_list.show_pending)
        self.ticket_list.emptied.connect(shown.clear)
        for target in (pane.show_details, editor.on_ticket_shown, self.account_pane.on_ticket_shown,
                       self.canned_picker.on_ticket_shown):
            shown.loaded.connect(target)
        for target in (pane.clear, editor.clear, self.account_pane.clear, self.canned_picker.clear):
            shown.cleared.connect(target)
        queue_field_changes(pane, shown, ops.tickets)
        pane.attachment_requested.connect(self.dialogs.open_attachment)
        pane.link_requested.connect(self.dialogs.open_link)
        editor.open_next_requested.connect(self.ticket_list.next_ticket)
        self.ticket_tabs.ticket_requested.connect(shown.open)
        shown.loaded.connect(self.ticket_tabs.on_ticket_shown)
        shown.loaded.connect(ops.attachments.prefetch_images)   # received images inline, from the cache
        self.bulk_bar.merge_requested.connect(self.dialogs.merge)
        self.account_pane.ticket_requested.connect(self.open_ticket)
        self.canned_picker.insert_requested.connect(editor.insert_canned_reply)
        self.canned_picker.language_requested.connect(self.suggested.set_language)
        self.suggested.ready.connect(self.canned_picker.on_suggestions)
        self.suggested.ready.connect(pane.show_suggestion)
        self.search_box.ticket_requested.connect(self.open_ticket)
        self.search_box.customer_requested.connect(
            lambda user_id: ops.search.customer_tickets(user_id, done=self.on_customer_tickets))
        self.search_box.canned_reply_requested.connect(lambda _id: self.side_tabs.setCurrentWidget(self.canned_picker))
        self.search_box.canned_reply_requested.connect(self.canned_picker.insert_by_id)
        self.outbox_view.ticket_requested.connect(self.open_ticket)
        ops.outbox.taken_back.connect(self.on_taken_back)
        self.ticket_list.queue_shown.connect(self.on_queue_shown)
        self.status.work_offline_changed.connect(ops.sync.set_work_offline)
        self.status.work_offline_changed.connect(self.work_offline_changed)
        self.status.conflicts_requested.connect(self.dialogs.conflicts)
        ops.queues.resources_changed.connect(self.on_resources)
        ops.queues.counts_changed.connect(self.on_counts)   # (the session outlives the window: bound slots)
        self.notifier.notified.connect(self.tray.show)
        self.tray.notification_shown.connect(self.status.on_notification)
        self.tray.notification_shown.connect(self.on_notification_shown)
        self.tray.ticket_requested.connect(self.open_ticket)
        self.tray.show_window_requested.connect(self.on_raise)
        self.tray.quit_requested.connect(self.close)
        connect_shortcuts(self, self.shortcut_actions, window_targets(self))

    def _notify_rules(self) -> NotifyRules:
        prefs, departments = self.workspace.prefs, self.ops.queues.resources.my_departments
        return NotifyRules.from_prefs(prefs, self.me, departments) if prefs is not None \
            else NotifyRules(me=self.me, departments=frozenset(departments))

    # -- slots: what the window itself does -------------------------------------------------

    def on_resources(self, resources) -> None:
        """Departments, agents, views or custom statuses changed: the queue pane, names in the list, who is notified."""
        self.ticket_model.set_group_names(resources.department_names)
        self.ticket_model.set_custom_statuses(resources.custom_statuses)
        self.notifier.set_rules(self._notify_rules())
        queues = build_queues(resources.departments, resources.views, self.me)
        if queues == self.queue_model.queues():
            return
        self.queue_pane.replace_queues(queues, keeps_showing=self.ticket_list.keep_showing, restored=self._restored_queue,
                                       fallback="mine" if self.me is not None else "unassigned")
        self._restored_queue = None
        self._warm_timer.start()

    def on_counts(self, by_key: dict, counts) -> None:
        """One source of every count: the queue badges, the status bar's outbox and conflicts, the tray."""
        self.queue_model.set_counts(by_key)
        self.status.set_counts(counts)
        self.tray.set_counts(counts)

    def on_queue_shown(self, _queue, _count: int) -> None:
        if not self._warming:   # the first queue is painted: what it did not need starts now, off the GUI thread
            self._warming = True
            self.notifier.start()   # (its watermark query scans the tickets: not ahead of the first rows)
            QTimer.singleShot(WARM_UP_DELAY_MS, self.ops.warm_up)

    def on_taken_back(self, ticket_id, kind: str, body: str) -> None:
        """A message taken back from the outbox: its ticket open, the text in the editor."""
        if ticket_id is None:
            return
        if self.reply_editor.ticket_id == ticket_id:
            self.pages.show_work()
            self.reply_editor.restore(ticket_id, kind, body)
        else:
            self.open_ticket(ticket_id)   # its draft (the text) loads with it
        self.ops.bus.info(f"Not sent: the {kind} to #{ticket_id} is back in the editor.")

    def apply_preferences(self) -> None:
        """The preferences the window applies itself (at start and after Settings…)."""
        prefs = self.workspace.prefs
        if prefs is not None:
            self.ops.replies.grace_seconds = float(prefs.get("undo_send_seconds"))
            self.ops.spelling.set_enabled(bool(prefs.get("spell_check")))
            self.spelling_action.setChecked(self.ops.spelling.enabled)
        self.notifier.set_rules(self._notify_rules())

    def show_queue(self, queue) -> None:
        """A queue from elsewhere (the dashboard): selected in the pane when it lists it, else shown alone."""
        self.pages.show_work()
        if not self.queue_pane.select_key(queue.key):
            self.queue_pane.clear_selection()
            self.ticket_list.show_queue(queue)

    def open_ticket(self, ticket_id: int) -> None:
        """Open a ticket from elsewhere (tray, search, account pane): select its row if the open queue
        lists it, else clear the selection so no other row looks like the open ticket."""
        self.pages.show_work()
        if not self.ticket_list.select_ticket(ticket_id):
            self.ticket_list.clear_current()
        self.shown_ticket.open(ticket_id)
        self.ticket_pane.thread.setFocus()

    def on_customer_tickets(self, tickets: list) -> None:
        if tickets:
            self.open_ticket(tickets[0]["id"])
        else:
            self.ops.bus.info("This customer has no tickets in the cache.")

    def show_canned_replies(self) -> None:
        self.side_tabs.setCurrentWidget(self.canned_picker)
        self.canned_picker.focus_search()

    def on_notification_shown(self, note) -> None:
        if not self.tray.available:   # no system tray: the same notice in the window, never nowhere
            action = (lambda tid=note.ticket_id: self.open_ticket(tid)) if note.ticket_id is not None else None
            self.toast.show_notice(f"<b>{note.title}</b><br>{note.message}", action="Open" if action else None,
                                   on_action=action)

    def on_raise(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # -- lifecycle ----------------------------------------------------------------------------

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not self._closing:
            self._closing = True
            self.ticket_pane.flush_tags()
            self.reply_editor.save_draft_now()
            self.state.save(queue=self.queue_pane.current_key(), tabs=self.ticket_tabs.ticket_ids())
            self.dialogs.close_popped_out()
        super().closeEvent(event)
