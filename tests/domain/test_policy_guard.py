"""The policy guard: a reply's assumptions against the badges, and promises left in a reply's text."""

from datetime import UTC, datetime, timedelta

import pytest

from console.domain.policies import policy_badges
from console.domain.policy_guard import ASSUMPTIONS, assess, by_rule, contradicted_promises, parse_assumptions

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def requester(purchase_days: int | None = 70, invoice_days: int | None = 20, email="ann@example.com",
              account_email="ann@example.com"):
    def day(n):
        return None if n is None else f"{(NOW + timedelta(days=n)).date().isoformat()}T00:00:00Z"
    return {"id": 9, "email": email, "user_fields": {
        "account_email": account_email, "account_status": "active", "plan": "pro_monthly",
        "purchase_date": day(-purchase_days) if purchase_days is not None else None,
        "next_invoice_date": day(invoice_days)}}


def badges(subject="Refund", text="I want a refund", **kw):
    return policy_badges({"subject": subject, "description": text}, requester(**kw), "Billing",
                         [{"body": text, "public": True}], now=NOW)


def test_assumes_lines_parse_into_the_vocabulary_and_unknown_clauses_are_named():
    found, unknown = parse_assumptions("Refund approved.\nAssumes: Inside the 30-day guarantee; sent from the "
                                       "account email.\nassumes: a platfrom customer")
    assert [a.key for a in found] == ["refund_inside", "account_email"]
    assert unknown == ("a platfrom customer",)
    assert parse_assumptions(None) == ((), ())
    assert all(parse_assumptions(f"Assumes: {a.phrase}")[0] == (a,) for a in ASSUMPTIONS)


@pytest.mark.parametrize("days, inside", [(30, True), (31, False), (0, True), (70, False)])
def test_refund_guarantee_day_30_is_inside_day_31_outside(days, inside):
    ruled = by_rule(badges(purchase_days=days))
    inside_check = assess(next(a for a in ASSUMPTIONS if a.key == "refund_inside"), ruled, True)
    outside_check = assess(next(a for a in ASSUMPTIONS if a.key == "refund_outside"), ruled, True)
    assert inside_check.verdict is inside and outside_check.verdict is (not inside)
    assert inside_check.contradicted is (not inside)


def test_unknown_purchase_date_is_neither_confirmed_nor_contradicted():
    check = assess(next(a for a in ASSUMPTIONS if a.key == "refund_inside"), by_rule(badges(purchase_days=None)), True)
    assert check.verdict is None and "can't confirm" in check.warning()


def test_the_70_day_refund_text_is_caught_in_every_translated_language():
    outside = badges(purchase_days=70)
    promises = [
        "Your purchase on March 23, 2026 is inside our 30-day money-back guarantee, so I have issued a full refund.",
        "Ihr Kauf vom 23.03.2026 liegt innerhalb unserer 30-tägigen Geld-zurück-Garantie, daher habe ich Ihnen den "
        "vollen Betrag erstattet.",
        "Votre achat est couvert par notre garantie, et j'ai effectué un remboursement intégral.",
        "Tu compra está dentro de nuestra garantía de devolución de 30 días, así que he emitido un reembolso completo.",
        "Sua compra está dentro da nossa garantia de reembolso de 30 dias, então já fiz o reembolso integral.",
        "Je aankoop valt binnen onze geld-terug-garantie van 30 dagen, dus heb ik het volledige bedrag aan je terugbetaald.",
    ]
    for text in promises:
        [found] = contradicted_promises(text, outside, True)
        assert "outside guarantee (purchased 70 days ago)" in found, text
        assert contradicted_promises(text, badges(purchase_days=12), True) == []  # inside: the promise holds


def test_a_polite_refusal_or_the_general_terms_promise_nothing():
    outside = badges(purchase_days=70)
    assert contradicted_promises("It falls outside our money-back guarantee and we cannot refund it. Every "
                                 "subscription comes with a 30-day money-back guarantee.", outside, True) == []
    assert contradicted_promises("", outside) == [] and contradicted_promises(None, outside) == []
    # the refusal, sent to someone inside the guarantee, is caught the other way round
    assert contradicted_promises("we cannot refund it", badges(purchase_days=3), True)


def test_cancellation_done_for_them_with_four_days_notice():
    short = badges("Cancel", "Please cancel my subscription", invoice_days=4)
    assert contradicted_promises("As requested, I have canceled your subscription.", short, True)
    assert not contradicted_promises("As requested, I have canceled your subscription.",
                                     badges("Cancel", "Please cancel my subscription", invoice_days=12), True)


def test_security_reset_promised_to_the_wrong_sender_and_username_rename_and_restored_content():
    ticket = {"subject": "Reset my Security Question", "description": "Please reset my security question"}
    wrong = policy_badges(ticket, requester(email="other@example.com"), "Technical Support",
                          [{"body": ticket["description"]}], now=NOW)
    found = contradicted_promises("Your request came from the account email, so I have reset your security "
                                  "question.", wrong, True)
    assert len(found) == 2  # the sender and the reset
    rename = policy_badges({"subject": "Username", "description": "Please change my username"}, requester(),
                           None, [], now=NOW)
    assert contradicted_promises("Done! We have changed your username.", rename, True)
    inactive = policy_badges({"subject": "Login", "description": "This account is not active"}, requester(), None,
                             [], now=NOW)
    assert contradicted_promises("I will restore all of your previous pages.", inactive, True)


def test_contact_the_seller_told_to_a_platform_customer():
    assert contradicted_promises("Please contact the seller directly.", badges(), True)
    merchant = policy_badges({"subject": "Course", "description": "I bought a course from a coach"}, None, None, [],
                             now=NOW)
    assert contradicted_promises("Please contact the seller directly.", merchant, False) == []
