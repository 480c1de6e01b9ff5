"""Customer account facts, parsed from the requester's ``user_fields``.

The facts live on the requester (helpdesk-api.md §7.1) under fixed keys: ``account_email``,
``username``, ``plan``, ``account_status``, ``purchase_date``, ``next_invoice_date``,
``currency``, ``checkout_language_mode``, ``checkout_language``, ``custom_domain``,
``security_question_set``, ``affiliate_status``. A merchant's customer has none of them.

Dates are calendar days (the helpdesk stores date fields as UTC midnight). A fact that cannot
be parsed becomes ``None`` and is named in ``Account.problems`` instead of raising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

PLANS = ("trial", "starter_monthly", "starter_annual", "pro_monthly", "pro_annual")
ACCOUNT_STATUSES = ("active", "trial", "frozen", "canceled", "inactive")
CHECKOUT_LANGUAGE_MODES = ("fixed", "visitor_location")
AFFILIATE_STATUSES = ("none", "applicant", "active", "suspended")

ACCOUNT_FIELD_KEYS = (
    "account_email", "username", "plan", "account_status", "purchase_date", "next_invoice_date",
    "currency", "checkout_language_mode", "checkout_language", "custom_domain",
    "security_question_set", "affiliate_status",
)

_SPELLING_ALIASES = {"cancelled": "canceled"}  # helpdesk-api.md §7.1 spells it the British way
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Account:
    """A platform customer's account as the agent sees it beside a ticket."""

    account_email: str | None = None
    username: str | None = None
    plan: str | None = None
    status: str | None = None
    purchase_date: date | None = None
    next_invoice_date: date | None = None
    currency: str | None = None
    checkout_language_mode: str | None = None
    checkout_language: str | None = None
    custom_domain: str | None = None
    security_question_set: bool | None = None
    affiliate_status: str | None = None
    problems: tuple[str, ...] = ()

    def days_since_purchase(self, *, now: datetime) -> int | None:
        """Whole calendar days from the purchase date to ``now``'s UTC day."""
        if self.purchase_date is None:
            return None
        return (utc_day(now) - self.purchase_date).days

    def days_until_next_invoice(self, *, now: datetime) -> int | None:
        """Whole calendar days from ``now``'s UTC day to the next invoice date."""
        if self.next_invoice_date is None:
            return None
        return (self.next_invoice_date - utc_day(now)).days

    @property
    def is_inactive(self) -> bool:
        return self.status == "inactive"

    @property
    def is_trial(self) -> bool:
        return self.status == "trial" or self.plan == "trial"

    @property
    def is_affiliate(self) -> bool:
        return self.affiliate_status in ("applicant", "active", "suspended")


def utc_day(now: datetime) -> date:
    """The UTC calendar day of an aware datetime; naive datetimes are refused."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime (UTC)")
    return now.astimezone(UTC).date()


def parse_account_date(value: object) -> date | None:
    """Parse "YYYY-MM-DD", "...T00:00:00Z" or "+hh:mm" forms; None for null or unparseable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    match = _ISO_DAY.match(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed.date()  # a calendar day: keep the written date whatever the offset


def normalize_email(value: object) -> str | None:
    """Trimmed, lower-cased email, or None when empty / not a string."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text or None


def account_from_user(user: dict | None) -> Account | None:
    """Account facts of a requester, or None when they have no platform account."""
    if not isinstance(user, dict):
        return None
    fields = user.get("user_fields")
    if not isinstance(fields, dict) or not any(_present(fields.get(k)) for k in (*ACCOUNT_FIELD_KEYS,
                                                                                     "signup_date")):
        return None
    problems: list[str] = []
    purchase_raw = fields.get("purchase_date", fields.get("signup_date"))
    return Account(
        account_email=normalize_email(fields.get("account_email")),
        username=_text(fields.get("username")),
        plan=_choice(fields, "plan", PLANS, problems),
        status=_choice(fields, "account_status", ACCOUNT_STATUSES, problems),
        purchase_date=_date(purchase_raw, "purchase_date", problems),
        next_invoice_date=_date(fields.get("next_invoice_date"), "next_invoice_date", problems),
        currency=(_text(fields.get("currency")) or "").lower() or None,
        checkout_language_mode=_choice(fields, "checkout_language_mode", CHECKOUT_LANGUAGE_MODES, problems),
        checkout_language=_text(fields.get("checkout_language")),
        custom_domain=(_text(fields.get("custom_domain")) or "").lower() or None,
        security_question_set=_flag(fields.get("security_question_set"), problems),
        affiliate_status=_choice(fields, "affiliate_status", AFFILIATE_STATUSES, problems),
        problems=tuple(problems),
    )


def _present(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _choice(fields: dict, key: str, allowed: tuple[str, ...], problems: list[str]) -> str | None:
    text = _text(fields.get(key))
    if text is None:
        return None
    value = _SPELLING_ALIASES.get(text.lower(), text.lower())
    if value not in allowed:
        problems.append(f"unknown {key} {text!r}")
        return None
    return value


def _date(value: object, key: str, problems: list[str]) -> date | None:
    parsed = parse_account_date(value)
    if parsed is None and _present(value):
        problems.append(f"unreadable {key} {value!r}")
    return parsed


def _flag(value: object, problems: list[str]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "0", ""):
        return False
    if isinstance(value, int):
        return bool(value)
    problems.append(f"unreadable security_question_set {value!r}")
    return None
