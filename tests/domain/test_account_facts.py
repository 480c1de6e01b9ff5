"""Parsing account facts from a requester's user_fields."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from console.domain.account import account_from_user, parse_account_date

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)


def user(**fields):
    return {"id": 1, "email": "jane@example.org", "user_fields": fields}


@pytest.mark.parametrize("raw, expected", [
    ("2026-12-05T00:00:00Z", date(2026, 12, 5)),
    ("2026-12-05T00:00:00+00:00", date(2026, 12, 5)),
    ("2026-12-05", date(2026, 12, 5)),
    (" 2026-12-05 ", date(2026, 12, 5)),
    ("2026-12-05T00:00:00+02:00", date(2026, 12, 5)),  # a calendar day keeps its written date
    (None, None), ("", None), ("next tuesday", None), ("2026-02-30", None), (20261205, None),
])
def test_account_dates_parse_every_helpdesk_form(raw, expected):
    assert parse_account_date(raw) == expected


def test_full_account_is_typed():
    account = account_from_user(user(
        account_email="  Jane@Example.ORG ", username="jroe42", plan="Pro_Annual", account_status="active",
        purchase_date="2026-03-01T00:00:00Z", next_invoice_date="2027-03-01", currency="EUR",
        checkout_language_mode="fixed", checkout_language="German", custom_domain="Shop.Jane.example",
        security_question_set=True, affiliate_status="none"))
    assert account.account_email == "jane@example.org"
    assert account.plan == "pro_annual"
    assert account.status == "active"
    assert account.purchase_date == date(2026, 3, 1)
    assert account.currency == "eur"
    assert account.custom_domain == "shop.jane.example"
    assert account.security_question_set is True
    assert account.days_since_purchase(now=NOW) == 9
    assert account.days_until_next_invoice(now=NOW) == 356
    assert account.problems == ()


def test_merchants_customer_has_no_account():
    assert account_from_user({"id": 2, "email": "buyer@example.com", "user_fields": {}}) is None
    assert account_from_user({"id": 2, "user_fields": {"plan": None, "username": "  "}}) is None
    assert account_from_user({"id": 2}) is None
    assert account_from_user(None) is None


def test_bad_facts_become_problems_not_exceptions():
    account = account_from_user(user(plan="platinum", purchase_date="soon", security_question_set="maybe",
                                     account_status="active"))
    assert account.plan is None and account.purchase_date is None and account.security_question_set is None
    assert account.status == "active"
    assert len(account.problems) == 3
    assert any("platinum" in p for p in account.problems)


def test_signup_date_is_accepted_as_purchase_date():
    assert account_from_user(user(signup_date="2026-01-02T00:00:00+00:00")).purchase_date == date(2026, 1, 2)


def test_days_use_the_utc_day_of_now_and_refuse_naive_now():
    account = account_from_user(user(purchase_date="2026-03-10"))
    late_evening_new_york = datetime(2026, 3, 9, 21, 0, tzinfo=timezone(timedelta(hours=-5)))  # 02:00 UTC 10th
    assert account.days_since_purchase(now=late_evening_new_york) == 0
    with pytest.raises(ValueError, match="timezone-aware"):
        account.days_since_purchase(now=datetime(2026, 3, 10))


def test_british_spelling_of_canceled_is_accepted():
    assert account_from_user(user(account_status="Cancelled")).status == "canceled"
