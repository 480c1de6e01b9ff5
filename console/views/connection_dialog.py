"""First-run sign-in dialog, and the sign-out confirmation.

API for ``app.py``::

    dialog = ConnectionDialog(prefs, runner)               # prefs: config.Preferences (pre-fills URL/email)
    if dialog.exec() == QDialog.Accepted:
        choice = dialog.choice                              # ConnectionChoice
        choice.demo     # True: start the embedded demo helpdesk and sign in as choice.email (demo token)
        choice.url, choice.email, choice.agent              # else: the checked helpdesk and the agent's /users/me
    # the token is already in the keyring (or, opted in, the private file); prefs are saved.

    SignOutDialog.ask(prefs, cache_path, parent) -> bool    # True = signed out (token gone, cache if ticked)

"Test connection" runs :func:`console.connection.check_connection` through the runner
(``console.ops.Runner.call``: off the GUI thread) and shows its one-sentence answer. Where no keyring backend exists, the dialog says so and offers the explicit
opt-in "keep the token in a private file"; it never falls back silently.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console import config
from console.connection import ConnectionCheck, check_connection, save_demo_choice, save_sign_in, sign_out
from console.demo.accounts import demo_account

from . import theme


@dataclass(frozen=True)
class ConnectionChoice:
    demo: bool
    url: str
    email: str
    agent: dict = field(default_factory=dict)


class ConnectionDialog(QDialog):
    """Helpdesk URL, email and API token, with "Test connection" and "Use the demo helpdesk"."""

    check_finished = Signal(object)   # ConnectionCheck: what "Test connection" found

    def __init__(self, prefs: config.Preferences, runner=None, parent: QWidget | None = None, *,
                 keyring_ok: bool | None = None, config_folder=None):
        super().__init__(parent)
        self.prefs = prefs
        self.runner = runner
        self.choice: ConnectionChoice | None = None
        self.last_check: ConnectionCheck | None = None
        self.keyring_ok = config.keyring_available() if keyring_ok is None else keyring_ok
        self.config_folder = config_folder or config.config_dir()
        self._checking = False
        self._sign_in_after_check = False
        self._pending_inputs: tuple = ()
        self._checked_inputs: tuple = ()
        self.setWindowTitle("Connect to your helpdesk")
        self.setObjectName("connection_dialog")
        self._build()

    # ---- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        intro = QLabel("Sign in with your helpdesk address, your email and an API token "
                       "(Admin Center → Apps and integrations → APIs).")
        intro.setWordWrap(True)
        self.url_edit = QLineEdit(self.prefs.get("helpdesk_url"))
        self.url_edit.setPlaceholderText("https://yourcompany.zendesk.com")
        self.email_edit = QLineEdit(self.prefs.get("agent_email"))
        self.email_edit.setPlaceholderText("you@yourcompany.com")
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.Password)
        self.token_edit.setPlaceholderText("API token")
        form = QFormLayout()
        form.addRow("Helpdesk &address", self.url_edit)
        form.addRow("&Email", self.email_edit)
        form.addRow("API &token", self.token_edit)

        self.test_button = QPushButton("&Test connection")
        self.test_button.clicked.connect(self.on_test_clicked)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.status_label, 1)

        self.keyring_label = QLabel(
            "No system keyring was found on this computer, so the token cannot be kept in one. "
            "You can keep it in a private file instead (readable only by your user account, "
            f"in {self.config_folder}), or set SUPPORT_CONSOLE_TOKEN in the environment.")
        self.keyring_label.setWordWrap(True)
        self.file_checkbox = QCheckBox("Keep the token in a private file")
        self.keyring_label.setVisible(not self.keyring_ok)
        self.file_checkbox.setVisible(not self.keyring_ok)

        self.demo_button = QPushButton("Use the &demo helpdesk")
        self.demo_button.setToolTip("Start the built-in helpdesk with sample tickets; nothing leaves this computer.")
        self.demo_button.clicked.connect(self.on_demo_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.sign_in_button = buttons.addButton("&Sign in", QDialogButtonBox.AcceptRole)
        self.sign_in_button.setDefault(True)
        buttons.addButton(self.demo_button, QDialogButtonBox.ActionRole)
        buttons.accepted.connect(self.on_sign_in_clicked)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addWidget(self.keyring_label)
        layout.addWidget(self.file_checkbox)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

    # ---- test connection ------------------------------------------------------------------
    def on_test_clicked(self) -> None:
        self._sign_in_after_check = False
        self.start_check()

    def start_check(self) -> None:
        if self._checking:
            return
        self._checking = True
        self._set_busy(True)
        self.show_status("Checking…", None)
        url, email, token = self._pending_inputs = self._inputs()
        self.runner.call(check_connection, url, email, token, done=self.on_check_finished)

    def on_check_finished(self, check: ConnectionCheck) -> None:
        self.check_finished.emit(check)
        self._checking = False
        self._set_busy(False)
        self.last_check = check
        self._checked_inputs = self._pending_inputs if check.ok else ()
        self.show_status(check.message, check.ok)
        if self._sign_in_after_check and check.ok:
            self.url_edit.setText(check.url)
            self._finish_sign_in(check)
        self._sign_in_after_check = False

    def show_status(self, text: str, ok: bool | None) -> None:
        colour = {True: theme.colours().ok, False: theme.colours().error}.get(ok)
        self.status_label.setStyleSheet(f"color: {colour};" if colour else "")
        self.status_label.setText(("✓ " if ok else "✗ " if ok is False else "") + text)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.test_button, self.sign_in_button, self.demo_button):
            widget.setEnabled(not busy)

    # ---- sign in / demo -------------------------------------------------------------------
    def on_sign_in_clicked(self) -> None:
        if not self.keyring_ok and not self.file_checkbox.isChecked():
            self.show_status("No keyring is available: tick \"Keep the token in a private file\" to sign in, "
                             "or set SUPPORT_CONSOLE_TOKEN and use the command line.", False)
            return
        check = self.last_check
        if check and check.ok and self._checked_inputs == self._inputs():
            self._finish_sign_in(check)
            return
        self._sign_in_after_check = True
        self.start_check()

    def _inputs(self) -> tuple[str, str, str]:
        return self.url_edit.text().strip(), self.email_edit.text().strip(), self.token_edit.text().strip()

    def _finish_sign_in(self, check: ConnectionCheck) -> None:
        storage = "keyring" if self.keyring_ok else "file"
        tokens = config.TokenStore(storage, self.config_folder)
        try:
            save_sign_in(self.prefs, tokens, check.url, self.email_edit.text(), self.token_edit.text())
        except config.NoKeyringError as exc:
            self.show_status(str(exc), False)
            return
        except OSError as exc:
            self.show_status(f"Could not save the sign-in: {exc.strerror or exc}", False)
            return
        self.choice = ConnectionChoice(False, check.url, self.email_edit.text().strip(), dict(check.agent))
        self.accept()

    def on_demo_clicked(self) -> None:
        agent = demo_account("agent")
        try:
            save_demo_choice(self.prefs, agent.email)
        except OSError as exc:
            self.show_status(f"Could not save the choice: {exc.strerror or exc}", False)
            return
        self.choice = ConnectionChoice(True, "", agent.email, {"name": agent.name, "email": agent.email,
                                                               "role": agent.role})
        self.accept()


class SignOutDialog(QDialog):
    """Confirms sign-out; optionally deletes the local cache too."""

    def __init__(self, pending: int = 0, parent: QWidget | None = None, unsent: list[str] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Sign out")
        text = QLabel("Sign out removes your API token from this computer.")
        text.setWordWrap(True)
        self.delete_cache = QCheckBox("Also delete the local copy of tickets (the cache)")
        unsent = list(unsent or [])
        shown = unsent[:8] + ([f"… and {len(unsent) - 8} more"] if len(unsent) > 8 else [])
        self.unsent = QLabel("Not sent yet (kept in the cache for your next sign-in):<br>"
                             + "<br>".join("• " + html.escape(u) for u in shown) if unsent else "")
        self.unsent.setObjectName("unsentList")
        self.unsent.setWordWrap(True)
        self.unsent.setVisible(bool(unsent))
        pending = max(pending, len(unsent))
        warning = QLabel(f"{pending} draft(s) or change(s) not yet sent would be lost." if pending else "")
        warning.setStyleSheet(f"color: {theme.colours().error};")
        warning.setVisible(False)
        self.warning = warning
        self.delete_cache.toggled.connect(lambda on: warning.setVisible(bool(pending) and on))
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        buttons.addButton("Sign &out", QDialogButtonBox.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (text, self.unsent, self.delete_cache, warning, buttons):
            layout.addWidget(widget)

    @classmethod
    def ask(cls, prefs: config.Preferences, cache_path=None, parent: QWidget | None = None, pending: int = 0,
            tokens: config.TokenStore | None = None, unsent: list[str] | None = None) -> bool:
        dialog = cls(pending, parent, unsent)
        if dialog.exec() != QDialog.Accepted:
            return False
        tokens = tokens or config.TokenStore(prefs.get("token_storage"))
        try:
            sign_out(prefs, tokens, cache_path, delete_cache=dialog.delete_cache.isChecked())
        except OSError as exc:
            QMessageBox.warning(parent, "Sign out", f"Signed out, but the cache could not be deleted: {exc}")
        return True
