"""Ranked canned replies for one ticket: the right answer first, and never a harmful one unmarked.

    catalog = ReplyCatalog.from_macros(macros, group_names)          # once per macro refresh
    ranked = rank_replies(catalog, ticket, requester, comments, history=usage, now=now)
    top = preselect(ranked)                                           # None unless confident

Each reply family (an English reply and its translations) is scored for the ticket from:
1. **intents** (``routing.intent_evidence``, weighted): how much of what the ticket asks the reply
   is for (its title, description and tags; its body counts a third), and how much of what the
   reply is for the ticket asks;
2. **department**: the reply's department against the ticket's (the confident suggestion's when it
   disagrees with the ticket's); internal routing notes only when the ticket is probably misrouted;
3. **policy state**: each ``Assumes:`` of the reply against the account's badges
   (``policies.policy_badges``): confirmed (more when the badge matters for this ticket),
   contradicted (a warning and far down the list) or unknown (a warning);
4. **usage**: how often this console sent the reply on similar tickets (``UsageRecord``s from the
   cache: same intents, else same department);
5. **language**: the variant in the customer's language is offered (``languages``), with the
   other languages listed for a switch.

``RankedReply.warnings`` name every contradiction, unconfirmed assumption and fragment error.
``preselect`` returns the first reply only when it is confident: clear score, clear lead, no
warning, no fragment error. A reply whose actions solve or reassign the ticket has
``needs_confirmation``: the picker shows its "also applies" strip and inserts it only on an
explicit confirmation, never on the keystroke that opened the picker.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from console.domain.account import account_from_user
from console.domain.languages import ENGLISH, CustomerLanguage, customer_language
from console.domain.policies import policy_badges
from console.domain.policy_guard import RULE_OF, assess, by_rule
from console.domain.reply_catalog import ReplyCatalog, ReplyRecord
from console.domain.routing import Evidence, intent_evidence, intents_from_tags
from console.domain.triage import Suggestion, suggest_department

BODY_MATCH = 0.35
# An intent the ticket has, credited to a reply made for a neighbouring one.
RELATED = {("technical_issue", "screen_recording"): 0.8, ("cancel", "freeze"): 0.6, ("freeze", "cancel"): 0.3,
           ("password_reset", "login"): 0.5, ("login", "password_reset"): 0.5, ("rename", "custom_domain"): 0.7,
           ("custom_domain", "rename"): 0.2, ("refund", "cancel"): 0.25, ("trial", "pre_sales"): 0.5}
DEPARTMENT_MATCH, SHARED_REPLY, OTHER_DEPARTMENT = 0.12, 0.04, -0.10
ASSUMPTION_HOLDS, ASSUMPTION_HOLDS_RELEVANT = 0.0, 0.35
CONTRADICTED, UNCONFIRMED, FRAGMENT_BROKEN = -0.8, -0.06, -0.4
CONTRADICTED_FLOOR = 0.1
INTERNAL_NOTE, ROUTING_NOTE = -0.25, 0.55
MERCHANT_REPLY = 0.45
USAGE_WEIGHT = 0.2
PRESELECT_SCORE, PRESELECT_LEAD = 0.55, 0.08


@dataclass(frozen=True)
class UsageRecord:
    """This console sent canned reply ``macro_id`` ``count`` times on tickets like this one."""

    macro_id: int
    group_id: int | None
    tags: tuple[str, ...]
    count: int = 1


@dataclass(frozen=True)
class RankedReply:
    """One reply family ranked for one ticket, in the variant to offer."""

    macro_id: int
    title: str
    base_title: str
    language: str
    languages: tuple[str, ...]            # every language the family has, English first
    score: float
    warnings: tuple[str, ...] = ()
    contradicted: bool = False
    fragment_error: str | None = None
    public: bool = True
    solves: bool = False
    reassigns: bool = False
    applies: tuple[str, ...] = ()        # the field changes, for the "also applies" strip

    @property
    def needs_confirmation(self) -> bool:
        return self.solves or self.reassigns


@dataclass(frozen=True)
class TicketFacts:
    """What the ranking learned about the ticket (shown beside the list, reused by the caller)."""

    evidence: dict[str, Evidence]
    suggestion: Suggestion
    language: CustomerLanguage
    badges: tuple
    has_account: bool | None
    department: str | None


def customer_text(ticket: Mapping, requester: Mapping | None, comments: list[Mapping]) -> str:
    """What the customer wrote: their first three public comments, else the ticket's description."""
    customer = [c for c in comments if c.get("public", True) and (requester is None
                                                                   or c.get("author_id") in (None, requester.get("id")))]
    return "\n".join(str(c.get("body") or c.get("plain_body") or "") for c in customer[:3]) or str(
        ticket.get("description") or "")


def department_suggestion(ticket: Mapping, requester: Mapping | None, comments: Iterable[Mapping],
                          ) -> tuple[Suggestion, dict[str, Evidence], str]:
    """Where the ticket belongs (``triage.suggest_department`` on what the customer wrote), with the
    intent evidence and the text it was read from."""
    comments = [c for c in comments or [] if isinstance(c, Mapping)]
    text = customer_text(ticket, requester, comments)
    evidence = intent_evidence(ticket.get("subject"), text)
    suggestion = suggest_department(ticket.get("subject"), text, dict(requester) if requester is not None else None,
                                    ticket.get("tags"), evidence=evidence)
    return suggestion, evidence, text


def ticket_facts(ticket: Mapping, requester: Mapping | None, comments: Iterable[Mapping], group_names: Mapping[int, str],
                 *, now: datetime) -> TicketFacts:
    comments = [c for c in comments or [] if isinstance(c, Mapping)]
    suggestion, evidence, text = department_suggestion(ticket, requester, comments)
    group_id = ticket.get("group_id")
    department = group_names.get(group_id) if isinstance(group_id, int) else None
    account = account_from_user(dict(requester)) if requester is not None else None
    badges = tuple(policy_badges(dict(ticket), dict(requester) if requester is not None else None, department,
                                 [dict(c) for c in comments], now=now))
    language = customer_language(account, ticket.get("subject"), text)
    has_account = None if requester is None else account is not None
    return TicketFacts(evidence, suggestion, language, badges, has_account, department)


def rank_replies(catalog: ReplyCatalog, ticket: Mapping, requester: Mapping | None, comments: Iterable[Mapping],
                 *, history: Iterable[UsageRecord] = (), now: datetime, me: int | None = None,
                 facts: TicketFacts | None = None, language: str | None = None) -> list[RankedReply]:
    """Every reply family for this ticket, best first (see the module docstring).

    ``language`` overrides the customer's language (the picker's switch)."""
    facts = facts or ticket_facts(ticket, requester, comments, catalog.group_names, now=now)
    want = language or facts.language.code
    weights = {i: e.weight for i, e in facts.evidence.items()}
    for intent in intents_from_tags(ticket.get("tags")):
        weights.setdefault(intent, 0.3)
    total = sum(weights.values())
    target = facts.suggestion.name if facts.suggestion.confident and facts.suggestion.name else facts.department
    misrouted = bool(facts.suggestion.confident and facts.suggestion.name and facts.department
                     and facts.suggestion.name != facts.department)
    ruled = by_rule(facts.badges)
    usage = _usage(history, catalog, weights, ticket.get("group_id"))
    ranked = []
    for base_title, variants in catalog.families.items():
        base = variants.get(ENGLISH) or next(iter(variants.values()))
        record = variants.get(want) or base
        intents = base.intents | record.intents
        body = base.body_intents | record.body_intents
        score = _intent_score(weights, total, intents, body)
        score += _department_score(base.department, target)
        if not base.public:
            moves_to = catalog.group_names.get(base.group_id) if base.group_id is not None else None
            score = (ROUTING_NOTE if misrouted and moves_to == target else score + INTERNAL_NOTE)
        if facts.suggestion.merchant_customer and "merchant_purchase" in intents:
            score += MERCHANT_REPLY
        warnings, contradicted = [], False
        for assumption in base.assumptions:
            check = assess(assumption, ruled, facts.has_account)
            if check.verdict is True:
                badge = ruled.get(RULE_OF[assumption.key])
                score += ASSUMPTION_HOLDS_RELEVANT if badge is not None and badge.relevant else ASSUMPTION_HOLDS
            elif check.verdict is False:
                score += CONTRADICTED
                contradicted = True
                warnings.append(check.warning())
            else:
                score += UNCONFIRMED
                warnings.append(check.warning())
        warnings += [f"Unknown assumption {text!r} in the description" for text in base.unknown_assumptions]
        error = record.fragment_error or base.fragment_error
        if error:
            score += FRAGMENT_BROKEN
            warnings.append(error)
        score += USAGE_WEIGHT * usage.get(base_title, 0.0)
        if contradicted:
            score = min(score, 0.0) + CONTRADICTED_FLOOR * max(score, 0.0)  # listed, marked, below any fitting reply
        reassigns = _reassigns(base, ticket, me)
        ranked.append(RankedReply(
            record.macro_id, record.title, base_title, record.language,
            tuple(sorted(variants, key=lambda code: (code != ENGLISH, code))), round(score, 4), tuple(warnings),
            contradicted, error, base.public, base.solves, reassigns, _applies(base, catalog.group_names)))
    ranked.sort(key=lambda r: (-r.score, r.base_title))
    return ranked


def preselect(ranked: list[RankedReply], facts: TicketFacts | None = None) -> RankedReply | None:
    """The reply to select when the picker opens, or None when the ranking is not sure enough."""
    if not ranked:
        return None
    top = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else 0.0
    if facts is not None and not facts.evidence:
        return None
    if top.warnings or top.fragment_error or top.score < PRESELECT_SCORE or top.score - second < PRESELECT_LEAD:
        return None
    return top


def _intent_score(weights: dict[str, float], total: float, intents: frozenset[str], body: frozenset[str]) -> float:
    if total <= 0 or not (intents or body):
        return 0.0
    covered = 0.0
    for intent, weight in weights.items():
        credit = 1.0 if intent in intents else BODY_MATCH if intent in body else 0.0
        for (asked, made_for), share in RELATED.items():
            if asked == intent and made_for in intents:
                credit = max(credit, share)
        covered += weight * credit
    coverage = covered / total
    precision = len(intents & weights.keys()) / len(intents) if intents else 0.0
    return 0.75 * coverage + 0.25 * precision * (coverage > 0)


def _department_score(department: str | None, target: str | None) -> float:
    if department is None:
        return SHARED_REPLY
    if target is None:
        return 0.0
    return DEPARTMENT_MATCH if department == target else OTHER_DEPARTMENT


def _reassigns(record: ReplyRecord, ticket: Mapping, me: int | None) -> bool:
    if record.group_id is not None and record.group_id != ticket.get("group_id"):
        return True
    if record.assignee is None:
        return False
    current = ticket.get("assignee_id")
    if record.assignee == "current_user":
        return current is not None and current != me
    target = int(record.assignee) if record.assignee.isdigit() else None
    return target != current


def _applies(record: ReplyRecord, group_names: Mapping[int, str]) -> tuple[str, ...]:
    out = []
    if record.status:
        out.append(f"status → {record.status}")
    if record.group_id is not None:
        out.append(f"department → {group_names.get(record.group_id, record.group_id)}")
    if record.assignee is not None:
        out.append("assignee → you" if record.assignee == "current_user" else
                   "assignee → none" if record.assignee == "" else f"assignee → #{record.assignee}")
    if record.added_tags:
        out.append("tags + " + " ".join(record.added_tags))
    return tuple(out)


@lru_cache(maxsize=4096)
def _tag_intents(tags: tuple[str, ...]) -> frozenset[str]:
    return frozenset(intents_from_tags(list(tags)))


def _usage(history: Iterable[UsageRecord], catalog: ReplyCatalog, weights: dict[str, float],
           group_id: int | None) -> dict[str, float]:
    """Per reply family: 0..1, how much this console used it on similar tickets (log-scaled)."""
    counts: dict[str, float] = {}
    asked = set(weights)
    for item in history:
        family = catalog.family_by_id.get(item.macro_id)
        if family is None:
            continue
        similar = 1.0 if asked & _tag_intents(item.tags) else 0.3 if item.group_id == group_id else 0.0
        if similar:
            counts[family] = counts.get(family, 0.0) + similar * item.count
    return {family: min(1.0, math.log1p(n) / math.log1p(20)) for family, n in counts.items()}
