"""Pre-flight on Linux: every system library Qt's xcb plugin needs is named, with one apt line."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from console.app import missing_display
from console.preflight import XCB_LIBRARIES, install_hint, missing_xcb_libraries

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is Linux only")
RUNTIME = re.compile(r"lib(c|m|dl|rt|pthread|stdc\+\+|gcc_s)\.so\.\d+|ld-linux.*")


def _qt_dir() -> Path:
    import PySide6

    return Path(PySide6.__file__).parent / "Qt"


def elf_needed(path: Path) -> list[str]:
    """The DT_NEEDED entries of a 64-bit little-endian ELF file (what ``readelf -d`` lists as NEEDED)."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, path
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    needed = []
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strtab = sections[link][4]
        for at in range(offset, offset + size, entsize):
            tag, value = struct.unpack_from("<qQ", data, at)
            if tag == 1:  # DT_NEEDED
                needed.append(data[strtab + value:data.index(b"\0", strtab + value)].decode())
    return needed


@linux_only
def test_the_table_covers_what_the_installed_plugin_needs():
    qt = _qt_dir()
    files = [qt / "plugins/platforms/libqxcb.so",
             *(qt / "lib" / f"libQt6{name}.so.6" for name in ("XcbQpa", "Gui", "Core", "DBus"))]
    needed = {lib for f in files for lib in elf_needed(f)}
    assert "libxcb-icccm.so.4" in needed and "libxcb-cursor.so.0" in needed
    system = {lib for lib in needed if not lib.startswith(("libQt6", "libicu")) and not RUNTIME.fullmatch(lib)}
    assert system - set(XCB_LIBRARIES) == set(), "add these to console.preflight.XCB_LIBRARIES"


@linux_only
def test_the_real_lookup_finds_what_the_loader_finds():
    ldd = subprocess.run(["ldd", str(_qt_dir() / "plugins/platforms/libqxcb.so")], capture_output=True, text=True)
    not_found = {line.split()[0] for line in ldd.stdout.splitlines() if "not found" in line}
    assert set(missing_xcb_libraries()) == not_found & set(XCB_LIBRARIES)


def test_each_missing_library_is_named_with_one_apt_line(monkeypatch):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    if not sys.platform.startswith("linux"):
        assert missing_display(lambda soname: False) is None
        return
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"}
    message = missing_display(lambda soname: soname not in absent)
    assert all(soname in message for soname in absent)
    assert message.count("apt install") == 1
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 " in message
    assert missing_display(lambda soname: True) is None
    everything = install_hint(XCB_LIBRARIES)
    assert everything.count("libglib2.0-0") == 1  # two libraries, one package


@linux_only
def test_the_app_says_so_instead_of_qts_abort(tmp_path):
    """Run where this machine really lacks one (skipped where nothing is missing)."""
    missing = missing_xcb_libraries()
    if not missing:
        pytest.skip("every library the xcb plugin needs is installed here")
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(DISPLAY=":0", SUPPORT_CONSOLE_DATA_DIR=str(tmp_path / "data"),
               SUPPORT_CONSOLE_CONFIG_DIR=str(tmp_path / "cfg"), SUPPORT_CONSOLE_LOG_DIR=str(tmp_path / "log"))
    result = subprocess.run([sys.executable, "-m", "console"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert all(soname in result.stderr for soname in missing) and "sudo apt install" in result.stderr
    assert "Traceback" not in result.stderr and "could not load the Qt platform plugin" not in result.stderr.lower()


def test_the_readme_set_up_line_installs_every_package():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    line = re.search(r"sudo apt install ((?:\\\n|[^\n`])+)", readme).group(1)
    assert set(line.replace("\\\n", " ").split()) == set(XCB_LIBRARIES.values())


@linux_only
def test_the_bundled_app_on_wayland_needs_xwayland_and_says_so(monkeypatch):
    """The PyInstaller app ships the xcb platform only: Qt falls back to it from Wayland through
    XWayland's DISPLAY; without one it would abort with a plugin error."""
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.delenv("DISPLAY", raising=False)
    assert missing_display(lambda soname: True) is None              # from source: Qt's own Wayland plugin
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert "XWayland" in missing_display(lambda soname: True)
    monkeypatch.setenv("DISPLAY", ":0")
    assert missing_display(lambda soname: True) is None
