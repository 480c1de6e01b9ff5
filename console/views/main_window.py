"""The main window: queues | ticket list | ticket pane, a toolbar, menus and the status bar.

``MainWindow(session)`` where ``session`` is a :class:`Workspace` (reader, writer, agent id,
preferences, paths). All signal → slot wiring is in ``_wire()``. The window only reads the
cache and writes drafts/outbox rows through the single ``CacheWriter``; the sync engine (if
attached with ``attach_engine``) does the network. Cache changes arrive as ``Change`` records
via ``apply_change``; each part refreshes only what the change touched.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QByteArray, QSignalBlocker, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QWidget,
)

from console.models.canned_replies import CannedReply
from console.models.queues import QueueListModel, build_queues, count_views, counts_by_key
from console.models.thread import load_ticket_details
from console.models.tickets import TicketListModel, fetch_first_rows
from console.store import Change, Kind, StoreError
from console.sync.attachments import download_attachment
from console.sync.client import Unreachable

from .about import AboutDialog
from .account_pane import AccountPane
from .canned_replies import CannedReplyPicker
from .connection_dialog import ConnectionDialog, SignOutDialog
from .dashboard import DashboardView
from .operations import Operations
from .queues import QueuePane
from .reply_editor import ReplyEditor
from .search import SearchBox
from .settings_dialog import SettingsDialog
from .shortcuts import LETTER_ACTIONS, SHORTCUTS, ShortcutOverlay
from .status_bar import StatusBar
from .theme import apply_theme
from .ticket_list import TicketListView
from .ticket_pane import TicketPane
from .tray import NotifyRules, TrayIcon, facts_for_change
from .tray import SyncEvent as TraySyncEvent

log = logging.getLogger(__name__)
FIRST_TICKET_SETTLE_MS = 60
WARM_QUEUES_DELAY_MS = 300   # after start-up (or a new queue list) settled: prepare each queue's first screen
DEFAULT_SIZE = (1840, 1000)


@dataclass
class Workspace:
    """What a window works on: the cache (one writer, one GUI reader) and who is signed in."""

    reader: object
    writer: object
    me: int | None
    prefs: object = None
    cache_path: Path | None = None
    log_file: Path | None = None
    helpdesk_url: str = ""
    agent_name: str = ""
    extras: dict = field(default_factory=dict)


class MainWindow(QMainWindow):
    restart_requested = Signal()          # the helpdesk or account changed: the app starts a new session
    work_offline_changed = Signal(bool)   # forwarded to the engine by the app
    sync_requested = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.reader, self.writer, self.me = workspace.reader, workspace.writer, workspace.me
        self.operations = Operations(self)
        self.engine = None
        self._closing = False
        self._mine_first = bool(workspace.me is not None and workspace.reader.queue_counts(workspace.me).mine)
        self._last_sync_status = None
        self.loop = None
        self._unsubscribe = None
        self.setWindowTitle(f"Support Console — {workspace.agent_name or 'agent'}"
                            + (f" @ {workspace.helpdesk_url}" if workspace.helpdesk_url else ""))
        self.groups: list[dict] = []
        self.agents: list[dict] = []
        self.views: list[dict] = []
        self._build()
        self._wire()
        self._counts_timer = self._debounce(150, self.refresh_counts)
        self._ids_timer = self._debounce(250, self.refresh_queue_ids)
        # a queue switch paints the list at once; its first ticket opens when the agent stops
        # flipping through queues (arrow keys in the queue pane), not for every queue passed
        self._first_ticket_timer = self._debounce(FIRST_TICKET_SETTLE_MS, self.on_first_ticket_due)
        self._warm_timer = self._debounce(WARM_QUEUES_DELAY_MS, self.warm_queue_lists)
        self.load_resources()
        self.refresh_counts()
        self.status.set_last_success(self.reader.sync_state("last_success"))
        self._default_layout()
        # The session's long-lived objects (window, models, imported modules) are built now: keep
        # them out of full garbage collections, which otherwise ran mid-sync (while a sync thread
        # parsed a 1 MB page, holding the GIL) or mid-switch and stalled the event loop ~30 ms each.
        gc.freeze()

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.queue_model = QueueListModel(self)
        self.ticket_model = TicketListModel(self.reader, self)
        self.queue_pane = QueuePane(self.queue_model)
        self.ticket_list = TicketListView(self.ticket_model)
        self.ticket_pane = TicketPane()
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.work_split = QSplitter(Qt.Orientation.Horizontal)
        self.work_split.addWidget(self.ticket_list)
        self.work_split.addWidget(self.ticket_pane)
        self.work_split.setStretchFactor(0, 1)
        self.work_split.setStretchFactor(1, 1)
        self.dashboard_page = QLabel("The dashboard is not available in this build.")
        self.dashboard_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.work_split)
        self.pages.addWidget(self.dashboard_page)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(self.queue_pane)
        self.main_split.addWidget(self.pages)
        self.main_split.setStretchFactor(1, 1)
        self.setCentralWidget(self.main_split)
        self.toolbar = QToolBar("Main")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.shortcut_actions: dict[str, QAction] = {}
        for shortcut in (s for s in SHORTCUTS if s.keys):
            action = QAction(shortcut.description, self)
            action.setShortcuts([QKeySequence(k) for k in shortcut.keys]
                                + ([QKeySequence("Shift+?")] if "?" in shortcut.keys else []))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
            self.shortcut_actions[shortcut.action] = action
        self._build_work_widgets()
        self._build_menus()

    def _default_layout(self) -> None:
        """First-run size: big enough that the list shows every column beside thread and account pane."""
        width, height = DEFAULT_SIZE
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None and screen.width() >= 1024:   # a real desktop (the offscreen test screen is tiny)
            width, height = min(width, screen.width()), min(height, screen.height())
        self.resize(width, height)
        queues = self.fontMetrics().averageCharWidth() * 30
        self.main_split.setSizes([queues, width - queues])
        work = width - queues
        ticket_list = min(self.ticket_list.ideal_width(), work * 11 // 20)
        self.work_split.setSizes([ticket_list, work - ticket_list])

    def _debounce(self, msecs: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(msecs)
        timer.timeout.connect(slot)
        return timer

    def _wire(self) -> None:
        """Every connection between parts of the window, in one list."""
        self.queue_pane.queue_requested.connect(self.on_queue_requested)
        self.queue_pane.dashboard_requested.connect(self.on_dashboard_requested)
        self.ticket_list.ticket_requested.connect(self.on_ticket_requested)
        self.ticket_list.ticket_opened.connect(self.on_ticket_opened)
        self.ticket_model.ids_requested.connect(self.refresh_queue_ids)
        self.ticket_pane.fields_change_requested.connect(self.on_fields_change_requested)
        self.ticket_pane.attachment_requested.connect(self.on_attachment_requested)
        self.ticket_pane.link_requested.connect(self.on_link_requested)
        self.status.work_offline_changed.connect(self.on_work_offline_toggled)
        self.status.conflicts_requested.connect(self.on_conflicts_requested)
        for name, action in self.shortcut_actions.items():
            action.triggered.connect(lambda _=False, n=name: self.on_shortcut(n))
        self._wire_work_widgets()

    # -- loading ----------------------------------------------------------------------------

    def load_resources(self) -> None:
        """Departments, agents and views (small tables): rebuild the queue pane."""
        self.groups = self.reader.groups()
        self.agents = self.reader.agents()
        self.views = self.reader.views()
        self.ticket_model.set_group_names({g["id"]: g["name"] for g in self.groups})
        queues = build_queues(self.groups, self.views, self.me)
        if queues == self.queue_model.queues():   # a resource refresh that changed nothing here
            return
        current = self.queue_pane.current_key()
        self.queue_model.set_queues(queues)
        self.queue_pane.select_key(current or ("mine" if self.me is not None and self._mine_first else "unassigned"))
        self._warm_timer.start()

    def warm_queue_lists(self) -> None:
        """Fetch each queue's first screenful off the GUI thread and lay its texts out while idle.

        A queue's first visit otherwise paid for cold SQLite pages, unknown names and new text
        layouts (~17-20 ms against ~11 ms for a later visit at 100k tickets)."""
        model, reader, count = self.ticket_model, self.reader, self.ticket_list.visible_rows()
        sort_key, descending = model.sort_key, model.descending
        for queue in self.queue_model.queues():
            if queue.kind != "queue" or queue == model.queue:
                continue

            def work(queue=queue):
                return fetch_first_rows(reader, queue, sort_key, descending, count)

            def done(result) -> None:
                if not self._closing:
                    self.ticket_list.warm_texts(model.preview_texts(*result))
            self.operations.run(work, done, lambda exc: log.debug("queue warm-up skipped: %s", exc))

    def refresh_counts(self) -> None:
        reader, views, me = self.reader, self.views, self.me

        def work():
            return counts_by_key(reader.queue_counts(me), count_views(reader, views, me)), reader.pending_count()

        def done(result) -> None:
            counts, pending = result
            self.queue_model.set_counts(counts)
            self.status.set_pending(pending)
            self.status.set_conflicts(counts.get("conflicts") or 0)
        self.operations.run(work, done, self.on_operation_failed)

    def refresh_queue_ids(self) -> None:
        """Re-run the open queue's id query off the GUI thread, then update the list in place."""
        queue, model = self.ticket_model.queue, self.ticket_model
        if queue is None:
            return
        reader, sort_key, descending = self.reader, model.sort_key, model.descending

        def done(ids) -> None:
            if model.queue is queue and model.sort_key == sort_key and model.descending == descending:
                model.reload_ids(ids)
        self.operations.run(lambda: queue.ticket_ids(reader, sort_key, descending), done, self.on_operation_failed)

    def refresh_open_ticket(self) -> None:
        tid = self.ticket_pane.ticket_id
        if tid is not None:
            self.show_ticket(tid)

    def show_ticket(self, ticket_id: int) -> None:
        details = load_ticket_details(self.reader, ticket_id)
        if details is None:
            self.ticket_pane.clear()
            return
        group_id = details["ticket"].get("group_id")
        agents = self.reader.agents(group_id) if group_id else self.agents
        self.ticket_pane.show_ticket(details, self.groups, agents)
        self._show_ticket_in_work_widgets(details)

    def apply_change(self, change: Change) -> None:
        """A store write changed something: refresh only the parts it touched."""
        if not change or self._closing:
            return
        if change.touches(Kind.DEPARTMENTS | Kind.VIEWS | Kind.MEMBERSHIPS | Kind.USERS):
            if change.touches(Kind.DEPARTMENTS | Kind.VIEWS | Kind.MEMBERSHIPS):
                self.load_resources()
            else:
                self.agents = self.reader.agents()
        if change.ticket_ids:
            self.ticket_model.mark_stale(change.ticket_ids)
        if change.touches(Kind.TICKETS | Kind.DRAFTS | Kind.OUTBOX | Kind.CONFLICTS):
            self._ids_timer.start()
        if change.touches(Kind.TICKETS | Kind.DRAFTS | Kind.OUTBOX | Kind.CONFLICTS | Kind.DEPARTMENTS | Kind.VIEWS
                          | Kind.MEMBERSHIPS):
            self._counts_timer.start()
        open_id = self.ticket_pane.ticket_id
        if open_id is not None and open_id in change.ticket_ids and change.touches(Kind.TICKETS | Kind.COMMENTS):
            self.show_ticket(open_id)
        self._change_to_work_widgets(change)

    # -- slots ------------------------------------------------------------------------------

    def on_queue_requested(self, queue) -> None:
        self.pages.setCurrentWidget(self.work_split)
        try:
            self.ticket_model.set_queue(queue)
        except StoreError as exc:
            self.status.showMessage(str(exc), 8000)
            self.ticket_model.set_queue(None)
            return
        if self.ticket_model.rowCount():
            with QSignalBlocker(self.ticket_list):
                self.ticket_list.select_row(0)
            self._first_ticket_timer.start()
        else:
            self._first_ticket_timer.stop()
            self.ticket_pane.clear()

    def on_first_ticket_due(self) -> None:
        tid = self.ticket_list.current_ticket_id()
        if tid is not None and tid != self.ticket_pane.ticket_id and not self._closing:
            self.show_ticket(tid)

    def on_dashboard_requested(self) -> None:
        self.pages.setCurrentWidget(self.dashboard_page)
        self.refresh_dashboard()

    def on_ticket_requested(self, ticket_id: int) -> None:
        self.show_ticket(ticket_id)

    def on_ticket_opened(self, ticket_id: int) -> None:
        if self.ticket_pane.ticket_id != ticket_id:
            self.show_ticket(ticket_id)
        self.ticket_pane.thread.setFocus()
        change = self.writer.mark_seen([ticket_id])
        self.apply_change(change)
        self.engine_call("refresh_ticket", ticket_id)

    def on_open_ticket(self, ticket_id: int) -> None:
        """Show a ticket from elsewhere (tray, search, account pane): select its row if the open
        queue lists it, else clear the selection so no other row looks like the open ticket."""
        self.pages.setCurrentWidget(self.work_split)
        if not self.ticket_list.select_ticket(ticket_id):
            self.ticket_list.clear_current()
            self.show_ticket(ticket_id)
        self.on_ticket_opened(ticket_id)

    def on_fields_change_requested(self, ticket_id: int, changes: dict, updated_stamp) -> None:
        try:
            change = self.writer.enqueue("fields", ticket_id, {"fields": dict(changes)}, updated_stamp)
        except StoreError as exc:
            self.status.showMessage(f"Could not queue the change: {exc}", 8000)
            return
        names = ", ".join(sorted(changes))
        self.status.showMessage(f"#{ticket_id}: {names} change queued", 5000)
        self.apply_change(change)
        self.engine_call("push_now")

    def on_attachment_requested(self, attachment_id: int) -> None:
        """Open an attachment from the cache; download it first (off the GUI thread) if needed."""
        attachment = self.reader.attachment(attachment_id)
        if attachment is None:
            self.status.showMessage(f"Attachment {attachment_id} is not in the cache.", 8000)
            return
        name = attachment.get("file_name") or f"attachment {attachment_id}"
        path = attachment.get("local_path")
        if path and Path(path).exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
            return
        status = self.engine.status if self.engine is not None else None
        if status is None or status.work_offline or self.workspace.cache_path is None:
            why = "you are working offline" if status is not None and status.work_offline else "not connected"
            self.status.showMessage(f"{name} is not downloaded yet and {why}; it can be opened once online.", 8000)
            return
        client, writer = self.engine.client, self.writer
        folder = self.workspace.cache_path.parent / "attachments"
        self.status.showMessage(f"Downloading {name}…")

        def done(saved: Path) -> None:
            self.status.showMessage(f"Opening {name}", 4000)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(saved)))

        def failed(exc: Exception) -> None:
            offline = isinstance(exc, Unreachable)
            self.status.showMessage(f"Could not download {name}: "
                                    + ("the helpdesk is offline; try again when it is back." if offline else str(exc)),
                                    10000)
        self.operations.run(lambda: download_attachment(client, writer, attachment, folder), done, failed)

    def on_link_requested(self, url: QUrl) -> None:
        self.status.showMessage(f"Opening {url.toString()} in your browser", 4000)
        QDesktopServices.openUrl(url)

    def on_work_offline_toggled(self, offline: bool) -> None:
        if self.workspace.prefs is not None:
            self.workspace.prefs.set("work_offline", offline)
            try:
                self.workspace.prefs.save()
            except OSError as exc:
                log.warning("could not save preferences: %s", exc)
        self.work_offline_changed.emit(offline)
        if self.engine is not None:
            self.engine.set_work_offline(offline)

    def on_conflicts_requested(self) -> None:
        self.open_conflicts()

    def on_operation_failed(self, exc: Exception) -> None:
        log.error("cache read failed: %s", exc)
        self.status.showMessage(f"Could not read the cache: {exc}", 8000)

    def on_sync_event(self, event) -> None:
        """The engine's events (console.sync.status.SyncEvent): status bar, models, dashboard, tray."""
        was_syncing = self._last_sync_status is not None and self._last_sync_status.syncing
        self._last_sync_status = event.status
        self.status.on_sync_status(event.status)
        if event.change:
            self.apply_change(event.change)
        if event.kind in ("sent", "conflict", "error"):
            self._counts_timer.start()
        if event.kind == "error" and event.message:
            self.status.showMessage(event.message, 10000)
        self.dashboard.set_connection_state(connection_state(event.status))
        if was_syncing and not event.status.syncing and self.pages.currentWidget() is self.dashboard:
            self.dashboard.refresh()
        self._sync_event_to_tray(event)

    # -- keyboard ---------------------------------------------------------------------------

    def _typing(self) -> bool:
        focus = self.focusWidget()
        if focus is None:
            return False
        if focus.inherits("QLineEdit"):
            return True
        editable = focus.inherits("QTextEdit") or focus.inherits("QPlainTextEdit")
        return editable and not focus.isReadOnly()

    def on_shortcut(self, name: str) -> None:
        if name in LETTER_ACTIONS and self._typing() and name not in ("send", "send_and_next"):
            return
        handler = getattr(self, f"on_{name}", None)
        if handler is not None:
            handler()

    def on_next_ticket(self) -> None:
        self.ticket_list.move(+1)

    def on_previous_ticket(self) -> None:
        self.ticket_list.move(-1)

    def on_open_selected(self) -> None:
        self.ticket_list.open_current()

    def on_focus_list(self) -> None:
        self.ticket_list.setFocus()

    def on_search(self) -> None:
        self.search_box.focus_search()

    def on_canned_replies(self) -> None:
        if self.ticket_pane.ticket_id is not None:
            self.side_tabs.setCurrentWidget(self.canned_picker)
            self.canned_picker.focus_search()

    def on_reply(self) -> None:
        if self.reply_editor is not None and self.ticket_pane.ticket_id is not None:
            self.reply_editor.on_reply_mode()

    def on_note(self) -> None:
        if self.reply_editor is not None and self.ticket_pane.ticket_id is not None:
            self.reply_editor.on_note_mode()

    def on_send(self) -> None:
        if self.reply_editor is not None and self.ticket_pane.ticket_id is not None:
            self.reply_editor.send()

    def on_send_and_next(self) -> None:
        if self.reply_editor is not None and self.ticket_pane.ticket_id is not None:
            self.reply_editor.send(open_next=True)

    def _status(self, status: str) -> None:
        self.ticket_pane.request_status(status)

    def on_status_open(self) -> None:
        self._status("open")

    def on_status_pending(self) -> None:
        self._status("pending")

    def on_status_hold(self) -> None:
        self._status("hold")

    def on_status_solved(self) -> None:
        self._status("solved")

    def on_sync_now(self) -> None:
        self.sync_requested.emit()
        self.engine_call("sync_once")

    def on_show_shortcuts(self) -> None:
        overlay = ShortcutOverlay(self)
        overlay.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        overlay.show()
        self.shortcut_overlay = overlay

    # -- GUI-work widgets, dashboard, tray ---------------------------------------------------

    def _build_work_widgets(self) -> None:
        """The GUI-work widgets: reply editor, account pane + canned replies, search, dashboard; the tray."""
        ws = self.workspace
        self.reply_editor = ReplyEditor(self.writer, self.reader, self.me)
        self.ticket_pane.set_reply_editor(self.reply_editor)
        self.account_pane = AccountPane(self.reader)
        self.canned_picker = CannedReplyPicker(self.reader, self.me)
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        self.side_tabs.addTab(self.account_pane, "Account")
        self.side_tabs.addTab(self.canned_picker, "Canned replies")
        self.ticket_pane.set_account_pane(self.side_tabs)
        self.search_box = SearchBox(self.reader)
        self.search_box.setMaximumWidth(560)
        self.toolbar.addWidget(self.search_box)
        self.dashboard = DashboardView(self.reader, ws.prefs)
        self.pages.removeWidget(self.dashboard_page)
        self.dashboard_page.deleteLater()
        self.dashboard_page = self.dashboard
        self.pages.addWidget(self.dashboard)
        rules = NotifyRules.from_prefs(ws.prefs, self.me, self.reader.group_ids_of(self.me)) \
            if ws.prefs is not None else NotifyRules(me=self.me)
        self.tray = TrayIcon(rules, parent=self) if ws.extras.get("tray", True) else None

    def _wire_work_widgets(self) -> None:
        self.reply_editor.queued_changed.connect(self.on_reply_queued)
        self.reply_editor.draft_changed.connect(self.apply_change)
        self.reply_editor.open_next_requested.connect(self.on_next_ticket)
        self.account_pane.ticket_requested.connect(self.on_open_ticket)
        self.canned_picker.insert_requested.connect(self.on_canned_reply_chosen)
        self.search_box.ticket_requested.connect(self.on_open_ticket)
        self.search_box.customer_requested.connect(self.on_customer_requested)
        self.search_box.canned_reply_requested.connect(self.on_canned_reply_requested)
        self.dashboard.queue_requested.connect(self.on_dashboard_queue_requested)
        if self.tray is not None:
            self.tray.ticket_requested.connect(self.on_open_ticket)
            self.tray.show_window_requested.connect(self.on_raise)
            self.tray.quit_requested.connect(self.close)
            self.tray.notification_shown.connect(self.status.on_notification)

    def _show_ticket_in_work_widgets(self, details: dict) -> None:
        tid = details["ticket"]["id"]
        if self.reply_editor.ticket_id != tid:
            self.reply_editor.set_ticket(tid)
            self.account_pane.set_ticket(tid)
            self.canned_picker.set_ticket(tid)

    def _change_to_work_widgets(self, change: Change) -> None:
        self.reply_editor.on_cache_changed(change)
        self.account_pane.on_cache_changed(change)
        self.search_box.on_cache_changed(change)
        if change.touches(Kind.CANNED_REPLIES):
            self.canned_picker.on_macros_changed()
        if self.tray is not None and change.ticket_ids and change.touches(Kind.TICKETS | Kind.COMMENTS):
            reader, me = self.reader, self.me
            self.operations.run(lambda: facts_for_change(reader, change, me), self.tray.on_ticket_facts,
                                self.on_operation_failed)

    def on_reply_queued(self, change: Change) -> None:
        self.apply_change(change)
        self.engine_call("push_now")

    def on_canned_reply_requested(self, macro_id: int) -> None:
        """A canned reply picked in search: show it in the picker for the open ticket."""
        self.side_tabs.setCurrentWidget(self.canned_picker)
        macro = self.reader.macro(macro_id)
        if macro is not None and self.ticket_pane.ticket_id is not None:
            ticket = self.reader.ticket(self.ticket_pane.ticket_id)
            self.reply_editor.insert_canned_reply(CannedReply.from_macro(macro, ticket, self.me))

    def on_canned_reply_chosen(self, reply) -> None:
        if self.ticket_pane.ticket_id is not None:
            self.reply_editor.insert_canned_reply(reply)

    def on_customer_requested(self, user_id: int) -> None:
        tickets = self.reader.requester_tickets(user_id, limit=1)
        if tickets:
            self.on_open_ticket(tickets[0]["id"])
        else:
            self.status.showMessage("This customer has no tickets in the cache.", 5000)

    def on_dashboard_queue_requested(self, spec) -> None:
        key = ("mine" if spec.mine else "unassigned" if spec.unassigned else
               f"group:{spec.group_id}" if spec.group_id is not None else None)
        if key is not None:
            self.queue_pane.select_key(key)

    def refresh_dashboard(self) -> None:
        self.dashboard.refresh()

    def open_conflicts(self) -> None:
        from .conflicts import ConflictView

        dialog = ConflictView(self.writer, self.reader, self)
        dialog.resolved_changed.connect(self.on_conflict_resolved)
        dialog.exec()
        dialog.deleteLater()

    def on_conflict_resolved(self, change: Change) -> None:
        self.apply_change(change)
        self.engine_call("push_now")

    def _sync_event_to_tray(self, event) -> None:
        if self.tray is None:
            return
        if event.kind == "error":
            self.tray.on_sync_event(TraySyncEvent("failed", event.message or "Sync failed"))
        elif event.kind == "conflict":
            self.tray.on_sync_event(TraySyncEvent("conflict", event.message or "A change needs your decision"))
        elif event.kind == "status" and event.status.online and not event.status.syncing \
                and not event.status.error:
            self.tray.on_sync_event(TraySyncEvent("ok"))

    # -- menus --------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._menu_action(file_menu, "&Connect to a helpdesk…", self.on_connect_requested)
        self._menu_action(file_menu, "Sign &out…", self.on_sign_out_requested)
        file_menu.addSeparator()
        self._menu_action(file_menu, "&Settings…", self.on_settings_requested, "Ctrl+,")
        file_menu.addSeparator()
        self._menu_action(file_menu, "&Quit", self.close, "Ctrl+Q")
        view_menu = self.menuBar().addMenu("&View")
        self._menu_action(view_menu, "&Dashboard", self.on_dashboard_shortcut)
        self._menu_action(view_menu, "Sync &now", self.on_sync_now)
        help_menu = self.menuBar().addMenu("&Help")
        self._menu_action(help_menu, "&Keyboard shortcuts", self.on_show_shortcuts)
        self._menu_action(help_menu, "&About Support Console", self.on_about_requested)

    def _menu_action(self, menu, text: str, slot, keys: str | None = None) -> QAction:
        action = menu.addAction(text)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _=False: slot())
        return action

    def on_dashboard_shortcut(self) -> None:
        self.queue_pane.dashboard.setChecked(True)
        self.on_dashboard_requested()

    def on_connect_requested(self) -> None:
        if self.workspace.prefs is None:
            return
        dialog = ConnectionDialog(self.workspace.prefs, self)
        if dialog.exec() == ConnectionDialog.DialogCode.Accepted and dialog.choice is not None:
            self.workspace.extras["choice"] = dialog.choice
            self.restart_requested.emit()

    def on_sign_out_requested(self) -> None:
        if self.workspace.prefs is None:
            return
        if SignOutDialog.ask(self.workspace.prefs, self.workspace.cache_path, self,
                             pending=self.reader.pending_count()):
            self.workspace.extras["signed_out"] = True
            self.restart_requested.emit()

    def on_settings_requested(self) -> None:
        if self.workspace.prefs is None:
            return
        dialog = SettingsDialog(self.workspace.prefs, self)
        dialog.settings_changed.connect(self.on_settings_changed)
        dialog.exec()

    def on_settings_changed(self, names) -> None:
        prefs = self.workspace.prefs
        if names & {"theme", "font_size"}:
            apply_theme(QApplication.instance(), prefs.get("theme"), prefs.get("font_size"))
        if "sync_interval_seconds" in names and self.engine is not None:
            self.engine.interval = float(prefs.get("sync_interval_seconds"))
        if "work_offline" in names and self.engine is not None:
            self.engine.set_work_offline(bool(prefs.get("work_offline")))
        if self.tray is not None and names & {"notify_new_tickets", "notify_customer_replies", "notify_sync_problems"}:
            self.tray.set_rules(NotifyRules.from_prefs(prefs, self.me, self.reader.group_ids_of(self.me)))

    def on_about_requested(self) -> None:
        AboutDialog(self, cache_path=self.workspace.cache_path, log_file=self.workspace.log_file).exec()

    def on_raise(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # -- engine and lifecycle -------------------------------------------------------------------

    def attach_engine(self, engine, loop) -> None:
        """Subscribe to the sync engine; async engine calls are scheduled on ``loop``."""
        self.engine, self.loop = engine, loop
        self._unsubscribe = engine.subscribe(self.on_sync_event)
        self.status.on_sync_status(engine.status)

    def engine_call(self, name: str, *args) -> None:
        """Schedule an engine coroutine (push_now, refresh_ticket, sync_once) without waiting for it."""
        if self.engine is None:
            return
        future = asyncio.ensure_future(getattr(self.engine, name)(*args), loop=self.loop)
        future.add_done_callback(self._engine_call_done)

    def _engine_call_done(self, future) -> None:
        if not future.cancelled() and future.exception() is not None:
            log.warning("sync call failed: %s", future.exception())

    def save_window_state(self) -> None:
        state = self.workspace.extras.get("window_state")
        if state is None:
            return
        state.values.update(geometry=bytes(self.saveGeometry().toBase64()).decode(),
                            main_split=self.main_split.sizes(), work_split=self.work_split.sizes(),
                            queue=self.queue_pane.current_key())
        try:
            state.save()
        except OSError as exc:
            log.warning("could not save the window state: %s", exc)

    def restore_window_state(self) -> None:
        state = self.workspace.extras.get("window_state")
        if state is None:
            return
        values = state.values
        if values.get("geometry"):
            self.restoreGeometry(QByteArray.fromBase64(values["geometry"].encode()))
        for splitter, key in ((self.main_split, "main_split"), (self.work_split, "work_split")):
            if isinstance(values.get(key), list) and len(values[key]) == splitter.count():
                splitter.setSizes([int(v) for v in values[key]])
        if values.get("queue"):
            self.queue_pane.select_key(values["queue"])

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.reply_editor.save_draft_now()
        self._closing = True
        self._counts_timer.stop()
        self._ids_timer.stop()
        self._first_ticket_timer.stop()
        self._warm_timer.stop()
        self.save_window_state()
        if getattr(self, "_unsubscribe", None):
            self._unsubscribe()
            self._unsubscribe = None
        self.operations.close()
        super().closeEvent(event)




def connection_state(status) -> str:
    """The dashboard's one-word connection state for a SyncStatus."""
    if status.work_offline:
        return "Working offline"
    if status.syncing:
        return "Syncing"
    return {True: "Online", False: "Offline", None: "Connecting"}[status.online]
