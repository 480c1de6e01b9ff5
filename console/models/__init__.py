"""Qt list models over the cache (QtCore only)."""

import console.qt_import_hook  # noqa: F401  (before our own modules: see there)
