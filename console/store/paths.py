"""Where an account's cache file lives by default."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

APP_NAME = "support-console"


def default_cache_path(base_url: str, email: str) -> Path:
    """``<user data dir>/support-console/caches/<host>-<email hash>.sqlite``.

    One file per helpdesk account; the email is hashed so it does not show in file names.
    The CLI's ``--cache`` overrides this.
    """
    parts = urlsplit(base_url if "//" in base_url else f"//{base_url}")
    host = (parts.hostname or "helpdesk").lower()
    if parts.port:
        host = f"{host}_{parts.port}"
    host = re.sub(r"[^a-z0-9._-]+", "_", host)
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "caches" / f"{host}-{digest}.sqlite"
