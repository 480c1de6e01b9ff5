"""Formatting in the reply editor: bold, italic, lists, links, code, quoted text, and a plain-text mode.

    bar = FormatBar(text_edit)                 # the buttons (Ctrl+B / Ctrl+I / Ctrl+Shift+L ...)
    html = formatted_html(text_edit.document())  # semantic HTML, or None when nothing is formatted

``formatted_html`` writes what the agent formatted as plain semantic HTML (``<strong>``, ``<em>``,
``<code>``, ``<a href>``, ``<ul>/<ol><li>``, ``<blockquote>``, ``<p>``), never Qt's styled spans;
the reply then goes out as ``html_body`` after ``console.domain.html.sanitize_comment_html`` (the
rules incoming HTML is shown with) with a plain-text ``body`` beside it (``console.ops.replies``).
A reply with no formatting goes out as plain text, as before. The plain-text mode (the "Plain"
button) drops the formatting and accepts only text.

Drafts keep formatting: ``draft_text`` is the text, or ``HTML_DRAFT`` + the HTML when formatted;
``load_draft`` reads either back (sanitized).
"""

from __future__ import annotations

import html as html_lib

from PySide6.QtCore import Signal
from PySide6.QtGui import (
    QFont,
    QKeySequence,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QTextListFormat,
)
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QToolButton, QWidget

from console.domain.html import sanitize_comment_html

HTML_DRAFT = "<!--console:html-->"
QUOTE = int(QTextFormat.Property.UserProperty) + 1   # a block property: quoted text
_ORDERED = (QTextListFormat.Style.ListDecimal, QTextListFormat.Style.ListLowerAlpha,
            QTextListFormat.Style.ListUpperAlpha, QTextListFormat.Style.ListLowerRoman,
            QTextListFormat.Style.ListUpperRoman)


def _inline(block) -> tuple[str, bool]:
    out, formatted = [], False
    it = block.begin()
    while not it.atEnd():
        fragment = it.fragment()
        if fragment.isValid():
            text = html_lib.escape(fragment.text()).replace("\u2028", "<br>").replace("\n", "<br>")
            fmt = fragment.charFormat()
            if fmt.fontFixedPitch() or fmt.fontFamilies() and "monospace" in (fmt.fontFamilies() or []):
                text, formatted = f"<code>{text}</code>", True
            if fmt.fontItalic():
                text, formatted = f"<em>{text}</em>", True
            if fmt.fontWeight() >= QFont.Weight.Bold:
                text, formatted = f"<strong>{text}</strong>", True
            if fmt.isAnchor() and fmt.anchorHref():
                text, formatted = f'<a href="{html_lib.escape(fmt.anchorHref(), quote=True)}">{text}</a>', True
            out.append(text)
        it += 1
    return "".join(out), formatted


def formatted_html(document) -> str | None:
    """The document as semantic HTML, or None when the agent formatted nothing."""
    out: list[str] = []
    formatted = False
    open_list, open_tag, quoting = None, "", False
    block = document.begin()
    while block.isValid():
        text_list = block.textList()
        quoted = bool(block.blockFormat().property(QUOTE))
        if open_list is not None and text_list != open_list:
            out.append(f"</{open_tag}>")
            open_list = None
        if quoting and not quoted:
            out.append("</blockquote>")
            quoting = False
        if quoted and not quoting:
            out.append("<blockquote>")
            quoting = formatted = True
        if text_list is not None and open_list is None:
            open_tag = "ol" if text_list.format().style() in _ORDERED else "ul"
            out.append(f"<{open_tag}>")
            open_list, formatted = text_list, True
        inner, marked = _inline(block)
        formatted = formatted or marked
        if text_list is not None:
            out.append(f"<li>{inner}</li>")
        else:
            out.append(f"<p>{inner or '<br>'}</p>")
        block = block.next()
    if open_list is not None:
        out.append(f"</{open_tag}>")
    if quoting:
        out.append("</blockquote>")
    return "".join(out) if formatted else None


def draft_text(text_edit) -> str:
    html = formatted_html(text_edit.document()) if text_edit.acceptRichText() else None
    return HTML_DRAFT + html if html else text_edit.toPlainText()


def load_draft(text_edit, text: str) -> None:
    if text.startswith(HTML_DRAFT) and text_edit.acceptRichText():
        text_edit.setHtml(sanitize_comment_html(text[len(HTML_DRAFT):]))
    else:
        text_edit.setPlainText(text[len(HTML_DRAFT):] if text.startswith(HTML_DRAFT) else text)


class FormatBar(QWidget):
    """Formatting buttons for a QTextEdit; ``plain_changed(bool)`` when the plain-text mode toggles."""

    plain_changed = Signal(bool)

    def __init__(self, text_edit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._edit = text_edit
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(1)
        self.buttons: dict[str, QToolButton] = {}
        for name, label, tip, keys, slot in (
                ("bold", "B", "Bold", "Ctrl+B", self.toggle_bold),
                ("italic", "I", "Italic", "Ctrl+I", self.toggle_italic),
                ("bullets", "•", "Bulleted list", "Ctrl+Shift+8", lambda: self.toggle_list(False)),
                ("numbers", "1.", "Numbered list", "Ctrl+Shift+7", lambda: self.toggle_list(True)),
                ("link", "Link", "Link", "Ctrl+Shift+K", self.insert_link),
                ("code", "</>", "Code", "Ctrl+Shift+C", self.toggle_code),
                ("quote", "❝", "Quoted text", "Ctrl+Shift+9", self.toggle_quote)):
            button = QToolButton(text=label, autoRaise=True)
            button.setToolTip(f"{tip} ({keys})")
            button.setShortcut(QKeySequence(keys))
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[name] = button
        font = self.buttons["bold"].font()
        font.setBold(True)
        self.buttons["bold"].setFont(font)
        font = self.buttons["italic"].font()
        font.setItalic(True)
        self.buttons["italic"].setFont(font)
        self.plain_button = QToolButton(text="Plain", checkable=True, autoRaise=True)
        self.plain_button.setToolTip("Plain-text mode: no formatting")
        self.plain_button.toggled.connect(self.set_plain)
        row.addWidget(self.plain_button)
        row.addStretch(1)

    def _merge(self, fmt: QTextCharFormat) -> None:
        cursor = self._edit.textCursor()
        if not cursor.hasSelection():
            cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        cursor.mergeCharFormat(fmt)
        self._edit.mergeCurrentCharFormat(fmt)
        self._edit.setFocus()

    def toggle_bold(self) -> None:
        fmt = QTextCharFormat()
        bold = self._edit.fontWeight() < QFont.Weight.Bold
        fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
        self._merge(fmt)

    def toggle_italic(self) -> None:
        fmt = QTextCharFormat()
        fmt.setFontItalic(not self._edit.fontItalic())
        self._merge(fmt)

    def toggle_code(self) -> None:
        fmt = QTextCharFormat()
        on = not self._edit.currentCharFormat().fontFixedPitch()
        fmt.setFontFixedPitch(on)
        fmt.setFontFamilies(["monospace"] if on else [self._edit.font().family()])
        self._merge(fmt)

    def toggle_list(self, numbered: bool) -> None:
        cursor = self._edit.textCursor()
        current = cursor.currentList()
        if current is not None:
            block = QTextBlockFormat()
            block.setIndent(0)
            for i in reversed(range(current.count())):
                current.remove(current.item(i))
            cursor.setBlockFormat(block)
        else:
            cursor.createList(QTextListFormat.Style.ListDecimal if numbered else QTextListFormat.Style.ListDisc)
        self._edit.setFocus()

    def toggle_quote(self) -> None:
        cursor = self._edit.textCursor()
        fmt = QTextBlockFormat()
        on = not cursor.blockFormat().property(QUOTE)
        fmt.setProperty(QUOTE, on)
        fmt.setLeftMargin(18 if on else 0)
        cursor.mergeBlockFormat(fmt)
        self._edit.setFocus()

    def insert_link(self, url: str | None = None) -> None:
        if url is None:
            url, ok = QInputDialog.getText(self, "Link", "Address (https://…):")
            if not ok:
                return
        url = url.strip()
        if not url.lower().startswith(("http://", "https://", "mailto:")):
            url = "https://" + url
        fmt = QTextCharFormat()
        fmt.setAnchor(True)
        fmt.setAnchorHref(url)
        fmt.setFontUnderline(True)
        fmt.setForeground(self.palette().link())
        cursor = self._edit.textCursor()
        if cursor.hasSelection():
            cursor.mergeCharFormat(fmt)
        else:
            cursor.insertText(url, fmt)
            cursor.setCharFormat(QTextCharFormat())
        self._edit.setFocus()

    def set_plain(self, plain: bool) -> None:
        if self.plain_button.isChecked() != plain:
            self.plain_button.setChecked(plain)
            return
        text = self._edit.toPlainText()
        self._edit.setAcceptRichText(not plain)
        if plain:
            self._edit.setPlainText(text)   # the formatting goes, the words stay
        for button in self.buttons.values():
            button.setEnabled(not plain)
        self.plain_changed.emit(plain)
