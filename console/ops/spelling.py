"""Spell checking for the editors: the English dictionary in a helper process, the agent's words here.

    spelling = SpellCheck(runner, lanes.spelling, personal_path=data_dir / "dictionary.txt")
    spelling.changed.connect(highlighter.rehighlight)   # answers arrived, a word added or ignored, switched on/off
    spelling.misspelled("recieve")     # False until the dictionary answered for this word (asks it), then cached
    spelling.quick_suggestions(word)   # one edit away, at once (they came with the word's answer)
    spelling.suggest(word, done=fill)  # the full list (two edits away can take seconds): from the helper
    spelling.add_to_dictionary(word)   # kept in the agent's dictionary file (survives a restart)
    spelling.ignore(word)              # for this session only
    spelling.set_enabled(False)        # nothing marked (the window keeps the preference)
    spelling.close()                   # the helper process ends, for good (the session is over)

The dictionary (``console.domain.spelling``, pyspellchecker's 160k English words) takes ~0.3 s of
Python to load and ~30 MB. In a thread of the app that load stalled the GUI thread ~30 ms (the GIL),
so it lives in a ``HelperProcess`` (in place on the spelling lane where none can run), started on the
first word an editor asks about, never at start-up. Words are asked about in batches, once each: the
answers (with a misspelled word's suggestions one edit away) are cached here, and only an answer that
marks a word re-checks the editors. The agent's own
words (the dictionary file, ignored words) are judged here and never sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain import spelling as english
from console.domain.spelling import in_words, key_of, like, read_personal
from console.helper_process import HelperGone, HelperProcess

from .runner import Runner

log = logging.getLogger(__name__)

ANSWER_WAIT_S = 30.0   # a batch of words takes ~1 ms, the first one the load (~0.3 s); two edits away up to ~2 s


class Dictionary:
    """The English dictionary, in a helper process (or, ``off_process=False``, in this one). Blocking:
    call it on the spelling lane. A helper that died is replaced once per call (it loads again)."""

    def __init__(self, *, off_process: bool = HelperProcess.supported) -> None:
        self._helper = HelperProcess("spelling") if off_process else None
        self._closed = False

    def _call(self, function: Callable[..., Any], *args: Any) -> Any:
        if self._closed:
            raise HelperGone("the session's spell checking has ended")
        if self._helper is None:
            return function(*args)
        try:
            return self._helper.call(function, *args, wait_s=ANSWER_WAIT_S)
        except HelperGone as exc:
            if self._closed:
                raise
            log.warning("%s; starting another", exc)
            return self._helper.call(function, *args, wait_s=ANSWER_WAIT_S)

    def load(self) -> int:
        """How many words the dictionary knows, once loaded."""
        return self._call(english.load_shared)

    def misspelled_among(self, keys: list[str]) -> dict[str, list[str]]:
        return self._call(english.misspelled_among, keys)

    def suggestions(self, key: str) -> list[str]:
        return self._call(english.suggestions_for, key)

    @property
    def helper_pid(self) -> int | None:
        return self._helper.pid if self._helper is not None else None

    def close(self) -> None:
        self._closed = True
        if self._helper is not None:
            self._helper.close()


class SpellCheck(QObject):
    changed = Signal()   # the marks may differ now: re-check what is shown

    def __init__(self, runner: Runner, lane: Executor, *, personal_path: Path | None = None, enabled: bool = True,
                 dictionary: Dictionary | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner, self._lane, self._path = runner, lane, personal_path
        self._enabled = enabled
        self.dictionary = dictionary or Dictionary()
        self._ready = False
        self._loading = False
        self._own: set[str] = set()           # the agent's words and the ignored ones (``key_of``)
        self._known: dict[str, bool] = {}     # the dictionary's answers (``key_of`` → known)
        self._asking: set[str] = set()        # words asked about (or about to be) with no answer yet
        self._batch: list[str] = []           # words to ask about next
        self._quick: dict[str, list[str]] = {}       # a misspelled word's suggestions one edit away
        self._suggested: dict[str, list[str]] = {}   # ... and two (asked for by ``suggest``)
        self._flush = QTimer(self, singleShot=True, interval=0)   # one batch per turn of the event loop
        self._flush.timeout.connect(self._ask)

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def ready(self) -> bool:
        return self._ready

    def set_enabled(self, enabled: bool) -> None:
        if enabled != self._enabled:
            self._enabled = enabled
            self.changed.emit()

    def ensure_loaded(self) -> None:
        if self._ready or self._loading or not self._enabled:
            return
        self._loading = True
        path, dictionary = self._path, self.dictionary

        def load() -> list[str]:
            own: list[str] = []
            if path is not None:
                try:
                    own = read_personal(path.read_text(encoding="utf-8"))
                except FileNotFoundError:
                    pass
                except (OSError, UnicodeDecodeError) as exc:
                    log.warning("could not read the spelling dictionary %s: %s", path, exc)
            dictionary.load()
            return own

        def failed(error: Exception) -> None:
            self._loading = False
            log.error("spell checking is off: the dictionary did not load", exc_info=error)

        if self._submit(load, done=self._loaded, failed=failed):
            return
        self._loading = False

    def _loaded(self, own: list[str]) -> None:
        self._loading = False
        self._ready = True
        self._own |= {key_of(w) for w in own}
        log.info("spelling dictionary loaded")
        self._ask()   # the words shown meanwhile: their answers re-check the editors if one is marked

    def misspelled(self, word: str) -> bool:
        if not self._enabled:
            return False
        key = key_of(word)
        if in_words(key, self._own):
            return False
        known = self._known.get(key)
        if known is not None:
            return not known
        if key not in self._asking:
            self._asking.add(key)
            self._batch.append(key)
        if not self._ready:
            self.ensure_loaded()   # asks the batch once loaded
        elif not self._flush.isActive():
            self._flush.start()
        return False

    def _ask(self) -> None:
        keys, self._batch = self._batch, []
        if not keys:
            return

        def answered(misspelled: dict[str, list[str]]) -> None:
            wrong = set(misspelled)
            self._quick.update(misspelled)
            for key in keys:
                self._known[key] = key not in wrong
            self._asking.difference_update(keys)
            if any(not in_words(key, self._own) for key in wrong):
                self.changed.emit()

        def failed(error: Exception) -> None:   # unmarked, and asked again the next time they are shown
            self._asking.difference_update(keys)
            log.warning("the spelling dictionary could not answer: %s", error)

        if not self._submit(self.dictionary.misspelled_among, keys, done=answered, failed=failed):
            self._asking.difference_update(keys)

    def _submit(self, function: Callable[..., Any], *args: Any, done: Callable[[Any], None],
                failed: Callable[[Exception], None] | None = None) -> bool:
        try:
            future = self._lane.submit(function, *args)
        except RuntimeError:   # the lane closed: the session is ending
            return False
        self._runner.watch(future, done=done, failed=failed)
        return True

    def quick_suggestions(self, word: str) -> list[str]:
        """A misspelled word's suggestions one edit away (they came with its answer), at once."""
        key = key_of(word)
        return [like(word, s) for s in self._suggested.get(key) or self._quick.get(key) or []]

    def suggest(self, word: str, *, done: Callable[[list[str]], None]) -> None:
        """``done(found)``: one, then two edits away (two can take seconds: on the lane, in the helper)."""
        if not self._ready:
            return
        key, dictionary = key_of(word), self.dictionary

        def found(suggestions: list[str]) -> None:
            self._suggested[key] = suggestions
            done([like(word, s) for s in suggestions])

        self._submit(dictionary.suggestions, key, done=found)

    def ignore(self, word: str) -> None:
        self._own.add(key_of(word))
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

        self._submit(append, done=lambda _: None, failed=failed)

    def close(self) -> None:
        """The helper process ends; nothing more is asked (the session is over)."""
        self.dictionary.close()
