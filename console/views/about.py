"""About dialog: version, Qt/PySide/Python versions and where the console keeps its files.

API for ``main_window.py``::

    AboutDialog(parent, cache_path=current_cache_path, log_file=log_path).exec()
    about_facts(cache_path=None, log_file=None) -> list[tuple[str, str]]   # the same facts, for tests/logs
"""

from __future__ import annotations

import platform
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from console import __version__, config
from console.views.theme import app_icon

BLURB = ("A desk for support agents: department queues beside the customer's account, "
         "canned replies that fill themselves in, and a local copy that keeps working offline.")


def about_facts(cache_path: str | Path | None = None, log_file: str | Path | None = None) -> list[tuple[str, str]]:
    from console.logging_setup import log_file_path

    return [
        ("Version", __version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", platform.python_version()),
        ("Settings", str(config.config_dir())),
        ("Data", str(config.data_dir())),
        ("Cache", str(cache_path) if cache_path else "(not signed in)"),
        ("Log file", str(log_file or log_file_path())),
    ]


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, cache_path=None, log_file=None):
        super().__init__(parent)
        self.setWindowTitle("About Support Console")
        self.setObjectName("about_dialog")
        icon = QLabel()
        size = self.fontMetrics().height() * 4
        icon.setPixmap(app_icon().pixmap(size, size))
        icon.setAlignment(Qt.AlignTop)
        title = QLabel(f"<b>Support Console</b> {__version__}")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        title.setFont(font)
        blurb = QLabel(BLURB)
        blurb.setWordWrap(True)
        form = QFormLayout()
        for label, value in about_facts(cache_path, log_file)[1:]:
            shown = QLabel(value)
            shown.setTextInteractionFlags(Qt.TextSelectableByMouse)
            form.addRow(f"{label}:", shown)
        text = QVBoxLayout()
        text.addWidget(title)
        text.addWidget(blurb)
        text.addLayout(form)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
