"""Starting the app where it cannot show a window: one clear line, no Qt abort."""

import os
import subprocess
import sys


def test_no_display_is_said_plainly(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(SUPPORT_CONSOLE_DATA_DIR=str(tmp_path / "data"), SUPPORT_CONSOLE_CONFIG_DIR=str(tmp_path / "cfg"),
               SUPPORT_CONSOLE_LOG_DIR=str(tmp_path / "log"))
    result = subprocess.run([sys.executable, "-m", "console"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no display found" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "demo").exists(), "nothing is started when there is nowhere to show it"
