"""Spelling in what an agent writes (no Qt): which words to check, and the English dictionary.

    words("See https://x.io, {{ ticket.id }} ASAP")   # [Word(start, end, text)]: only "See"
    speller = Speller.load(personal_words)        # pyspellchecker's English frequencies (~0.4 s, 160k words)
    speller.misspelled("recieve")                 # True (answers are cached per word)
    speller.quick_suggestions("recieve")          # one edit away, most used first (~1 ms)
    speller.suggestions("recieve")                # one, then two edits away (up to ~2 s: off the GUI thread)
    speller.accept("Zendesk")                     # the agent's own word (the caller persists it)
    misspelled_among(["recieve", "the"])          # {"recieve": ["receive", "relieve"]}: this process's
    suggestions_for("recieve")                    #   dictionary (``shared``), what the spelling helper serves

Words not checked: anything inside a URL, an email address, a ``{{ placeholder }}`` or ``{% tag %}``;
words in capitals (ASAP, SLA), with digits or underscores (INV2041, order_id), with a capital
inside (PayPal, iPhone) and single letters. A possessive or contraction is checked as written,
then without its ``'s``. Offsets are Python string indexes (code points).

The dictionary is pyspellchecker's (pure Python, word-frequency lists bundled as .json.gz, no
system enchant/hunspell); it is imported only by ``Speller.load``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

SUGGESTIONS = 5
SLOW_EDITS_MAX_LENGTH = 12   # two edits away costs ~0.2 s at 3 letters, ~2.5 s at 12: longer words get one

# Each alternative starts only where its run of characters starts (the look-behinds): tried from
# every letter of a long run, ``[\w.+-]+@`` backtracked over the rest of it each time, and a
# keystroke in a 4,000-letter token cost ~100 ms of the GUI thread (quadratic; now linear).
_SKIPPED = re.compile(
    r"(?:https?://|ftp://|mailto:|www\.)\S+"          # URLs
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"      # email addresses
    r"|\{\{.*?\}\}|\{%.*?%\}"                          # placeholders and tags
    r"|(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|co|uk|de|fr|eu|app|dev)\b(?:/\S*)?",  # bare domains
    re.IGNORECASE | re.DOTALL)
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_NOT_A_WORD = re.compile(r"[\d_]")
LONGEST_WORD = 45   # pneumonoultramicroscopicsilicovolcanoconiosis
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)


class Word(NamedTuple):   # (a tuple: a frozen dataclass's __init__ cost a keystroke ~1 µs per word)
    start: int
    end: int
    text: str


def checked(word: str) -> bool:
    """Whether a word is one a dictionary can judge (not ASAP, INV2041, order_id, PayPal, "a", or a
    run of letters longer than any English word, such as a pasted key)."""
    if not 2 <= len(word) <= LONGEST_WORD or _NOT_A_WORD.search(word):
        return False
    rest = word[1:]   # the first character is a letter: \w without digits or underscores
    return not (word.isupper() or rest != rest.lower())


def words(text: str) -> list[Word]:
    """The words of ``text`` to check, in order (see the module docstring)."""
    skipped = [m.span() for m in _SKIPPED.finditer(text)]
    out: list[Word] = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        if skipped and any(s < end and start < e for s, e in skipped):
            continue
        word = match.group()
        if checked(word):
            out.append(Word(start, end, word))
    return out


def word_at(text: str, index: int) -> Word | None:
    """The checked word at ``index`` (a cursor just after its last letter counts)."""
    return next((w for w in words(text) if w.start <= index <= w.end), None)


class Speller:
    """An English dictionary plus the agent's own words; answers cached per word."""

    def __init__(self, checker: Any, personal: Iterable[str] = ()) -> None:
        self._checker = checker
        self._own: set[str] = {w.lower() for w in personal}
        self._known: dict[str, bool] = {}
        self._suggested: dict[str, list[str]] = {}

    @classmethod
    def load(cls, personal: Iterable[str] = ()) -> Speller:
        """~0.3 s: callers run this off the GUI thread. The English frequencies are parsed in slices
        (``english_frequencies``): pyspellchecker's own ``json.loads`` of the whole list held the
        GIL for ~100 ms in one call, a stall of the GUI thread beside it."""
        from spellchecker import SpellChecker

        checker = SpellChecker(language=None, distance=2)
        checker.word_frequency.load_json(english_frequencies())
        return cls(checker, personal)

    def misspelled(self, word: str) -> bool:
        key = key_of(word)
        known = self._known.get(key)
        if known is None:
            known = in_words(key, self._own) or in_words(key, self._checker)
            self._known[key] = known
        return not known

    def accept(self, word: str) -> None:
        """Count ``word`` as spelled right from now on (an added or ignored word)."""
        key = key_of(word)
        self._own.add(key)
        self._known[key] = True

    def _ranked(self, found: Iterable[str], word: str) -> list[str]:
        usage = self._checker.word_usage_frequency
        return sorted((w for w in set(found) if w != word.lower()), key=lambda w: (-usage(w), w))

    def quick_suggestions(self, word: str, limit: int = SUGGESTIONS) -> list[str]:
        """Known words one edit away, most used first: fast enough for the GUI thread."""
        found = self._suggested.get(word.lower())
        if found is None:
            found = self._ranked(self._checker.known(self._checker.edit_distance_1(word.lower())), word)
        return [like(word, w) for w in found[:limit]]

    def suggestions(self, word: str, limit: int = SUGGESTIONS) -> list[str]:
        """One edit away, then two (for words up to SLOW_EDITS_MAX_LENGTH letters); cached. Slow:
        run it off the GUI thread."""
        key = word.lower()
        found = self._suggested.get(key)
        if found is None:
            near = self._ranked(self._checker.known(self._checker.edit_distance_1(key)), word)
            if len(near) < limit and len(key) <= SLOW_EDITS_MAX_LENGTH:
                further = self._ranked(self._checker.known(self._checker.edit_distance_2(key)), word)
                near += [w for w in further if w not in near]
            found = self._suggested[key] = near[:SUGGESTIONS]
        return [like(word, w) for w in found[:limit]]


def key_of(word: str) -> str:
    """The form a word is looked up in: lower case, a typographic apostrophe as a plain one."""
    return word.lower().replace("’", "'")


def in_words(key: str, known: Any) -> bool:
    """Whether ``key`` (``key_of``) is among ``known`` words, as written or without its ``'s``."""
    if key in known:
        return True
    base = _POSSESSIVE.sub("", key)
    return base != key and base in known


# -- the process's own dictionary: what a spelling helper process serves (ops/spelling.py) -------------
_SHARED: list[Speller] = []


def shared() -> Speller:
    """This process's English dictionary, loaded on first use (~0.3 s)."""
    if not _SHARED:
        _SHARED.append(Speller.load())
    return _SHARED[0]


def load_shared() -> int:
    """Load this process's dictionary now; how many words it knows (the dictionary itself stays here)."""
    return len(shared()._checker.word_frequency.dictionary)


def misspelled_among(keys: list[str]) -> dict[str, list[str]]:
    """Those of ``keys`` (``key_of``) the English dictionary does not know, each with its suggestions
    one edit away (~1 ms a word: a right-click then shows them at once). The caller adds its own words."""
    speller = shared()
    return {k: speller.quick_suggestions(k) for k in keys if speller.misspelled(k)}


def suggestions_for(key: str) -> list[str]:
    """One, then two edits away (slow: up to ~2 s), in lower case (``like`` puts them in a word's case)."""
    return shared().suggestions(key)


FREQUENCY_SLICE = 60_000   # characters (~3,500 entries) parsed per json.loads call (~3 ms holding the GIL)


def english_frequencies() -> dict[str, int]:
    """pyspellchecker's English word frequencies (160k words, one ``"word": count,`` a line), parsed a
    slice of lines at a time; the longest step left holding the GIL is pyspellchecker's own letter
    set over all words (~30 ms, once a session)."""
    import gzip
    import json
    import pkgutil
    import time

    data = pkgutil.get_data("spellchecker", "resources/en.json.gz")
    if data is None:
        raise FileNotFoundError("pyspellchecker's English dictionary (resources/en.json.gz) is missing")
    text = gzip.decompress(data).decode("utf-8")   # zlib lets other threads run meanwhile
    body = text.strip().removeprefix("{").removesuffix("}")
    if not body.lstrip().startswith('"'):
        return json.loads(text)   # not the expected shape: parse it whole
    out: dict[str, int] = {}
    start = 0
    while start < len(body):
        end = body.find("\n", start + FREQUENCY_SLICE)
        end = len(body) if end < 0 else end
        piece = body[start:end].strip().rstrip(",")
        if piece:
            out.update(json.loads("{" + piece + "}"))
        start = end + 1
        time.sleep(0)   # the GUI thread's turn
    return out


def like(word: str, suggestion: str) -> str:
    """The suggestion in the word's case: "Recieve" → "Receive"."""
    if word[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


def read_personal(text: str) -> list[str]:
    """The agent's dictionary file: one word a line; blank lines and ``#`` comments ignored."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
