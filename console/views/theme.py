"""Colour theme, font size and the app icon, applied to the whole QApplication.

API (``app.py`` calls these once at start-up and again when the Settings dialog is accepted)::

    from console.views import theme
    theme.apply_theme(app, prefs.get("theme"), prefs.get("font_size"))  # "system" | "light" | "dark"
    app.setWindowIcon(theme.app_icon())
    theme.is_dark(app)  # -> bool, e.g. for delegates that pick badge colours
    theme.colours()     # -> Colours: semantic colours (muted text, error, note card...) for the current theme
    theme.follow_theme(widget, restyle)  # restyle() once after each theme change (colours() in stylesheets/HTML)

- "system" keeps the platform style and palette as they were when the app started
  (Qt 6.5+ follows the desktop's dark mode by itself there);
  "light" and "dark" use the Fusion style with our own palettes, so they look the same everywhere.
- Font size is in points (0 = the system size): points scale with each monitor's DPI, and
  Qt 6 is per-monitor DPI aware, so no pixel sizes are used anywhere here.
- Icons are SVG (``console/resources/icons/support-console.svg``), so they are sharp at any scale;
  PNG sizes are there for the ``.desktop`` entry and the installer.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

THEMES = ("system", "light", "dark")
RESOURCES = files("console") / "resources"
ICON_DIR = RESOURCES / "icons"
APP_ICON_NAME = "support-console"

_DARK = {
    QPalette.Window: "#2b2d30", QPalette.WindowText: "#e6e6e6", QPalette.Base: "#1e1f22",
    QPalette.AlternateBase: "#26282b", QPalette.ToolTipBase: "#3c3f41", QPalette.ToolTipText: "#e6e6e6",
    QPalette.PlaceholderText: "#8c8f94", QPalette.Text: "#e6e6e6", QPalette.Button: "#35373b",
    QPalette.ButtonText: "#e6e6e6", QPalette.BrightText: "#ff6b6b", QPalette.Light: "#46494d",
    QPalette.Midlight: "#3c3f43", QPalette.Mid: "#2f3134", QPalette.Dark: "#1b1c1f",
    QPalette.Shadow: "#000000", QPalette.Highlight: "#2a8c80", QPalette.HighlightedText: "#ffffff",
    QPalette.Link: "#5cc8ba", QPalette.LinkVisited: "#9a8fd8",
}
_DARK_DISABLED = {QPalette.WindowText: "#7a7d82", QPalette.Text: "#7a7d82", QPalette.ButtonText: "#7a7d82",
                  QPalette.Highlight: "#3c3f43", QPalette.HighlightedText: "#9a9da2"}
_LIGHT = {
    QPalette.Window: "#f3f4f6", QPalette.WindowText: "#1d1f23", QPalette.Base: "#ffffff",
    QPalette.AlternateBase: "#f6f7f9", QPalette.ToolTipBase: "#ffffe8", QPalette.ToolTipText: "#1d1f23",
    QPalette.PlaceholderText: "#7b7f86", QPalette.Text: "#1d1f23", QPalette.Button: "#e9ebee",
    QPalette.ButtonText: "#1d1f23", QPalette.BrightText: "#c62828", QPalette.Light: "#ffffff",
    QPalette.Midlight: "#f0f1f3", QPalette.Mid: "#b9bdc4", QPalette.Dark: "#9a9ea6",
    QPalette.Shadow: "#6b6f76", QPalette.Highlight: "#1f8a7d", QPalette.HighlightedText: "#ffffff",
    QPalette.Link: "#11756a", QPalette.LinkVisited: "#5b4bb7",
}
_LIGHT_DISABLED = {QPalette.WindowText: "#9a9ea6", QPalette.Text: "#9a9ea6", QPalette.ButtonText: "#9a9ea6",
                   QPalette.Highlight: "#d5d8dd", QPalette.HighlightedText: "#6b6f76"}


class ThemeError(ValueError):
    pass


@dataclass(frozen=True)
class Colours:
    """Colours with a meaning, readable on the theme's window and base backgrounds (WCAG AA or close)."""

    muted: str           # secondary text: emails, dates, hints
    error: str
    warning: str
    ok: str
    info: str            # in-progress states ("sending")
    card_ink: str        # text on the thread's comment cards
    card_muted: str      # author role, dates and sizes on the cards
    customer_card: str
    agent_card: str
    note_card: str       # internal notes: unmistakably not public
    note_border: str
    note_label: str      # the "Internal note" label on a note card
    card_border: str
    tones: dict          # badge tone -> (background, text): "ok", "warn", "bad", "info"


LIGHT_COLOURS = Colours(
    muted="#5f6368", error="#c62828", warning="#a15c00", ok="#1e7a34", info="#1f5fbf", card_ink="#1d1f23",
    card_muted="#4f5358", customer_card="#f3f6fa", agent_card="#eaf4ea", note_card="#fff4c2",
    note_border="#d4a72c", note_label="#7a4a00",
    card_border="#c9d3de",
    tones={"ok": ("#e3f4e5", "#1b5e20"), "warn": ("#fff1d6", "#7a4a00"), "bad": ("#fde0e0", "#8b0000"),
           "info": ("#e3eefc", "#0d3c78")})
DARK_COLOURS = Colours(
    muted="#a0a4aa", error="#ff7b72", warning="#f0b35a", ok="#6fcf83", info="#8ab4f8", card_ink="#e6e6e6",
    card_muted="#b4b8be", customer_card="#262a31", agent_card="#22302a", note_card="#3a3320",
    note_border="#c9a23a", note_label="#f5c77a",
    card_border="#3f444c",
    tones={"ok": ("#1f3a26", "#9be0a8"), "warn": ("#3d2f14", "#f5c77a"), "bad": ("#44201f", "#ff9e97"),
           "info": ("#1d2d44", "#9cc3ff")})


def colours(app: QApplication | None = None) -> Colours:
    """The semantic colours for the theme in use (by the window's lightness, so "system" works too)."""
    return DARK_COLOURS if is_dark(app) else LIGHT_COLOURS


def palette_changed(event: QEvent) -> bool:
    """True for the events a widget gets when the theme (the application palette) changes."""
    return event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)


class _ThemeFollower(QObject):
    """Watches one widget's palette changes; calls ``restyle`` once per burst, on the next loop turn.

    A hidden widget (a closed window, a tab not shown) is restyled when it is shown again, not before.
    """

    def __init__(self, widget: QWidget, restyle) -> None:
        super().__init__(widget)
        self._widget, self._restyle, self._stale = widget, restyle, False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_due)
        widget.installEventFilter(self)

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802 (Qt override)
        if palette_changed(event):
            self._stale = True
            self._timer.start()
        elif event.type() == QEvent.Type.Show and self._stale:
            self._timer.start()
        return False

    def _on_due(self) -> None:
        if self._stale and self._widget.isVisible():
            self._stale = False
            self._restyle()


def set_text_colour(label: QWidget, colour: str) -> None:
    """The label's text colour, set only when it changes: a style sheet re-polishes the widget each
    time it is set (the status bar's state follows the sync's progress, once per page)."""
    style = f"color: {colour}"
    if label.styleSheet() != style:
        label.setStyleSheet(style)


def follow_theme(widget: QWidget, restyle) -> None:
    """Call ``restyle()`` after ``widget``'s theme changes (several palette events make one call)."""
    _ThemeFollower(widget, restyle)


def _palette(colours: dict, disabled: dict) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(QPalette.All, role, QColor(colour))
    for role, colour in disabled.items():
        palette.setColor(QPalette.Disabled, role, QColor(colour))
    return palette


def dark_palette() -> QPalette:
    return _palette(_DARK, _DARK_DISABLED)


def light_palette() -> QPalette:
    return _palette(_LIGHT, _LIGHT_DISABLED)


def _remember_system_look(app: QApplication) -> None:
    if app.property("_system_style") is None:
        app.setProperty("_system_style", app.style().name())
        app.setProperty("_system_palette", QPalette(app.palette()))
        app.setProperty("_system_point_size", QGuiApplication.font().pointSizeF())


def apply_theme(app: QApplication, name: str = "system", font_size: int = 0) -> None:
    """Apply a theme ("system", "light", "dark") and a font size in points (0 = system) to ``app``."""
    if name not in THEMES:
        raise ThemeError(f"unknown theme {name!r}; choose one of {', '.join(THEMES)}")
    if not isinstance(font_size, int) or font_size < 0 or font_size > 48:
        raise ThemeError(f"font size must be 0 (system) or a point size up to 48, not {font_size!r}")
    _remember_system_look(app)
    if name == "system":
        app.setStyle(QStyleFactory.create(app.property("_system_style")) or app.style())
        app.setPalette(app.property("_system_palette"))
    else:
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(dark_palette() if name == "dark" else light_palette())
    font = QFont(app.font())
    points = font_size or app.property("_system_point_size")
    if points and points > 0:
        font.setPointSizeF(float(points))
    app.setFont(font)
    app.setProperty("theme", name)


def is_dark(app: QApplication | None = None) -> bool:
    """True when the window background is dark (whatever the theme setting says)."""
    app = app or QApplication.instance()
    return app.palette().color(QPalette.Window).lightness() < 128


def icon_path(size: int | None = None) -> Traversable:
    """The SVG app icon, or the PNG of a given pixel size (16...512)."""
    return ICON_DIR / (f"{APP_ICON_NAME}-{size}.png" if size else f"{APP_ICON_NAME}.svg")


def app_icon() -> QIcon:
    """The app icon: the SVG (sharp at any DPI) plus the PNG sizes as fallbacks."""
    icon = QIcon(str(icon_path()))
    for size in (16, 24, 32, 48, 64, 128, 256):
        if icon_path(size).is_file():
            icon.addFile(str(icon_path(size)))
    return icon
