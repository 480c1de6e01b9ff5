"""Intent detection and department hints on realistic customer messages."""

import pytest

from console.domain.routing import detect_intents, intents_from_tags
from console.domain.triage import suggest_department


@pytest.mark.parametrize("subject, text, expected", [
    ("Refund request", "Hi, I signed up 5 days ago and it's not for me. Can I get my money back?", {"refund"}),
    ("Cancel", "Please cancel my subscription before the next billing date.", {"cancel"}),
    ("Cancellation", "I want to end my subscription, it's too expensive right now.", {"cancel"}),
    ("Reset my Security Question", "I don't remember the answer to my security question.",
     {"security_question"}),
    ("Username", "Is it possible to change my username? It still shows my old brand.", {"rename"}),
    ("Can't get in", "I can't log in, I forgot my password and the reset email never came.",
     {"login", "password_reset"}),
    ("Help", "When I try to sign in it says This account is not active", {"login", "inactive_account"}),
    ("Card", "My card expired, how do I update my credit card?", {"card_update"}),
    ("Invoice", "Where can I download my invoices for the last year?", {"invoice"}),
    ("PayPal?", "Can I pay for the subscription with PayPal?", {"payment_method"}),
    ("Sales tax", "Why was sales tax added to my bill?", {"sales_tax"}),
    ("Affiliate", "How do I apply to become an affiliate?", {"affiliate"}),
    ("Domain", "How do I connect my own domain? Which CNAME record?", {"custom_domain"}),
    ("Profile", "My profile won't save, one box is outlined in red.", {"profile_save"}),
])
def test_intents_on_realistic_messages(subject, text, expected):
    assert expected <= detect_intents(subject, text)


def test_no_intent_in_small_talk():
    assert detect_intents("Thanks!", "Thank you so much, that worked perfectly.") == set()


def test_password_mentioned_in_passing_is_a_login_problem_not_a_reset():
    intents = detect_intents("Trouble", "I type my password and the page just reloads.")
    assert "password_reset" not in intents and "login" in intents


def test_matching_survives_case_curly_quotes_and_full_width_letters():
    assert "rename" in detect_intents("", "CAN I CHANGE MY USERNAME?")
    assert "login" in detect_intents("", "I can\u2019t access my account")
    assert "refund" in detect_intents("", "\uff32\uff25\uff26\uff35\uff2e\uff24 please")  # full-width REFUND


@pytest.mark.parametrize("text, intent", [
    ("Ich möchte eine Rückerstattung.", "refund"),
    ("Je voudrais un remboursement.", "refund"),
    ("Quiero un reembolso", "refund"),
    ("Ich will mein Abo KÜNDIGEN", "cancel"),
    ("Je veux résilier mon abonnement", "cancel"),
])
def test_a_few_non_english_money_words(text, intent):
    assert intent in detect_intents("", text)


def test_words_inside_other_words_do_not_match():
    assert "refund" not in detect_intents("", "The nonrefundable deposit is fine.")
    assert "login" not in detect_intents("", "Our blogging integration looks great.")
    assert "sales_tax" not in detect_intents("", "We cultivate leads.")


def test_quoted_history_does_not_decide_the_intent():
    text = "Thanks, all sorted now!\n\nOn Mon, 3 Mar 2026 at 10:00, Jane <jane@example.org> wrote:\n> I want a refund"
    assert "refund" not in detect_intents("Re: Account", text)


def test_non_string_input_is_harmless():
    assert detect_intents(None, None) == set()
    assert suggest_department(None, None).name is None


@pytest.mark.parametrize("subject, text, department", [
    ("Refund", "I want a refund for my plan.", "Billing"),
    ("Plan", "How do I upgrade to the annual plan?", "Billing"),
    ("Question", "Before I buy, does your platform support memberships?", "Ask Before Buying"),
    ("Trial", "How does the $1 trial work?", "Ask Before Buying"),
    ("Trial", "Please cancel my trial before it renews.", "Billing"),
    ("Commission", "When is the affiliate commission payout?", "Affiliate Program"),
    ("Login", "I can't log in since this morning.", "Technical Support"),
    ("Reset my Security Question", "I need my security question reset before I update my card.",
     "Technical Support"),
    ("Charge", "I bought a course from a coach and was charged by your company.", None),
    ("Hello", "Just saying hi.", None),
])
def test_department_hints_follow_the_department_table(subject, text, department):
    assert suggest_department(subject, text).name == department


def test_intents_from_tags():
    assert intents_from_tags(["Refund", "cancellation", "security-question-reset", "vip"]) == {
        "refund", "cancel", "security_question"}
    assert intents_from_tags(None) == set() and intents_from_tags([3, None]) == set()
