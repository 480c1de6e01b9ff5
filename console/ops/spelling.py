"""Spell checking for the editors: the dictionary loaded lazily off the GUI thread, the agent's words.

    spelling = SpellCheck(runner, lanes.spelling, personal_path=data_dir / "dictionary.txt")
    spelling.changed.connect(highlighter.rehighlight)   # loaded, a word added or ignored, switched on/off
    spelling.misspelled("recieve")     # False until the dictionary is loaded (asks for it), then cached
    spelling.quick_suggestions(word)   # one edit away, at once
    spelling.suggest(word, done=fill)  # the full list (two edits away can take seconds): on its lane
    spelling.add_to_dictionary(word)   # kept in the agent's dictionary file (survives a restart)
    spelling.ignore(word)              # for this session only
    spelling.set_enabled(False)        # nothing marked (the window keeps the preference)

The dictionary (``console.domain.spelling.Speller``, ~0.4 s) is read on the first word an editor
asks about, never at start-up; its module (pyspellchecker) is imported only then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from console.domain.spelling import Speller, read_personal

from .runner import Runner

log = logging.getLogger(__name__)


class SpellCheck(QObject):
    changed = Signal()   # the marks may differ now: re-check what is shown

    def __init__(self, runner: Runner, lane: Executor, *, personal_path: Path | None = None, enabled: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner, self._lane, self._path = runner, lane, personal_path
        self._enabled = enabled
        self._speller: Speller | None = None
        self._loading = False
        self._ignored: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def ready(self) -> bool:
        return self._speller is not None

    def set_enabled(self, enabled: bool) -> None:
        if enabled != self._enabled:
            self._enabled = enabled
            self.changed.emit()

    def ensure_loaded(self) -> None:
        if self._speller is not None or self._loading or not self._enabled:
            return
        self._loading = True
        path = self._path

        def load() -> Speller:
            own: list[str] = []
            if path is not None:
                try:
                    own = read_personal(path.read_text(encoding="utf-8"))
                except FileNotFoundError:
                    pass
                except (OSError, UnicodeDecodeError) as exc:
                    log.warning("could not read the spelling dictionary %s: %s", path, exc)
            return Speller.load(own)

        def failed(error: Exception) -> None:
            self._loading = False
            log.error("spell checking is off: the dictionary did not load", exc_info=error)

        try:
            future = self._lane.submit(load)
        except RuntimeError:   # the lane closed: the session is ending
            return
        self._runner.watch(future, done=self._loaded, failed=failed)

    def _loaded(self, speller: Speller) -> None:
        self._loading = False
        self._speller = speller
        for word in self._ignored:
            speller.accept(word)
        log.info("spelling dictionary loaded")
        self.changed.emit()

    def misspelled(self, word: str) -> bool:
        if not self._enabled:
            return False
        if self._speller is None:
            self.ensure_loaded()
            return False
        return self._speller.misspelled(word)

    def quick_suggestions(self, word: str) -> list[str]:
        return self._speller.quick_suggestions(word) if self._speller is not None else []

    def suggest(self, word: str, *, done: Callable[[list[str]], None]) -> None:
        speller = self._speller
        if speller is None:
            return
        try:
            future = self._lane.submit(speller.suggestions, word)
        except RuntimeError:
            return
        self._runner.watch(future, done=done)

    def ignore(self, word: str) -> None:
        self._ignored.add(word)
        if self._speller is not None:
            self._speller.accept(word)
        self.changed.emit()

    def add_to_dictionary(self, word: str) -> None:
        """Spelled right from now on, in every session: appended to the agent's dictionary file."""
        self.ignore(word)
        path = self._path
        if path is None:
            return

        def append() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as file:
                file.write(word + "\n")

        def failed(error: Exception) -> None:
            self._runner.bus.warn(f"Could not keep “{word}” in your dictionary: {error}")

        try:
            future = self._lane.submit(append)
        except RuntimeError:
            return
        self._runner.watch(future, failed=failed)
