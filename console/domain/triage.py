"""Department suggestion for a ticket: "Suggested: Billing — refund, cancel" with the deciding words.

``suggest_department(subject, text, requester=None, tags=None)`` weighs the ticket's intents
(``routing.intent_evidence``: subject, asking sentences and the part after a "but" count more, a
negated request does not count) per department (``routing.INTENT_DEPARTMENT``) and returns a
``Suggestion``. The requester's account facts, when known, decide two things words can't:

- **Merchant's customer**: someone without a platform account who writes about a course or
  membership they bought (``merchant_purchase``) bought from one of our customers. The suggestion
  then names no department (``name`` None, ``merchant_customer`` True): the answer is the
  "contact the seller" reply, with no account lookup. A requester *with* an account is our
  customer, whatever their words (their own students' purchases are a technical question).
- **Not bought yet**: without an account, questions about paying, the guarantee, languages and
  currencies are pre-sales questions (Ask Before Buying), not Billing or Technical Support.

The security question rule names Technical Support, so that intent outweighs the others.
``confidence`` (0..1) is the winner's share of all the evidence, damped when there is little of
it; a suggestion is ``confident`` from 0.5. No evidence at all gives ``name`` None, confidence 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from console.domain.account import account_from_user
from console.domain.routing import (
    AFFILIATE_PROGRAM,
    ASK_BEFORE_BUYING,
    BILLING,
    INTENT_DEPARTMENT,
    Evidence,
    intent_evidence,
    intents_from_tags,
)

CONFIDENT = 0.5
# How decisive one unit of evidence for an intent is, against the others (1 when not listed).
INTENT_STRENGTH = {"security_question": 2.5, "affiliate": 1.3, "pre_sales": 1.2, "technical_issue": 0.8,
                   "language": 0.7, "currency": 0.8, "login": 0.8, "trial": 0.9, "screen_recording": 0.9,
                   "merchant_purchase": 1.2, "inactive_account": 1.2}
# Without an account these are questions before buying.
PROSPECT_INTENTS = frozenset({"payment_method", "refund", "language", "currency", "plan_change", "trial",
                              "custom_domain", "sales_tax", "checkout_language", "app_language"})
TAG_WEIGHT = 0.5


@dataclass(frozen=True)
class Suggestion:
    """Where a ticket belongs. ``name`` None: no hint, or a merchant's customer (``merchant_customer``)."""

    name: str | None
    confidence: float
    words: tuple[str, ...] = ()
    merchant_customer: bool = False

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT

    def label(self) -> str:
        """"Suggested: Billing — refund, cancel" (or the merchant's-customer route)."""
        words = f" — {', '.join(self.words)}" if self.words else ""
        if self.merchant_customer:
            return f"Suggested: contact-the-seller reply (merchant's customer){words}"
        return f"Suggested: {self.name}{words}" if self.name else "No suggestion"


NO_SUGGESTION = Suggestion(None, 0.0)


def suggest_department(subject: str | None, text: str | None, requester: dict | None = None,
                       tags: object = None, *, evidence: dict[str, Evidence] | None = None) -> Suggestion:
    """The department a ticket most likely belongs to (see the module docstring).

    ``requester`` None means "unknown" (no account-based rules); a requester dict without account
    facts is someone without a platform account. ``evidence`` may be passed when already computed.
    """
    evidence = dict(intent_evidence(subject, text) if evidence is None else evidence)
    for intent in intents_from_tags(tags):
        if intent not in evidence:
            evidence[intent] = Evidence(intent, TAG_WEIGHT, ())
    known = isinstance(requester, dict)
    account = account_from_user(requester) if known else None
    if "merchant_purchase" in evidence and (not known or account is None):
        merchant = evidence["merchant_purchase"].weight * INTENT_STRENGTH["merchant_purchase"]
        others = sum(e.weight for i, e in evidence.items() if i not in ("merchant_purchase", "refund", "login"))
        if merchant >= others:
            return Suggestion(None, _confidence(merchant, merchant + others), _words(evidence, {"merchant_purchase"}),
                              merchant_customer=True)
    scores: dict[str, float] = {}
    contributors: dict[str, set[str]] = {}
    for intent, item in evidence.items():
        department = _department(intent, known, account, evidence)
        if department is None:
            continue
        scores[department] = scores.get(department, 0.0) + item.weight * INTENT_STRENGTH.get(intent, 1.0)
        contributors.setdefault(department, set()).add(intent)
    if not scores:
        return NO_SUGGESTION
    name = max(scores, key=lambda d: (scores[d], d))
    return Suggestion(name, _confidence(scores[name], sum(scores.values())), _words(evidence, contributors[name]))


def _department(intent: str, known: bool, account, evidence: dict) -> str | None:
    if intent in ("affiliate", "affiliate_commission"):
        return AFFILIATE_PROGRAM
    if known and account is None and intent in PROSPECT_INTENTS:
        return ASK_BEFORE_BUYING
    if intent == "trial" and "cancel" in evidence:
        return BILLING  # canceling a trial someone already runs is about their subscription
    if known and account is not None and account.is_trial and intent == "trial":
        return ASK_BEFORE_BUYING
    return INTENT_DEPARTMENT.get(intent)


def _confidence(top: float, total: float) -> float:
    if top <= 0 or total <= 0:
        return 0.0
    return round((top / total) * (1 - math.exp(-1.2 * top)), 3)


def _words(evidence: dict[str, Evidence], intents: set[str], limit: int = 4) -> tuple[str, ...]:
    ranked = sorted((e for i, e in evidence.items() if i in intents), key=lambda e: (-e.weight, e.intent))
    out: list[str] = []
    for item in ranked:
        for word in item.words or (item.intent.replace("_", " "),):
            if word not in out:
                out.append(word)
    return tuple(out[:limit])


def probably_misrouted(department: str | None, suggestion: Suggestion) -> bool:
    """A ticket in one department that the suggestion confidently puts in another."""
    return bool(suggestion.name and suggestion.confident and department and department != suggestion.name)
