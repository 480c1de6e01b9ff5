"""Before Qt starts on Linux: are the system libraries its X11 (xcb) platform plugin needs there?

Without one of them Qt aborts with "Could not load the Qt platform plugin "xcb"" and, since
Qt 6.5, blames libxcb-cursor0 whatever is missing. ``missing_xcb_libraries()`` names each one
that cannot be loaded, and ``install_hint()`` gives the one ``apt install`` line that fixes them.

``XCB_LIBRARIES`` lists what PySide6's ``libqxcb.so`` and the Qt libraries it loads
(``libQt6XcbQpa``, ``libQt6Gui``, ``libQt6Core``, ``libQt6DBus``) need from the system (their ELF
NEEDED entries, less the C/C++ runtime, which no Linux desktop lacks), with the Debian/Ubuntu
package of each; ``tests/app/test_preflight.py`` checks the list against the installed plugin.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterable

# soname -> Debian/Ubuntu package (Ubuntu 24.04's t64 packages answer to these names too)
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
}


def loadable(soname: str) -> bool:
    """Whether the dynamic loader finds and loads ``soname`` (as Qt's plugin loader will)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_libraries(found: Callable[[str], bool] = loadable) -> list[str]:
    """The sonames of ``XCB_LIBRARIES`` that ``found`` says are not there, in the table's order."""
    return [soname for soname in XCB_LIBRARIES if not found(soname)]


def install_hint(missing: Iterable[str]) -> str:
    """One line: the missing libraries and the apt command that installs them."""
    missing = list(missing)
    packages = " ".join(dict.fromkeys(XCB_LIBRARIES.get(s, s) for s in missing))
    return (f"support-console: Qt's X11 support needs system libraries that are missing: {', '.join(missing)}. "
            f"On Debian/Ubuntu: sudo apt install {packages} "
            "(elsewhere, install the packages that provide these files).")
