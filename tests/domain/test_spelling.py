"""Which words are checked, and the English dictionary's answers (pyspellchecker, loaded once here)."""

from __future__ import annotations

import time

import pytest

from console.domain.spelling import Speller, read_personal, word_at, words


def test_urls_emails_placeholders_codes_and_capitals_are_not_checked():
    text = ("Hi Ada, see https://help.exampel.com/refnd or www.exampel.org, write to billng@exampel.com; "
            "{{ ticket.requester.first_name }} {% render 'Refnd terms' %} INV2041 ASAP order_id PayPal "
            "exampel.com/x a I don't customer’s")
    assert [w.text for w in words(text)] == ["Hi", "Ada", "see", "or", "write", "to", "don't", "customer’s"]


def test_offsets_are_the_words_place_and_the_word_at_a_cursor():
    text = "Thanks  for your pateince"
    [*_, last] = words(text)
    assert text[last.start:last.end] == "pateince"
    assert word_at(text, len(text)).text == "pateince"   # the cursor just after it
    assert word_at(text, 7) is None                      # between words
    assert word_at(text, 6).text == "Thanks"


def test_a_run_longer_than_any_word_is_not_checked_and_costs_a_keystroke_little():
    """The highlighter runs this on the edited paragraph at every keystroke (GUI thread). A long run
    of letters, a pasted key or the bench's typed "aaaa…", made the email pattern backtrack over
    the rest of the run from each letter: 8,000 letters cost 0.45 s a keystroke, 20,000 ~3 s."""
    assert [w.text for w in words("pneumonoultramicroscopicsilicovolcanoconiosis")] != []   # 45 letters
    assert words("a" * 46) == [] and words("Sent " + "x" * 5000 + " today") == [(0, 4, "Sent"), (5006, 5011, "today")]
    for text in ("a" * 20_000, "a." * 10_000, "ab@" * 7_000, "a-b" * 7_000):
        started = time.perf_counter()
        words(text)
        assert time.perf_counter() - started < 0.25, text[:6]   # linear: a few ms (seconds before)


@pytest.fixture(scope="module")
def speller():
    return Speller.load(["Zendeskian"])


def test_misspelled_words_and_their_suggestions_most_used_first(speller):
    assert speller.misspelled("recieve") and speller.misspelled("pateince")
    assert not speller.misspelled("receive") and not speller.misspelled("Refund")
    assert not speller.misspelled("customer's") and not speller.misspelled("customer’s")
    assert not speller.misspelled("zendeskian"), "the agent's own words, any case"
    assert speller.quick_suggestions("recieve") == ["receive", "relieve"]
    assert speller.quick_suggestions("Recieve")[0] == "Receive", "in the word's case"
    assert speller.suggestions("recieve")[:2] == ["receive", "relieve"] and len(speller.suggestions("recieve")) == 5
    assert speller.suggestions("acommodatoin") == ["accommodation"], "two edits away"


def test_an_accepted_word_is_no_longer_misspelled(speller):
    assert speller.misspelled("Frobnicated")
    speller.accept("Frobnicated")
    assert not speller.misspelled("frobnicated")


def test_the_personal_dictionary_file():
    assert read_personal("# my words\nZendeskian\n\n  PayPal  \n") == ["Zendeskian", "PayPal"]


def test_the_frequencies_parsed_in_slices_are_the_whole_list():
    import gzip
    import json
    import pkgutil

    from console.domain.spelling import english_frequencies

    whole = json.loads(gzip.decompress(pkgutil.get_data("spellchecker", "resources/en.json.gz")))
    assert english_frequencies() == whole and len(whole) > 100_000
