"""The built wheel installs anywhere: `pip install` it (not editable) into a fresh venv and run it from there.

Slow (a venv with PySide6 from pip's cache, ~30-60 s), so it runs with the installer build:

    SUPPORT_CONSOLE_BUILD_INSTALLER=1 QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/app/test_wheel.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    os.environ.get("SUPPORT_CONSOLE_BUILD_INSTALLER") != "1",
    reason="installs the wheel and its dependencies into a fresh venv (~800 MB); set SUPPORT_CONSOLE_BUILD_INSTALLER=1")


def _run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{cmd} failed:\n{(result.stdout + result.stderr)[-4000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin dir, environment) of a fresh venv holding only the built wheel and its declared dependencies."""
    work = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(work / "dist")],
         cwd=work, timeout=300)
    (wheel,) = (work / "dist").glob("support_console-*.whl")
    venv.create(work / "venv", with_pip=True)
    bin_dir = work / "venv" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=work, timeout=900)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", SUPPORT_CONSOLE_CONFIG_DIR=str(work / "config"),
               SUPPORT_CONSOLE_DATA_DIR=str(work / "data"), SUPPORT_CONSOLE_LOG_DIR=str(work / "logs"))
    env.pop("SUPPORT_CONSOLE_TOKEN", None)
    return bin_dir, env, work


@pytest.mark.timeout(1200)
def test_the_installed_package_carries_its_resources(installed):
    bin_dir, env, work = installed
    probe = ("import json, console; from console.views import theme; from console.demo import data; "
             "print(json.dumps([console.__file__, theme.icon_path().is_file(), "
             "len(data.load('departments')['departments'])]))")
    where, icon, departments = json.loads(_run([str(bin_dir / "python"), "-c", probe], cwd=work, env=env,
                                               timeout=120).stdout)
    assert Path(where).is_relative_to(work / "venv"), f"imported {where}, not the installed wheel"
    assert icon and departments > 0


@pytest.mark.timeout(1200)
def test_serve_demo_from_the_wheel_answers_healthz(installed):
    bin_dir, env, work = installed
    log = work / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(bin_dir / "support-console"), "serve", "--demo", "--port", "0", "--tickets", "20",
                                 "--db", str(work / "helpdesk.sqlite")], cwd=work, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        url = None
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            found = re.search(r"http://[0-9.:]+", log.read_text())
            url = found.group(0) if found else time.sleep(0.2)
        assert url, f"the installed helpdesk did not start:\n{log.read_text()}"
        with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
            assert response.status == 200 and b"ok" in response.read()
        request = urllib.request.Request(url + "/api/v2/users/me.json",
                                         headers={"Authorization": "Bearer demo-agent-token"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read())["user"]["email"].startswith("agent@demo")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.timeout(1200)
def test_self_check_from_the_wheel(installed):
    bin_dir, env, work = installed
    result = subprocess.run([str(bin_dir / "support-console"), "--self-check"], cwd=work, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
