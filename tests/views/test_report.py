"""Exports: the CSV (parsed back) and PNG from the window and from `support-console report`."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from argparse import Namespace

from PySide6.QtGui import QImage

from console.config import Preferences
from console.domain.dashboard import CSV_HEADER
from console.views import report
from console.views.dashboard import DashboardView
from tests import dashboard_desk as dataset

EXPECTED_ROWS = {
    ("department", "10"): dict(name="Billing", new="1", open="2", pending="1", hold="0", unassigned="1",
                               oldest_waiting_ticket="3", oldest_waiting_seconds="43200", sla_breached="1",
                               sla_at_risk="0", median_first_reply_today_seconds="3600",
                               median_first_reply_7d_seconds="7200"),
    ("department", "20"): dict(name="Security", new="0", open="1", pending="0", hold="1", unassigned="0",
                               oldest_waiting_ticket="6", oldest_waiting_seconds="10800", sla_breached="0",
                               sla_at_risk="1", median_first_reply_today_seconds="178200",
                               median_first_reply_7d_seconds="90900"),
    ("department", ""): dict(name="(no department)", new="1", unassigned="1", oldest_waiting_ticket="10",
                             oldest_waiting_seconds="36000", sla_breached="1", median_first_reply_today_seconds=""),
    ("agent", "1"): dict(name="Alice Agent", open_assigned="3", solved_today="2", replies_today="2"),
    ("agent", "2"): dict(name="Bob Admin", open_assigned="2", solved_today="0", replies_today="1"),
}


def _check_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0].keys()) == CSV_HEADER
    by_key = {(r["kind"], r["id"]): r for r in rows}
    assert set(by_key) == set(EXPECTED_ROWS)
    for key, expected in EXPECTED_ROWS.items():
        assert {k: by_key[key][k] for k in expected} == expected, key
        assert by_key[key]["as_of"] == "2025-11-05T09:58:07-05:00"


def _check_png(path, min_width=800, min_height=500):
    image = QImage(str(path))
    assert not image.isNull()
    assert image.width() >= min_width and image.height() >= min_height
    assert len({image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 37)}) > 5


def test_window_exports(qtbot, snapshot, tmp_path):
    view = DashboardView(snapshot=snapshot)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    view.export_csv(tmp_path / "window.csv")
    assert view.export_png(tmp_path / "window.png")
    _check_csv(tmp_path / "window.csv")
    _check_png(tmp_path / "window.png")


def test_headless_report_has_the_same_numbers(qtbot, desk_cache, tmp_path, monkeypatch):
    """report.run with the clock at dataset.NOW and TZ=America/New_York: the hand-worked numbers."""
    monkeypatch.setenv("TZ", "UTC")  # overridden by --tz below
    prefs = Preferences(tmp_path / "settings.json")
    prefs.set("sla_targets", dataset.SLA_TARGETS)
    args = Namespace(cache=str(desk_cache), csv=str(tmp_path / "r.csv"), png=str(tmp_path / "r.png"),
                     tz="America/New_York")
    assert report.run(args, prefs=prefs, now=dataset.NOW) == 0
    _check_csv(tmp_path / "r.csv")
    _check_png(tmp_path / "r.png")


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "console", "report", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})


def test_cli_report_writes_files(desk_cache, tmp_path):
    out = _cli("--cache", str(desk_cache), "--csv", str(tmp_path / "d.csv"), "--png", str(tmp_path / "d.png"),
               env={"SUPPORT_CONSOLE_CONFIG_DIR": str(tmp_path / "cfg")})
    assert out.returncode == 0, out.stderr
    with open(tmp_path / "d.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["kind"], r["name"]) for r in rows] == [("department", "Billing"), ("department", "Security"),
                                                     ("department", "(no department)"),
                                                     ("agent", "Alice Agent"), ("agent", "Bob Admin")]
    _check_png(tmp_path / "d.png")


def test_cli_report_errors_are_one_line(tmp_path):
    missing = _cli("--cache", str(tmp_path / "nope.sqlite"), "--csv", str(tmp_path / "x.csv"))
    assert missing.returncode == 2 and "No cache file" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "nope.sqlite").exists()
    junk = tmp_path / "junk.sqlite"
    junk.write_text("this is not a database" * 100)
    bad = _cli("--cache", str(junk), "--csv", str(tmp_path / "x.csv"))
    assert bad.returncode == 2 and "not a Support Console cache" in bad.stderr and "Traceback" not in bad.stderr
    zone = _cli("--cache", str(junk), "--csv", str(tmp_path / "x.csv"), "--tz", "Mars/Olympus")
    assert zone.returncode == 2 and "Unknown time zone" in zone.stderr and "Traceback" not in zone.stderr
