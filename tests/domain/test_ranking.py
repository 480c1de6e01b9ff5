"""Ranked canned replies on the demo's replies: policy state, merchants, languages, usage, preselection."""

from datetime import UTC, datetime, timedelta

import pytest

from console.demo.catalog import canned_reply_definitions, group_restriction, macro_actions
from console.domain.ranking import UsageRecord, preselect, rank_replies
from console.domain.reply_catalog import ReplyCatalog

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
GROUPS = {"Ask Before Buying": 11, "Billing": 12, "Affiliate Program": 13, "Technical Support": 14}
ME = 500


def demo_macros() -> list[dict]:
    out = []
    for n, reply in enumerate(canned_reply_definitions(), start=1):
        department = reply.get("department")
        out.append({"id": n, "title": reply["title"], "description": reply["description"],
                    "active": not reply.get("fragment"),
                    "restriction": group_restriction(GROUPS[department]) if department else None,
                    "actions": macro_actions(reply, GROUPS, greeting=reply.get("greeting", ""),
                                             sign_off=reply.get("sign_off", ""))})
    return out


@pytest.fixture(scope="module")
def catalog():
    return ReplyCatalog.from_macros(demo_macros(), {v: k for k, v in GROUPS.items()})


def customer(days=70, invoice=20, language=None, email="marcus@example.com"):
    def day(n):
        return f"{(NOW + timedelta(days=n)).date().isoformat()}T00:00:00Z"
    return {"id": 7, "email": email, "user_fields": {
        "account_email": "marcus@example.com", "account_status": "active", "plan": "pro_monthly",
        "purchase_date": day(-days), "next_invoice_date": day(invoice), "checkout_language": language}}


def rank(catalog, subject, text, requester, group="Billing", **kw):
    ticket = {"id": 1, "subject": subject, "description": text, "group_id": GROUPS.get(group), "tags": [],
              "assignee_id": None}
    comments = [{"id": 1, "author_id": 7, "public": True, "body": text}]
    return rank_replies(catalog, ticket, requester, comments, now=NOW, me=ME, **kw)


def test_the_70_day_refund_never_gets_the_within_guarantee_reply_first_or_unmarked(catalog):
    ranked = rank(catalog, "Refund for my subscription",
                  "I bought the Pro plan a little over two months ago and I would like a refund.", customer(70))
    assert ranked[0].base_title == "Billing::Refund outside the guarantee" and not ranked[0].warnings
    within = next(r for r in ranked if r.base_title == "Billing::Refund within the 30-day guarantee")
    assert within.contradicted and "outside guarantee (purchased 70 days ago)" in within.warnings[0]
    merchant = next(r for r in ranked if r.base_title.startswith("General::Merchant"))
    assert merchant.contradicted and merchant.solves and merchant.needs_confirmation
    assert ranked.index(within) > 2 and ranked.index(merchant) > 2
    top = preselect(ranked)
    assert top is None or top.base_title == "Billing::Refund outside the guarantee"


def test_inside_the_window_the_within_reply_leads(catalog):
    ranked = rank(catalog, "Refund please", "I signed up twelve days ago, could I have a refund?", customer(12))
    assert ranked[0].base_title == "Billing::Refund within the 30-day guarantee"
    assert ranked[0].solves and ranked[0].needs_confirmation and "status → solved" in ranked[0].applies
    outside = next(r for r in ranked if r.base_title == "Billing::Refund outside the guarantee")
    assert outside.contradicted


def test_cancellation_replies_follow_the_ten_day_rule(catalog):
    short = rank(catalog, "Cancel", "Please cancel my subscription for me.", customer(200, invoice=4))
    done = next(r for r in short if r.base_title == "Billing::Cancellation — done on your behalf")
    assert done.contradicted and short[0].base_title != done.base_title
    enough = rank(catalog, "Cancel", "Please cancel my subscription for me.", customer(200, invoice=20))
    assert next(r for r in enough if r.base_title.endswith("less than 10 days notice")).contradicted


def test_a_merchants_customer_gets_contact_the_seller_first(catalog):
    ranked = rank(catalog, "Course access", "I bought a yoga course from a studio and your logo is on my receipt.",
                  {"id": 7, "email": "x@example.com", "user_fields": {}}, group=None)
    assert ranked[0].base_title == "General::Merchant's customer — contact the seller"
    assert ranked[0].needs_confirmation  # it solves the ticket: never inserted on the opening keystroke


def test_the_customers_language_picks_the_translation_and_the_switch_goes_back(catalog):
    text = "Bitte kündigen Sie mein Abonnement, ich brauche es nicht mehr."
    ranked = rank(catalog, "Kündigung", text, customer(200, invoice=20, language="German"))
    top = next(r for r in ranked if r.base_title == "Billing::Cancellation — how to cancel yourself")
    assert (top.language, top.title) == ("de", "Billing::Cancellation — how to cancel yourself [de]")
    assert top.languages == ("en", "de", "es", "fr", "nl", "pt")
    english = rank(catalog, "Kündigung", text, customer(200, invoice=20), language="en")
    assert all(r.language == "en" for r in english)


def test_usage_on_similar_tickets_breaks_a_near_tie(catalog):
    def top_two(history=()):
        ranked = rank(catalog, "Cancel", "Please cancel my subscription.", customer(200, invoice=20), history=history)
        return [r.base_title for r in ranked[1:3]]
    assert top_two() == ["Billing::Cancellation — how to cancel yourself", "Billing::Freeze instead of cancel"]
    freeze = next(r for r in rank(catalog, "Cancel", "Please cancel.", customer()) if r.base_title.startswith("Billing::Freeze"))
    similar = [UsageRecord(freeze.macro_id, GROUPS["Billing"], ("billing", "cancellation"), 12)]
    assert top_two(similar) == ["Billing::Freeze instead of cancel", "Billing::Cancellation — how to cancel yourself"]
    unrelated = [UsageRecord(freeze.macro_id, GROUPS["Technical Support"], ("tech", "login"), 12)]
    assert top_two(unrelated) == top_two()


def test_preselection_only_when_confident(catalog):
    clear = rank(catalog, "Invoices", "Where can I download my invoices?", customer())
    assert preselect(clear).base_title == "Billing::Invoices"
    vague = rank(catalog, "Hello", "Just wanted to say hi.", customer(), group=None)
    assert preselect(vague) is None


def test_a_broken_fragment_is_a_warning_and_never_preselected():
    macros = demo_macros()
    macros = [m for m in macros if m["title"] != "Fragment::Refund terms"]
    broken = ReplyCatalog.from_macros(macros, {v: k for k, v in GROUPS.items()})
    ranked = rank(broken, "Refund", "I signed up 70 days ago and I want a refund.", customer(70))
    outside = next(r for r in ranked if r.base_title == "Billing::Refund outside the guarantee")
    assert outside.fragment_error and "Fragment 'Refund terms' is missing" in outside.warnings[-1]
    assert preselect([outside]) is None
