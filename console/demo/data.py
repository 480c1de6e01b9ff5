"""Demo workspace data: the JSON files in console/resources/demo/ and the account-fact vocabularies."""

from __future__ import annotations

import json
import random
from bisect import bisect
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.resources import files
from itertools import accumulate

DEMO_DIR = files("console") / "resources" / "demo"

PLANS = ("trial", "starter_monthly", "starter_annual", "pro_monthly", "pro_annual")
ACCOUNT_STATUSES = ("active", "trial", "frozen", "canceled", "inactive")
CURRENCIES = ("usd", "aud", "brl", "cad", "chf", "dkk", "eur", "gbp", "hkd", "inr", "nok", "nzd",
              "pln", "rub", "sgd", "sek")
CHECKOUT_LANGUAGES = ("Bulgarian", "Danish", "Dutch", "English", "Finnish", "French", "German", "Italian",
                      "Norwegian", "Polish", "Portuguese", "Romanian", "Slovak", "Spanish", "Swedish")
CHECKOUT_LANGUAGE_MODES = ("fixed", "visitor_location")
AFFILIATE_STATUSES = ("none", "applicant", "active", "suspended")

# (key, type, title, description, options) in display order.
USER_FIELDS = (
    ("account_email", "text", "Account email", "Email address the platform account is registered to", ()),
    ("username", "text", "Username", "Platform username (can never change)", ()),
    ("plan", "dropdown", "Plan", "Current subscription plan", PLANS),
    ("account_status", "dropdown", "Account status", "State of the subscription", ACCOUNT_STATUSES),
    ("purchase_date", "date", "Purchase date", "Date of purchase or sign-up", ()),
    ("next_invoice_date", "date", "Next invoice date", "Empty when canceled or inactive", ()),
    ("currency", "dropdown", "Account currency", "Currency the account sells and is billed in", CURRENCIES),
    ("checkout_language_mode", "dropdown", "Checkout language mode", "Fixed language or by visitor location",
     CHECKOUT_LANGUAGE_MODES),
    ("checkout_language", "text", "Checkout language", "One of the 15 checkout languages", ()),
    ("custom_domain", "text", "Custom domain", "Connected custom domain, if any", ()),
    ("security_question_set", "checkbox", "Security question set", "Whether a security question is set", ()),
    ("affiliate_status", "dropdown", "Affiliate status", "Standing in the affiliate program", AFFILIATE_STATUSES),
)
USER_FIELD_KEYS = tuple(f[0] for f in USER_FIELDS)


def option_name(value: str) -> str:
    """Human label of a dropdown tag value (``pro_monthly`` → ``Pro monthly``, ``eur`` → ``EUR``)."""
    if value in CURRENCIES:
        return value.upper()
    return value.replace("_", " ").capitalize()


@cache
def load(name: str) -> dict:
    """One of the demo JSON files (``departments``, ``canned_replies``, ``ticket_texts``, ``scenarios``)."""
    return json.loads((DEMO_DIR / f"{name}.json").read_text(encoding="utf-8"))


class Weighted:
    """A weighted draw with its cumulative weights summed once: ``draw(rng)`` gives exactly what
    ``rng.choices(items, weights)[0]`` gives (the same number taken from the stream), without building
    the sums on every call; a bulk seed draws ~7 per ticket."""

    __slots__ = ("cum", "hi", "items", "total")

    def __init__(self, items: Sequence, weights: Iterable[float]):
        self.items = tuple(items)
        self.cum = list(accumulate(weights))
        if len(self.cum) != len(self.items) or not self.cum:
            raise ValueError("one weight per item, at least one item")
        self.total = self.cum[-1] + 0.0
        self.hi = len(self.cum) - 1

    def draw(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total, 0, self.hi)]
