"""Builds the PyInstaller one-folder app and smoke-runs the binary (slow: only when asked).

    SUPPORT_CONSOLE_BUILD_INSTALLER=1 QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/app/test_installer.py
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "dist" / "support-console" / "support-console"

pytestmark = pytest.mark.skipif(
    os.environ.get("SUPPORT_CONSOLE_BUILD_INSTALLER") != "1",
    reason="building the installer takes a minute or more and ~300 MB; set SUPPORT_CONSOLE_BUILD_INSTALLER=1")


@pytest.mark.timeout(1200)
def test_build_and_smoke_run():
    result = subprocess.run(["bash", str(ROOT / "scripts" / "build_installer.sh")], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "PYTHON": sys.executable})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "smoke: passed" in output and "smoke: healthz" in output
    assert BINARY.exists()
    internal = BINARY.parent / "_internal"
    for needed in ("console/resources/icons/support-console.svg", "console/resources/demo/departments.json",
                   "PySide6/Qt/plugins/platforms/libqoffscreen.so", "PySide6/Qt/plugins/imageformats/libqsvg.so",
                   "PySide6/Qt/plugins/iconengines/libqsvgicon.so", "spellchecker/resources/en.json.gz"):
        assert (internal / needed).exists(), f"{needed} is missing from the built app"
    assert [p.name for p in (internal / "spellchecker" / "resources").iterdir()] == ["en.json.gz"], \
        "only the English dictionary ships"
    help_text = subprocess.run([str(BINARY), "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "serve" in help_text and "gui" in help_text
