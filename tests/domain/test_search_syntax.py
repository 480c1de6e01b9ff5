"""The search syntax: one tokenizer for the helpdesk and the cache, and the helpdesk's reading of it."""

from __future__ import annotations

import pytest

from console.domain.search_syntax import SearchSyntaxError, SearchTerm, parse_query, tokenize


def test_parse_keywords_phrases_negation_and_sorting():
    q = parse_query('refund "wrong currency" -tags:spam status<solved type:ticket group:"Ask Before Buying" '
                    "invoi* order_by:updated sort:asc 4821")
    assert q.terms == (
        SearchTerm(None, ":", "refund"),
        SearchTerm(None, ":", "wrong currency", quoted=True),
        SearchTerm("tags", ":", "spam", negated=True),
        SearchTerm("status", "<", "solved"),
        SearchTerm("group", ":", "Ask Before Buying", quoted=True),
        SearchTerm(None, ":", "invoi*"),
        SearchTerm(None, ":", "4821"),
    )
    assert (q.result_type, q.order_by, q.sort_order) == ("ticket", "updated", "asc")
    assert q.terms[5].wildcard and q.terms[5].text == "invoi"
    assert q.result_types == {"ticket"}


def test_parse_decides_which_result_types_can_match():
    assert parse_query("jane").result_types == {"ticket", "user"}
    assert parse_query("jane status:open").result_types == {"ticket"}
    assert parse_query("role:agent").result_types == {"user"}
    assert parse_query("tags:vip").result_types == {"ticket", "user"}
    assert parse_query("type:user status:open").result_types == frozenset()
    assert parse_query("Priority>=High").terms == (SearchTerm("priority", ">=", "high"),)


@pytest.mark.parametrize(("query", "message"), [
    ('subject:"unfinished', "quote is not closed"),
    ('refund "wrong currency', "quote is not closed"),
    ('ref"und', "quote is not closed"),
    ("tags>vip", "'tags' can't be compared with '>'"),
    ("assignee<5", "'assignee' can't be compared"),
    ("created>yesterdayish", "is not a date"),
    ("updated<2025-13-45", "is not a date"),
    ("status:reopened", "Unknown status 'reopened'"),
    ("priority<none", "Unknown priority"),
    ("type:ticket -type:user", "can't be negated"),
    ("type:spaceship", "Unknown type"),
    ("order_by:colour", "Can't order by"),
    ("sort:sideways", "asc or desc"),
    ("status:", "needs a value"),
    ("in*voice", "only works at the end"),
    ('""', "can't be empty"),
    ("   ", "Type something"),
])
def test_bad_syntax_gives_a_clear_message(query, message):
    with pytest.raises(SearchSyntaxError) as caught:
        parse_query(query)
    assert message in str(caught.value)




def test_tokenizer_gives_words_phrases_exclusions_and_field_terms():
    terms = tokenize('refund -"double charge" status:pending requester:jane@example.org created>2026-11-01 '
                     '-Priority>=High group:"Ask Before" a:b ref"und" OR -OR')
    assert terms == [
        SearchTerm(None, ":", "refund"),
        SearchTerm(None, ":", "double charge", negated=True, quoted=True),
        SearchTerm("status", ":", "pending"),
        SearchTerm("requester", ":", "jane@example.org"),
        SearchTerm("created", ">", "2026-11-01"),
        SearchTerm("priority", ">=", "High", negated=True),
        SearchTerm("group", ":", "Ask Before", quoted=True),
        SearchTerm(None, ":", "a:b"),                      # not a keyword: a word
        SearchTerm(None, ":", "ref"), SearchTerm(None, ":", "und", quoted=True),  # a word ends at a quote
        SearchTerm(None, ":", "OR"), SearchTerm(None, ":", "OR", negated=True),
    ]
    assert [t.source for t in terms[2:7]] == ["status:pending", "requester:jane@example.org", "created>2026-11-01",
                                              "Priority>=High", 'group:"Ask Before"']
    assert terms[-2].is_or and not terms[-1].is_or and not terms[1].is_or
    assert tokenize("") == [] and tokenize("status:") == [SearchTerm("status", ":", "")]


def test_one_error_class_and_one_quote_rule_for_both_searches(tmp_path):
    from console.store import CacheReader, CacheWriter
    from console.store import SearchSyntaxError as CacheSearchSyntaxError

    assert issubclass(CacheSearchSyntaxError, SearchSyntaxError)
    CacheWriter(tmp_path / "cache.sqlite").close()
    with CacheReader(tmp_path / "cache.sqlite") as cache:
        for text in ('refund "wrong currency', 'subject:"unfinished'):
            with pytest.raises(SearchSyntaxError) as helpdesk:
                parse_query(text)
            with pytest.raises(CacheSearchSyntaxError) as offline:
                cache.search(text)
            assert str(helpdesk.value) == str(offline.value)
        assert cache.search("status:pending requester:jane created>2026-11-01") == []  # read as text, no error
