"""The customer's language: the 15 checkout languages, detection of a ticket's language, the choice.

Detection uses CLD2 (``pycld2``: Google's compact language detector, a C library with its tables
built in: microseconds per ticket, no model files to load, 10 MB). Only the checkout languages
count; a text CLD2 can't call reliably, or shorter than three words, is "unknown".

``customer_language(account, subject, text)`` picks the language to offer first: the language the
customer clearly writes in; else the account's checkout language; else English. (A German
merchant who writes to us in English reads English; their checkout language only says what their
own buyers read, so it decides when the text does not.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from console.domain.routing import strip_quoted_history

ENGLISH = "en"
# ISO 639-1 code → the checkout language's name (DOMAIN.md: 15 checkout languages).
CHECKOUT_LANGUAGES = {"bg": "Bulgarian", "da": "Danish", "nl": "Dutch", "en": "English", "fi": "Finnish",
                      "fr": "French", "de": "German", "it": "Italian", "no": "Norwegian", "pl": "Polish",
                      "pt": "Portuguese", "ro": "Romanian", "sk": "Slovak", "es": "Spanish", "sv": "Swedish"}
_CODE_ALIASES = {"nb": "no", "nn": "no"}
_BY_NAME = {name.casefold(): code for code, name in CHECKOUT_LANGUAGES.items()}
_MIN_WORDS = 3
_MIN_PERCENT = 60


@dataclass(frozen=True)
class CustomerLanguage:
    """A language code and where it came from: "text", "checkout" or "default"."""

    code: str
    source: str

    @property
    def name(self) -> str:
        return CHECKOUT_LANGUAGES.get(self.code, self.code)


def language_code(value: object) -> str | None:
    """A checkout language given as a name ("German") or a code ("de", "de-AT", "nb") → "de"; else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().casefold()
    if text in _BY_NAME:
        return _BY_NAME[text]
    code = _CODE_ALIASES.get(text.split("-")[0].split("_")[0], text.split("-")[0].split("_")[0])
    return code if code in CHECKOUT_LANGUAGES else None


def detect_language(text: str | None) -> str | None:
    """The checkout language a text is written in, or None when it can't be told reliably."""
    if not isinstance(text, str):
        return None
    body = strip_quoted_history(text)
    if len(re.findall(r"\w+", body)) < _MIN_WORDS:
        return None
    import pycld2  # C tables: loaded on first use only

    clean = body.encode("utf-8", "replace").decode("utf-8")  # lone surrogates would make CLD2 raise
    try:
        reliable, _size, candidates = pycld2.detect(clean)
    except pycld2.error:
        return None
    if not reliable:
        return None
    for _name, code, percent, _score in candidates:
        code = _CODE_ALIASES.get(code, code)
        if code in CHECKOUT_LANGUAGES and percent >= _MIN_PERCENT:
            return code
    return None


def customer_language(account, subject: str | None, text: str | None) -> CustomerLanguage:
    """The language to offer first (see the module docstring); ``account`` is a domain Account or None."""
    detected = detect_language(f"{subject or ''}\n{text or ''}")
    if detected:
        return CustomerLanguage(detected, "text")
    checkout = language_code(getattr(account, "checkout_language", None))
    if checkout:
        return CustomerLanguage(checkout, "checkout")
    return CustomerLanguage(ENGLISH, "default")
