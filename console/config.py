"""Settings and paths.

Each preference is declared once below: name, type, default, description, and how the settings
dialog shows it (label, section, range, suffix). ``Preferences`` reads them as attributes
(``prefs.theme``) or by name (``prefs.get("theme")``), validates every value against its
declaration, and calls back whoever asked (``prefs.on_change("theme", callback)``) when one
changes. Preferences live in ``settings.json`` in the user config dir; window state (geometry,
splitter sizes, the last queue) lives apart in ``state.json`` so that resetting one never
touches the other. API tokens are in neither: ``console.secrets`` keeps them (the OS keyring, or
an explicitly chosen 0600 file); its names are still reachable here (``config.TokenStore``...).
No Qt here.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "support-console"
log = logging.getLogger(__name__)

CONNECTION = "Connection"  # kept by the connection dialog, not the settings dialog
SECTIONS = ("Sync", "Service levels", "Notifications", "Appearance", "Other")  # the settings dialog's order


@dataclass(frozen=True)
class Setting:
    """One preference: what it is, and how the settings dialog shows it."""

    name: str
    type: type
    default: Any
    doc: str
    choices: tuple = ()
    label: str = ""                  # "" = the name, in words
    section: str = "Other"           # one of SECTIONS, or CONNECTION
    minimum: float | None = None     # numbers: the range a value must be in
    maximum: float | None = None
    suffix: str = ""                 # after the number ("s", "pt")
    special: str = ""                # shown instead of the minimum ("System size")

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " ").capitalize())


SETTINGS: tuple[Setting, ...] = (
    Setting("helpdesk_url", str, "", "Helpdesk base URL; empty = the embedded demo helpdesk.", section=CONNECTION),
    Setting("agent_email", str, "", "The agent's sign-in email at the helpdesk.", section=CONNECTION),
    Setting("token_storage", str, "keyring",
            "Where the API token is kept: the OS keyring, or (explicit opt-in where no keyring exists) "
            "a file readable only by you in the config folder.", ("keyring", "file"), section=CONNECTION),
    Setting("sync_interval_seconds", int, 60, "Seconds between background syncs while online.",
            label="Sync every", section="Sync", minimum=15, maximum=3600, suffix=" s"),
    Setting("thread_history_days", int, 90, "Days back (from the helpdesk's newest change) whose solved and "
            "closed tickets get their conversations fetched in the background, for reading and search "
            "offline; 0 = only unsolved tickets' threads.",
            label="Solved conversations", section="Sync", minimum=0, maximum=3650, suffix=" days back",
            special="None (unsolved only)"),
    Setting("undo_send_seconds", int, 10, "Every reply waits this long in the outbox, with an Undo (toast, "
            "Ctrl+Z) that puts the text back in the editor; 0 = send at once.",
            label="Undo send for", section="Sync", minimum=0, maximum=120, suffix=" s", special="Off"),
    Setting("work_offline", bool, False, "Stay offline: queue replies, make no network calls.",
            label="Work offline", section="Sync"),
    Setting("sla_targets", dict, {},
            "First-reply targets in minutes, {department or '*': {priority: minutes}}; empty = defaults "
            "documented in console/domain/sla.py.", label="First-reply targets", section="Service levels"),
    Setting("sla_at_risk_fraction", float, 0.25, "A ticket is at risk when less than this share of its "
            "first-reply target is left.", label="At risk when less than", section="Service levels",
            minimum=0.0, maximum=0.95, suffix=" of the target left"),
    Setting("notify_new_tickets", bool, True, "Notify on a new ticket in my departments.",
            label="New ticket in my departments", section="Notifications"),
    Setting("notify_customer_replies", bool, True, "Notify on a customer reply to my tickets.",
            label="Customer reply on my tickets", section="Notifications"),
    Setting("notify_sync_problems", bool, True, "Notify on sync failures and conflicts.",
            label="Sync failures and conflicts", section="Notifications"),
    Setting("theme", str, "system", "Colour theme.", ("system", "light", "dark"), label="Theme",
            section="Appearance"),
    Setting("spell_check", bool, True, "Mark misspelled words in the reply editor (English dictionary; "
            "right-click a word for suggestions). Also in Edit ▸ Check spelling.", label="Check spelling",
            section="Other"),
    Setting("font_size", int, 0, "Font size in points; 0 = the system size.", label="Font size",
            section="Appearance", minimum=0, maximum=32, suffix=" pt", special="System size"),
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
    """The user's preferences: typed access to the declared settings, saved atomically.

    ``prefs.theme`` is ``prefs.get("theme")``; ``prefs.on_change(name, callback)`` calls
    ``callback(new_value)`` after ``set`` changed that setting (and returns a function that
    stops it). A callback that raises is logged; the others still run."""

    path: Path = field(default_factory=lambda: config_dir() / "settings.json")
    values: dict = field(default_factory=dict)
    _listeners: dict[str, list[Callable[[Any], None]]] = field(default_factory=dict, repr=False, compare=False)

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

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in SETTINGS_BY_NAME:
            raise AttributeError(f"{type(self).__name__!s} has no setting {name!r}")
        return self.get(name)

    def get(self, name: str) -> Any:
        setting = SETTINGS_BY_NAME[name]
        return self.values.get(name, setting.default)

    def set(self, name: str, value: Any) -> None:
        if name not in SETTINGS_BY_NAME:
            raise SettingsError(f"unknown setting {name!r}")
        before = self.get(name)
        self.values[name] = value = _coerce(SETTINGS_BY_NAME[name], value)
        if value != before:
            for callback in list(self._listeners.get(name, ())):
                try:
                    callback(value)
                except Exception:
                    log.exception("a callback for the setting %s failed", name)

    def on_change(self, name: str, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Call ``callback(new_value)`` whenever ``name`` changes; returns the unsubscribe function."""
        if name not in SETTINGS_BY_NAME:
            raise SettingsError(f"unknown setting {name!r}")
        self._listeners.setdefault(name, []).append(callback)

        def stop() -> None:
            if callback in self._listeners.get(name, ()):
                self._listeners[name].remove(callback)

        return stop

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
    if setting.minimum is not None and value < setting.minimum or setting.maximum is not None and value > setting.maximum:
        raise SettingsError(f"{setting.name}: {value!r} is not between {setting.minimum} and {setting.maximum}")
    return value


@dataclass
class WindowState:
    """Geometry, splitter sizes and the last queue, kept apart from preferences (nothing else: the
    agent's user id is the cache's, in its ``sync_state``)."""

    path: Path = field(default_factory=lambda: config_dir() / "state.json")
    values: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> WindowState:
        state = cls(path or config_dir() / "state.json")
        state.values = _read_json(state.path)
        return state

    def save(self) -> None:
        _atomic_write_json(self.path, self.values)


_MOVED_TO_SECRETS = ("KEYRING_SERVICE", "TOKEN_ENV", "NoKeyringError", "TokenStore", "keyring_available",
                     "resolve_token")


def __getattr__(name: str) -> Any:
    """The token names moved to ``console.secrets``; ``config.TokenStore`` etc. still find them."""
    if name in _MOVED_TO_SECRETS:
        from console import secrets

        return getattr(secrets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
