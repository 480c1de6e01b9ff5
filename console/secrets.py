"""API tokens: the OS keyring, or an explicitly chosen private file. Never settings, logs or the cache.

Tokens live in the OS keyring (DESIGN.md invariant 5), one entry per ``email@url``. Where no
keyring backend exists (headless Linux), ``TokenStore`` says so (``NoKeyringError``) and only an
explicit opt-in (the ``token_storage = "file"`` setting) keeps them in ``tokens.json``, mode 0600,
in the config folder. ``resolve_token`` picks the token to use: an explicit one, else
``$SUPPORT_CONSOLE_TOKEN``, else the store.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from console import config

KEYRING_SERVICE = "support-console"
TOKEN_ENV = "SUPPORT_CONSOLE_TOKEN"


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
    folder: Path = field(default_factory=config.config_dir)

    def _account(self, url: str, email: str) -> str:
        return f"{email.strip().lower()}@{url.rstrip('/')}"

    def _file(self) -> Path:
        return self.folder / "tokens.json"

    def get(self, url: str, email: str) -> str | None:
        if self.storage == "file":
            return config._read_json(self._file()).get(self._account(url, email))
        if not keyring_available():
            return None
        import keyring

        return keyring.get_password(KEYRING_SERVICE, self._account(url, email))

    def set(self, url: str, email: str, token: str) -> None:
        if self.storage == "file":
            tokens = config._read_json(self._file())
            tokens[self._account(url, email)] = token
            config._atomic_write_json(self._file(), tokens)
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
            tokens = config._read_json(self._file())
            if tokens.pop(self._account(url, email), None) is not None:
                config._atomic_write_json(self._file(), tokens)
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
