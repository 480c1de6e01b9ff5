"""The widgets (QtWidgets lives here and in app.py only)."""

import console.qt_import_hook  # noqa: F401  (before our own modules: see there)
