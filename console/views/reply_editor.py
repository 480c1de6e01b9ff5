"""The reply editor under the thread: public reply or internal note, drafts, send to the outbox.

Constructor: ``ReplyEditor(replies: console.ops.replies.ReplyOps, parent=None, *, debounce_ms=300)``.
It works on the ticket an ``OpenTicket`` shows:

- ``on_ticket_shown(details)`` (a ``TicketDetails``): for another ticket, the current draft is saved
  and this ticket's is loaded (reply first, else note); for the same ticket only the state of
  its recent sends is refreshed (the text being typed is never touched). ``clear()`` saves and
  disables.
- ``on_reply_mode()`` / ``on_note_mode()`` (R / N; they focus the editor) and ``set_mode``;
  toggling keeps the text and moves the draft to the new kind.
- A fragment tag typed in the text (``{% render 'Refund terms' %}``) is replaced by the fragment's
  text, placeholders filled (``replies.expand_fragments``); a missing fragment or a loop is named
  under the editor and the tag stays (Send refuses it).
- ``insert_canned_reply(reply: CannedReply)``: insert at the cursor, placeholders rendered for
  this ticket; those that can't be filled stay as ``{{ ... }}`` and are highlighted. Its field
  changes (status, tags...) are carried with the reply and shown under the editor (clearable).
- ``send(status=None, open_next=False)``: ``replies.send`` guards, queues the entry and deletes
  the draft in one transaction on the db lane; the editor is read-only meanwhile, then cleared
  (or shows why not, keeping the text). A reply that still promises what the account's policy
  contradicts asks first (``policy_dialog``, a ``PolicyConfirmation``): nothing is queued until
  "Send anyway"; "Edit the reply" keeps the text. The last canned reply inserted goes with the
  reply as ``canned_reply_id`` (the console learns which replies fit which tickets). Ctrl+Enter = send, Ctrl+Shift+Enter = send and open next;
  the Send button's menu has "send and set pending/solved".
- ``spelling`` (``ops.spelling``): misspelled words get a red wavy underline, right-click offers
  suggestions, "Add to dictionary" and "Ignore" (``console.views.spelling``); the text sent is untouched.

Drafts are saved as you type (debounced) through ``replies.save_draft``; every write goes through
the db lane in order, so a save can never land after the send that consumed it.

Signals: ``reply_queued(str)`` (op id), ``open_next_requested()``, ``mode_changed(str)``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMenu,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.fragments import FRAGMENT_TAG
from console.domain.html import sanitize_comment_html
from console.domain.placeholders import UnresolvedPlaceholder, render_preview
from console.models.canned_replies import CannedReply, fill_template
from console.ops.replies import PolicyContradiction, SendRefused
from console.ops.tickets import describe_fields

from . import theme
from .attachment_strip import AttachingTextEdit, AttachmentStrip
from .policy_confirm import PolicyConfirmation
from .rich_editor import FormatBar, draft_text, formatted_html, load_draft
from .send_later import SendLaterDialog
from .spelling import EditorSpelling

STATE_ROLES = {"queued": "warning", "sending": "info", "sent": "ok", "failed": "error", "conflict": "error"}


def state_colour(state: str, colours: theme.Colours) -> str:
    """The colour of an outbox state's word ("queued", "sent"...) in the current theme."""
    return getattr(colours, STATE_ROLES.get(state, "muted"))


def note_style(colours: theme.Colours) -> str:
    """The note editor: the thread's internal-note card colours, so a note never looks like a reply."""
    return (f"QTextEdit, QPlainTextEdit {{ background: {colours.note_card}; color: {colours.card_ink}; "
            f"border: 2px solid {colours.note_border}; }}")


def utf16_offset(text: str, index: int) -> int:
    """Qt positions count UTF-16 code units; Python indexes count code points."""
    return len(text[:index].encode("utf-16-le")) // 2


class MessageLabel(QLabel):
    """A line that takes no room while it has nothing to say (an empty label kept a blank line
    between the editor and Send)."""

    def setText(self, text: str) -> None:  # noqa: N802 (Qt override)
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        super().clear()
        self.hide()


class ReplyEditor(QWidget):
    """Write a reply or note for one ticket; drafts are saved as you type."""

    reply_queued = Signal(str)
    open_next_requested = Signal()
    mode_changed = Signal(str)

    def __init__(self, replies, parent=None, *, debounce_ms: int = 300, attachments=None, spelling=None) -> None:
        super().__init__(parent)
        self._replies = replies
        self._attachments = attachments   # AttachmentOps: files on the draft (None: no attaching)
        self._spelling = spelling         # SpellCheck: misspelled words marked (None: no spell checking)
        self._details = None
        self._ticket_id: int | None = None
        self._mode = "reply"
        self._field_changes: dict = {}
        self._canned_reply_id: int | None = None
        self.policy_dialog: PolicyConfirmation | None = None
        self._loading = False
        self._sending = False
        # drafts asked to be saved but not confirmed yet: a ticket shown again meanwhile must not
        # get the older text its details were read with (reads and writes run on different lanes)
        self._unsaved: dict[int, tuple[str, str]] = {}
        self._save_timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._save_timer.timeout.connect(self.save_draft_now)
        self._fragment_timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._fragment_timer.timeout.connect(self.expand_fragments_now)
        self._build()
        self.clear()
        theme.follow_theme(self, self.on_theme_changed)

    def on_theme_changed(self) -> None:
        """Re-colour what carries theme colours: labels, the note editor, marks, send states."""
        colours = theme.colours()
        self.draft_label.setStyleSheet(f"color: {colours.muted};")
        self.message_label.setStyleSheet(f"color: {colours.error};")
        self._apply_mode(self._mode)
        if self.text_edit.extraSelections():
            self._highlight(self.body(), render_preview(self.body(), self._context())[1])
        self.refresh_sends()

    # -- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        self.text_edit = AttachingTextEdit(rich=True)
        self.format_bar = FormatBar(self.text_edit)   # bold, italic, lists, link, code, quote, plain mode
        self.reply_button = QToolButton(text="Public reply", checkable=True, checked=True)
        self.note_button = QToolButton(text="Internal note", checkable=True)
        self.reply_button.setToolTip("Public reply (R)")
        self.note_button.setToolTip("Internal note, agents only (N)")
        modes = QButtonGroup(self)
        modes.setExclusive(True)
        modes.addButton(self.reply_button)
        modes.addButton(self.note_button)
        self.reply_button.clicked.connect(lambda: self.set_mode("reply"))
        self.note_button.clicked.connect(lambda: self.set_mode("note"))
        self.draft_label = QLabel()
        self.draft_label.setStyleSheet(f"color: {theme.colours().muted};")
        top = QHBoxLayout()
        top.addWidget(self.reply_button)
        top.addWidget(self.note_button)
        top.addStretch(1)
        top.addWidget(self.draft_label)

        self.attachment_strip = AttachmentStrip(self._attachments) if self._attachments is not None else None
        if self.attachment_strip is not None:
            self.text_edit.files_dropped.connect(self.attachment_strip.attach_paths)
            self.text_edit.image_pasted.connect(self.attachment_strip.attach_image)
        self.text_edit.setPlaceholderText("Write a reply… (Ctrl+Enter sends)")
        self.text_edit.textChanged.connect(self._on_text_changed)
        self.spelling = EditorSpelling(self.text_edit, self._spelling) if self._spelling is not None else None

        # Ctrl+Enter / Ctrl+Shift+Enter are read by eventFilter (the editor has focus when they
        # matter); the shortcuts here are only shown in the menu.
        self.text_edit.installEventFilter(self)
        self.send_action = QAction("Send", self, shortcut=QKeySequence("Ctrl+Return"))
        self.send_next_action = QAction("Send and open next", self, shortcut=QKeySequence("Ctrl+Shift+Return"))
        self.send_pending_action = QAction("Send and set pending", self)
        self.send_solved_action = QAction("Send and set solved", self)
        self.send_later_action = QAction("Send later…", self)
        self.send_later_action.triggered.connect(self.send_later)
        for action in (self.send_action, self.send_next_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.send_action.triggered.connect(lambda: self.send())
        self.send_next_action.triggered.connect(lambda: self.send(open_next=True))
        self.send_pending_action.triggered.connect(lambda: self.send(status="pending"))
        self.send_solved_action.triggered.connect(lambda: self.send(status="solved"))
        menu = QMenu(self)
        menu.addActions([self.send_pending_action, self.send_solved_action, self.send_next_action,
                         self.send_later_action])
        self.send_button = QToolButton()
        self.send_button.setDefaultAction(self.send_action)
        self.send_button.setMenu(menu)
        self.send_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.send_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

        self.changes_label = QLabel()
        self.changes_label.setWordWrap(True)
        self.clear_changes_button = QToolButton(text="✕")
        self.clear_changes_button.setToolTip("Don't apply the canned reply's field changes")
        self.clear_changes_button.clicked.connect(self.clear_field_changes)
        self.message_label = MessageLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.message_label.setStyleSheet(f"color: {theme.colours().error};")
        self.sends_label = QLabel()
        self.sends_label.setTextFormat(Qt.TextFormat.RichText)
        bottom = QHBoxLayout()
        bottom.addWidget(self.sends_label, 1)
        bottom.addWidget(self.send_button)
        changes = QHBoxLayout()
        changes.addWidget(self.changes_label, 1)
        changes.addWidget(self.clear_changes_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.format_bar)
        layout.addWidget(self.text_edit, 1)
        if self.attachment_strip is not None:
            layout.addWidget(self.attachment_strip)
        layout.addLayout(changes)
        layout.addWidget(self.message_label)
        layout.addLayout(bottom)
        self._show_field_changes()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if watched is self.text_edit and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.send(open_next=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            return True
        if watched is self.text_edit and event.type() == QEvent.Type.ShortcutOverride \
                and event.matches(QKeySequence.StandardKey.Undo) and not self.text_edit.document().isUndoAvailable():
            event.ignore()   # no typing to undo here: Ctrl+Z goes to the window (undo send)
            return True
        return super().eventFilter(watched, event)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt override): closing the window saves the draft now
        if self._save_timer.isActive():
            self.save_draft_now()
        super().hideEvent(event)

    # -- ticket and mode ----------------------------------------------------------------

    @property
    def ticket_id(self) -> int | None:
        return self._ticket_id

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def sending(self) -> bool:
        return self._sending

    def body(self) -> str:
        return self.text_edit.toPlainText()

    def clear(self) -> None:
        """No ticket: save what was typed, then an empty, disabled editor."""
        self._switch_to(None, None)

    def on_ticket_shown(self, details) -> None:
        if details.ticket_id == self._ticket_id:
            self._details = details   # fresh outbox states, fresh placeholder facts; the text stays
            self.refresh_sends()
            return
        self._switch_to(details.ticket_id, details)

    def _switch_to(self, ticket_id: int | None, details) -> None:
        if self._save_timer.isActive():
            self.save_draft_now()
        self._ticket_id, self._details = ticket_id, details
        self._field_changes = {}
        self._canned_reply_id = None
        self._close_policy_dialog()
        self._sending = False
        self.text_edit.setReadOnly(False)
        drafts = details.drafts if details is not None else {}
        draft = drafts.get("reply") or drafts.get("note")
        mode, text = (draft.kind, draft.body) if draft is not None else ("reply", "")
        if ticket_id in self._unsaved:
            mode, text = self._unsaved[ticket_id]
        self._loading = True
        load_draft(self.text_edit, text)   # formatted drafts come back formatted
        self._loading = False
        self._apply_mode(mode)
        self.setEnabled(ticket_id is not None)
        self.message_label.clear()
        self.text_edit.setExtraSelections([])
        self.draft_label.setText("draft restored" if text.strip() else "")
        self._show_field_changes()
        self.refresh_sends()

    def on_reply_mode(self) -> None:
        self.set_mode("reply")
        self.text_edit.setFocus()

    def on_note_mode(self) -> None:
        self.set_mode("note")
        self.text_edit.setFocus()

    def set_mode(self, mode: str) -> None:
        if mode not in ("reply", "note") or mode == self._mode:
            self._apply_mode(self._mode)
            return
        old = self._mode
        self._apply_mode(mode)
        if self._ticket_id is not None and self.body().strip():
            self._save_timer.stop()
            ticket_id, body = self._ticket_id, draft_text(self.text_edit)
            self._unsaved[ticket_id] = (mode, body)
            self._replies.move_draft(ticket_id=ticket_id, old_kind=old, new_kind=mode, body=body, initiator=self,
                                     done=lambda _c: self._unsaved.get(ticket_id) == (mode, body)
                                     and self._unsaved.pop(ticket_id))
        self.mode_changed.emit(mode)

    def _apply_mode(self, mode: str) -> None:
        self._mode = mode
        if self.attachment_strip is not None:
            self.attachment_strip.show_for(self._ticket_id, mode)
        self.reply_button.setChecked(mode == "reply")
        self.note_button.setChecked(mode == "note")
        self.text_edit.setStyleSheet(note_style(theme.colours()) if mode == "note" else "")
        self.text_edit.setPlaceholderText("Write an internal note for agents… (Ctrl+Enter saves it)"
                                          if mode == "note" else "Write a reply… (Ctrl+Enter sends)")

    # -- drafts ---------------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        if self._loading or self._ticket_id is None or self._sending \
                or self.spelling is not None and self.spelling.rechecking:
            return
        self.draft_label.setText("editing…")
        self._save_timer.start()
        if FRAGMENT_TAG.search(self.body()):
            self._fragment_timer.start()

    def expand_fragments_now(self) -> None:
        """Replace the fragment tags typed in the text by their fragments (off the GUI thread)."""
        body, ticket_id = self.body(), self._ticket_id
        if ticket_id is None or self._sending or not FRAGMENT_TAG.search(body):
            return

        def expanded(pairs: list[tuple[str, str]]) -> None:
            if ticket_id != self._ticket_id or self._sending or self.body() != body:
                return   # typed on meanwhile: the next pause expands it
            cursor = QTextCursor(self.text_edit.document())
            cursor.beginEditBlock()   # one Ctrl+Z takes the expansion back
            for tag, text in pairs:
                found = self.text_edit.document().find(tag)
                if not found.isNull():
                    found.insertText(fill_template(text, self._context()))
            cursor.endEditBlock()
            self.message_label.clear()

        def failed(message: str) -> None:
            if ticket_id == self._ticket_id:
                self.message_label.setText(message)
        self._replies.expand_fragments(body, done=expanded, failed=failed)

    def save_draft_now(self) -> None:
        """Write the draft (or delete it when the editor is empty); called by the debounce timer."""
        self._save_timer.stop()
        if self._ticket_id is None or self._sending:
            return
        body, ticket_id, kind = draft_text(self.text_edit), self._ticket_id, self._mode
        self._unsaved[ticket_id] = (kind, body)

        def saved(_change) -> None:
            if self._unsaved.get(ticket_id) == (kind, body):
                del self._unsaved[ticket_id]
                if ticket_id == self._ticket_id and draft_text(self.text_edit) == body:
                    self.draft_label.setText("draft saved" if body.strip() else "")
        self._replies.save_draft(ticket_id=ticket_id, kind=kind, body=body, initiator=self, done=saved)

    # -- canned replies and placeholders -----------------------------------------------

    def _context(self) -> dict:
        return dict(self._details.context) if self._details is not None else {}

    def insert_canned_reply(self, reply: CannedReply) -> None:
        """Insert at the cursor with placeholders rendered; carry the macro's field changes."""
        if self._ticket_id is None or self._sending:
            return
        if reply.html_template and self.text_edit.acceptRichText():   # canned replies keep their formatting
            self.text_edit.textCursor().insertHtml(sanitize_comment_html(fill_template(reply.html_template,
                                                                                       self._context())))
        else:
            self.text_edit.textCursor().insertText(fill_template(reply.template, self._context()))
        if not reply.public and self._mode == "reply":
            self.set_mode("note")
        self._field_changes.update(reply.field_changes)
        self._canned_reply_id = reply.macro_id or None
        self._show_field_changes()
        self.check_placeholders()
        self.text_edit.setFocus()

    def clear_field_changes(self) -> None:
        self._field_changes = {}
        self._show_field_changes()

    @property
    def field_changes(self) -> dict:
        return dict(self._field_changes)


    def _show_field_changes(self) -> None:
        shown = bool(self._field_changes)
        text = describe_fields(self._field_changes, self._details.field_name if self._details is not None else None)
        self.changes_label.setText(f"Also applies: {text}" if shown else "")
        self.changes_label.setVisible(shown)
        self.clear_changes_button.setVisible(shown)

    def check_placeholders(self) -> list[UnresolvedPlaceholder]:
        """Highlight every placeholder in the text that can't be filled; return them."""
        body = self.body()
        _text, problems = render_preview(body, self._context())
        self._highlight(body, problems)
        if problems:
            names = "; ".join(p.message for p in problems[:3])
            self.message_label.setText(f"Can't send yet: {names}. Fill it in or remove it.")
        else:
            self.message_label.clear()
        return problems

    def _highlight(self, body: str, problems: list[UnresolvedPlaceholder]) -> None:
        marks = []
        colours = theme.colours()
        mark_background, mark_ink = colours.tones["bad"]
        for problem in problems:
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(mark_background))
            fmt.setForeground(QColor(mark_ink))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(colours.error))
            fmt.setToolTip(problem.message)
            selection.format = fmt
            cursor = QTextCursor(self.text_edit.document())
            cursor.setPosition(utf16_offset(body, problem.start))
            cursor.setPosition(utf16_offset(body, problem.end), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            marks.append(selection)
        self.text_edit.setExtraSelections(marks)

    # -- sending ---------------------------------------------------------------------------

    def send_later(self) -> bool:
        """Ask when, then queue it to go out then (kept in the outbox across restarts)."""
        if self._ticket_id is None or not self.body().strip():
            self.message_label.setText("Nothing to send: write a reply first.")
            return False
        when = SendLaterDialog.ask(self)
        return when is not None and self.send(send_at=when)

    def restore(self, ticket_id: int, kind: str, body: str) -> None:
        """A message taken back from the outbox (undo send, edit): its text back in the editor,
        after anything typed since (nothing typed is lost)."""
        if ticket_id != self._ticket_id or self._sending:
            return
        typed = self.body()
        if kind != self._mode and not typed.strip():
            self._apply_mode(kind)
        self.text_edit.setPlainText(body if not typed.strip() else f"{typed.rstrip()}\n\n{body}")
        self.text_edit.moveCursor(QTextCursor.MoveOperation.End)
        self.draft_label.setText("taken back from the outbox")
        self.text_edit.setFocus()

    def send(self, status: str | None = None, open_next: bool = False, confirmed: bool = False,
             send_at: float | None = None) -> bool:
        """Queue the reply/note in the outbox; False (with a message) while anything is wrong.
        ``confirmed``: the agent chose "Send anyway" for a reply contradicting the account's policy;
        ``send_at`` (local epoch): send later."""
        if self._ticket_id is None or self._sending:
            return False
        body = self.body()
        if not body.strip():
            self.message_label.setText("Nothing to send: write a reply first.")
            return False
        if self.check_placeholders():
            return False
        self._save_timer.stop()
        self._sending = True
        self.text_edit.setReadOnly(True)
        self.draft_label.setText("queuing…")
        ticket_id, kind = self._ticket_id, self._mode
        self._unsaved.pop(ticket_id, None)
        fields = {**self._field_changes, **({"status": status} if status else {})}
        html = formatted_html(self.text_edit.document()) if self.text_edit.acceptRichText() else None
        self._replies.send(ticket_id=ticket_id, kind=kind, body=body, html=html, fields=fields, initiator=self,
                           done=lambda op_id: self._queued(ticket_id, op_id, open_next),
                           refused=lambda error: self._refused(ticket_id, error, status, open_next),
                           canned_reply_id=self._canned_reply_id, confirmed=confirmed, send_at=send_at)
        return True

    def _queued(self, ticket_id: int, op_id: str, open_next: bool) -> None:
        if ticket_id != self._ticket_id:
            return
        self._sending = False
        self.text_edit.setReadOnly(False)
        self._loading = True
        self.text_edit.clear()
        self._loading = False
        self._field_changes = {}
        self._canned_reply_id = None
        self._show_field_changes()
        self.message_label.clear()
        self.text_edit.setExtraSelections([])
        self.draft_label.setText("")   # the draft is gone; the line under the editor follows the reply itself
        self.reply_queued.emit(op_id)
        if open_next:
            self.open_next_requested.emit()

    def _refused(self, ticket_id: int, error: SendRefused, status: str | None = None,
                 open_next: bool = False) -> None:
        if ticket_id != self._ticket_id:
            return
        self._sending = False
        self.text_edit.setReadOnly(False)
        self.draft_label.setText("")
        self.message_label.setText(str(error))
        if error.problems:
            self._highlight(self.body(), error.problems)
        self._save_timer.start()   # the text stays: keep it as a draft
        if isinstance(error, PolicyContradiction):
            self.message_label.setText("Not sent: the reply promises what the account's policy contradicts.")
            self._ask_policy(error.promises, self.body(), status, open_next)

    def _ask_policy(self, promises: list[str], body: str, status: str | None, open_next: bool) -> None:
        """Send anyway (the same text, confirmed) or edit; nothing is queued meanwhile."""
        self._close_policy_dialog()
        dialog = PolicyConfirmation(promises, self)
        self.policy_dialog = dialog

        def answered(result: int) -> None:
            if self.policy_dialog is dialog:
                self.policy_dialog = None
            dialog.deleteLater()
            if result == PolicyConfirmation.DialogCode.Accepted and self.body() == body:
                self.send(status=status, open_next=open_next, confirmed=True)
            else:
                self.text_edit.setFocus()
        dialog.finished.connect(answered)
        dialog.open()

    def _close_policy_dialog(self) -> None:
        dialog, self.policy_dialog = self.policy_dialog, None
        if dialog is not None:
            dialog.finished.disconnect()
            dialog.reject()
            dialog.deleteLater()

    def refresh_sends(self) -> None:
        """Show the state of this ticket's last three outgoing replies/notes."""
        details = self._details
        if details is None:
            self.sends_label.clear()
            self.sends_label.setToolTip("")
            return
        entries = [e for e in details.outbox if e.kind in ("reply", "note")][-3:]
        colours = theme.colours()
        parts = []
        for entry in entries:
            words = " ".join(str(entry.payload.get("body", "")).split()[:4])
            tip = f' title="{html.escape(entry.last_error)}"' if entry.last_error else ""
            parts.append(f'<span style="color:{state_colour(entry.state, colours)}"{tip}>'
                         f"<b>{entry.state}</b></span> {html.escape(words)}…")
        self.sends_label.setText(" · ".join(parts))
        self.sends_label.setToolTip("\n".join(f"{e.state}: {e.last_error}" for e in entries if e.last_error))
