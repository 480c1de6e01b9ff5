"""Intent detection and department routing hints from a ticket's subject and text.

Keyword patterns, matched case-insensitively on NFKC-normalised, case-folded text with curly
quotes straightened, so full-width letters, "ß" and typographic apostrophes behave. Patterns are
anchored on word boundaries (no "refund" inside "refunded" surprises, no "cancel" in "cancelled"
misses). A few common German, French, Spanish, Dutch and Portuguese words are recognised for the
money intents. Quoted history below a reply marker ("On ... wrote:", "-----Original Message")
is ignored so an old thread doesn't decide the intent.
"""

from __future__ import annotations

import re
import unicodedata

ASK_BEFORE_BUYING = "Ask Before Buying"
BILLING = "Billing"
AFFILIATE_PROGRAM = "Affiliate Program"
TECHNICAL_SUPPORT = "Technical Support"
DEPARTMENTS = (ASK_BEFORE_BUYING, BILLING, AFFILIATE_PROGRAM, TECHNICAL_SUPPORT)

_INTENT_PATTERNS: dict[str, tuple[str, ...]] = {
    "refund": (r"refund\w*", r"money back", r"reimburse\w*", r"charge ?back",
               r"r[üu]ckerstattung", r"geld zur[üu]ck", r"rembours\w*", r"reembols\w*", r"terugbetal\w*"),
    "cancel": (r"cancel\w*", r"unsubscribe from (?:the |my )?(?:plan|subscription)",
               r"(?:end|stop|terminate) (?:my |the )?(?:subscription|plan|account)",
               r"close (?:my |the )?account", r"delete (?:my |the )?account",
               r"k[üu]ndig\w*", r"annul\w*", r"r[ée]silier\w*", r"cancelar\w*", r"opzeggen"),
    "freeze": (r"freez\w*", r"frozen", r"pause (?:my |the )?(?:account|subscription|plan)"),
    "security_question": (r"security question\w*", r"secret question\w*", r"security answer\w*"),
    "rename": (r"(?:change|rename|edit|update|modify) (?:my |the )?user ?names?",
               r"user ?name (?:change|rename)", r"new user ?name", r"different user ?name"),
    "login": (r"log ?in", r"logging in", r"sign ?in", r"signing in", r"can'?t access", r"cannot access", r"locked out",
              r"this account is not active"),
    "password_reset": (r"password\w*", r"passwort", r"mot de passe", r"contraseña"),
    "email_change": (r"(?:change|update|new) (?:my |the )?(?:account |login )?e-?mail",
                     r"e-?mail (?:address )?change"),
    "inactive_account": (r"this account is not active", r"account (?:is )?(?:inactive|not active)",
                         r"reactivat\w*", r"reinstat\w*"),
    "invoice": (r"invoices?", r"receipts? for my (?:plan|subscription)", r"rechnung", r"facture\w*",
                r"factura\w*"),
    "card_update": (r"(?:update|change|replace|new) (?:my |the )?(?:credit |debit )?card",
                    r"card (?:expired|declined)", r"expired card"),
    "payment_method": (r"paypal", r"payment methods?", r"pay by (?:bank|wire|debit)",
                       r"(?:do you|can i) (?:accept|pay with)"),
    "sales_tax": (r"sales tax", r"\bvat\b", r"tax (?:line|charge|exempt\w*)"),
    "plan_change": (r"upgrad\w*", r"downgrad\w*", r"(?:change|switch) (?:my |the )?plan",
                    r"annual plan", r"monthly plan"),
    "trial": (r"\$1 trial", r"(?:free |one dollar |1 dollar )?trial"),
    "pre_sales": (r"before (?:i|we) (?:buy|purchase|sign up|subscribe)", r"(?:thinking|considering) (?:of|about) (?:buying|signing up)",
                  r"does (?:the platform|your platform|it) (?:support|offer|include|have)",
                  r"pricing", r"which plan"),
    "affiliate": (r"affiliat\w*", r"referral (?:program|commission|link)", r"commission payout"),
    "custom_domain": (r"custom domain\w*", r"(?:connect|point|use) (?:my |our )?(?:own )?domain",
                      r"\bdns\b", r"cname"),
    "language": (r"languages?", r"translat\w*", r"checkout in (?:\w+)"),
    "currency": (r"currenc\w*",),
    "profile_save": (r"profile (?:won'?t|will not|doesn'?t|does not|cannot|can'?t) (?:save|update)",
                     r"(?:save|saving) (?:my )?profile", r"outlined in red"),
    "experts": (r"experts? marketplace", r"hire an? expert", r"(?:find|recommend) an? expert"),
    "screen_recording": (r"screen ?recording", r"video of the (?:problem|issue)", r"\bloom\b"),
    "merchant_purchase": (r"(?:bought|purchased|enrolled in|signed up for|paid for) (?:a |an |the |your |his |her |their )?(?:online )?(?:course|membership|program|programme|coaching|ebook|e-book|workshop|masterclass)",
                          r"charged by", r"(?:on|from) (?:the |my )?(?:receipt|bank statement)",
                          r"my (?:course|membership) (?:access|login)",
                          r"access (?:to )?(?:the |my )?(?:course|membership)",
                          r"(?:the )?seller", r"i never (?:signed up|bought)"),
}

_COMPILED = {
    intent: re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE)
    for intent, patterns in _INTENT_PATTERNS.items()
}

_QUOTED_HISTORY = re.compile(
    r"^\s*(?:on .{3,200}wrote:|-{2,}\s*original message\s*-{2,}|from: .+@.+|>.*)$",
    re.IGNORECASE | re.MULTILINE,
)

_BILLING_INTENTS = {"refund", "cancel", "freeze", "invoice", "card_update", "payment_method", "sales_tax",
                    "plan_change"}
_TECHNICAL_INTENTS = {"security_question", "rename", "login", "password_reset", "email_change",
                      "inactive_account", "custom_domain", "language", "currency", "profile_save",
                      "experts", "screen_recording"}
_PRE_SALES_INTENTS = {"trial", "pre_sales"}


def normalize_text(text: str | None) -> str:
    """NFKC, case-folded, straight quotes, single spaces; safe on any input."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text)


def strip_quoted_history(text: str) -> str:
    """The text above the first reply marker or quoted line."""
    match = _QUOTED_HISTORY.search(text)
    return text[: match.start()] if match else text


def detect_intents(subject: str | None, text: str | None) -> set[str]:
    """Intents found in a ticket's subject and message body (see _INTENT_PATTERNS for names)."""
    body = strip_quoted_history(text if isinstance(text, str) else "")
    haystack = normalize_text(f"{subject or ''}\n{body}")
    found = {intent for intent, pattern in _COMPILED.items() if pattern.search(haystack)}
    if "password_reset" in found and not re.search(r"(?<!\w)(?:reset|forgot|forgotten|change|new|lost|"
                                                   r"temporary|vergessen|oubli\w*|olvid\w*)(?!\w)",
                                                   haystack):
        found.discard("password_reset")  # a password mentioned in passing is a login problem
        found.add("login")
    return found


_TAG_ALIASES = {
    "refunds": "refund", "refund_request": "refund", "cancellation": "cancel", "cancel_request": "cancel",
    "security_question_reset": "security_question", "username": "rename", "username_change": "rename",
    "merchant": "merchant_purchase", "merchant_customer": "merchant_purchase", "inactive": "inactive_account",
    "reinstatement": "inactive_account", "password": "password_reset",
}


def intents_from_tags(tags: object) -> set[str]:
    """Intents named by ticket tags ("refund", "cancellation", "security-question-reset", ...)."""
    if not isinstance(tags, list | tuple | set):
        return set()
    found = set()
    for tag in tags:
        if isinstance(tag, str):
            key = normalize_text(tag).strip().replace("-", "_").replace(" ", "_")
            key = _TAG_ALIASES.get(key, key)
            if key in _INTENT_PATTERNS:
                found.add(key)
    return found


def suggest_department(subject: str | None, text: str | None) -> str | None:
    """The department a new ticket most likely belongs to, or None (no hint, or merchant's customer)."""
    return department_for_intents(detect_intents(subject, text))


def department_for_intents(intents: set[str]) -> str | None:
    """Routing by intents, in order: security question, affiliates, merchant, billing, pre-sales, technical."""
    if "security_question" in intents:
        return TECHNICAL_SUPPORT  # the rule names Technical Support explicitly
    if "affiliate" in intents:
        return AFFILIATE_PROGRAM
    if "merchant_purchase" in intents:
        return None  # not our customer: answered with "contact the seller", no queue of its own
    if intents & _BILLING_INTENTS:
        return BILLING
    if intents & _PRE_SALES_INTENTS:
        return ASK_BEFORE_BUYING
    if intents & _TECHNICAL_INTENTS:
        return TECHNICAL_SUPPORT
    return None
