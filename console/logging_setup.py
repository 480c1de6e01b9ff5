"""Logging for the console: a rotating file in the user log dir, tokens redacted, bodies never logged.

Call once at start-up (``app.py`` / the ``sync`` and ``serve`` commands)::

    from console.logging_setup import register_secret, setup_logging
    log_file = setup_logging(verbose=args.verbose)          # -> Path of the log file
    log_file = setup_logging(verbose=args.verbose, name=SERVER_LOG_FILE_NAME)   # serve: helpdesk.log
    register_secret(token)                                  # every token the command uses

- The file is ``config.log_dir() / name`` (default "support-console.log"), rotated at 1 MiB,
  5 kept, mode 0600.
- ``verbose=True`` logs DEBUG (else INFO) and also echoes to stderr.
- :class:`RedactingFilter` sits on every handler we add: it rewrites Authorization headers,
  ``email/token:SECRET``, ``Bearer SECRET``, ``Basic <b64>`` and ``api_token=...`` to ``[REDACTED]``,
  plus any literal secret registered with :func:`register_secret` (the token in use).
- Message bodies are never logged: a record carrying ``extra={"body": ...}`` or ``html_body`` /
  ``plain_body`` attributes has them dropped, and records from loggers named in ``BODY_LOGGERS``
  (urllib3's wire dumps) are kept at INFO or above only.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import threading
from pathlib import Path

from console import config

LOG_FILE_NAME = "support-console.log"
SERVER_LOG_FILE_NAME = "helpdesk.log"
MAX_BYTES = 1024 * 1024
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
REDACTED = "[REDACTED]"
BODY_ATTRIBUTES = ("body", "html_body", "plain_body", "comment_body")
BODY_LOGGERS = ("urllib3.connectionpool", "http.client", "hpack")
QUIET_LOGGERS = ("faker",)  # kept at INFO even with --verbose: pages of locale chatter, nothing of ours

_PATTERNS = (
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(basic|bearer)?\s*[^'\",}\s]+"),
    re.compile(r"(?i)(/token:)[^\s'\",}]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)(basic\s+)[A-Za-z0-9+/=]{8,}"),
    re.compile(r"(?i)((?:api_?)?token['\"]?\s*[:=]\s*['\"]?)[^\s'\",}&]+"),
)

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(secret: str | None) -> None:
    """Redact this exact string wherever it shows up in a log line (e.g. the API token in use)."""
    if secret and len(secret) >= 4:
        with _secrets_lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    """``text`` with tokens and auth headers replaced by ``[REDACTED]``."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED if m.group(1) else REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message with secrets redacted and drops message bodies."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(BODY_LOGGERS) and record.levelno < logging.INFO:
            return False
        for name in BODY_ATTRIBUTES:
            if name in record.__dict__:
                record.__dict__[name] = "[body not logged]"
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None
        return True


def log_file_path(folder: Path | None = None, name: str = LOG_FILE_NAME) -> Path:
    if not name or Path(name).name != name:
        raise ValueError(f"a log file name, not a path: {name!r}")
    return (folder or config.log_dir()) / name


def setup_logging(verbose: bool = False, folder: Path | None = None, *, stderr: bool | None = None,
                  name: str = LOG_FILE_NAME) -> Path:
    """Install the rotating, redacting log file (idempotent: earlier handlers of ours are replaced)."""
    path = log_file_path(folder, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_support_console", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                                        encoding="utf-8")
    os.chmod(path, 0o600)
    handlers: list[logging.Handler] = [file_handler]
    if verbose if stderr is None else stderr:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler._support_console = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in BODY_LOGGERS + QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    logging.getLogger(__name__).info("logging to %s (verbose=%s)", path, verbose)
    return path
