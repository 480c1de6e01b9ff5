"""Fragments: included by name through python-liquid's loader; loops and missing ones are errors."""

import pytest

from console.domain.fragments import (
    FragmentError,
    check_fragments,
    expand_fragments,
    fragment_name,
    fragments_from_macros,
    render_with_fragments,
)
from console.domain.placeholders import render

FRAGMENTS = {"refund terms": "Refunds within 30 days ({{ ticket.requester.first_name }}). {% render 'Billing rule' %}",
             "billing rule": "Billing handles them.", "a": "{% render 'B' %}", "b": "{% render 'a' %}", "c": "{% include 'd' %}", "d": "{% include 'C' %}",
             "loop": "{% render 'loop' %}", "incl": "{% include 'Billing rule' %}"}
CONTEXT = {"ticket": {"requester": {"first_name": "Ann"}}}


def test_render_and_include_resolve_names_without_regard_to_case():
    template = "Hi. {% render 'Refund terms' %} / {% include \"REFUND TERMS\" %}"
    text = render_with_fragments(template, CONTEXT, FRAGMENTS)
    assert text == "Hi. Refunds within 30 days (Ann). Billing handles them. / Refunds within 30 days (Ann). " \
                   "Billing handles them."
    # expanding then rendering gives the same text, with the placeholders kept until then
    expanded = expand_fragments(template, FRAGMENTS)
    assert "{{ ticket.requester.first_name }}" in expanded and "{%" not in expanded
    assert render(expanded, CONTEXT) == text


@pytest.mark.parametrize("template, message", [
    ("{% render 'nope' %}", "Fragment 'nope' is missing"),
    ("{% render 'a' %}", "Fragment loop: a → b → a"),
    ("{% render 'loop' %}", "Fragment loop: loop → loop"),
    ("{% include 'c' %}", "Fragment loop: c → d → C"),
    ("{% render 'Billing rule' with x %}", "without arguments"),
    ("{% render 'incl' %}", "can't include"),
    ("{% render name %}", "in quotes"),
])
def test_a_loop_or_a_missing_fragment_is_an_error_never_half_a_reply(template, message):
    for call in (lambda: check_fragments(template, FRAGMENTS), lambda: expand_fragments(template, FRAGMENTS),
                 lambda: render_with_fragments(template, CONTEXT, FRAGMENTS)):
        with pytest.raises(FragmentError, match=message):
            call()


def test_fragments_come_from_macros_titled_fragment():
    macros = [{"id": 1, "title": "Fragment::Refund terms", "actions": [{"field": "comment_value", "value": "T"}]},
              {"id": 2, "title": "Billing::Refund", "actions": [{"field": "comment_value", "value": "R"}]},
              {"id": 3, "title": "fragment:: Rule ", "actions": [{"field": "comment_value", "value": ["channel:all", "U"]}]}]
    assert fragments_from_macros(macros) == {"refund terms": "T", "rule": "U"}
    assert fragment_name("Billing::Refund") is None and fragment_name(None) is None


def test_editing_a_fragment_once_changes_every_reply_that_includes_it():
    replies = ["A {% render 'Refund terms' %}", "B {% include 'Refund terms' %}"]
    edited = {**FRAGMENTS, "refund terms": "New terms."}
    assert [render_with_fragments(r, CONTEXT, edited) for r in replies] == ["A New terms.", "B New terms."]


def test_macros_with_fragments_expanded_for_the_editor():
    from console.domain.fragments import with_fragments_expanded

    def macro(i, title, text):
        return {"id": i, "title": title, "actions": [{"field": "comment_value", "value": text},
                                                     {"field": "status", "value": "pending"}]}
    macros = [macro(1, "Fragment::Refund terms", "Terms."), macro(2, "Billing::Refund", "A {% render 'Refund terms' %}"),
              macro(3, "Billing::Broken", "B {% render 'gone' %}"), macro(4, "Billing::Plain", "C")]
    out = with_fragments_expanded(macros, fragments_from_macros(macros))
    assert [m["id"] for m in out] == [2, 3, 4]
    assert out[0]["actions"] == [{"field": "comment_value", "value": "A Terms."}, {"field": "status", "value": "pending"}]
    assert out[1] == macros[2] and out[2] == macros[3]  # kept as written: the error shows where it is checked
