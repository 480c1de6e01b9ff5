"""Spell checking in a text editor: red wavy underlines and suggestions on right-click.

    spelling = EditorSpelling(text_edit, ops.spelling)   # one per editor
    spelling.menu_at(pos)    # the editor's standard menu, suggestions for the word at ``pos`` on top

The underlines are a ``QSyntaxHighlighter`` on the editor's document: layout formats only, so the
text, its formatting and what is sent never change. Each block is checked word by word against the
cached answers of ``ops.spelling`` (a dictionary lookup per new word); nothing is marked until the
dictionary has loaded (off the GUI thread), and everything is re-checked when it arrives, when a
word is added or ignored, and when spell checking is switched off or on. Qt reports such a
re-check as a text change (``textChanged``): while ``rechecking`` is True it is not one.

Right-click on a marked word: up to five suggestions (one edit away at once: they came with the
word's answer from the dictionary's process; further ones fill in while the menu is open), "Add to dictionary", "Ignore", then the editor's own menu.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QColor, QSyntaxHighlighter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QMenu
from shiboken6 import isValid

from console.domain.spelling import SUGGESTIONS, Word, word_at, words

from . import theme


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_utf16(text: str, index: int) -> int:
    """A Python index in ``text`` as Qt's position (UTF-16 code units)."""
    return utf16_len(text[:index])


def from_utf16(text: str, position: int) -> int:
    """Qt's position in ``text`` as a Python index."""
    units = 0
    for index, char in enumerate(text):
        if units >= position:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


class SpellingHighlighter(QSyntaxHighlighter):
    def __init__(self, document, spelling) -> None:
        super().__init__(document)
        self._spelling = spelling
        self._format = QTextCharFormat()
        self._format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self.recolour()

    def recolour(self) -> None:
        self._format.setUnderlineColor(QColor(theme.colours().error))

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        if not text or not self._spelling.enabled:
            return
        for word in words(text):
            if self._spelling.misspelled(word.text):
                start = to_utf16(text, word.start)
                self.setFormat(start, to_utf16(text, word.end) - start, self._format)

    def misspelled_in(self, block) -> list[str]:
        """The words of ``block`` shown as misspelled (read back from its layout's formats)."""
        text = block.text()
        out = []
        for found in block.layout().formats():
            if found.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline:
                start = from_utf16(text, found.start)
                out.append(text[start:from_utf16(text, found.start + found.length)])
        return out


class EditorSpelling(QObject):
    """Spell checking for one QTextEdit: the highlighter and the right-click menu."""

    def __init__(self, text_edit, spelling) -> None:
        super().__init__(text_edit)
        self._edit, self._spelling = text_edit, spelling
        self.highlighter = SpellingHighlighter(text_edit.document(), spelling)
        self.rechecking = False   # a re-check emits the editor's textChanged: the text did not change
        spelling.changed.connect(self.recheck)
        text_edit.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        text_edit.customContextMenuRequested.connect(self.on_context_menu)
        theme.follow_theme(self, self.on_theme_changed)

    def on_theme_changed(self) -> None:
        self.highlighter.recolour()
        self.recheck()

    def recheck(self) -> None:
        """Mark the whole text again (Qt reports it as a text change: ``rechecking`` says it is not)."""
        self.rechecking = True
        try:
            self.highlighter.rehighlight()
        finally:
            self.rechecking = False

    def on_context_menu(self, pos: QPoint) -> None:
        menu = self.menu_at(pos)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self._edit.viewport().mapToGlobal(pos))

    def _word_at(self, pos: QPoint) -> tuple[QTextCursor, Word] | None:
        cursor = self._edit.cursorForPosition(pos)
        block = cursor.block()
        text = block.text()
        word = word_at(text, from_utf16(text, cursor.positionInBlock()))
        if word is None or not self._spelling.enabled or not self._spelling.misspelled(word.text):
            return None
        selection = QTextCursor(block)
        selection.setPosition(block.position() + to_utf16(text, word.start))
        selection.setPosition(block.position() + to_utf16(text, word.end), QTextCursor.MoveMode.KeepAnchor)
        return selection, word

    def menu_at(self, pos: QPoint) -> QMenu:
        """The editor's standard context menu; on a misspelled word, suggestions and the dictionary first."""
        menu = self._edit.createStandardContextMenu(pos)
        found = self._word_at(pos) if not self._edit.isReadOnly() else None
        if found is None:
            return menu
        selection, word = found
        first = menu.actions()[0] if menu.actions() else None
        suggested = self._spelling.quick_suggestions(word.text)
        shown: list[QAction] = []

        def add(suggestion: str, before) -> None:
            action = QAction(suggestion, menu)
            font = action.font()
            font.setBold(True)
            action.setFont(font)
            action.triggered.connect(lambda _=False, s=suggestion: self.replace(selection, s))
            menu.insertAction(before, action)
            shown.append(action)

        for suggestion in suggested:
            add(suggestion, first)
        waiting = None
        if len(suggested) < SUGGESTIONS:
            waiting = QAction("Looking for suggestions…" if not suggested else "Looking for more…", menu)
            waiting.setEnabled(False)
            menu.insertAction(first, waiting)

            def more(found: list[str]) -> None:
                if not isValid(menu) or waiting not in menu.actions():
                    return   # the menu closed meanwhile
                for suggestion in [s for s in found if s not in suggested][:SUGGESTIONS - len(suggested)]:
                    add(suggestion, waiting)
                if shown:
                    menu.removeAction(waiting)
                else:
                    waiting.setText("No suggestions")
            self._spelling.suggest(word.text, done=more)
        tail = first
        if tail is not None:
            menu.insertSeparator(tail)
        else:
            menu.addSeparator()
        add_word = QAction(f"Add “{word.text}” to dictionary", menu)
        add_word.triggered.connect(lambda: self._spelling.add_to_dictionary(word.text))
        ignore = QAction("Ignore", menu)
        ignore.setToolTip("Don't mark this word again in this session")
        ignore.triggered.connect(lambda: self._spelling.ignore(word.text))
        for action in (add_word, ignore):
            menu.insertAction(tail, action)
        if tail is not None:
            menu.insertSeparator(tail)
        return menu

    def replace(self, selection: QTextCursor, suggestion: str) -> None:
        selection.insertText(suggestion)
        self._edit.setTextCursor(selection)
