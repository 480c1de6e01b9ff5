"""``support-console report --cache PATH --csv FILE [--png FILE]``: the dashboard, headless.

For a scheduled daily report: the same snapshot the window shows (``store.dashboard``), the
SLA targets from the user's settings, local days in this machine's time zone ($TZ to choose
another). The PNG is drawn by the real dashboard widget on Qt's offscreen platform. Exit 0 on
success, 2 with a one-line explanation for a missing or unusable cache or unwritable output.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

PNG_SIZE = (1400, 900)
_APP = None


class ReportError(Exception):
    """Why the report could not be made; the message is for people."""


def check_cache(path: Path) -> None:
    """Refuse a missing file, a non-database or a database that is not a Support Console cache."""
    if not path.is_file():
        raise ReportError(f"No cache file at {path}. Give the --cache of a synced Support Console cache.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ReportError(f"{path} is not a Support Console cache ({exc}).") from exc
    if not {"tickets", "comments", "users", "sync_state"} <= tables:
        raise ReportError(f"{path} is a database but not a Support Console cache (no tickets table).")


def make_snapshot(cache: Path, prefs=None, tz=None, now: float | None = None):
    from console.store import CacheReader, StoreError
    from console.store.dashboard import dashboard_snapshot
    from console.views.dashboard import policy_from_prefs

    check_cache(cache)
    try:
        with CacheReader(cache) as reader:
            return dashboard_snapshot(reader, policy_from_prefs(prefs), now=now, tz=tz)
    except (StoreError, sqlite3.Error) as exc:
        raise ReportError(f"Cannot read the cache {cache}: {exc}") from exc


def render_png(snapshot, path: Path) -> None:
    """Draw the dashboard widget offscreen and save it."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    from console.views.dashboard import DashboardView

    global _APP  # the application must outlive every widget, so it is never a local
    app = _APP = QApplication.instance() or QApplication(["support-console-report"])
    view = DashboardView(snapshot=snapshot)
    view.set_connection_state("Report from cache")
    view.csv_button.hide()
    view.png_button.hide()
    view.resize(*PNG_SIZE)
    view.show()
    app.processEvents()
    saved = view.export_png(path)
    view.close()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if not saved:
        raise ReportError(f"Could not write the picture {path}.")


def run(args, *, prefs=None, now: float | None = None) -> int:
    """``support-console report``; ``prefs`` (default: the saved settings) and ``now`` (default: the clock)."""
    from console.config import Preferences
    from console.views.dashboard import write_csv

    try:
        prefs = Preferences.load() if prefs is None else prefs
        snapshot = make_snapshot(Path(args.cache), prefs, _zone(getattr(args, "tz", None)), now)
        try:
            write_csv(snapshot, args.csv)
        except OSError as exc:
            raise ReportError(f"Could not write the CSV {args.csv}: {exc.strerror or exc}") from exc
        if getattr(args, "png", None):
            render_png(snapshot, Path(args.png))
    except ReportError as exc:
        print(f"support-console report: {exc}", file=sys.stderr)
        return 2
    print(f"Dashboard {snapshot.as_of()}: {len(snapshot.departments)} departments, "
          f"{len(snapshot.agents)} agents -> {args.csv}" + (f", {args.png}" if getattr(args, "png", None) else ""))
    return 0


def _zone(name: str | None):
    """The --tz option as a ZoneInfo (None = the machine's zone); a bad name is a ReportError."""
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ReportError(f"Unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from exc
