"""The labelled evaluation set of the suggestions, and its scoring.

Parts (``PARTS``):
- ``scenarios``: the demo workspace's scenario tickets (``scenarios.json``), labelled here;
- ``tuning``: tickets written for this evaluation (``tuning.jsonl``) that the ranking was tuned on;
- ``held_out``: tickets written at the same time, before any tuning, and never run while tuning;
- ``openings``: every opening line of the demo's generated tickets (``ticket_texts.json``, written by
  another engineer for the demo, not for this), labelled by its department and topic.

Each written item: ``subject``, ``text``, ``account`` (``days`` since purchase, ``invoice`` days to
the next invoice or null, ``status``, ``lang`` checkout language, ``sender_ok``, ``affiliate``) or
null for someone without a platform account, optional ``group`` (the ticket's department now;
default none: a new ticket), the expected ``department`` (or ``"merchant"``), acceptable
``replies`` (English titles), ``harmful`` replies and the expected reply ``language``.

``add_items(writer, items, group_ids, now)`` writes the items into a cache as the sync would hold
them (requester with account facts, ticket, first comment); ``score(results)`` computes the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.demo.data import USER_FIELD_KEYS, load

HERE = Path(__file__).parent
PARTS = ("scenarios", "tuning", "held_out", "openings")
FIRST_TICKET, FIRST_USER = 5_000_000, 6_000_000

# The demo scenarios, by name: (department, acceptable replies, harmful replies, language).
SCENARIO_LABELS = {
    "verified_sender": ("Billing", [], [], "en"),   # a plan change: no canned reply for it
    "unverified_sender": ("Billing", ["General::Please write from your account email", "Billing::Invoices"],
                          [], "en"),
    "refund_inside_window": ("Billing", ["Billing::Refund within the 30-day guarantee"],
                             ["Billing::Refund outside the guarantee"], "en"),
    "refund_outside_window": ("Billing", ["Billing::Refund outside the guarantee"],
                              ["Billing::Refund within the 30-day guarantee",
                               "General::Merchant's customer — contact the seller"], "en"),
    "cancel_short_notice": ("Billing", ["Billing::Cancellation — less than 10 days notice",
                                        "Billing::Cancellation — how to cancel yourself"],
                            ["Billing::Cancellation — done on your behalf"], "en"),
    "cancel_enough_notice": ("Billing", ["Billing::Cancellation — done on your behalf",
                                         "Billing::Cancellation — how to cancel yourself",
                                         "Billing::Freeze instead of cancel"],
                             ["Billing::Cancellation — less than 10 days notice"], "en"),
    "security_reset_ok": ("Technical Support", ["Technical Support::Security question reset done"],
                          ["Technical Support::Security question reset — requirements"], "en"),
    "security_reset_wrong_sender": ("Technical Support", ["Technical Support::Security question reset — requirements",
                                                          "General::Please write from your account email"],
                                    ["Technical Support::Security question reset done"], "en"),
    "security_reset_wrong_subject": ("Technical Support", ["Technical Support::Security question reset — requirements"],
                                     ["Technical Support::Security question reset done"], "en"),
    "security_reset_wrong_department": ("Technical Support",
                                        ["Technical Support::Security question reset — requirements"],
                                        ["Technical Support::Security question reset done"], "en"),
    "merchant_customer": ("merchant", ["General::Merchant's customer — contact the seller"],
                          ["Billing::Refund within the 30-day guarantee", "Billing::Refund outside the guarantee"],
                          "en"),
    "inactive_account": ("Technical Support", ["Technical Support::Account not active — reinstatement"], [], "en"),
    "username_change": ("Technical Support", ["Technical Support::Username cannot be changed",
                                              "Technical Support::Hide the username with a custom domain"], [], "en"),
    "trial_question": ("Ask Before Buying", ["Ask Before Buying::$1 trial"], [], "en"),
    "affiliate_application": ("Affiliate Program", ["Affiliate Program::Application received"], [], "en"),
    "long_thread": ("Technical Support", ["Technical Support::Please share a screen recording link",
                                          "Technical Support::Hide the username with a custom domain"], [], "en"),
    "html_rich": ("Technical Support", [], [], "en"),   # their own checkout's totals: no canned reply for it
    "rtl_text": ("Technical Support", ["Technical Support::Login help", "Technical Support::Profile will not save"],
                 [], None),
    "non_latin": ("Ask Before Buying", ["Technical Support::Checkout language settings",
                                        "Technical Support::Account currency", "Ask Before Buying::How to pay"], [],
                  None),
    "with_attachments": ("Billing", ["Billing::Invoices"], [], "en"),
}

# The demo openings: topic → acceptable replies (no list: no canned reply answers that topic).
TOPIC_REPLIES = {
    "trial": ["Ask Before Buying::$1 trial"], "payment_methods": ["Ask Before Buying::How to pay",
                                                                 "Billing::Payment methods"],
    "language": ["Technical Support::Checkout language settings", "Technical Support::Interface language"],
    "currency": ["Technical Support::Account currency"], "refund": [], "cancellation": [
        "Billing::Cancellation — how to cancel yourself", "Billing::Cancellation — done on your behalf",
        "Billing::Freeze instead of cancel"],
    "freeze": ["Billing::Freeze instead of cancel"], "invoices": ["Billing::Invoices"],
    "credit_card": ["Billing::Update the credit card"], "sales_tax": ["Billing::Sales tax"], "plan_upgrade": [],
    "affiliate": ["Affiliate Program::Application received"],
    "affiliate_commission": ["Affiliate Program::Commission payout question"],
    "login": ["Technical Support::Login help", "Technical Support::Password reset"],
    "password_reset": ["Technical Support::Password reset"], "email_change": ["Technical Support::Change account email"],
    "username": ["Technical Support::Username cannot be changed", "Technical Support::Hide the username with a custom domain"],
    "custom_domain": ["Technical Support::Hide the username with a custom domain",
                      "Technical Support::Please share a screen recording link"],
    "profile_save": ["Technical Support::Profile will not save"], "experts": ["Technical Support::Experts marketplace"],
    "screen_recording": ["Technical Support::Please share a screen recording link"],
    "reinstatement": ["Technical Support::Account not active — reinstatement"],
    "merchant_customer": ["General::Merchant's customer — contact the seller"],
}


def written_items(part: str) -> list[dict]:
    return [json.loads(line) for line in (HERE / f"{part}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def opening_items() -> list[dict]:
    """The demo's opening lines as items; refunds alternate inside / outside the guarantee."""
    items, refunds = [], 0
    for department, topics in load("ticket_texts")["departments"].items():
        for topic in topics:
            for n, text in enumerate(topic["openings"]):
                account = {"days": 200, "invoice": 20}
                harmful: list[str] = []
                replies = list(TOPIC_REPLIES[topic["topic"]])
                if topic["requester"] in ("prospect", "merchant"):
                    account = None
                elif topic["requester"] == "inactive":
                    account = {"days": 500, "invoice": None, "status": "inactive"}
                elif topic["requester"] == "affiliate":
                    account = {"days": 300, "invoice": 30, "affiliate": "active"}
                if topic["topic"] == "refund":
                    refunds += 1
                    inside = refunds % 2 == 1
                    account = {"days": 14 if inside else 45, "invoice": 16}
                    good, bad = "Billing::Refund within the 30-day guarantee", "Billing::Refund outside the guarantee"
                    replies, harmful = ([good], [bad]) if inside else ([bad], [good])
                items.append({"id": f"o-{department}-{topic['topic']}-{n}", "subject": topic["subjects"][n % len(topic["subjects"])],
                              "text": text, "account": account,
                              "department": "merchant" if topic["requester"] == "merchant" else department,
                              "replies": replies, "harmful": harmful, "language": "en"})
    return items


def items_of(part: str) -> list[dict]:
    return opening_items() if part == "openings" else written_items(part)


def _day(now: datetime, days: int) -> str:
    day = (now - timedelta(days=days)).date()
    return f"{day.isoformat()}T00:00:00Z"


def add_items(writer, items: list[dict], group_ids: dict[str, int], now: datetime, first: int = 0) -> dict[str, int]:
    """Write the items into the cache; returns ticket id by item id."""
    users, tickets, ids = [], [], {}
    stamp = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for n, item in enumerate(items, start=first):
        uid, tid = FIRST_USER + n, FIRST_TICKET + n
        email = f"eval{n}@example.com"
        fields = dict.fromkeys(USER_FIELD_KEYS)
        account = item.get("account")
        if account:
            invoice = account.get("invoice")
            fields.update(
                account_email=email if account.get("sender_ok", True) else f"owner{n}@example.org",
                username=f"evaluser{n}", plan="pro_monthly", account_status=account.get("status", "active"),
                purchase_date=_day(now, account["days"]),
                next_invoice_date=_day(now, -invoice) if invoice is not None else None, currency="usd",
                checkout_language=account.get("lang"), checkout_language_mode="fixed" if account.get("lang") else None,
                security_question_set=True, affiliate_status=account.get("affiliate", "none"))
        users.append({"id": uid, "name": f"Eval Customer{n}", "email": email, "role": "end-user", "active": True,
                      "user_fields": fields, "updated_at": stamp})
        group = item.get("group")
        tickets.append({"id": tid, "subject": item["subject"], "status": "new", "priority": "normal",
                        "requester_id": uid, "submitter_id": uid, "assignee_id": None,
                        "group_id": group_ids[group] if group else None, "tags": [], "created_at": stamp,
                        "updated_at": stamp, "generated_timestamp": int(now.timestamp()), "description": item["text"],
                        "via": {"channel": "email", "source": {"from": {"address": email}}}, "custom_fields": []})
        ids[item["id"]] = tid
    writer.apply_user_page(users, None)
    writer.upsert_tickets(tickets)
    for n, item in enumerate(items, start=first):
        writer.add_ticket_comments(FIRST_TICKET + n, [{
            "id": FIRST_TICKET + n, "author_id": FIRST_USER + n, "public": True, "body": item["text"],
            "html_body": None, "created_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "attachments": [], "via": {"channel": "email"}}])
    return ids


@dataclass
class Outcome:
    item: dict
    department: str | None          # "merchant" for the merchant's-customer route
    ranked: list                    # RankedReply
    language: str

    @property
    def department_hit(self) -> bool:
        return self.department == self.item["department"]

    def replies_hit(self, k: int) -> bool:
        titles = [r.base_title for r in self.ranked[:k]]
        return any(t in self.item["replies"] for t in titles)

    @property
    def harmful_first(self) -> bool:
        """The first reply is one labelled harmful and carries no warning."""
        top = self.ranked[0] if self.ranked else None
        return bool(top and top.base_title in self.item.get("harmful", []) and not top.warnings)

    @property
    def harmful_first_any(self) -> bool:
        top = self.ranked[0] if self.ranked else None
        return bool(top and top.base_title in self.item.get("harmful", []))


@dataclass
class Score:
    part: str
    tickets: int = 0
    department: int = 0
    with_reply: int = 0
    top1: int = 0
    top3: int = 0
    harmful: int = 0
    harmful_any: int = 0
    languages: int = 0
    language_hits: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.tickets += 1
        self.department += outcome.department_hit
        if not outcome.department_hit:
            self.misses.append(f"{outcome.item['id']}: department {outcome.department} != {outcome.item['department']}")
        if outcome.item["replies"]:
            self.with_reply += 1
            self.top1 += outcome.replies_hit(1)
            self.top3 += outcome.replies_hit(3)
            if not outcome.replies_hit(3):
                self.misses.append(f"{outcome.item['id']}: top 3 {[r.base_title for r in outcome.ranked[:3]]}")
        self.harmful += outcome.harmful_first
        self.harmful_any += outcome.harmful_first_any
        if outcome.item.get("language"):
            self.languages += 1
            self.language_hits += outcome.language == outcome.item["language"]

    def row(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:5.1f} %" if b else "    -  "
        return (f"{self.part:<10} {self.tickets:>7} {pct(self.department, self.tickets):>10} "
                f"{pct(self.top1, self.with_reply):>10} {pct(self.top3, self.with_reply):>10} "
                f"{self.harmful:>8} {self.harmful_any:>6} {pct(self.language_hits, self.languages):>10}")


HEADER = (f"{'part':<10} {'tickets':>7} {'dept top1':>10} {'reply top1':>10} {'reply top3':>10} "
          f"{'harmful':>8} {'(any)':>6} {'language':>10}")


def outcome_for(item: dict, suggestions) -> Outcome:
    department = "merchant" if suggestions.department.merchant_customer else suggestions.department.name
    return Outcome(item, department, suggestions.replies, suggestions.facts.language.code)


def now_utc() -> datetime:
    return datetime.now(UTC)


def evaluate(cache_path: Path, parts: tuple[str, ...], now: datetime) -> dict[str, Score]:
    """Score the given parts on a copy of the synced demo cache at ``cache_path`` (written into)."""
    from console.store import CacheReader, CacheWriter
    from console.suggest import TicketSuggestions, build_catalog, read_usage

    scores: dict[str, Score] = {}
    with CacheWriter(cache_path) as writer, CacheReader(cache_path) as reader:
        group_ids = {g["name"]: g["id"] for g in reader.groups(include_deleted=True)}
        catalog, usage = build_catalog(reader), read_usage(reader)
        offset = 0
        for part in parts:
            score = scores[part] = Score(part)
            if part == "scenarios":
                ids = {}
                for ticket in reader.tickets_by_ids(list(range(1, 200))):
                    full = reader.ticket(ticket["id"])
                    name = str(full.get("external_id") or "").removeprefix("demo:")
                    if name in SCENARIO_LABELS:
                        ids[name] = ticket["id"]
                items = []
                for name, (department, replies, harmful, language) in SCENARIO_LABELS.items():
                    items.append({"id": name, "department": department, "replies": replies, "harmful": harmful,
                                  "language": language})
            else:
                items = items_of(part)
                ids = add_items(writer, items, group_ids, now, first=offset)
                offset += len(items)
            for item in items:
                result = TicketSuggestions.for_ticket(reader, ids[item["id"]], now=now, catalog=catalog, usage=usage)
                score.add(outcome_for(item, result))
    return scores
