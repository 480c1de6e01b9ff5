"""PySide6 with its per-import source scan switched off (imported before our own modules are).

PySide6's ``__feature__`` support (``snake_case``/``true_property``, PYSIDE-1019) watches every
import made after PySide6 is loaded and reads each new module's whole source
(``inspect.getsource``, kept in ``linecache``) to learn whether it mentions PySide6. At start-up
that was ~180 files and 72k lines: ~45 ms of the window's imports and ~5 MB of Python heap. The
console never selects a feature, so every module is treated as a PySide module with no features
selected (what the scan answers for our Qt modules anyway). Guarded: a PySide6 without this
hook leaves everything as it is.
"""

from __future__ import annotations

import sys

import PySide6  # noqa: F401  (loads shiboken's support modules, the hook among them)


def _uses_pyside(_module: object) -> bool:
    return True


_feature = sys.modules.get("shibokensupport.feature")
if _feature is not None and callable(getattr(_feature, "_mod_uses_pyside", None)):
    setattr(_feature, "_mod_uses_pyside", _uses_pyside)  # noqa: B010 (a private name of PySide6)
