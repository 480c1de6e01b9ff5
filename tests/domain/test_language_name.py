"""The customer's language in English, from babel's English data alone (all the bundle keeps)."""

from __future__ import annotations

import babel.localedata

from console.domain.local_time import language_name

KEPT = ("root", "en", "en_US")   # build_installer.spec: BABEL_LOCALES_KEPT


def test_language_names_need_only_the_english_locale_data(monkeypatch):
    load = babel.localedata.load

    def only_english(name, merge_inherited=True):
        if name not in KEPT:
            raise FileNotFoundError(f"{name}.dat is not in the bundle")
        return load(name, merge_inherited)
    monkeypatch.setattr(babel.localedata, "load", only_english)
    monkeypatch.setattr(babel.localedata, "exists", lambda name: name in KEPT)
    assert language_name({"locale": "de"}) == "German"
    assert language_name({"locale": "en-GB"}) == "English (United Kingdom)"
    assert language_name({"locale": "pt-BR"}) == "Portuguese (Brazil)"
    assert language_name({"locale": "xx"}) is None
    assert language_name({"locale": ""}) is None and language_name(None) is None
