"""The policy guard: canned replies state the policy state they assume; the badges say whether it holds.

A canned reply (a helpdesk macro) names its assumptions on a line of its **description**, the one
free-text field every helpdesk keeps with a macro:

    Refund approved under the 30-day money-back guarantee.
    Assumes: inside the 30-day guarantee; sent from the account email

``parse_assumptions(description)`` reads every ``Assumes:`` line (clauses split by ``;``) into the
vocabulary below (``ASSUMPTIONS``; each has a canonical phrase and a few accepted spellings); a
clause it does not know is returned as a problem, so a typo is shown rather than ignored.
``assess(assumption, badges, has_account)`` says whether the account's policy badges
(``console.domain.policies.policy_badges``) confirm it (True), contradict it (False) or can't tell
(None: no purchase date, no account email...).

``contradicted_promises(text, badges, has_account)`` is the check for Send: does the reply text
(as the customer will read it, placeholders filled) still promise something the badges contradict
("I have issued a full refund" 70 days after the purchase)? It knows the promises of each
assumption in English, German, French, Spanish, Portuguese and Dutch, plus two promises no reply
may make (renaming a username; restoring a lapsed account's content).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from console.domain.policies import PolicyBadge
from console.domain.routing import normalize_text

Verdict = bool | None


@dataclass(frozen=True)
class Assumption:
    """One policy state a reply may depend on."""

    key: str
    phrase: str                      # canonical wording for the "Assumes:" line
    aliases: tuple[str, ...]
    judge: Callable[[dict[str, PolicyBadge], bool | None], Verdict]
    promises: tuple[str, ...] = ()   # regexes (normalised text) of what a reply says when it relies on it


def _label(badges: dict[str, PolicyBadge], rule: str) -> str:
    badge = badges.get(rule)
    return badge.label if badge else ""


def _refund_inside(badges: dict[str, PolicyBadge], _account: bool | None) -> Verdict:
    label = _label(badges, "refund_guarantee")
    return True if label.startswith("within") else False if label.startswith("outside") else None


def _notice_enough(badges: dict[str, PolicyBadge], _account: bool | None) -> Verdict:
    badge = badges.get("cancellation_notice")
    if badge is None or not badge.label.endswith("until next invoice"):
        return None
    return badge.tone == "ok"


def _tone(rule: str) -> Callable[[dict[str, PolicyBadge], bool | None], Verdict]:
    def judge(badges: dict[str, PolicyBadge], _account: bool | None) -> Verdict:
        badge = badges.get(rule)
        return None if badge is None else badge.tone == "ok" if badge.tone in ("ok", "bad") else None
    return judge


def _merchant(badges: dict[str, PolicyBadge], has_account: bool | None) -> Verdict:
    if "merchant_customer" in badges:
        return True
    return False if has_account else None


def _inverse(judge: Callable[[dict[str, PolicyBadge], bool | None], Verdict]):
    def inverted(badges: dict[str, PolicyBadge], has_account: bool | None) -> Verdict:
        verdict = judge(badges, has_account)
        return None if verdict is None else not verdict
    return inverted


def _never_when(rule: str) -> Callable[[dict[str, PolicyBadge], bool | None], Verdict]:
    return lambda badges, _account: False if rule in badges else None


_REFUND_DONE = (
    r"(?:inside|within) (?:our|the) 30-day (?:money-back )?guarantee",
    r"(?:i|we)(?:'ve| have) (?:just )?(?:issued|processed|approved|sent|refunded)(?: you)? (?:a |your |the )?(?:full )?refund",
    r"(?:i|we)(?:'ve| have) refunded",
    r"(?:full )?refund (?:has been|was|is being) (?:issued|processed|approved)",
    r"you(?:'ll| will) (?:get|receive) (?:a |your )?(?:full )?refund",
    # de, fr, es, pt, nl
    r"innerhalb (?:der|unserer) 30-t[äa]gigen (?:geld-zur[üu]ck-)?garantie", r"(?:habe|haben) (?:ich|wir) (?:ihnen|dir) .{0,40}erstattet",
    r"r[üu]ckerstattung (?:veranlasst|ausgel[öo]st|durchgef[üu]hrt)",
    r"(?:dans le cadre|dans les 30 jours) de (?:notre|la) garantie", r"(?:j'ai|nous avons) (?:effectu[ée]|[ée]mis|proc[ée]d[ée] [àa]|lanc[ée]) (?:un |le |au )?rembours",
    r"rembours[ée]e? (?:int[ée]gralement|en totalit[ée])",
    r"dentro de (?:nuestra|la) garant[íi]a", r"(?:he|hemos) (?:emitido|procesado|realizado|tramitado) (?:un |el )?reembolso",
    r"dentro da (?:nossa )?garantia", r"(?:emiti|processei|fiz|efetuei) (?:um |o )?reembolso",
    r"binnen (?:onze|de) (?:30 dagen )?(?:geld-terug-)?garantie", r"(?:heb|hebben) (?:ik|we|wij) .{0,40}terugbetaald",
    r"terugbetaling (?:is )?(?:uitgevoerd|verwerkt|gestart)",
)
_REFUND_REFUSED = (
    r"outside (?:of )?(?:our|the) (?:30-day )?(?:money-back )?guarantee", r"(?:cannot|can't|are not able to|unable to) refund",
    r"au(?:ßerhalb|sserhalb) (?:der|unserer) (?:30-t[äa]gigen )?(?:geld-zur[üu]ck-)?garantie",
    r"en dehors de (?:notre|la) garantie", r"fuera de (?:nuestra|la) garant[íi]a", r"fora da (?:nossa )?garantia",
    r"buiten (?:onze|de) (?:geld-terug-)?garantie",
)
_CANCELED_FOR_THEM = (
    r"(?:i|we)(?:'ve| have) (?:just )?cancel(?:l)?ed your (?:subscription|account|plan)",
    r"your (?:subscription|plan) (?:has been|is now|is) cancel(?:l)?ed",
    r"you will not be charged on",
    r"(?:habe|haben) (?:ich|wir) (?:ihr|dein) abo(?:nnement)? (?:gek[üu]ndigt|storniert)",
    r"(?:j'ai|nous avons) (?:r[ée]sili[ée]|annul[ée]) votre abonnement",
    r"(?:he|hemos) cancelado (?:tu|su) suscripci[óo]n", r"cancelei (?:a sua|a tua|sua) assinatura",
    r"(?:heb|hebben) (?:ik|we|wij) (?:je|uw) abonnement opgezegd",
)
_CANNOT_CANCEL_FOR_THEM = (
    r"(?:can no longer|cannot|can't) cancel (?:it )?on your behalf", r"less than 10 days away",
    r"weniger als 10 tage", r"moins de 10 jours", r"menos de 10 d[íi]as", r"menos de 10 dias", r"minder dan 10 dagen",
)
_SECURITY_RESET_DONE = (
    r"(?:i|we)(?:'ve| have) (?:just )?reset your security question",
    r"sicherheitsfrage (?:zur[üu]ckgesetzt|gel[öo]scht)", r"r[ée]initialis[ée] votre question de s[ée]curit[ée]",
    r"restablecido (?:tu|su) pregunta de seguridad", r"redefini (?:a sua|a tua|sua) pergunta de seguran[cç]a",
    r"beveiligingsvraag (?:gereset|opnieuw ingesteld)",
)
_ACCOUNT_EMAIL = (
    r"(?:your )?(?:request|message|email) came from (?:the|your) account (?:email|address)",
    r"(?:since|as|because) you (?:wrote|are writing) from (?:the|your) account (?:email|address)",
)
_CONTACT_SELLER = (r"contact the seller", r"business that uses our platform", r"den verk[äa]ufer", r"le vendeur",
                   r"al vendedor", r"o vendedor", r"de verkoper")
_RENAME_DONE = (r"(?:i|we)(?:'ve| have|'ll| will) (?:changed|renamed|change|rename|updated|update) your user ?name",
                r"your (?:new )?user ?name (?:is now|has been changed)")
_CONTENT_RESTORED = (r"(?:all|everything) (?:of )?(?:your )?(?:previous |old )?(?:content|pages|data|work)? ?(?:will be|is|has been) (?:back|restored)",
                     r"restore (?:all )?(?:of )?your (?:previous |old )?(?:content|pages|data|work)",
                     r"everything (?:just )?as it was")

ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("refund_inside", "inside the 30-day guarantee",
               ("within the 30-day guarantee", "inside the refund guarantee", "within the refund guarantee"),
               _refund_inside, _REFUND_DONE),
    Assumption("refund_outside", "outside the 30-day guarantee", ("outside the refund guarantee",),
               _inverse(_refund_inside), _REFUND_REFUSED),
    Assumption("notice_enough", "10 or more days before the next invoice",
               ("at least 10 days before the next invoice", "enough cancellation notice"),
               _notice_enough, _CANCELED_FOR_THEM),
    Assumption("notice_short", "fewer than 10 days before the next invoice",
               ("less than 10 days before the next invoice",), _inverse(_notice_enough), _CANNOT_CANCEL_FOR_THEM),
    Assumption("account_email", "sent from the account email", ("from the account email",),
               _tone("sender_verification"), _ACCOUNT_EMAIL),
    Assumption("not_account_email", "not sent from the account email", ("not from the account email",),
               _inverse(_tone("sender_verification"))),
    Assumption("security_reset_valid", "a valid security question reset request",
               ("security question reset requirements met",), _tone("security_question_reset"),
               _SECURITY_RESET_DONE),
    Assumption("merchant_customer", "a merchant's customer", ("merchant's customer", "not a platform customer"),
               _merchant, _CONTACT_SELLER),
    Assumption("platform_customer", "a platform customer", ("has a platform account",), _inverse(_merchant)),
    Assumption("prospect", "not yet a customer", ("someone who has not bought yet",),
               lambda _badges, has_account: None if has_account is None else not has_account),
    # No reply may assume these; they exist so that Send catches the promise.
    Assumption("username_changeable", "the username can change", (), _never_when("username"), _RENAME_DONE),
    Assumption("content_restorable", "a lapsed account's content comes back", (), _never_when("inactive_account"),
               _CONTENT_RESTORED),
)
_BY_PHRASE = {normalize_text(p).strip(): a for a in ASSUMPTIONS for p in (a.phrase, *a.aliases)}


@cache
def promise_patterns() -> dict[str, list[re.Pattern[str]]]:
    """Each assumption's promise patterns, compiled on first use (not at start-up, which imports this)."""
    return {a.key: [re.compile(r"(?<!\w)" + p, re.IGNORECASE) for p in a.promises] for a in ASSUMPTIONS}


_ASSUMES_LINE = re.compile(r"^\s*assumes\s*:(.*)$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class AssumptionCheck:
    """One assumption of one reply against one ticket's badges."""

    assumption: Assumption
    verdict: Verdict
    reason: str                     # the badge label (or why it can't be told)

    @property
    def contradicted(self) -> bool:
        return self.verdict is False

    def warning(self) -> str:
        if self.verdict is False:
            return f"Assumes {self.assumption.phrase}, but the account says: {self.reason}."
        return f"Assumes {self.assumption.phrase}; can't confirm: {self.reason}."


def parse_assumptions(description: object) -> tuple[tuple[Assumption, ...], tuple[str, ...]]:
    """(assumptions, unknown clauses) from every ``Assumes:`` line of a macro description."""
    if not isinstance(description, str):
        return (), ()
    found: list[Assumption] = []
    unknown: list[str] = []
    for line in _ASSUMES_LINE.findall(description):
        for clause in line.split(";"):
            key = normalize_text(clause).strip().rstrip(".").strip()
            if not key:
                continue
            assumption = _BY_PHRASE.get(key)
            if assumption is None:
                unknown.append(clause.strip())
            elif assumption not in found:
                found.append(assumption)
    return tuple(found), tuple(unknown)


def by_rule(badges: Iterable[PolicyBadge]) -> dict[str, PolicyBadge]:
    return {badge.rule: badge for badge in badges}


RULE_OF = {"refund_inside": "refund_guarantee", "refund_outside": "refund_guarantee",
            "notice_enough": "cancellation_notice", "notice_short": "cancellation_notice",
            "account_email": "sender_verification", "not_account_email": "sender_verification",
            "security_reset_valid": "security_question_reset",
            "merchant_customer": "merchant_customer", "platform_customer": "merchant_customer",
            "prospect": "merchant_customer",
            "username_changeable": "username", "content_restorable": "inactive_account"}
_UNKNOWN_REASON = {"refund_guarantee": "no purchase date on the account",
                   "cancellation_notice": "no next invoice date on the account",
                   "sender_verification": "no account email to compare with",
                   "security_question_reset": "this ticket is not a security question reset",
                   "merchant_customer": "no account facts for this requester"}


def assess(assumption: Assumption, badges: dict[str, PolicyBadge], has_account: bool | None) -> AssumptionCheck:
    verdict = assumption.judge(badges, has_account)
    rule = RULE_OF[assumption.key]
    badge = badges.get(rule)
    if badge is not None:
        reason = badge.label
    elif assumption.key in ("merchant_customer", "platform_customer", "prospect") and has_account:
        reason = "the requester has a platform account"
    else:
        reason = _UNKNOWN_REASON.get(rule, "no badge for it")
    return AssumptionCheck(assumption, verdict, reason)


def contradicted_promises(text: str | None, badges: Iterable[PolicyBadge], has_account: bool | None = None) -> list[str]:
    """What ``text`` still promises that the badges contradict, one sentence each (empty: safe to send)."""
    haystack = normalize_text(text)
    if not haystack.strip():
        return []
    ruled = by_rule(badges)
    found = []
    for assumption in ASSUMPTIONS:
        check = assess(assumption, ruled, has_account)
        if not check.contradicted:
            continue
        for pattern in promise_patterns()[assumption.key]:
            match = pattern.search(haystack)
            if match:
                found.append(f'The reply says "{_quote(haystack, match)}", but the account says: {check.reason}.')
                break
    return found


def _quote(text: str, match: re.Match) -> str:
    start = max(text.rfind(".", 0, match.start()) + 1, text.rfind("\n", 0, match.start()) + 1,
                match.start() - 60)   # from the sentence (or line) the promise is in
    end = min(len(text), match.end() + 40)
    stop = text.find(".", match.end())
    if 0 <= stop < end:
        end = stop
    return text[start:end].strip()
