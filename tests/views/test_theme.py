"""Semantic colours stay readable on each theme's own backgrounds (WCAG contrast ratios)."""

import pytest
from PySide6.QtGui import QColor, QPalette

from console.views import theme


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    q = QColor(colour)
    return 0.2126 * channel(q.red()) + 0.7152 * channel(q.green()) + 0.0722 * channel(q.blue())


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("colours, palette", [(theme.LIGHT_COLOURS, theme._LIGHT), (theme.DARK_COLOURS, theme._DARK)],
                         ids=["light", "dark"])
def test_text_colours_are_readable_on_their_backgrounds(colours, palette):
    for background in (palette[QPalette.Window], palette[QPalette.Base]):
        for name in ("muted", "error", "warning", "ok"):
            assert contrast(getattr(colours, name), background) >= 4.5, (name, background)
    for card in (colours.customer_card, colours.agent_card, colours.note_card):
        assert contrast(colours.card_ink, card) >= 7, card
    for tone, (background, text) in colours.tones.items():
        assert contrast(text, background) >= 4.5, tone


def test_colours_follow_the_applied_theme(qapp):
    try:
        theme.apply_theme(qapp, "dark", 0)
        assert theme.colours() is theme.DARK_COLOURS
        theme.apply_theme(qapp, "light", 0)
        assert theme.colours() is theme.LIGHT_COLOURS
    finally:
        theme.apply_theme(qapp, "system", 0)
