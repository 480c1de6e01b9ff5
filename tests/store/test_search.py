"""Search box input: plain words, phrases, OR, exclusions, and odd text that must not crash."""

from __future__ import annotations

import pytest

from console.store import CacheWriter, Kind, SearchSyntaxError
from console.store.search import build_match
from tests.store.store_records import comment_event, make_comment, make_ticket, make_user


@pytest.fixture
def filled(writer, reader):
    writer.apply_ticket_page([make_ticket(1, subject="Refund for a double charge"),
                              make_ticket(2, subject="Cannot log in after password reset"),
                              make_ticket(3, subject="تغيير البريد الإلكتروني"),
                              make_ticket(4, subject="Café checkout language")], "c", end_of_stream=True,
                             users=[make_user(9001, "Jane Roe", "jane@example.org"),
                                    make_user(7001, "Alex Agent", "alex@desk.example", role="agent")])
    writer.apply_comment_events([comment_event(1, make_comment(11, "I was charged twice for my plan")),
                                 comment_event(2, make_comment(12, "The reset email never arrived (spam?)")),
                                 comment_event(4, make_comment(13, "Please add the 🎉 emoji to my page"))], 100)
    writer.replace_macros([{"id": 5, "title": "Billing::Refund within 30 days", "active": True,
                            "actions": [{"field": "comment_value", "value": "Refunds are handled by Billing."}]},
                           {"id": 6, "title": "Inactive macro about refunds", "active": False, "actions": []}])
    return reader


def kinds_ids(hits):
    return [(h.kind, h.id) for h in hits]


def test_plain_words_prefix_as_you_type(filled):
    assert kinds_ids(filled.search("refu")) == [("canned_reply", 5), ("ticket", 1)]
    assert kinds_ids(filled.search("charged tw")) == [("comment", 11)]
    hit = filled.search("charged tw")[0]
    assert hit.ticket_id == 1 and hit.title == "Refund for a double charge" and "[charged]" in hit.snippet
    assert filled.search("charg ") == []  # a finished word (trailing space) matches whole words only
    assert [k for k in kinds_ids(filled.search("jane")) if k[0] != "customer_ticket"] == [("customer", 9001)]
    assert filled.search("alex") == []  # agents are not customers


def test_phrases_or_and_exclusions(filled):
    assert kinds_ids(filled.search('"password reset"')) == [("ticket", 2)]
    assert filled.search('"reset password"') == []
    assert {h.id for h in filled.search("double OR arrived")} == {1, 12}
    assert kinds_ids(filled.search("reset -email")) == [("ticket", 2)]
    assert kinds_ids(filled.search("cafe")) == [("ticket", 4)]  # diacritics folded
    assert kinds_ids(filled.search("البريد")) == [("ticket", 3)]


@pytest.mark.parametrize("text", [
    "(", ")", "((refund", "refund)", "AND", "refund AND", "NOT", "refund NOT", "*", "ref*", "**", "^refund",
    "NEAR(refund charge)", "subject:refund", "a:b:c", "🎉", "🎉🎉 refund", "مرحبا", "' OR 1=1 --", "\\", "\x00",
    "-", "- -", "‐refund", "x" * 2000, "\u200b", "{}", "[]", "col:", "+", "'", "refund's", "e-mail",
    "   ", "", "refund OR", "refund OR 🎉 OR charge",
])
def test_odd_input_never_raises(filled, text):
    hits = filled.search(text)
    assert isinstance(hits, list)


@pytest.mark.parametrize("text, message", [
    ('"refund', "quote is not closed"),
    ('refund "double charge', "quote is not closed"),
    ("OR refund", "OR needs a word"),
    ("refund OR OR charge", "OR needs a word"),
    ("-refund", "Add a word to look for"),
    ("refund OR -charge", "OR cannot be followed"),
])
def test_bad_syntax_is_a_clear_search_syntax_error(filled, text, message):
    with pytest.raises(SearchSyntaxError, match=message):
        filled.search(text)


def test_build_match_quotes_everything():
    assert build_match('say "hi" NOT (x)') == '"say" AND "hi" AND "NOT" AND "(x)"'
    assert build_match("a OR bc de") == '("a" OR "bc") AND "de"*'
    assert build_match("🎉 ()") is None and build_match("") is None


def test_tombstoned_tickets_and_their_comments_are_not_found(writer, filled):
    writer.apply_ticket_page([make_ticket(1, 5000, status="deleted", subject="Refund for a double charge")],
                             "c", end_of_stream=False)
    assert kinds_ids(filled.search("refu")) == [("canned_reply", 5)]
    assert filled.search("charged") == []


def test_subject_change_is_reindexed(writer, filled):
    writer.apply_ticket_page([make_ticket(2, 5000, subject="Two factor codes")], "c", end_of_stream=False)
    assert filled.search("password") == []
    assert kinds_ids(filled.search("factor")) == [("ticket", 2)]
    assert writer._conn.execute("INSERT INTO ticket_fts(ticket_fts, rank) VALUES ('integrity-check', 1)")


def test_initial_bulk_load_builds_the_index_when_its_stream_ends(cache_path, writer, reader):
    """An export into an empty cache skips the search index page by page and builds it whole at
    the stream's end; a load cut short (the writer closed mid-stream) resumes deferred."""
    writer.apply_ticket_page([make_ticket(1, subject="Refund for a double charge")], "c1", end_of_stream=False,
                             bulk=True)
    writer.apply_comment_events([comment_event(1, make_comment(11, "I was charged twice"))], 100, bulk=True)
    assert writer.deferred_index == {"tickets", "comments"}
    assert reader.search("refund") == [] and reader.search("charged") == []  # not yet: the load goes on
    writer.close()

    again = CacheWriter(cache_path)  # the app restarted mid-load
    try:
        assert again.deferred_index == {"tickets", "comments"}
        again.apply_ticket_page([make_ticket(2, subject="Cannot log in")], "c2", end_of_stream=True, bulk=True)
        assert kinds_ids(reader.search("refund")) == [("ticket", 1)]
        assert kinds_ids(reader.search("log in")) == [("ticket", 2)]
        again.apply_comment_events([comment_event(2, make_comment(12, "The reset email never came"))], 200,
                                   bulk=True)
        assert reader.search("charged") == []
        again.apply_comment_events([], 300, end_of_stream=True, bulk=True)
        assert kinds_ids(reader.search("charged")) == [("comment", 11)]
        assert kinds_ids(reader.search("reset email")) == [("comment", 12)]
        assert again.deferred_index == frozenset()
        # later pages (the cache is no longer empty) are indexed as they come, edits included
        again.apply_comment_events([comment_event(2, make_comment(12, "The reset link expired"))], 400, bulk=True)
        assert again.deferred_index == frozenset()
        assert reader.search("email never") == [] and kinds_ids(reader.search("link expired")) == [("comment", 12)]
    finally:
        again.close()


def test_a_round_that_ends_well_builds_any_index_still_deferred(writer, reader):
    writer.apply_user_page([make_user(9001, "Jane Roe", "jane@example.org")], "u1", bulk=True)
    assert reader.search("jane") == []
    writer.record_sync_result(None)
    assert kinds_ids(reader.search("jane")) == [("customer", 9001)] and writer.deferred_index == frozenset()


def test_an_unchanged_resource_refresh_rewrites_nothing_and_changes_nothing(writer, reader):
    macros = [{"id": 5, "title": "Billing::Refund within 30 days", "active": True, "position": 1,
               "actions": [{"field": "comment_value", "value": "Refunds are handled by Billing."}]},
              {"id": 6, "title": "Password reset steps", "active": True, "position": 2, "actions": []}]
    assert writer.replace_macros(macros).touches(Kind.CANNED_REPLIES)
    before = reader.sync_state("refreshed:macros")
    again = writer.replace_macros(list(reversed(macros)))   # the same macros, listed in another order
    assert not again.touches(Kind.CANNED_REPLIES)   # nothing for the window to react to
    assert reader.sync_state("refreshed:macros") >= before   # but it was refreshed
    assert ("canned_reply", 6) in kinds_ids(reader.search("password"))
    edited = [macros[0], {**macros[1], "title": "Two-factor reset steps"}]
    assert writer.replace_macros(edited).touches(Kind.CANNED_REPLIES)
    assert ("canned_reply", 6) in kinds_ids(reader.search("factor")) and ("canned_reply", 6) not in kinds_ids(reader.search("password"))
    assert writer.replace_macros(edited[:1]).touches(Kind.CANNED_REPLIES)
    assert [m for m in kinds_ids(reader.search("steps")) if m[0] == "canned_reply"] == []   # one gone: rewritten
