"""Settings, paths and secrets.

Each preference is declared once below (name, type, default, description). Preferences live in
``settings.json`` in the user config dir; window state (geometry, splitter sizes, last queue)
lives apart in ``state.json`` so that resetting one never touches the other. API tokens never
go in either: they live in the OS keyring (DESIGN.md invariant 5). Where no keyring backend
exists (headless Linux), :class:`TokenStore` says so, and only an explicit opt-in
(``token_storage = "file"``) keeps the token in a 0600 file in the config dir.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "support-console"
KEYRING_SERVICE = "support-console"
TOKEN_ENV = "SUPPORT_CONSOLE_TOKEN"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    doc: str
    choices: tuple = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("helpdesk_url", str, "", "Helpdesk base URL; empty = the embedded demo helpdesk."),
    Setting("agent_email", str, "", "The agent's sign-in email at the helpdesk."),
    Setting("token_storage", str, "keyring",
            "Where the API token is kept: the OS keyring, or (explicit opt-in where no keyring exists) "
            "a file readable only by you in the config folder.", ("keyring", "file")),
    Setting("sync_interval_seconds", int, 60, "Seconds between background syncs while online."),
    Setting("work_offline", bool, False, "Stay offline: queue replies, make no network calls."),
    Setting("thread_history_days", int, 90, "Days back (from the helpdesk's newest change) whose solved and "
            "closed tickets get their conversations fetched in the background, for reading and search "
            "offline; 0 = only unsolved tickets' threads."),
    Setting("sla_targets", dict, {},
            "First-reply targets in minutes, {department or '*': {priority: minutes}}; empty = defaults "
            "documented in console/domain/sla.py."),
    Setting("sla_at_risk_fraction", float, 0.25, "A ticket is at risk when less than this share of its "
            "first-reply target is left."),
    Setting("notify_new_tickets", bool, True, "Notify on a new ticket in my departments."),
    Setting("notify_customer_replies", bool, True, "Notify on a customer reply to my tickets."),
    Setting("notify_sync_problems", bool, True, "Notify on sync failures and conflicts."),
    Setting("theme", str, "system", "Colour theme.", ("system", "light", "dark")),
    Setting("font_size", int, 0, "Font size in points; 0 = the system size."),
)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


def config_dir() -> Path:
    return Path(os.environ.get("SUPPORT_CONSOLE_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return Path(os.environ.get("SUPPORT_CONSOLE_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def log_dir() -> Path:
    return Path(os.environ.get("SUPPORT_CONSOLE_LOG_DIR") or platformdirs.user_log_dir(APP_NAME))


def _atomic_write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class SettingsError(ValueError):
    pass


@dataclass
class Preferences:
    """The user's preferences: typed access to the declared settings, saved atomically."""

    path: Path = field(default_factory=lambda: config_dir() / "settings.json")
    values: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Preferences:
        prefs = cls(path or config_dir() / "settings.json")
        for name, value in _read_json(prefs.path).items():
            if name in SETTINGS_BY_NAME:
                try:
                    prefs.values[name] = _coerce(SETTINGS_BY_NAME[name], value)
                except SettingsError:
                    pass  # a hand-edited bad value falls back to the default
        return prefs

    def get(self, name: str) -> Any:
        setting = SETTINGS_BY_NAME[name]
        return self.values.get(name, setting.default)

    def set(self, name: str, value: Any) -> None:
        if name not in SETTINGS_BY_NAME:
            raise SettingsError(f"unknown setting {name!r}")
        self.values[name] = _coerce(SETTINGS_BY_NAME[name], value)

    def save(self) -> None:
        _atomic_write_json(self.path, self.values)


def _coerce(setting: Setting, value: Any) -> Any:
    if setting.type is bool and isinstance(value, str):
        value = value.strip().lower() in ("1", "true", "yes", "on")
    try:
        value = setting.type(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{setting.name}: expected {setting.type.__name__}, got {value!r}") from exc
    if setting.choices and value not in setting.choices:
        raise SettingsError(f"{setting.name}: {value!r} is not one of {', '.join(setting.choices)}")
    return value


@dataclass
class WindowState:
    """Geometry and layout, kept apart from preferences."""

    path: Path = field(default_factory=lambda: config_dir() / "state.json")
    values: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> WindowState:
        state = cls(path or config_dir() / "state.json")
        state.values = _read_json(state.path)
        return state

    def save(self) -> None:
        _atomic_write_json(self.path, self.values)


class NoKeyringError(RuntimeError):
    """No OS keyring backend is available (typical on headless Linux)."""


def keyring_available() -> bool:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    chained = getattr(backend, "backends", None)
    return not (chained is not None and not chained)


@dataclass
class TokenStore:
    """API tokens: the OS keyring, or an explicitly chosen 0600 file. Never settings or the cache."""

    storage: str = "keyring"
    folder: Path = field(default_factory=config_dir)

    def _account(self, url: str, email: str) -> str:
        return f"{email.strip().lower()}@{url.rstrip('/')}"

    def _file(self) -> Path:
        return self.folder / "tokens.json"

    def get(self, url: str, email: str) -> str | None:
        if self.storage == "file":
            return _read_json(self._file()).get(self._account(url, email))
        if not keyring_available():
            return None
        import keyring

        return keyring.get_password(KEYRING_SERVICE, self._account(url, email))

    def set(self, url: str, email: str, token: str) -> None:
        if self.storage == "file":
            tokens = _read_json(self._file())
            tokens[self._account(url, email)] = token
            _atomic_write_json(self._file(), tokens)
            os.chmod(self._file(), 0o600)
            return
        if not keyring_available():
            raise NoKeyringError(
                "No system keyring is available to keep the API token. Install and unlock one "
                "(e.g. GNOME Keyring or KWallet), set SUPPORT_CONSOLE_TOKEN in the environment, or choose "
                "'keep the token in a private file' explicitly.")
        import keyring

        keyring.set_password(KEYRING_SERVICE, self._account(url, email), token)

    def delete(self, url: str, email: str) -> None:
        if self.storage == "file":
            tokens = _read_json(self._file())
            if tokens.pop(self._account(url, email), None) is not None:
                _atomic_write_json(self._file(), tokens)
            return
        if keyring_available():
            import keyring
            from keyring.errors import PasswordDeleteError

            try:
                keyring.delete_password(KEYRING_SERVICE, self._account(url, email))
            except PasswordDeleteError:
                pass


def resolve_token(url: str, email: str, explicit: str | None = None, store: TokenStore | None = None) -> str | None:
    """The token to use: explicit argument, else $SUPPORT_CONSOLE_TOKEN, else the token store."""
    if explicit:
        return explicit
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV]
    return (store or TokenStore()).get(url, email)
