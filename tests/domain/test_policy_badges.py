"""Policy badges: both sides of every rule, and the edges (30 days, 10 days, null dates, casing)."""

from datetime import UTC, datetime

import pytest

from console.domain.policies import policy_badges

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def customer(email="jane@example.org", **facts):
    fields = {"account_email": "jane@example.org", "username": "jroe42", "plan": "pro_monthly",
              "account_status": "active", "purchase_date": "2026-06-01T00:00:00Z",
              "next_invoice_date": "2026-07-01T00:00:00Z", "currency": "usd", "custom_domain": None,
              "security_question_set": True, "affiliate_status": "none"}
    fields.update(facts)
    return {"id": 9001, "name": "Jane Roe", "email": email, "role": "end-user", "user_fields": fields}


def merchant_buyer():
    return {"id": 9002, "name": "Bo Buyer", "email": "bo@example.net", "role": "end-user",
            "user_fields": {key: None for key in ("account_email", "username", "plan", "account_status")}}


def ticket(subject, description, tags=()):
    return {"id": 1, "subject": subject, "description": description, "tags": list(tags), "status": "open",
            "created_at": "2026-06-15T09:00:00Z", "requester_id": 9001,
            "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}}}


def email_comment(text, sender):
    return {"id": 10, "author_id": 9001, "public": True, "body": text, "plain_body": text,
            "created_at": "2026-06-15T09:00:00Z",
            "via": {"channel": "email", "source": {"from": {"address": sender, "name": "x"}, "to": {}}}}


def badges(tk, requester, group="Billing", comments=(), now=NOW):
    return {b.rule: b for b in policy_badges(tk, requester, group, list(comments), now=now)}


REFUND = ticket("Refund please", "I'd like a refund for my subscription.")
CANCEL = ticket("Cancel my plan", "Please cancel my subscription.")


# sender verification

def test_verified_sender_compares_case_insensitively_and_trimmed():
    badge = badges(REFUND, customer(email="  JANE@Example.org "))["sender_verification"]
    assert (badge.label, badge.tone, badge.relevant) == ("verified sender", "ok", True)


def test_other_address_is_not_the_account_email():
    badge = badges(REFUND, customer(email="jane.personal@example.com"))["sender_verification"]
    assert (badge.label, badge.tone) == ("not the account email", "bad")
    assert "jane.personal@example.com" in badge.detail


def test_first_comment_sender_outranks_the_requester_email():
    spoofed = [email_comment("I'd like a refund", "someone@else.example")]
    assert badges(REFUND, customer(), comments=spoofed)["sender_verification"].tone == "bad"
    genuine = [email_comment("I'd like a refund", "Jane@EXAMPLE.org")]
    assert badges(REFUND, customer(email="other@x.example"), comments=genuine)["sender_verification"].tone == "ok"


def test_sender_badge_is_shown_but_not_highlighted_on_unrelated_tickets():
    tk = ticket("Custom domain", "How do I connect my custom domain?")
    badge = badges(tk, customer(), group="Technical Support")["sender_verification"]
    assert badge.relevant is False


# refund guarantee

@pytest.mark.parametrize("purchase, label, tone", [
    ("2026-06-15", "within 30-day guarantee (30 days left)", "ok"),
    ("2026-06-14", "within 30-day guarantee (29 days left)", "ok"),
    ("2026-05-16T00:00:00Z", "within 30-day guarantee (0 days left)", "ok"),  # exactly 30 days ago
    ("2026-05-15T00:00:00+00:00", "outside guarantee (purchased 31 days ago)", "warn"),
    ("2025-06-15", "outside guarantee (purchased 365 days ago)", "warn"),
])
def test_refund_guarantee_edges(purchase, label, tone):
    badge = badges(REFUND, customer(purchase_date=purchase))["refund_guarantee"]
    assert (badge.label, badge.tone, badge.relevant) == (label, tone, True)


def test_refund_guarantee_with_null_purchase_date_is_unknown_not_an_error():
    badge = badges(REFUND, customer(purchase_date=None))["refund_guarantee"]
    assert (badge.label, badge.tone) == ("purchase date unknown", "info")


def test_refund_badge_not_highlighted_without_refund_intent():
    tk = ticket("Invoice", "Where can I download last month's invoice?")
    assert badges(tk, customer())["refund_guarantee"].relevant is False


# cancellation notice

@pytest.mark.parametrize("next_invoice, label, tone", [
    ("2026-06-25", "10 days until next invoice", "ok"),  # exactly 10 days is enough notice
    ("2026-06-24", "9 days until next invoice", "warn"),
    ("2026-06-16T00:00:00Z", "1 day until next invoice", "warn"),
    ("2026-06-15", "0 days until next invoice", "warn"),
    ("2026-06-10", "next invoice date has passed", "warn"),
    (None, "next invoice date unknown", "info"),
])
def test_cancellation_notice_edges(next_invoice, label, tone):
    badge = badges(CANCEL, customer(next_invoice_date=next_invoice))["cancellation_notice"]
    assert (badge.label, badge.tone, badge.relevant) == (label, tone, True)


def test_cancellation_warning_mentions_self_cancel():
    assert "Self-cancel" in badges(CANCEL, customer(next_invoice_date="2026-06-20"))["cancellation_notice"].detail


# account freeze

def test_freeze_offered_on_cancellation_tickets_only():
    offered = badges(CANCEL, customer())["account_freeze"]
    assert offered.tone == "info" and "$9.99" in offered.detail
    assert "account_freeze" not in badges(REFUND, customer())


def test_freeze_not_offered_to_already_frozen_account():
    assert "account_freeze" not in badges(CANCEL, customer(account_status="frozen"))


# security question reset

def test_security_reset_valid_with_all_three():
    tk = ticket("  reset my SECURITY question ", "Please reset it.")
    badge = badges(tk, customer(), group="Technical Support")["security_question_reset"]
    assert badge.tone == "ok"


@pytest.mark.parametrize("subject, email, group, missing", [
    ("Reset my Security Question", "other@example.com", "Technical Support", ["account email"]),
    ("Reset my Security Question", "jane@example.org", "Billing", ["Technical Support"]),
    ("Security question help", "jane@example.org", "Technical Support", ["subject"]),
    ("Forgot security question", "x@example.com", None, ["account email", "Technical Support", "subject"]),
])
def test_security_reset_flags_each_missing_requirement(subject, email, group, missing):
    tk = ticket(subject, "I forgot the answer to my security question.")
    badge = badges(tk, customer(email=email), group=group)["security_question_reset"]
    assert badge.tone == "bad"
    for word in missing:
        assert word in badge.detail
    assert badge.detail.count(";") == len(missing) - 1


def test_security_reset_without_account_flags_the_email():
    tk = ticket("Reset my Security Question", "please")
    badge = badges(tk, {"id": 5, "email": "a@b.example", "user_fields": {}}, group="Technical Support")
    assert "account email" in badge["security_question_reset"].detail


# username

def test_rename_request_gets_no_rename_promise():
    tk = ticket("Username", "Can I change my username? It has my old company name in it.")
    badge = badges(tk, customer(), group="Technical Support")["username"]
    assert badge.label == "username can't change — offer custom domain"
    assert "username" not in badges(REFUND, customer())


def test_rename_badge_mentions_the_connected_domain():
    tk = ticket("Rename", "I want to rename my username")
    assert "shop.jane.example" in badges(tk, customer(custom_domain="shop.jane.example"))["username"].detail


# inactive account

def test_inactive_status_warns_and_names_the_previous_email():
    badge = badges(ticket("Help", "Can I get back in?"), customer(account_status="inactive"))["inactive_account"]
    assert badge.tone == "warn"
    assert "jane@example.org" in badge.detail and "don't promise" in badge.detail


def test_inactive_message_in_thread_triggers_badge_even_for_active_status():
    tk = ticket("Login", "When I log in it says: This Account Is Not Active.")
    assert "inactive_account" in badges(tk, customer())


def test_active_account_without_message_has_no_inactive_badge():
    assert "inactive_account" not in badges(REFUND, customer())


# merchant's customer

def test_merchants_customer_gets_only_the_contact_seller_badge():
    tk = ticket("Refund for course", "I bought a course from Coach Lee and your logo is on the receipt. Refund!")
    result = policy_badges(tk, merchant_buyer(), None, [], now=NOW)
    assert [b.label for b in result] == ["merchant's customer: contact the seller"]


def test_platform_customer_talking_about_a_course_is_not_a_merchant_customer():
    tk = ticket("Course page", "I purchased a course template and want a refund.")
    rules = badges(tk, customer())
    assert "merchant_customer" not in rules and "refund_guarantee" in rules


def test_unknown_requester_without_purchase_story_gets_no_account_badges():
    tk = ticket("Question", "Does the platform support Danish checkouts?")
    assert policy_badges(tk, merchant_buyer(), "Ask Before Buying", [], now=NOW) == []


def test_garbage_input_gives_no_badges_rather_than_a_crash():
    assert policy_badges({}, None, None, [None, "x"], now=NOW) == []


def test_refund_tag_makes_the_guarantee_relevant_without_refund_words():
    tk = ticket("Billing question", "Please look at my last charge.", tags=["refund"])
    assert badges(tk, customer())["refund_guarantee"].relevant is True
