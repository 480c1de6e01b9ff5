"""Policy badges: the support desk's rules (DOMAIN.md "Rules the console can check") on one ticket.

``policy_badges`` returns one ``PolicyBadge`` per rule that applies. Fact badges (sender
verification, refund guarantee, cancellation notice, inactive account) appear whenever the
account facts allow them, so the account pane can show the full set; ``relevant`` marks the ones
this ticket is about (from its intents and department) for the GUI to highlight. Advice badges
(account freeze, security question reset, username, merchant's customer) appear only on tickets
they concern and are always relevant.

Day arithmetic uses UTC calendar days. A purchase N days ago leaves ``30 - N`` guarantee days:
day 30 is still inside the guarantee, day 31 is outside. A cancellation by support needs at
least 10 days of notice: exactly 10 is fine, 9 warns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from console.domain.account import Account, account_from_user, normalize_email
from console.domain.routing import (
    BILLING,
    TECHNICAL_SUPPORT,
    intent_evidence,
    intents_from_tags,
    normalize_text,
)

Tone = Literal["ok", "warn", "bad", "info"]

REFUND_GUARANTEE_DAYS = 30
CANCELLATION_NOTICE_DAYS = 10
FREEZE_PRICE = "$9.99 USD a month"
SECURITY_RESET_SUBJECT = "Reset my Security Question"
INACTIVE_LOGIN_MESSAGE = "this account is not active"

_SENDER_SENSITIVE_INTENTS = {"refund", "cancel", "freeze", "invoice", "card_update", "payment_method",
                             "sales_tax", "plan_change", "security_question", "email_change"}


@dataclass(frozen=True)
class PolicyBadge:
    """One rule's verdict on a ticket, shown beside it in the account pane."""

    rule: str
    label: str
    tone: Tone
    detail: str
    relevant: bool = True


def policy_badges(ticket: dict, requester: dict | None, group_name: str | None, comments: list[dict],
                  *, now: datetime) -> list[PolicyBadge]:
    """Badges for every applicable rule, in a stable order."""
    ticket = ticket if isinstance(ticket, dict) else {}
    comments = [c for c in comments or [] if isinstance(c, dict)]
    account = account_from_user(requester)
    thread = thread_text(ticket, comments)
    intents = set(intent_evidence(ticket.get("subject"), thread)) | intents_from_tags(ticket.get("tags"))
    if account is None:
        merchant = merchant_customer_badge(intents)
        if merchant is not None:
            return [merchant]  # not our customer: no account lookup, no other rules
    sender = sender_address(ticket, requester, comments)
    billing_ticket = group_name == BILLING or bool(intents & _SENDER_SENSITIVE_INTENTS)
    candidates = [
        sender_verification_badge(account, sender, relevant=billing_ticket),
        refund_guarantee_badge(account, now=now, relevant="refund" in intents),
        cancellation_notice_badge(account, now=now, relevant="cancel" in intents),
        account_freeze_badge(account) if "cancel" in intents else None,
        security_reset_badge(ticket.get("subject"), group_name, account, sender)
        if "security_question" in intents else None,
        username_badge(account) if "rename" in intents else None,
        inactive_account_badge(account, thread),
    ]
    return [badge for badge in candidates if badge is not None]


def thread_text(ticket: dict, comments: list[dict]) -> str:
    """Description plus every public comment's plain text, for intent and phrase checks."""
    parts = [ticket.get("description") or ""]
    for comment in comments:
        if comment.get("public", True):
            parts.append(comment.get("plain_body") or comment.get("body") or "")
    return "\n".join(p for p in parts if isinstance(p, str))


def sender_address(ticket: dict, requester: dict | None, comments: list[dict]) -> str | None:
    """Who actually sent the request: the first comment's email sender, the ticket's, or the requester."""
    first = min(comments, key=lambda c: str(c.get("created_at") or ""), default=None)
    for via in ((first or {}).get("via"), ticket.get("via")):
        address = _via_from_address(via)
        if address:
            return address
    return normalize_email((requester or {}).get("email"))


def sender_verification_badge(account: Account | None, sender: str | None, *,
                              relevant: bool) -> PolicyBadge | None:
    if account is None or account.account_email is None:
        return None
    if sender == account.account_email:
        return PolicyBadge("sender_verification", "verified sender", "ok",
                           f"Sent from the account email {account.account_email}.", relevant)
    return PolicyBadge("sender_verification", "not the account email", "bad",
                       f"Sent from {sender or 'an unknown address'}, but the account email is "
                       f"{account.account_email}. Billing and security requests must come from the "
                       "account email.", relevant)


def refund_guarantee_badge(account: Account | None, *, now: datetime, relevant: bool) -> PolicyBadge | None:
    if account is None:
        return None
    elapsed, purchased = account.days_since_purchase(now=now), account.purchase_date
    if elapsed is None or purchased is None:
        return PolicyBadge("refund_guarantee", "purchase date unknown", "info",
                           "No purchase date on the account: check it in Billing before promising a refund.",
                           relevant)
    if elapsed < 0:
        return PolicyBadge("refund_guarantee", "purchase date in the future", "warn",
                           f"The purchase date {purchased.isoformat()} is after today; "
                           "check the account in Billing.", relevant)
    left = REFUND_GUARANTEE_DAYS - elapsed
    if left >= 0:
        return PolicyBadge("refund_guarantee", f"within 30-day guarantee ({_days(left)} left)", "ok",
                           f"Purchased {_days(elapsed)} ago on {purchased.isoformat()}. "
                           "Refunds are handled by Billing.", relevant)
    return PolicyBadge("refund_guarantee", f"outside guarantee (purchased {_days(elapsed)} ago)", "warn",
                       f"The 30-day money-back guarantee ended {_days(-left)} ago.", relevant)


def cancellation_notice_badge(account: Account | None, *, now: datetime,
                              relevant: bool) -> PolicyBadge | None:
    if account is None or account.status in ("canceled", "inactive"):
        return None
    days, invoice = account.days_until_next_invoice(now=now), account.next_invoice_date
    if days is None or invoice is None:
        return PolicyBadge("cancellation_notice", "next invoice date unknown", "info",
                           "Without a next invoice date the 10-day rule can't be checked; "
                           "self-cancel in the Billing area always works.", relevant)
    if days < 0:
        return PolicyBadge("cancellation_notice", "next invoice date has passed", "warn",
                           f"The next invoice date {invoice.isoformat()} is in the past; "
                           "the account facts may be stale.", relevant)
    if days < CANCELLATION_NOTICE_DAYS:
        return PolicyBadge("cancellation_notice", f"{_days(days)} until next invoice", "warn",
                           "Fewer than 10 days before the next invoice: support can't cancel on the "
                           "customer's behalf now. Self-cancel in the Billing area is still available.",
                           relevant)
    return PolicyBadge("cancellation_notice", f"{_days(days)} until next invoice", "ok",
                       "Enough notice: support may cancel on the customer's behalf; self-cancel in the "
                       "Billing area is also available.", relevant)


def account_freeze_badge(account: Account | None) -> PolicyBadge | None:
    if account is not None and account.status in ("frozen", "canceled", "inactive"):
        return None
    return PolicyBadge("account_freeze", "offer account freeze", "info",
                       f"Instead of canceling, the account can be frozen for {FREEZE_PRICE}; "
                       "all their work is kept.")


def security_reset_badge(subject: str | None, group_name: str | None, account: Account | None,
                         sender: str | None) -> PolicyBadge:
    missing = []
    if account is None or account.account_email is None or sender != account.account_email:
        missing.append("not sent from the account email")
    if group_name != TECHNICAL_SUPPORT:
        missing.append("not in Technical Support")
    if normalize_text(subject or "").strip() != normalize_text(SECURITY_RESET_SUBJECT):
        missing.append(f'subject is not "{SECURITY_RESET_SUBJECT}"')
    if not missing:
        return PolicyBadge("security_question_reset", "security question reset: request valid", "ok",
                           "From the account email, in Technical Support, with the required subject.")
    return PolicyBadge("security_question_reset", "security question reset: requirements missing", "bad",
                       "Only act when all three hold. Missing: " + "; ".join(missing) + ".")


def username_badge(account: Account | None) -> PolicyBadge:
    domain = account.custom_domain if account else None
    hint = (f"Their custom domain {domain} already hides most of the username."
            if domain else "A connected custom domain hides it from most URLs.")
    return PolicyBadge("username", "username can't change — offer custom domain", "warn",
                       "A username can never be changed (and may not contain the brand name). " + hint)


def inactive_account_badge(account: Account | None, thread: str) -> PolicyBadge | None:
    said_inactive = INACTIVE_LOGIN_MESSAGE in normalize_text(thread)
    if not (account is not None and account.is_inactive) and not said_inactive:
        return None
    previous = account.account_email if account and account.account_email else "the previous account email"
    return PolicyBadge("inactive_account", "inactive account: reinstatement", "warn",
                       f"To reinstate, they buy a new subscription with {previous}. Canceled data is kept "
                       "only for a limited time: don't promise restored content.")


def merchant_customer_badge(intents: set[str]) -> PolicyBadge | None:
    if "merchant_purchase" not in intents:
        return None
    return PolicyBadge("merchant_customer", "merchant's customer: contact the seller", "info",
                       "They bought from a business that uses the platform, which only ran the checkout. "
                       "Reply with the contact-the-seller answer; there is no account to look up.")


def _via_from_address(via: object) -> str | None:
    if not isinstance(via, dict):
        return None
    source = via.get("source")
    sender = source.get("from") if isinstance(source, dict) else None
    return normalize_email(sender.get("address")) if isinstance(sender, dict) else None


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"
